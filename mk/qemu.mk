# SPDX-License-Identifier: MIT OR Apache-2.0
# On-target tests and the demo firmware under QEMU (docs/target.md).
#
#   make qemu-test   build the four test images and run them (part of `make test`)
#   make qemu-build  only build them
#   make demo        the example firmware on the emulated Cortex-M4F
#
# Each test image is the plain runner (test/framework/runner.c) over every
# test/cases/*.c file plus test/target/cases/<arch>/*.c, the whole library,
# and the board support in test/target/. Results come back over semihosting;
# the image's exit status is its verdict (scripts/qemu-run.sh).

.PHONY: qemu-test qemu-build demo demo-build deps-qemu

QEMU_DIR := $(BUILD)/target
# Operation-count divisor of RTM_TEST_OPS and the shared scratch arena: the
# same scenarios as on the host, shorter random sequences.
QEMU_SCALE ?= 1
QEMU_SCRATCH ?= 1048576
# Seconds per image before it counts as hung.
QEMU_TIMEOUT ?= 120

TGT_CFLAGS := -std=c11 -O2 -g -ffreestanding -ffunction-sections -fdata-sections $(ASSERT_ON)
TGT_TEST_DEFS := -DRTM_TEST_SCALE=$(QEMU_SCALE)u -DRTM_TEST_SCRATCH_SIZE=$(QEMU_SCRATCH)u
TGT_INC := -Itest/target/include -Itest/target/common

CM_FLAGS_m3 := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
CM_FLAGS_m4f := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
CM_FLAGS_m33 := -mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16
RV_FLAGS := -march=rv32imac_zicsr_zifencei -mabi=ilp32 -mcmodel=medany -Itest/target/riscv32/include

CM_BOARD := test/target/cortex-m/startup.S test/target/cortex-m/fault.c test/target/common/port.c
RV_BOARD := test/target/riscv32/startup.S test/target/riscv32/trap.c test/target/riscv32/libc.c \
            test/target/common/port.c
# newlib supplies memcpy & co. on Arm; the RISC-V image has its own (libc.c).
CM_LIBS := -Wl,--start-group -lc -lgcc -Wl,--end-group
# The multilib is chosen by the exact -march string: link with the plain
# rv32imac spelling (zicsr/zifencei are assembler-level) so that the
# rv32imac/ilp32 libgcc (64-bit division & co.) is the one linked.
RV_LIBS := -march=rv32imac -mabi=ilp32 -lgcc
TGT_LDFLAGS := -nostdlib -nostartfiles -Wl,--gc-sections -Wl,--no-warn-rwx-segments

# ---------------------------------------------------------------------------
# Compile rules of one firmware build directory.
# $(1) directory, $(2) compiler, $(3) arch flags, $(4) extra C flags for test/ and examples/
define tgt_compile_rules
$(1)/c-src/%.o: c-src/%.c $(1)/config.stamp
	@mkdir -p $$(dir $$@)
	@echo "  CC    $$@"
	@$(2) $(3) $(TGT_CFLAGS) $(WARN) $(LIB_INC) -MMD -MP -c $$< -o $$@

$(1)/test/%.o: test/%.c $(1)/config.stamp
	@mkdir -p $$(dir $$@)
	@echo "  CC    $$@"
	@$(2) $(3) $(TGT_CFLAGS) $$(TGT_EXTRA) $(4) $(WARN) $(LIB_INC) $(TEST_INC) $(TGT_INC) -I$(1) -MMD -MP -c $$< -o $$@

# Only the runner includes the generated test table.
$(1)/test/framework/runner.o: $(1)/test_list.h

# The RV32 image's own memcpy & co. must not be turned into calls to themselves.
$(1)/test/target/riscv32/libc.o: TGT_EXTRA := -fno-tree-loop-distribute-patterns -fno-builtin

$(1)/test/%.o: test/%.S $(1)/config.stamp
	@mkdir -p $$(dir $$@)
	@echo "  AS    $$@"
	@$(2) $(3) -g -MMD -MP -c $$< -o $$@

$(1)/examples/%.o: examples/%.c $(1)/config.stamp
	@mkdir -p $$(dir $$@)
	@echo "  CC    $$@"
	@$(2) $(3) $(TGT_CFLAGS) $(4) $(WARN) $(LIB_INC) $(TGT_INC) -MMD -MP -c $$< -o $$@

# Rebuild everything when the flags or the configuration given on the
# command line (QEMU_SCALE, QEMU_SCRATCH) change.
$$(shell mkdir -p $(1) && { [ "$$$$(cat $(1)/config.stamp 2>/dev/null)" = "$(3) $(QEMU_SCALE) $(QEMU_SCRATCH)" ] || echo "$(3) $(QEMU_SCALE) $(QEMU_SCRATCH)" > $(1)/config.stamp; })
endef

