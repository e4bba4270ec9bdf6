# SPDX-License-Identifier: MIT OR Apache-2.0
# Taking rtmem out of its repository: licence lines, the ports, the examples,
# the CMake package, the API reference and the packaging descriptors.
#
#   make spdx-check      every source file starts with its SPDX line
#   make ports-test      newlib malloc and bare-metal lock hooks on QEMU
#                        (Cortex-M3 mps2-an385, Cortex-M4F mps2-an386, RV32
#                        virt), picolibc malloc on the M4F, the
#                        default misuse hook's trap, and the FreeRTOS heap and
#                        CMSIS-RTOS2 lock ports on the host
#   make examples-test   every examples/<topic>/ program, built and run
#   make cmake-test      consumer projects outside the tree: add_subdirectory,
#                        FetchContent and find_package (host), and a Cortex-M4F
#                        firmware with cmake/arm-none-eabi.cmake run on QEMU
#   make docs            the API reference (Doxygen HTML in build/docs)
#   make docs-check      the same, failing on any Doxygen warning
#   make packaging-check the Zephyr module, PlatformIO and ESP-IDF descriptors
#                        and the CMake source list name exactly the real files
#   make readme-check    the README: its Makefile and CMake firmware lines as written (built, run
#                        on QEMU), the heap-only drop-in, the demo transcript
#   make install-cross   CORE=m4f PREFIX=...: one core's library, headers, ports

.PHONY: spdx-check ports-test ports-build examples-test examples-build cmake-test docs docs-check \
        packaging-check readme-check install-cross ports-lint deps-dist

DIST := $(BUILD)/dist
ARM_CXX := arm-none-eabi-g++
CXX_WARN := -Wall -Wextra -Werror -pedantic -Wconversion -Wsign-conversion -Wshadow
DIST_CPU_m3 := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
DIST_CPU_m4f := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
# Every example and port image: the board, and rtmem as the C library's malloc.
DIST_BOARD := examples/board/startup.c examples/board/syscalls.c ports/newlib/rtm_malloc.c
DIST_FW_INC := -Iinclude -Iexamples/board -Iports/newlib -Iports/baremetal -Iports/test
DIST_LDFLAGS := -nostartfiles -Texamples/board/mps2.ld -Wl,--gc-sections -Wl,--no-warn-rwx-segments

deps-dist:
	@$(DEPS) core cross qemu dist

spdx-check:
	@echo "== SPDX lines =="
	@scripts/spdx.sh check

# ---------------------------------------------------------------------------
# One firmware image for QEMU's MPS2 boards, linked against the library of
# `make cross` for its core.
# $(1) image name, $(2) core (m3 or m4f), $(3) sources (.c, .cpp)
define dist_fw
$(1)_FW_OBJS := $$(addprefix $(DIST)/$(1)/,$$(addsuffix .o,$$(basename $(3) $(DIST_BOARD))))

$(DIST)/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC    $$@"
	@$(ARM_CC) $$(DIST_CPU_$(2)) -std=c11 -O2 -g -ffunction-sections -fdata-sections $(WARN) \
	  $(DIST_FW_INC) -MMD -MP -c $$< -o $$@

$(DIST)/$(1)/%.o: %.cpp
	@mkdir -p $$(dir $$@)
	@echo "  CXX   $$@"
	@$(ARM_CXX) $$(DIST_CPU_$(2)) -std=c++17 -O2 -g -fno-exceptions -fno-rtti -ffunction-sections \
	  -fdata-sections $(CXX_WARN) $(DIST_FW_INC) -MMD -MP -c $$< -o $$@

$(DIST)/$(1)/$(1).elf: $$($(1)_FW_OBJS) $(BUILD)/cross/$(2)/librtmem.a examples/board/mps2.ld
	@echo "  LD    $$@"
	@$(ARM_CXX) $$(DIST_CPU_$(2)) $(DIST_LDFLAGS) -Wl,-Map=$$@.map $$($(1)_FW_OBJS) \
	  $(BUILD)/cross/$(2)/librtmem.a -o $$@

-include $$($(1)_FW_OBJS:.o=.d)
endef

# ---------------------------------------------------------------------------
# Ports

