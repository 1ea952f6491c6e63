# plugin.mk — rules to build a weir plugin against the installed SDK,
# included by a plugin's Makefile (see share/weir/template/Makefile):
#
#   PLUGIN  = name          the plugin: builds name.so
#   SOURCES = a.c b.c       its sources
#   TESTS   = test.c        tests linked with SOURCES and the SDK's harness
#   include $(shell pkg-config --variable=pluginmk weir-sdk)
#
# Targets: all (name.so), test, install (into weir's plugin folder, under
# DESTDIR), clean. Flags come from pkg-config weir-sdk; CFLAGS and LDFLAGS
# add to them. A plugin exports one symbol, the entry function (weir's
# loader needs nothing else, and hidden symbols cannot clash with another
# plugin's): the build checks it with nm.
PKG_CONFIG ?= pkg-config
WEIR_SDK   ?= weir-sdk
CC         ?= cc
CFLAGS     ?= -O2 -g
TESTS      ?=
WEIR_CFLAGS    := $(shell $(PKG_CONFIG) --cflags $(WEIR_SDK))
WEIR_LIBS      := $(shell $(PKG_CONFIG) --libs $(WEIR_SDK))
WEIR_PLUGINDIR := $(shell $(PKG_CONFIG) --variable=plugindir $(WEIR_SDK))
WEIR_ALL_CFLAGS = -std=c11 -Wall -Wextra $(WEIR_CFLAGS) $(CFLAGS)

ifeq ($(WEIR_CFLAGS)$(WEIR_LIBS),)
$(error pkg-config finds no $(WEIR_SDK): install weir's SDK, or set PKG_CONFIG_PATH)
endif

.PHONY: all test install clean
all: $(PLUGIN).so

$(PLUGIN).so: $(SOURCES) $(wildcard *.h)
	$(CC) $(WEIR_ALL_CFLAGS) -shared -Wl,-z,defs -o $@ $(SOURCES) $(WEIR_LIBS) $(LDFLAGS)
	@syms="$$(nm -D --defined-only $@ | awk '{print $$3}')"; \
	if [ "$$syms" != weir_plugin_entry ]; then \
	  echo "$@ must export only weir_plugin_entry, not: $$syms" >&2; rm -f $@; exit 1; fi

$(PLUGIN)-test: $(TESTS) $(SOURCES) $(wildcard *.h)
	$(CC) $(WEIR_ALL_CFLAGS) -o $@ $(TESTS) $(SOURCES) $(WEIR_LIBS) $(LDFLAGS)

test: $(PLUGIN).so $(if $(TESTS),$(PLUGIN)-test)
	$(if $(TESTS),./$(PLUGIN)-test,@echo "no TESTS")

install: $(PLUGIN).so
	install -d $(DESTDIR)$(WEIR_PLUGINDIR)
	install -m 755 $(PLUGIN).so $(DESTDIR)$(WEIR_PLUGINDIR)/

clean:
	rm -f $(PLUGIN).so $(PLUGIN)-test