# ---------------------------------------------------------------------------
# One test image.
# $(1) image, $(2) compiler, $(3) arch flags, $(4) board sources,
# $(5) linker script, $(6) target case folders (test/target/cases/<x>),
# $(7) libraries, $(8) name printed in the banner
define qemu_image
$(1)_TDIR := $(QEMU_DIR)/$(1)-tests
$(1)_CASES := $(CASE_SRCS) $$(sort $$(foreach d,$(6),$$(wildcard test/target/cases/$$(d)/*.c)))
$(1)_SRCS := $(LIB_SRCS) $$($(1)_CASES) test/target/common/test_main.c test/target/common/overflow.c test/framework/runner.c \
             $(FRAME_SRCS) $(4)
$(1)_OBJS := $$(addprefix $$($(1)_TDIR)/,$$(addsuffix .o,$$(basename $$($(1)_SRCS))))

$$(eval $$(call tgt_compile_rules,$$($(1)_TDIR),$(2),$(3),$(TGT_TEST_DEFS) '-DRTM_TARGET_NAME="$(8)"'))

# Relink and regenerate the test table when the set of sources changes (a
# removed case file makes nothing newer).
$$(shell mkdir -p $$($(1)_TDIR) && { [ "$$$$(cat $$($(1)_TDIR)/sources.stamp 2>/dev/null)" = "$$($(1)_SRCS)" ] || echo "$$($(1)_SRCS)" > $$($(1)_TDIR)/sources.stamp; })

$$($(1)_TDIR)/test_list.h: $$($(1)_CASES) scripts/test-list.sh $$($(1)_TDIR)/sources.stamp
	@mkdir -p $$(dir $$@)
	@scripts/test-list.sh $$($(1)_CASES) > $$@

$$($(1)_TDIR)/rtmem-tests.elf: $$($(1)_OBJS) $(5) $$(wildcard $$(dir $(5))*.ld) $$($(1)_TDIR)/sources.stamp
	@echo "  LD    $$@"
	@$(2) $(3) $(TGT_LDFLAGS) -L$$(dir $(5)) -T$(5) -Wl,-Map=$$@.map $$($(1)_OBJS) $(7) -o $$@

QEMU_ELFS += $$($(1)_TDIR)/rtmem-tests.elf
-include $$($(1)_OBJS:.o=.d)
endef

QEMU_ELFS :=
$(eval $(call qemu_image,m3,$(ARM_CC),$(CM_FLAGS_m3),$(CM_BOARD),test/target/cortex-m/mps2-an385.ld,cortex-m armv7m,$(CM_LIBS),cortex-m3 on mps2-an385))
$(eval $(call qemu_image,m4f,$(ARM_CC),$(CM_FLAGS_m4f),$(CM_BOARD),test/target/cortex-m/mps2-an385.ld,cortex-m armv7m,$(CM_LIBS),cortex-m4f on mps2-an386))
$(eval $(call qemu_image,m33,$(ARM_CC),$(CM_FLAGS_m33),$(CM_BOARD),test/target/cortex-m/mps2-an505.ld,cortex-m armv8m,$(CM_LIBS),cortex-m33 on mps2-an505))
$(eval $(call qemu_image,rv32,$(RV_CC),$(RV_FLAGS),$(RV_BOARD),test/target/riscv32/virt.ld,riscv32,$(RV_LIBS),rv32imac on virt))

deps-qemu:
	@$(DEPS) cross qemu

qemu-build: $(QEMU_ELFS)

# Dependencies first (a fresh machine has no cross compiler yet), then the
# images, then one run per image: `name:machine:elf`.
qemu-test: deps-qemu
	@$(MAKE) --no-print-directory qemu-build
	@echo "== on-target tests (QEMU) =="
	@scripts/qemu-run.sh -j 2 -t $(QEMU_TIMEOUT) \
	  m3:mps2-an385:$(m3_TDIR)/rtmem-tests.elf \
	  m4f:mps2-an386:$(m4f_TDIR)/rtmem-tests.elf \
	  m33:mps2-an505:$(m33_TDIR)/rtmem-tests.elf \
	  rv32:virt:$(rv32_TDIR)/rtmem-tests.elf

# ---------------------------------------------------------------------------
# The demo firmware: examples/demo/*.c + the library + the Cortex-M board
# support, for the Cortex-M4F (mps2-an386). Its exit status is the verdict.

DEMO_DIR := $(QEMU_DIR)/demo
DEMO_SRCS := $(LIB_SRCS) $(sort $(wildcard examples/demo/*.c)) $(CM_BOARD)
DEMO_OBJS := $(addprefix $(DEMO_DIR)/,$(addsuffix .o,$(basename $(DEMO_SRCS))))
$(eval $(call tgt_compile_rules,$(DEMO_DIR),$(ARM_CC),$(CM_FLAGS_m4f),'-DRTM_TARGET_NAME="cortex-m4f (mps2-an386)"'))

$(shell mkdir -p $(DEMO_DIR) && { [ "$$(cat $(DEMO_DIR)/sources.stamp 2>/dev/null)" = "$(DEMO_SRCS)" ] || echo "$(DEMO_SRCS)" > $(DEMO_DIR)/sources.stamp; })

$(DEMO_DIR)/rtmem-demo.elf: $(DEMO_OBJS) test/target/cortex-m/mps2-an385.ld test/target/cortex-m/sections.ld \
                            $(DEMO_DIR)/sources.stamp
	@echo "  LD    $@"
	@$(ARM_CC) $(CM_FLAGS_m4f) $(TGT_LDFLAGS) -Ltest/target/cortex-m -Ttest/target/cortex-m/mps2-an385.ld \
	  -Wl,-Map=$@.map $(DEMO_OBJS) $(CM_LIBS) -o $@
-include $(DEMO_OBJS:.o=.d)

demo-build: $(DEMO_DIR)/rtmem-demo.elf

demo: deps-qemu
	@$(MAKE) --no-print-directory demo-build
	@scripts/qemu-run.sh -d -t 30 demo:mps2-an386:$(DEMO_DIR)/rtmem-demo.elf

TEST_STEPS += qemu-test
