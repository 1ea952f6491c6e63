/* plugins/kafka_sink/kconf.c — the kafka source's kconf.c (kafka.* keys to
 * librdkafka, logs, first contact), compiled into the sink as well: one
 * place decides how both plugins talk to librdkafka. */
#include "../kafka/kconf.c"
