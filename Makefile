# SPDX-License-Identifier: MIT OR Apache-2.0
# rtmem — the one entry point for the C library, its tests, cross builds,
# QEMU firmware, benchmarks and the Rust workspace.
#
#   make test     install what is missing, then run every test (CI runs this)
#   make demo     the example firmware on an emulated Cortex-M4F
#   make bench    the benchmark suite (docs/benchmarks.md)
#   make cross    the library for every MCU target, with a size table
#   make install PREFIX=/opt/rtmem
#
# Step-specific rules live in mk/*.mk; each adds its test steps to TEST_STEPS.

.DEFAULT_GOAL := all
SHELL := /bin/sh

BUILD ?= build
PREFIX ?= /usr/local
DEPS := scripts/ensure-deps.sh

# Warnings are errors everywhere (STYLE.md item 14).
WARN := -Wall -Wextra -Werror -pedantic -Wconversion -Wsign-conversion -Wcast-align \
        -Wmissing-prototypes -Wstrict-prototypes -Wundef -Wswitch-enum -Wshadow -Wvla
LIB_INC := -Iinclude -Ic-src/core
LIB_SRCS := $(sort $(wildcard c-src/core/*.c c-src/alloc/*.c c-src/decorators/*.c c-src/protect/*.c))
LIB_HDRS := $(sort $(wildcard include/rtmem/*.h))

# Test scenarios shared by every build (host Criterion, host plain runner, QEMU).
CASE_SRCS := $(sort $(wildcard test/cases/*.c))
FRAME_SRCS := test/framework/model.c test/framework/overrun.c
TEST_INC := -Itest/framework

TEST_STEPS :=

# Cross toolchains (Debian's gcc-arm-none-eabi and gcc-riscv64-unknown-elf).
ARM_CC := arm-none-eabi-gcc
ARM_SIZE := arm-none-eabi-size
RV_CC := riscv64-unknown-elf-gcc
RV_SIZE := riscv64-unknown-elf-size

# Quiet by default: one short line per compiled file; `make V=1` shows commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all lib test deps-core clean install check-headers test-host readme-example

all: lib

# ---------------------------------------------------------------------------
# The library for the host (used by install, benches and the Rust crate)

HOST_CC ?= gcc
HOST_CFLAGS ?= -std=c11 -O2 -g -fPIC
$(BUILD)/lib/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [lib] $<"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(WARN) $(LIB_INC) -MMD -MP -c $< -o $@

LIB_OBJS := $(patsubst %.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
$(BUILD)/lib/librtmem.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

lib: $(BUILD)/lib/librtmem.a

-include $(LIB_OBJS:.o=.d)

deps-core:
	@$(DEPS) core

# ---------------------------------------------------------------------------
# Host test variants. A variant is a compiler, flags and a runner:
#   criterion: the case files as Criterion tests (libcriterion-dev, host arch only)
#   plain:     the same case files under test/framework/runner.c (-m32, no Criterion)
#
# $(1) name, $(2) compiler, $(3) flags for library and tests, $(4) runner

define host_variant
$(1)_DIR := $(BUILD)/$(1)
$(1)_LIB_OBJS := $$(patsubst %.c,$(BUILD)/$(1)/%.o,$(LIB_SRCS))
$(1)_TEST_OBJS := $$(patsubst %.c,$(BUILD)/$(1)/%.o,$(CASE_SRCS) $(FRAME_SRCS) $$(if $$(filter plain,$(4)),test/framework/runner.c test/framework/host_main.c))
$(1)_TEST_CFLAGS := $(3) $$(if $$(filter criterion,$(4)),-DRTM_TEST_CRITERION,-I$(BUILD)/$(1))

$(BUILD)/$(1)/c-src/%.o: c-src/%.c
	@mkdir -p $$(dir $$@)
	@echo "  CC [$(1)] $$<"
	$(Q)$(2) $(3) $(WARN) $(LIB_INC) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/test/%.o: test/%.c $$(if $$(filter plain,$(4)),$(BUILD)/$(1)/test_list.h)
	@mkdir -p $$(dir $$@)
	@echo "  CC [$(1)] $$<"
	$(Q)$(2) $$($(1)_TEST_CFLAGS) $(WARN) $(LIB_INC) $(TEST_INC) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/test_list.h: $(CASE_SRCS)
	@mkdir -p $$(dir $$@)
	$(Q)scripts/test-list.sh $$^ > $$@

$(BUILD)/$(1)/run_tests: $$($(1)_LIB_OBJS) $$($(1)_TEST_OBJS)
	@echo "  LD [$(1)] $$@"
	$(Q)$(2) $(3) $$^ -o $$@ $$(if $$(filter criterion,$(4)),-lcriterion,-static)

.PHONY: test-$(1)
test-$(1): deps-core $(BUILD)/$(1)/run_tests
	@echo "== host tests: $(1) =="
	$$(if $$(filter criterion,$(4)),$(BUILD)/$(1)/run_tests --jobs 2,@$$(call plain_run,$(1),$(2),$(3)))

-include $$($(1)_LIB_OBJS:.o=.d) $$($(1)_TEST_OBJS:.o=.d)
endef

# The plain (-m32) runners are linked -static so that they also run under
# qemu-i386 (qemu-user) on a kernel without IA32 emulation, where executing them
# fails ("Exec format error"). I386_RUNNER=auto probes with a one-line program
# built the same way, native forces the direct run, qemu forces the emulated one.
I386_RUNNER ?= auto
# $(call plain_run,name,compiler,flags)
define plain_run
r=$(I386_RUNNER); \
if [ "$$r" = auto ]; then \
  printf 'int main(void) { return 0; }\n' > $(BUILD)/$(1)/probe.c && \
  $(2) $(3) -static $(BUILD)/$(1)/probe.c -o $(BUILD)/$(1)/probe && \
  if $(BUILD)/$(1)/probe 2>/dev/null; then r=native; else r=qemu; fi; \
fi; \
if [ "$$r" = qemu ]; then \
  $(DEPS) i386emu || exit 1; \
  echo "$(1): this kernel cannot execute i386 programs (or I386_RUNNER=qemu): running under qemu-i386"; \
  qemu-i386 $(BUILD)/$(1)/run_tests; \
else \
  $(BUILD)/$(1)/run_tests; \
fi
endef

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASSERT_ON := '-DRTM_ASSERT(c)=((c) ? (void)0 : __builtin_trap())'

# gcc32 builds with -Os, as the size table and most firmware do: some hot
# paths compile differently there (the HOT helpers of heap.c are shared, not
# inlined), and these tests are what runs that code.
HOST_VARIANTS := gcc64 clang64 asan gcc32 clang32
$(eval $(call host_variant,gcc64,gcc,-std=c11 -m64 -O2 -g $(ASSERT_ON),criterion))
$(eval $(call host_variant,clang64,clang,-std=c11 -m64 -O2 -g,criterion))
$(eval $(call host_variant,asan,gcc,-std=c11 -m64 -O1 -g $(SAN) $(ASSERT_ON),criterion))
$(eval $(call host_variant,gcc32,gcc,-std=c99 -m32 -Os -g $(ASSERT_ON),plain))
$(eval $(call host_variant,clang32,clang,-std=c99 -m32 -O2 -g,plain))

test-host: $(addprefix test-,$(HOST_VARIANTS))

# Every public header compiles on its own as C99, C11 and C++.
check-headers: deps-core
	@echo "== headers alone: C99, C11, C++ =="
	@mkdir -p $(BUILD)/headers
	@for h in $(LIB_HDRS); do \
	  printf '#include "%s"\n' "$${h#include/}" > $(BUILD)/headers/one.c; \
	  gcc -std=c99 $(WARN) -Iinclude -fsyntax-only $(BUILD)/headers/one.c || exit 1; \
	  gcc -std=c11 $(WARN) -Iinclude -fsyntax-only $(BUILD)/headers/one.c || exit 1; \
	  g++ -std=c++11 -x c++ -Wall -Wextra -Werror -pedantic -Iinclude -fsyntax-only $(BUILD)/headers/one.c || exit 1; \
	done; echo "$(words $(LIB_HDRS)) headers OK"

TEST_STEPS += check-headers test-host

# ---------------------------------------------------------------------------
# Install: headers, librtmem.a and a pkg-config file.

install: $(BUILD)/lib/librtmem.a
	install -d $(DESTDIR)$(PREFIX)/include/rtmem $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(LIB_HDRS) $(DESTDIR)$(PREFIX)/include/rtmem/
	install -m 644 $(BUILD)/lib/librtmem.a $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/.*version\[\] = "\(.*\)";/\1/p' c-src/core/version.c)|' \
	  scripts/rtmem.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/rtmem.pc

# The README's C quick start, extracted, built against a staged `make install`
# through pkg-config, and run: users compile exactly what they read.
readme-example: deps-core
	@echo "== README example, built against the installed library =="
	@rm -rf $(BUILD)/stage
	@$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(BUILD)/stage >/dev/null
	scripts/readme-example.sh README.md > $(BUILD)/stage/example.c
	PKG_CONFIG_PATH=$(BUILD)/stage/lib/pkgconfig; export PKG_CONFIG_PATH; \
	  $(HOST_CC) -std=c11 $(WARN) $(BUILD)/stage/example.c $$(pkg-config --cflags --libs rtmem) -o $(BUILD)/stage/example
	$(BUILD)/stage/example

TEST_STEPS += readme-example

# Every tool a step runs is installed by that step's ensure-deps groups.
.PHONY: check-deps
check-deps:
	@echo "== each step's tools against its install groups =="
	@scripts/check-deps.sh

clean:
	rm -rf $(BUILD)

# Step fragments: cross builds, QEMU, benchmarks, Rust. Each appends to TEST_STEPS.
include $(sort $(wildcard mk/*.mk))

# Last, when every step has installed its tools: the check that each step's
# tools are installed by the step's own groups.
TEST_STEPS += check-deps

# `make test` runs the steps in order; the first failure stops it.
test:
	@for step in $(TEST_STEPS); do \
	  $(MAKE) --no-print-directory $$step || { echo "make test: step '$$step' failed"; exit 1; }; \
	done
	@echo "make test: all steps passed ($(TEST_STEPS))"