PORT_IMAGES := newlib-m3 newlib-m4f irq-m3 irq-m4f trap-m4f noheap-m4f
$(eval $(call dist_fw,newlib-m3,m3,ports/test/newlib_malloc.c ports/test/newlib_cxx.cpp))
$(eval $(call dist_fw,newlib-m4f,m4f,ports/test/newlib_malloc.c ports/test/newlib_cxx.cpp))
$(eval $(call dist_fw,irq-m3,m3,ports/test/irq_lock.c ports/baremetal/rtm_irq_lock.c))
$(eval $(call dist_fw,irq-m4f,m4f,ports/test/irq_lock.c ports/baremetal/rtm_irq_lock.c))
$(eval $(call dist_fw,trap-m4f,m4f,ports/test/newlib_trap.c))
$(eval $(call dist_fw,noheap-m4f,m4f,ports/test/newlib_noheap.c))

ports-build: $(foreach i,$(PORT_IMAGES),$(DIST)/$(i)/$(i).elf)

# The default misuse hook: QEMU's run must end in the fault handler
# (status 3) right after the hook's one line.
# $(1) image, $(2) the line (a basic regular expression)
define expect_trap
	@elf=$(DIST)/$(1)/$(1).elf; \
	  timeout -k 5 30 qemu-system-arm -M mps2-an386 -display none -monitor none \
	    -chardev file,id=out,path=$$elf.log,mux=on -serial chardev:out \
	    -semihosting-config enable=on,target=native,chardev=out,userspace=on -kernel $$elf </dev/null; \
	  rc=$$?; cat $$elf.log; \
	  if [ $$rc -eq 3 ] && grep -q '^$(2)$$' $$elf.log && ! grep -q 'not reached' $$elf.log; then \
	    echo "$(1): PASS (message, then a trap: status $$rc)"; \
	  else echo "$(1): FAIL (status $$rc; expected 3 after '$(2)')"; exit 1; fi
endef

ports-test: deps-dist
	@$(MAKE) --no-print-directory -j2 ports-build
	@echo "== ports on QEMU: newlib malloc, lock hooks =="
	@scripts/qemu-run.sh -j 2 -t 60 \
	  newlib-m3:mps2-an385:$(DIST)/newlib-m3/newlib-m3.elf \
	  newlib-m4f:mps2-an386:$(DIST)/newlib-m4f/newlib-m4f.elf \
	  irq-m3:mps2-an385:$(DIST)/irq-m3/irq-m3.elf \
	  irq-m4f:mps2-an386:$(DIST)/irq-m4f/irq-m4f.elf \
	  irq-rv32:virt:$(DIST)/irq-rv32/irq-rv32.elf
	@echo "== ports on QEMU: the default misuse hook traps (a double free; no heap memory) =="
	$(call expect_trap,trap-m4f,rtmem malloc: free(0x[0-9a-f]*): RTM_ERR_DOUBLE_FREE)
	$(call expect_trap,noheap-m4f,rtmem malloc: heap set-up(0x[0-9a-f]*): RTM_ERR_NO_MEMORY)
	@echo "== picolibc: rtmem as its malloc on QEMU mps2-an386 =="
	@scripts/qemu-run.sh -d -t 30 picolibc-m4f:mps2-an386:$(DIST)/picolibc-m4f/picolibc-m4f.elf
	@echo "== RTOS ports on the host (ASan+UBSan) =="
	@for t in $(PORT_HOST_TESTS); do $$t || exit 1; done

# RTOS ports on the host (their kernels are not packaged): each port file
# against the kernel's documented prototypes declared in ports/test/<rtos>/.
# $(1) name, $(2) sources, $(3) include folders
define dist_host_test
$(DIST)/host/$(1): $(2) $(LIB_SRCS) $(LIB_HDRS) $$(wildcard ports/test/*.h ports/test/*/*.h)
	@mkdir -p $$(dir $$@)
	@echo "  CC    $$@"
	@$(HOST_CC) -std=c11 -O1 -g $(SAN) $(WARN) $(LIB_INC) -Iports/test $(3) $(2) $(LIB_SRCS) -o $$@
PORT_HOST_TESTS += $(DIST)/host/$(1)
endef
PORT_HOST_TESTS :=
$(eval $(call dist_host_test,freertos_heap,ports/freertos/heap_rtmem.c ports/test/freertos_heap.c,-Iports/test/freertos))
$(eval $(call dist_host_test,cmsis_lock,ports/cmsis-rtos2/rtm_cmsis_lock.c ports/test/cmsis_lock.c,-Iports/test/cmsis -Iports/cmsis-rtos2))

ports-build: $(PORT_HOST_TESTS)

