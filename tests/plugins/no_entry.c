/* no_entry.c — a shared object without the entry function. */
int weir_not_the_entry(void);
int weir_not_the_entry(void) { return 42; }
