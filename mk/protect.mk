# Protection layer (MPU back ends, stacks, detectors): cross-compile every
# library source for each MCU the library supports, warnings as errors.
# Developer check, not a TEST_STEPS entry: `make protect-cross`.

PROTECT_CROSS_TARGETS := \
  "arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb" \
  "arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb" \
  "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" \
  "arm-none-eabi-gcc -mcpu=cortex-m7 -mthumb" \
  "arm-none-eabi-gcc -mcpu=cortex-m33 -mthumb" \
  "riscv64-unknown-elf-gcc -march=rv32imac_zicsr -mabi=ilp32"

.PHONY: protect-cross
protect-cross:
	@for t in $(PROTECT_CROSS_TARGETS); do \
	  for f in $(LIB_SRCS); do \
	    $$t -std=c99 -O2 -ffreestanding $(WARN) $(LIB_INC) -c $$f -o /dev/null || { echo "FAILED: $$t $$f"; exit 1; }; \
	  done; echo "ok: $$t"; \
	done