# picolibc (Arm only in Debian): the newlib-malloc example linked with
# picolibc's semihosting crt0 and its own linker script (heap between
# __heap_start and __heap_end), run on the Cortex-M4F.
PICOLIBC_SPECS := /usr/lib/picolibc/arm-none-eabi/picolibc.specs
PICOLIBC_LD := --oslib=semihost --crt0=semihost -Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 \
  -Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000 -Wl,--defsym=__stack_size=0x8000
$(DIST)/picolibc-m4f/picolibc-m4f.elf: examples/newlib-malloc/main.c ports/newlib/rtm_malloc.c ports/newlib/rtm_malloc.h \
	  $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC+LD $@ (picolibc)"
	@$(ARM_CC) --specs=$(PICOLIBC_SPECS) $(DIST_CPU_m4f) -std=c11 -O2 -g $(WARN) $(LIB_INC) -Iports/newlib \
	  $(PICOLIBC_LD) examples/newlib-malloc/main.c ports/newlib/rtm_malloc.c $(LIB_SRCS) -o $@

ports-build: $(DIST)/picolibc-m4f/picolibc-m4f.elf

# RV32 (QEMU virt, machine mode, no C library): the mstatus.MIE lock hooks.
RV_PORT_FLAGS := -march=rv32imac_zicsr_zifencei -mabi=ilp32 -mcmodel=medany
$(DIST)/irq-rv32/irq-rv32.elf: ports/test/rv32/irq_lock_rv32.c ports/baremetal/rtm_irq_lock.c \
	  ports/baremetal/rtm_irq_lock.h ports/test/rv32/start.S ports/test/rv32/link.ld
	@mkdir -p $(dir $@)
	@echo "  CC+LD $@"
	@$(RV_CC) $(RV_PORT_FLAGS) -std=c11 -O2 -g -ffreestanding $(WARN) -Iports/baremetal \
	  ports/test/rv32/irq_lock_rv32.c ports/baremetal/rtm_irq_lock.c ports/test/rv32/start.S \
	  -nostdlib -nostartfiles -Tports/test/rv32/link.ld -Wl,--no-warn-rwx-segments -o $@

ports-build: $(DIST)/irq-rv32/irq-rv32.elf

TEST_STEPS += spdx-check ports-test

# ---------------------------------------------------------------------------
# CMake: consumer projects outside the tree (scripts/cmake-consumers.sh).

cmake-test: deps-dist
	@echo "== CMake consumers: host (add_subdirectory, FetchContent, find_package), Cortex-M4F on QEMU =="
	@scripts/cmake-consumers.sh $(DIST)/cmake

TEST_STEPS += cmake-test

# ---------------------------------------------------------------------------
# API reference: Doxygen over the public headers (Doxyfile), no warnings, and
# every function's comment states complexity and ISR safety.

docs: deps-dist
	@mkdir -p $(BUILD)/docs
	@doxygen Doxyfile
	@echo "docs: $(BUILD)/docs/html/index.html"

docs-check: docs
	@echo "== API reference: Doxygen warnings, function contracts =="
	@if [ -s $(BUILD)/docs/warnings.log ]; then cat $(BUILD)/docs/warnings.log; \
	  echo "docs-check: $$(grep -c 'warning:' $(BUILD)/docs/warnings.log) Doxygen warnings"; exit 1; fi
	@echo "doxygen: 0 warnings, $$(ls $(BUILD)/docs/html/*.html | wc -l) pages"
	@scripts/check-api-docs.py

TEST_STEPS += docs-check

# ---------------------------------------------------------------------------
# Packaging descriptors against the tree (scripts/check-packaging.py).

packaging-check: deps-dist
	@echo "== packaging descriptors: CMake, ESP-IDF, Zephyr, PlatformIO =="
	@/usr/bin/python3 scripts/check-packaging.py

TEST_STEPS += packaging-check

# ---------------------------------------------------------------------------
# Examples: each examples/<topic>/ program on QEMU mps2-an386 (Cortex-M4F),
# with the example board and rtmem as malloc; the exit status is the verdict.

