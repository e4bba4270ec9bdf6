# SPDX-License-Identifier: MIT OR Apache-2.0
# The C benchmark suite (docs/benchmarks.md).
#
#   make bench        full run: 1e6-op traces; writes docs/bench/results.md and
#                     docs/bench/instructions_cdf.png (commit them with the docs)
#   make bench-smoke  the same pipeline on tiny traces, results under build/;
#                     part of `make test` so the harness cannot rot (< 1 min)
#
# Instruction counts are exact: the traces run as Cortex-M4 firmware under
# QEMU (mps2-an386) with a TCG plugin (benches/c/icount_plugin.c) counting the
# instructions of the allocators' code between function entries, turned into
# per-call counts by benches/c/icount.c. bench-smoke also counts the smoke
# trace from a per-instruction exec log and requires both methods to agree on
# every call. Timing, fill ratios and overheads come from
# benches/c/bench_host.c on the host, against glibc malloc.

BENCH_DIR := $(BUILD)/bench
BENCH_SRC := benches/c
BENCH_ALLOCS := $(notdir $(basename $(wildcard c-src/alloc/*.c)))
# Allocators in the tree get their table entry in allocs.c.
BENCH_DEFS := $(foreach a,$(BENCH_ALLOCS),-DRTM_BENCH_HAVE_$(shell echo $(a) | tr a-z A-Z))

# ---- Cortex-M4 firmware ----
FW_CC := $(ARM_CC)
FW_CFLAGS := -mcpu=cortex-m4 -mthumb -O2 -g -std=c11 -ffreestanding -fno-tree-loop-distribute-patterns
FW_LIB_SRCS := $(sort $(wildcard c-src/core/*.c c-src/alloc/*.c))

# $(1) name, $(2) operations per trace, $(3) operations on the perforated heap,
# $(4) KiB perforated for allocators whose calls grow with the holes
define bench_fw
$(BENCH_DIR)/fw-$(1)/%.o: %.c mk/bench.mk
	@mkdir -p $$(dir $$@)
	$(FW_CC) $(FW_CFLAGS) $(WARN) $(LIB_INC) -I$(BENCH_SRC) $(BENCH_DEFS) -DBENCH_OPS=$(2)ul \
	  -DBENCH_OPS_HOLES=$(3)ul -DBENCH_SLOW_HOLES_KIB=$(4)u -MMD -MP -c $$< -o $$@

$(BENCH_DIR)/fw-$(1)/fw.elf: $(patsubst %.c,$(BENCH_DIR)/fw-$(1)/%.o,$(FW_LIB_SRCS) \
	  $(BENCH_SRC)/bench_fw.c $(BENCH_SRC)/allocs.c $(BENCH_SRC)/fw_libc.c) $(BENCH_SRC)/fw.ld
	$(FW_CC) $(FW_CFLAGS) -nostdlib -T $(BENCH_SRC)/fw.ld $$(filter %.o,$$^) -lgcc -o $$@

-include $$(wildcard $(BENCH_DIR)/fw-$(1)/*/*.d $(BENCH_DIR)/fw-$(1)/*/*/*.d)
endef

$(eval $(call bench_fw,full,1000000,2000,64))
$(eval $(call bench_fw,smoke,2000,40,8))

# ---- host tools ----
$(BENCH_DIR)/icount: $(BENCH_SRC)/icount.c
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=c11 -O2 -Wall -Wextra -Werror $< -o $@

# The TCG plugin, loaded by qemu-system-arm -plugin (no QEMU headers needed).
$(BENCH_DIR)/icount_plugin.so: $(BENCH_SRC)/icount_plugin.c
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=c11 -O2 -Wall -Wextra -Werror -shared -fPIC $< -o $@

$(BENCH_DIR)/bench_host: $(BENCH_SRC)/bench_host.c $(BENCH_SRC)/allocs.c $(BENCH_SRC)/trace.h \
	  $(BENCH_SRC)/allocs.h $(LIB_SRCS)
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=c11 -O2 $(WARN) $(LIB_INC) -I$(BENCH_SRC) $(BENCH_DEFS) \
	  $(BENCH_SRC)/bench_host.c $(BENCH_SRC)/allocs.c $(LIB_SRCS) -o $@

# Code size of each allocator: -Os for Cortex-M4, text + data.
$(BENCH_DIR)/sizes.txt: $(wildcard c-src/alloc/*.c) $(LIB_HDRS) c-src/core/rtm_internal.h
	@mkdir -p $(BENCH_DIR)/size
	@for a in $(BENCH_ALLOCS); do \
	  $(FW_CC) -mcpu=cortex-m4 -mthumb -Os -std=c11 -ffreestanding $(WARN) $(LIB_INC) \
	    -c c-src/alloc/$$a.c -o $(BENCH_DIR)/size/$$a.o || exit 1; \
	  arm-none-eabi-size $(BENCH_DIR)/size/$$a.o | awk -v n=rtm_$$a 'NR==2 {print n, $$1, $$2}'; \
	done > $@.tmp && mv $@.tmp $@

# Linked code: a firmware calling only rtm_heap_init/alloc/free, linked with
# --gc-sections at -Os and -O2; linksize.py counts the bytes of rtmem's objects.
LINK_CFLAGS := -mcpu=cortex-m4 -mthumb -std=c11 -ffreestanding -ffunction-sections -fdata-sections

define bench_link
$(BENCH_DIR)/link$(1)/%.o: %.c mk/bench.mk
	@mkdir -p $$(dir $$@)
	$(FW_CC) $(LINK_CFLAGS) -$(1) $(WARN) $(LIB_INC) -MMD -MP -c $$< -o $$@

$(BENCH_DIR)/link$(1)/size.txt: $(patsubst %.c,$(BENCH_DIR)/link$(1)/%.o,$(FW_LIB_SRCS) $(BENCH_SRC)/link_fw.c $(BENCH_SRC)/fw_libc.c) \
	  $(BENCH_SRC)/fw.ld $(BENCH_SRC)/linksize.py
	$(FW_CC) $(LINK_CFLAGS) -$(1) -nostdlib -T $(BENCH_SRC)/fw.ld -Wl,--gc-sections \
	  -Wl,-Map=$(BENCH_DIR)/link$(1)/fw.map $$(filter %.o,$$^) -lgcc -o $(BENCH_DIR)/link$(1)/fw.elf
	/usr/bin/python3 $(BENCH_SRC)/linksize.py $(BENCH_DIR)/link$(1)/fw.map $(BENCH_DIR)/link$(1)/c-src > $$@

-include $$(wildcard $(BENCH_DIR)/link$(1)/*/*/*.d)
endef

$(eval $(call bench_link,Os))
$(eval $(call bench_link,O2))

# "linked rtm_heap FLAGS own N bss N libgcc N other N", for report.py
$(BENCH_DIR)/linked.txt: $(BENCH_DIR)/linkOs/size.txt $(BENCH_DIR)/linkO2/size.txt
	@for o in Os O2; do echo "linked rtm_heap -$$o $$(cat $(BENCH_DIR)/link$$o/size.txt)"; done > $@

.PHONY: bench bench-smoke deps-bench

deps-bench:
	@$(DEPS) core bench cross qemu

# What wcet.py cannot see in the code: the pool manager of the benchmark
# (benches/c/allocs.c) has room for 4 classes, which bounds its loops over
# them, and its fallback is an rtm_heap, whose interface functions are the
# only targets of the calls through the allocator interface.
WCET_FACTS := alloc_any=4 rtm_mpool_free=4 \
  --indirect=rtm_allocator_allocate:ops_allocate --indirect=rtm_allocator_deallocate:ops_deallocate

# How make bench counts: plugin, or log (the exec log: the fallback for a QEMU
# without plugin support, about 30 minutes for the full traces).
BENCH_METHOD ?= plugin

# $(1) run name, $(2) method, $(3) where to write every call's count (optional)
define bench_count
	@echo "== bench $(1): Cortex-M4 instruction counts under QEMU ($(2)) =="
	$(BENCH_SRC)/count_fw.sh $(2) $(BENCH_DIR)/fw-$(1)/fw.elf $(BENCH_DIR)/icount $(BENCH_DIR)/counts-$(1) \
	  $(BENCH_DIR)/icount_plugin.so $(3)
endef

# $(1) run name, $(2) host ops, $(3) host rounds, $(4) fill seeds, $(5) output dir
define bench_report
	/usr/bin/python3 $(BENCH_SRC)/wcet.py $(BENCH_DIR)/fw-$(1)/fw.elf $(BENCH_DIR)/counts-$(1)/syms.txt \
	  $(BENCH_DIR)/counts-$(1)/wcet.json --stack=$(BENCH_DIR)/counts-$(1)/stack.json $(WCET_FACTS)
	@echo "== bench $(1): host timing, fill, overheads =="
	$(BENCH_DIR)/bench_host $(2) $(3) $(4) > $(BENCH_DIR)/host-$(1).json
	/usr/bin/python3 $(BENCH_SRC)/report.py $(BENCH_DIR)/counts-$(1) $(BENCH_DIR)/host-$(1).json \
	  $(BENCH_DIR)/sizes.txt $(5) "make bench" --linked=$(BENCH_DIR)/linked.txt
	@echo "== bench $(1): $(5)/results.md =="
endef

BENCH_TOOLS := $(BENCH_DIR)/icount $(BENCH_DIR)/icount_plugin.so $(BENCH_DIR)/bench_host $(BENCH_DIR)/sizes.txt \
  $(BENCH_DIR)/linked.txt

# The start time is taken when make reads this file, before anything is built.
BENCH_T0 := $(shell date +%s)

bench: deps-bench $(BENCH_DIR)/fw-full/fw.elf $(BENCH_TOOLS)
	$(call bench_count,full,$(BENCH_METHOD))
	$(call bench_report,full,1000000,9,100,docs/bench)
	@cat docs/bench/results.md
	@echo "make bench: $$(( $$(date +%s) - $(BENCH_T0) )) s wall time, build included"

# The smoke trace is counted twice, by the plugin and from the exec log; the
# two must agree on every call before the report is made from the plugin's.
bench-smoke: deps-bench $(BENCH_DIR)/fw-smoke/fw.elf $(BENCH_TOOLS)
	$(call bench_count,smoke,plugin,$(BENCH_DIR)/counts-smoke/calls.txt)
	@echo "== bench smoke: the same firmware counted from QEMU's exec log =="
	$(BENCH_SRC)/count_fw.sh log $(BENCH_DIR)/fw-smoke/fw.elf $(BENCH_DIR)/icount $(BENCH_DIR)/counts-smoke-log \
	  "" $(BENCH_DIR)/counts-smoke-log/calls.txt
	@n=$$(wc -l < $(BENCH_DIR)/counts-smoke/calls.txt); \
	if [ "$$n" -lt 1000 ] || ! cmp -s $(BENCH_DIR)/counts-smoke/calls.txt $(BENCH_DIR)/counts-smoke-log/calls.txt; then \
	  echo "bench-smoke: the plugin and the exec log disagree (first difference below)" >&2; \
	  diff $(BENCH_DIR)/counts-smoke/calls.txt $(BENCH_DIR)/counts-smoke-log/calls.txt | head -5 >&2; exit 1; \
	else echo "bench-smoke: plugin and exec log agree on all $$n calls"; fi
	$(call bench_report,smoke,20000,3,3,$(BENCH_DIR)/smoke)
	@grep -q "rtm_heap against its targets" $(BENCH_DIR)/smoke/results.md
	@echo "make bench-smoke: $$(( $$(date +%s) - $(BENCH_T0) )) s wall time"

TEST_STEPS += bench-smoke
