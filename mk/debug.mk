# SPDX-License-Identifier: MIT OR Apache-2.0
# Seeing inside rtmem from outside (docs/debugging.md).
#
#   make reset-test  a fault record survives a system reset (QEMU, Cortex-M4F)
#   make gdb-test    the GDB commands (tools/gdb/rtmem.py) on the demo firmware
#                    under QEMU's gdbstub and on a RAM dump of it, checked
#                    against what the firmware reports over semihosting
#   make heap-png    the heap picture of the demo, build/heap.png
#                    (tools/heapviz.py; `make demo` makes it too)
#
# Both test steps are part of `make test`.

.PHONY: reset-test reset-build gdb-test heap-png deps-debug

DEBUG_PY := /usr/bin/python3

deps-debug:
	@$(DEPS) cross qemu debug


# ---------------------------------------------------------------------------
# The reset test image: test/target/reset/main.c + the library + the board.

# mk/*.mk are read in name order, so qemu.mk's variables (CM_FLAGS_m4f,
# TGT_CFLAGS, ...) are used in recipes only, where they are known.
RESET_DIR := $(BUILD)/target/reset
RESET_SRCS := $(LIB_SRCS) test/target/reset/main.c test/target/cortex-m/startup.S \
              test/target/cortex-m/fault.c test/target/common/port.c
RESET_OBJS := $(addprefix $(RESET_DIR)/,$(addsuffix .o,$(basename $(RESET_SRCS))))
RESET_NAME := '-DRTM_TARGET_NAME="cortex-m4f (mps2-an386)"'

$(RESET_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $@"
	@$(ARM_CC) $(CM_FLAGS_m4f) $(TGT_CFLAGS) $(RESET_NAME) $(WARN) $(LIB_INC) $(TGT_INC) -MMD -MP -c $< -o $@

$(RESET_DIR)/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS    $@"
	@$(ARM_CC) $(CM_FLAGS_m4f) -g -MMD -MP -c $< -o $@

$(RESET_DIR)/rtmem-reset.elf: $(RESET_OBJS) test/target/cortex-m/mps2-an385.ld test/target/cortex-m/sections.ld
	@echo "  LD    $@"
	@$(ARM_CC) $(CM_FLAGS_m4f) $(TGT_LDFLAGS) -Ltest/target/cortex-m -Ttest/target/cortex-m/mps2-an385.ld \
	  -Wl,-Map=$@.map $(RESET_OBJS) $(CM_LIBS) -o $@
-include $(RESET_OBJS:.o=.d)

reset-build: $(RESET_DIR)/rtmem-reset.elf

# The image checks the record itself and exits 0 only on its second boot;
# the log must show both boots.
reset-test: deps-qemu
	@$(MAKE) --no-print-directory reset-build
	@echo "== fault record across a system reset (QEMU) =="
	@scripts/qemu-run.sh -d -t 20 reset:mps2-an386:$(RESET_DIR)/rtmem-reset.elf
	@grep -q '^reset test on .*, boot 2$$' $(RESET_DIR)/rtmem-reset.elf.log || \
	  { echo "reset-test: no second boot in the log"; exit 1; }

# The demo (qemu.mk builds it) and the reset image under QEMU's gdbstub,
# the rtm commands at their breakpoints and on a RAM dump, every figure
# checked against the firmware's own semihosting report.
gdb-test: deps-debug
	@$(MAKE) --no-print-directory demo-build reset-build
	@echo "== GDB commands (tools/gdb/rtmem.py) on QEMU and on a RAM dump =="
	@tools/gdb/demo-test.sh $(BUILD)/target/demo/rtmem-demo.elf $(RESET_DIR)/rtmem-reset.elf $(BUILD)/debug
	@echo "== rtm mpu's decoders vs the library's ARMv7-M / ARMv8-M encoders =="
	@$(MAKE) --no-print-directory $(BUILD)/lib/librtmem.a
	$(Q)$(HOST_CC) -std=c11 $(WARN) -Iinclude tools/gdb/mpu_vectors.c $(BUILD)/lib/librtmem.a -o $(BUILD)/debug/mpu-vectors
	@$(BUILD)/debug/mpu-vectors > $(BUILD)/debug/mpu-vectors.txt
	@$(DEBUG_PY) tools/gdb/check_mpu_decode.py < $(BUILD)/debug/mpu-vectors.txt

# The heap picture of the demo at its first checkpoint, coloured by owner,
# from the `rtm blocks` transcript gdb-test saved. `make demo` writes it too.
HEAP_PNG_NAMES := 1=sensor stack,2=logger stack,3=message fallback,4=sensor frames
heap-png: gdb-test
	@$(DEBUG_PY) tools/heapviz.py --blocks $(BUILD)/debug/demo-live.txt --names '$(HEAP_PNG_NAMES)' \
	  -o $(BUILD)/heap.png

demo: heap-png

TEST_STEPS += reset-test gdb-test