EXAMPLES := heap pools mpu stacks leak redzone newlib-malloc
$(foreach e,$(EXAMPLES),$(eval $(call dist_fw,example-$(e),m4f,$(sort $(wildcard examples/$(e)/*.c)))))

examples-build: $(foreach e,$(EXAMPLES),$(DIST)/example-$(e)/example-$(e).elf)

examples-test: deps-dist
	@$(MAKE) --no-print-directory -j2 examples-build
	@echo "== examples on QEMU mps2-an386 =="
	@scripts/qemu-run.sh -d -t 30 $(foreach e,$(EXAMPLES),$(e):mps2-an386:$(DIST)/example-$(e)/example-$(e).elf)

TEST_STEPS += examples-test

# ---------------------------------------------------------------------------
# The README against the tree (scripts/readme-check.sh): the firmware lines as
# written, the heap-only drop-in, the demo transcript.

readme-check: deps-dist
	@echo "== README: firmware lines (Makefile, CMake) as written, heap drop-in, demo transcript =="
	@$(MAKE) --no-print-directory cross >/dev/null
	@$(MAKE) --no-print-directory demo-build
	@scripts/qemu-run.sh -t 30 -d demo:mps2-an386:$(DEMO_DIR)/rtmem-demo.elf >/dev/null
	@scripts/readme-check.sh $(DIST) $(DEMO_DIR)/rtmem-demo.elf.log
	@rm -rf $(DIST)/stage-m4f
	@$(MAKE) --no-print-directory install-cross CORE=m4f PREFIX=$(CURDIR)/$(DIST)/stage-m4f >/dev/null
	@arm-none-eabi-objdump -f $(DIST)/stage-m4f/lib/librtmem.a | grep -q 'elf32-littlearm' && \
	  [ -f $(DIST)/stage-m4f/include/rtmem/rtmem.h ] && [ -f $(DIST)/stage-m4f/share/rtmem/ports/newlib/rtm_malloc.c ] || \
	  { echo "readme-check: make install-cross CORE=m4f did not install an Arm library, headers and ports"; exit 1; }
	@echo "  make install-cross CORE=m4f: Arm library, headers, ports installed"

TEST_STEPS += readme-check

# ---------------------------------------------------------------------------
# Install the library of one core (make cross) with the headers and ports:
#   make install-cross CORE=m4f PREFIX=/opt/rtmem-m4f

CORE ?= m4f
install-cross: deps-cross
	@$(MAKE) --no-print-directory $(BUILD)/cross/$(CORE)/librtmem.a
	install -d $(DESTDIR)$(PREFIX)/include/rtmem $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/share/rtmem/ports
	install -m 644 $(LIB_HDRS) $(DESTDIR)$(PREFIX)/include/rtmem/
	install -m 644 $(BUILD)/cross/$(CORE)/librtmem.a $(DESTDIR)$(PREFIX)/lib/
	cp -R ports/newlib ports/baremetal ports/freertos ports/cmsis-rtos2 $(DESTDIR)$(PREFIX)/share/rtmem/ports/

# ---------------------------------------------------------------------------
# The port files and the example board under the library's static analysis
# (the settings of mk/lint.mk), with newlib's headers for Cortex-M4. newlib
# declares the C11 Annex K functions, so clang-tidy would ask for memset_s
# instead of memset; the library's own lint runs on glibc, which does not.
PORT_LINT_SRCS := ports/newlib/rtm_malloc.c ports/baremetal/rtm_irq_lock.c ports/freertos/heap_rtmem.c \
                  ports/cmsis-rtos2/rtm_cmsis_lock.c examples/board/startup.c examples/board/syscalls.c

ports-lint:
	@$(DEPS) lint
	@echo "== lint: ports and example board (cppcheck, clang-tidy) =="
	$(Q)cppcheck --quiet --enable=warning,performance,portability --std=c11 --error-exitcode=1 --inline-suppr \
	  -Iinclude -Iports/newlib -Iports/baremetal -Iports/cmsis-rtos2 -Iports/test/cmsis -Iports/test/freertos \
	  -Iexamples/board $(PORT_LINT_SRCS)
	@mkdir -p $(DIST)
	$(Q)clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS),-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling' $(PORT_LINT_SRCS) -- -std=c11 \
	  --target=arm-none-eabi -mcpu=cortex-m4 -mthumb -isystem /usr/include/newlib -Iinclude -Iports/newlib \
	  -Iports/baremetal -Iports/cmsis-rtos2 -Iports/test/cmsis -Iports/test/freertos -Iexamples/board \
	  >$(DIST)/clang-tidy-ports.log 2>&1; rc=$$?; grep -v 'warnings generated' $(DIST)/clang-tidy-ports.log; exit $$rc
	@echo "ports lint clean: $(words $(PORT_LINT_SRCS)) files"

TEST_STEPS += ports-lint
