# SPDX-License-Identifier: MIT OR Apache-2.0
# Cross builds: the library for every supported MCU core, -Os, warnings as
# errors, and a size table per component (text/data/bss).
#
#   make cross      build all targets and print the size table
#
# $(1) name, $(2) compiler, $(3) size tool, $(4) flags

CROSS_TARGETS :=
CROSS_COMMON := -std=c11 -Os -ffreestanding -ffunction-sections -fdata-sections

define cross_target
CROSS_TARGETS += $(1)
$(1)_CROSS_OBJS := $$(patsubst c-src/%.c,$(BUILD)/cross/$(1)/%.o,$(LIB_SRCS))
$(1)_CROSS_SIZE := $(3)

$(BUILD)/cross/$(1)/%.o: c-src/%.c
	@mkdir -p $$(dir $$@)
	@$(2) $(4) $(CROSS_COMMON) $(WARN) $(LIB_INC) -MMD -MP -c $$< -o $$@

$(BUILD)/cross/$(1)/librtmem.a: $$($(1)_CROSS_OBJS)
	@rm -f $$@
	@$(patsubst %-gcc,%-ar,$(2)) rcs $$@ $$^

-include $$($(1)_CROSS_OBJS:.o=.d)
endef

$(eval $(call cross_target,m0plus,$(ARM_CC),$(ARM_SIZE),-mcpu=cortex-m0plus -mthumb))
$(eval $(call cross_target,m3,$(ARM_CC),$(ARM_SIZE),-mcpu=cortex-m3 -mthumb))
$(eval $(call cross_target,m4f,$(ARM_CC),$(ARM_SIZE),-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16))
$(eval $(call cross_target,m7,$(ARM_CC),$(ARM_SIZE),-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16))
$(eval $(call cross_target,m33,$(ARM_CC),$(ARM_SIZE),-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16))
$(eval $(call cross_target,rv32imac,$(RV_CC),$(RV_SIZE),-march=rv32imac_zicsr_zifencei -mabi=ilp32))

.PHONY: cross deps-cross
deps-cross:
	@$(DEPS) cross

cross: deps-cross
	@$(MAKE) --no-print-directory -j2 $(foreach t,$(CROSS_TARGETS),$(BUILD)/cross/$(t)/librtmem.a)
	@echo "== cross builds: $(CROSS_TARGETS) (-Os, -Werror) =="
	@scripts/size-table.sh $(BUILD)/cross $(foreach t,$(CROSS_TARGETS),$(t):$($(t)_CROSS_SIZE)) | tee $(BUILD)/cross/sizes.md

TEST_STEPS += cross
