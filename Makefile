# weir — top-level build. `make` builds the runtime, the SDK library and every
# built-in plugin; `make test`, `make demo`, `make bench`, `make install`,
# `make format`, `make lint`. Missing Debian packages are installed first
# (scripts/deps.sh, as root). SAN=1 builds with ASan+UBSan; WERROR=1 turns
# warnings into errors (CI does both).

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?=
WERROR  ?=

ifeq ($(filter clean format help,$(MAKECMDGOALS)),)
ifneq ($(filter test check bench,$(MAKECMDGOALS)),)
DEPS_KIND := test
else
DEPS_KIND := build
endif
DEPS_STATUS := $(shell sh scripts/deps.sh $(DEPS_KIND) >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error missing packages, see above)
endif
endif

MSGPACK_PC := $(shell pkg-config --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
PKG_CFLAGS := $(shell pkg-config --cflags $(MSGPACK_PC) inih 2>/dev/null)
MSGPACK_LIBS := $(shell pkg-config --libs $(MSGPACK_PC) 2>/dev/null)
INIH_LIBS := $(shell pkg-config --libs inih 2>/dev/null)
# The SDK's Parquet module (sdk/src/parquet_*.c) compresses with these; what
# links the SDK and uses it (file plugins, tests, benches) links them too.
PARQUET_LIBS := $(shell pkg-config --libs snappy libzstd zlib 2>/dev/null || echo -lsnappy -lzstd -lz)

OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WFLAGS  := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
ifeq ($(WERROR),1)
WFLAGS  += -Werror
endif
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden $(WFLAGS) $(CFLAGS) -Isdk/include $(PKG_CFLAGS) \
  -DWEIR_PLUGIN_DIR='"$(PREFIX)/lib/weir/plugins"'
LDFLAGS ?=
PLUGIN_LDFLAGS := -shared -fvisibility=hidden
ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
else
PLUGIN_LDFLAGS += -Wl,-z,defs
endif

SDK_SRC   := $(wildcard sdk/src/*.c)
SDK_OBJ   := $(SDK_SRC:%.c=$(BUILD)/obj/%.o)
SDK_LIB   := $(BUILD)/lib/libweir-sdk.a
# The SDK's optional Kafka module (weir/kafka.h): its own library, so that
# only plugins that talk to Kafka link librdkafka.
KAFKA_SDK_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard sdk/kafka/*.c))
KAFKA_SDK_LIB := $(BUILD)/lib/libweir-kafka.a
CORE_SRC  := $(wildcard core/*.c)
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
CORE_LIB_OBJ := $(filter-out $(BUILD)/obj/core/main.o,$(CORE_OBJ))
WEIR      := $(BUILD)/bin/weir

PLUGIN_DIRS := $(patsubst %/,%,$(dir $(wildcard plugins/*/*.c)))
PLUGIN_NAMES := $(sort $(notdir $(PLUGIN_DIRS)))
PLUGINS   := $(PLUGIN_NAMES:%=$(BUILD)/plugins/%.so)
EXAMPLE_PLUGIN_NAMES := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard examples/plugins/*/*.c)))))
EXAMPLE_PLUGINS := $(EXAMPLE_PLUGIN_NAMES:%=$(BUILD)/examples/%.so)

HEADERS   := $(wildcard sdk/include/weir/*.h core/*.h)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
TEST_PLUGIN_SRC := $(wildcard tests/plugins/*.c)
TEST_PLUGINS := $(TEST_PLUGIN_SRC:tests/plugins/%.c=$(BUILD)/testplugins/%.so)
FUZZ_BIN  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/testtools/%,$(wildcard tests/tools/*.c))
# Programs beside weir: the Kafka-protocol test broker and the event generator.
RDKAFKA_LIBS := $(shell pkg-config --libs rdkafka 2>/dev/null)
TOOLS := $(BUILD)/bin/weir-kafka-broker $(BUILD)/bin/weir-gen

.PHONY: all test check demo bench install uninstall format lint clean help
all: $(WEIR) $(SDK_LIB) $(KAFKA_SDK_LIB) $(PLUGINS) $(EXAMPLE_PLUGINS) $(BUILD)/weir-sdk.pc $(TOOLS)

help:
	@echo "make            build $(WEIR), the SDK and plugins"
	@echo "make test       run the whole test suite (SAN=1 for ASan+UBSan)"
	@echo "make demo       run the main example"
	@echo "make bench      run the benchmarks"
	@echo "make install    install under DESTDIR/PREFIX ($(PREFIX))"
	@echo "make format     clang-format the sources;  make lint: cppcheck"

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(SDK_LIB): $(SDK_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libweir-core.a: $(CORE_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(WEIR): $(BUILD)/obj/core/main.o $(BUILD)/lib/libweir-core.a $(SDK_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(INIH_LIBS) $(MSGPACK_LIBS) -lz -ldl -lm

# One plugin = one folder; built only against the SDK, exactly as a
# third-party plugin would be. Only the entry symbol is exported.
.SECONDEXPANSION:
# Keep every object file: plugin objects are intermediate to make, which
# would otherwise delete them and rebuild the plugins on the next run.
.SECONDARY:
objs_of = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(1)/*.c))
# Extra libraries a plugin links: PLUGIN_LIBS_<name>.
PLUGIN_LIBS_file := -lz $(PARQUET_LIBS)
PLUGIN_LIBS_file_sink := $(PARQUET_LIBS)
PLUGIN_LIBS_kafka := $(RDKAFKA_LIBS)
PLUGIN_LIBS_kafka_sink := $(RDKAFKA_LIBS)
# SDK modules a plugin links besides the SDK: PLUGIN_SDK_<name>.
PLUGIN_SDK_kafka := $(KAFKA_SDK_LIB)
PLUGIN_SDK_kafka_sink := $(KAFKA_SDK_LIB)
$(BUILD)/plugins/%.so: $$(call objs_of,plugins/$$*) $$(PLUGIN_SDK_$$*) $(SDK_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(PLUGIN_LDFLAGS) -o $@ $(filter %.o,$^) $(PLUGIN_SDK_$*) $(SDK_LIB) $(MSGPACK_LIBS) $(PLUGIN_LIBS_$*) -lm

$(KAFKA_SDK_LIB): $(KAFKA_SDK_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/examples/%.so: $$(call objs_of,examples/plugins/$$*) $(SDK_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(PLUGIN_LDFLAGS) -o $@ $(filter %.o,$^) $(SDK_LIB) $(MSGPACK_LIBS) -lm

$(BUILD)/testplugins/%.so: tests/plugins/%.c tests/plugins/common.h $(SDK_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -o $@ $< $(SDK_LIB) $(MSGPACK_LIBS) -lm

# Unit tests link the core library too, so core modules can be tested alone.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/lib/libweir-core.a $(SDK_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Icore -o $@ $< $(filter %.o,$^) $(BUILD)/lib/libweir-core.a $(SDK_LIB) \
	  $(shell pkg-config --cflags --libs criterion) $(INIH_LIBS) $(MSGPACK_LIBS) $(PARQUET_LIBS) -lz -ldl -lm
$(BUILD)/tests/test_console_format: $(BUILD)/obj/plugins/console/table.o
FILE_OBJ := $(BUILD)/obj/plugins/file
$(BUILD)/tests/test_file_csv: $(FILE_OBJ)/csv.o $(FILE_OBJ)/tsparse.o
$(BUILD)/tests/test_file_timestamp: $(FILE_OBJ)/tsparse.o
$(BUILD)/tests/test_file_listing: $(FILE_OBJ)/listing.o $(FILE_OBJ)/catalog.o
$(BUILD)/tests/test_file_lines: $(FILE_OBJ)/lines.o
$(BUILD)/tests/test_file_records: $(FILE_OBJ)/records.o $(FILE_OBJ)/csv.o $(FILE_OBJ)/tsparse.o \
  $(FILE_OBJ)/jsonline.o
$(BUILD)/tests/test_rate_schedule: $(BUILD)/obj/plugins/rate/schedule.o
$(BUILD)/tests/test_kafka_offsets: $(BUILD)/obj/plugins/kafka/offsets.o
$(BUILD)/tests/test_rate_source: $(BUILD)/obj/plugins/rate/rate.o $(BUILD)/obj/plugins/rate/schedule.o
$(BUILD)/tests/test_window: $(BUILD)/obj/plugins/aggregate/window.o $(BUILD)/obj/plugins/aggregate/call.o
$(BUILD)/tests/test_hll: $(BUILD)/obj/plugins/aggregate/hll.o
$(BUILD)/tests/test_groupkey: $(addprefix $(BUILD)/obj/plugins/aggregate/,groups.o window.o call.o aggs.o hll.o)
$(BUILD)/tests/test_groupstate: tests/plugins/gs_probe.c tests/plugins/gs_probe.h
SELECT_OBJ := $(addprefix $(BUILD)/obj/plugins/select/,expr.o parse.o lex.o check.o eval.o array.o)
$(BUILD)/tests/test_select_expr: $(SELECT_OBJ)
$(BUILD)/tests/test_select_array: $(SELECT_OBJ)

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/lib/libweir-core.a $(SDK_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Icore -o $@ $< $(BUILD)/lib/libweir-core.a $(SDK_LIB) \
	  $(INIH_LIBS) $(MSGPACK_LIBS) $(PARQUET_LIBS) -lz -ldl -lm

# Fuzz targets: a libFuzzer entry point plus a standalone driver (built by
# default), run by an e2e test for a few seconds.
$(BUILD)/fuzz/%: tests/fuzz/%.c $(SDK_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -DFUZZ_STANDALONE -o $@ $< $(SDK_LIB) $(MSGPACK_LIBS) $(PARQUET_LIBS) -lm
# Helper programs the e2e tests run (e.g. the Parquet cross-checks).
$(BUILD)/testtools/%: tests/tools/%.c $(SDK_LIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(SDK_LIB) $(MSGPACK_LIBS) $(PARQUET_LIBS) -lm

$(BUILD)/bin/weir-kafka-broker: $$(call objs_of,tools/kafka-broker)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(RDKAFKA_LIBS) -lpthread

$(BUILD)/bin/weir-gen: $$(call objs_of,examples/kafka-generator) $(SDK_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(SDK_LIB) $(MSGPACK_LIBS) $(RDKAFKA_LIBS) -lm

# make fuzz: the JSON parser's target under libFuzzer (clang), FUZZ_TIME
# seconds; the corpus grows in $(BUILD)/fuzz-corpus/json. The parser is built
# instrumented from source; the rest of the SDK comes from $(SDK_LIB).
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
$(BUILD)/libfuzzer/fuzz_json: tests/fuzz/fuzz_json.c sdk/src/jsonparse.c sdk/src/jsonparse_util.c $(SDK_LIB) $(HEADERS) sdk/src/jsonparse_int.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -DWEIR_LIBFUZZER -fsanitize=fuzzer,address,undefined \
	  -Isdk/include $(PKG_CFLAGS) -o $@ $(filter %.c,$^) $(SDK_LIB) $(MSGPACK_LIBS) -lm
.PHONY: fuzz
fuzz: $(BUILD)/libfuzzer/fuzz_json
	@mkdir -p $(BUILD)/fuzz-corpus/json
	$< -max_total_time=$(FUZZ_TIME) -max_len=4096 -dict=tests/fuzz/json.dict \
	  $(BUILD)/fuzz-corpus/json tests/fuzz/corpus/json

$(BUILD)/weir-sdk.pc: sdk/weir-sdk.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@MSGPACK@|$(MSGPACK_PC)|g' $< > $@

test check: all $(UNIT_BIN) $(TEST_PLUGINS) $(FUZZ_BIN) $(TEST_TOOLS)
	@BUILD=$(BUILD) SAN=$(SAN) sh tests/run.sh

demo: all
	sh examples/kafka-demo.sh $(BUILD)

bench: all $(BENCH_BIN)
	@BUILD=$(BUILD) sh tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/weir/plugins \
	  $(DESTDIR)$(PREFIX)/include/weir $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/share/weir/template
	install -m 755 $(WEIR) $(DESTDIR)$(PREFIX)/bin/weir
	install -m 755 $(PLUGINS) $(DESTDIR)$(PREFIX)/lib/weir/plugins/
	install -m 644 sdk/include/weir/*.h $(DESTDIR)$(PREFIX)/include/weir/
	install -m 644 $(SDK_LIB) $(DESTDIR)$(PREFIX)/lib/libweir-sdk.a
	install -m 644 $(KAFKA_SDK_LIB) $(DESTDIR)$(PREFIX)/lib/libweir-kafka.a
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@MSGPACK@|$(MSGPACK_PC)|g' sdk/weir-sdk.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/weir-sdk.pc
	cp -r sdk/template/. $(DESTDIR)$(PREFIX)/share/weir/template/
	install -m 644 sdk/plugin.mk sdk/GUIDE.md $(DESTDIR)$(PREFIX)/share/weir/
	install -m 755 scripts/weir-new-plugin $(DESTDIR)$(PREFIX)/bin/weir-new-plugin

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/weir $(DESTDIR)$(PREFIX)/bin/weir-new-plugin \
	  $(DESTDIR)$(PREFIX)/lib/weir \
	  $(DESTDIR)$(PREFIX)/include/weir $(DESTDIR)$(PREFIX)/lib/libweir-sdk.a \
	  $(DESTDIR)$(PREFIX)/lib/libweir-kafka.a \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/weir-sdk.pc $(DESTDIR)$(PREFIX)/share/weir

FORMAT_FILES := $(shell find core sdk plugins examples tests -name '*.[ch]' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
	  --inline-suppr --suppress=missingIncludeSystem -Isdk/include -Icore \
	  core sdk/src sdk/kafka plugins examples/plugins

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
