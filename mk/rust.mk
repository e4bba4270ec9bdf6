# SPDX-License-Identifier: MIT OR Apache-2.0
# Rust: the ffi crates (rtmem, rtmem-sys), their generated bindings, the
# cbindgen header of the mixed firmware's Rust component, cargo test / clippy /
# doc, the host example, the bare-metal Rust firmware in QEMU, and the
# Criterion benchmarks.
#
#   make bindings     regenerate ffi/sys/src/bindings/*.rs (bindgen) and
#                     rust-example/firmware/component/include/*.h (cbindgen)
#   make rust-test    (a `make test` step) drift checks (bindings, component
#                     header, the C copy in rtmem-sys), cargo test, clippy,
#                     doc, the host example, the firmware on QEMU, and a
#                     firmware crate built from the packaged crates, on QEMU
#   make rust-csrc    refresh ffi/sys/csrc/ (the C library rtmem-sys carries)
#   make rust-package cargo package both crates into build/rust/registry/
#   make rust-bench   cargo bench (Criterion, HTML reports in target/criterion)
#                     plus the ratio summary and the shim's instruction count
#
# Host cargo: the one in PATH (rustup), else ~/.cargo/bin, else Debian's
# cargo-web (/usr/bin/cargo 1.96). The firmware always uses Debian's compiler,
# the only one here with the library sources -Zbuild-std needs.

.PHONY: rust-csrc rust-csrc-check rust-registry rust-package rust-consumer rust-consumer-run rust-targets
.PHONY: bindings rust-test rust-bench rust-deps rust-bindings-check rust-cbindgen-check \
        rust-cargo-test rust-clippy rust-doc rust-example rust-fw rust-fw-run rust-shim-cost

RUST_OUT := $(BUILD)/rust
# The local cargo directory registry (see rust-registry, rust-package below).
RUST_REG := $(RUST_OUT)/registry
RUST_DEPS_GROUPS := rust cross qemu

# A shell prefix that finds cargo as described above and, for Debian's cargo,
# pins its own rustc/rustdoc.
RUST_ENV = PATH="$$HOME/.cargo/bin:$$PATH"; \
  if command -v cargo >/dev/null 2>&1 && [ "$$(command -v cargo)" != /usr/bin/cargo ]; then CARGO=$$(command -v cargo); \
  else CARGO=/usr/bin/cargo; export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc; fi; export PATH

rust-deps:
	@$(DEPS) $(RUST_DEPS_GROUPS)

# ---------------------------------------------------------------------------
# bindgen: one file per ABI, from the umbrella header. RTM_OK is defined by
# hand in ffi/sys/src/lib.rs: bindgen would type it u32 (it is not negative),
# apart from the error codes (i32, the type of rtm_status_t).

BINDINGS_DIR := ffi/sys/src/bindings
BINDGEN_FLAGS := --use-core --ctypes-prefix core::ffi --size_t-is-usize \
  --default-enum-style newtype --with-derive-default \
  --allowlist-function 'rtm_.*' --allowlist-type 'rtm_.*' --allowlist-var 'RTM_.*' \
  --blocklist-item RTM_OK
BINDGEN_ABIS := x86_64 thumbv7m riscv32
BINDGEN_TARGET_x86_64 := x86_64-unknown-linux-gnu
BINDGEN_TARGET_thumbv7m := thumbv7m-none-eabi
BINDGEN_TARGET_riscv32 := riscv32-unknown-none-elf

# $(call rust_bindgen,output folder)
define rust_bindgen
	@mkdir -p $(1)
	@for abi in $(BINDGEN_ABIS); do \
	  case $$abi in x86_64) t=$(BINDGEN_TARGET_x86_64);; thumbv7m) t=$(BINDGEN_TARGET_thumbv7m);; \
	    riscv32) t=$(BINDGEN_TARGET_riscv32);; esac; \
	  bindgen include/rtmem/rtmem.h $(BINDGEN_FLAGS) -o $(1)/$$abi.rs -- \
	    -Iinclude -ffreestanding --target=$$t || exit 1; \
	done
endef

# ---------------------------------------------------------------------------
# The C library inside the rtmem-sys package: ffi/sys/csrc/ holds a copy of
# c-src/ and include/ plus SOURCES (the .c files build.rs must compile), so the
# packaged crate builds the C for any target. `make rust-csrc` refreshes the
# copy; make test fails when it differs from the tree.

RUST_CSRC := ffi/sys/csrc

# $(call rust_stage_csrc,output folder)
define rust_stage_csrc
	@rm -rf $(1)/c-src $(1)/include && mkdir -p $(1)
	@cp -r c-src include $(1)/
	@find c-src -name '*.c' | LC_ALL=C sort > $(1)/SOURCES
endef

rust-csrc:
	$(call rust_stage_csrc,$(RUST_CSRC))
	@echo "rust-csrc: staged c-src/ and include/ into $(RUST_CSRC)"

rust-csrc-check:
	@echo "== rtmem-sys C sources drift check =="
	$(call rust_stage_csrc,$(RUST_OUT)/csrc)
	@diff -ru $(RUST_CSRC) $(RUST_OUT)/csrc || { \
	  echo "$(RUST_CSRC) differs from c-src/ and include/: run 'make rust-csrc' and commit"; exit 1; }
	@echo "rtmem-sys carries the tree's C sources and headers"

# ---------------------------------------------------------------------------
# cbindgen: the C header of the mixed firmware's Rust component.

COMPONENT_DIR := rust-example/firmware/component
COMPONENT_HDR := $(COMPONENT_DIR)/include/telemetry.h

# $(call rust_cbindgen,output file)
# cbindgen's own `cargo metadata` would not find cc (the firmware workspace's
# crates.io is the standard library's vendor folder): run it against the local
# registry and hand cbindgen the result.
define rust_cbindgen
	@mkdir -p $(dir $(1)) $(RUST_OUT)
	@$(RUST_ENV); cd $(COMPONENT_DIR) && $$CARGO metadata --offline --all-features --format-version 1 \
	  --manifest-path Cargo.toml --config 'source.rust-library-vendor.directory="$(abspath $(RUST_REG))"' \
	  > $(abspath $(RUST_OUT))/component-metadata.json && \
	CARGO=$$CARGO cbindgen --quiet --config cbindgen.toml \
	  --metadata $(abspath $(RUST_OUT))/component-metadata.json --output $(abspath $(1)) .
endef

bindings: rust-registry
	$(call rust_bindgen,$(BINDINGS_DIR))
	$(call rust_cbindgen,$(COMPONENT_HDR))
	@echo "bindings: regenerated $(BINDINGS_DIR) and $(COMPONENT_HDR)"

rust-bindings-check: rust-deps
	@echo "== bindgen drift check =="
	$(call rust_bindgen,$(RUST_OUT)/bindings)
	@for abi in $(BINDGEN_ABIS); do \
	  diff -u $(BINDINGS_DIR)/$$abi.rs $(RUST_OUT)/bindings/$$abi.rs || { \
	    echo "$(BINDINGS_DIR)/$$abi.rs differs from the headers: run 'make bindings' and commit"; exit 1; }; \
	done; echo "bindings match the headers ($(BINDGEN_ABIS))"

rust-cbindgen-check: rust-registry
	@echo "== cbindgen drift check =="
	$(call rust_cbindgen,$(RUST_OUT)/cbindgen/telemetry.h)
	@diff -u $(COMPONENT_HDR) $(RUST_OUT)/cbindgen/telemetry.h || { \
	  echo "$(COMPONENT_HDR) differs from the component's source: run 'make bindings' and commit"; exit 1; }
	@echo "component header matches its Rust source"

# ---------------------------------------------------------------------------
# The host workspace.

rust-cargo-test: rust-deps
	@echo "== cargo test =="
	@$(RUST_ENV); $$CARGO --version; $$CARGO test --offline --workspace

rust-clippy: rust-deps
	@echo "== cargo clippy -D warnings =="
	@$(RUST_ENV); $$CARGO clippy --offline --workspace --all-targets -- -D warnings

rust-doc: rust-deps
	@echo "== cargo doc (warnings are errors) =="
	@$(RUST_ENV); RUSTDOCFLAGS="-D warnings" $$CARGO doc --offline --workspace --no-deps

rust-example: rust-deps
	@echo "== rust-example: host program on the rtmem heap =="
	@$(RUST_ENV); $$CARGO run --offline --release -q -p rtmem-example

# ---------------------------------------------------------------------------
# Firmware: Rust staticlibs (Debian's rustc, -Zbuild-std) linked with the C
# library and the board support by arm-none-eabi-gcc, run on QEMU MPS2 boards.
# Each CPU: Rust target, gcc flags, QEMU machine.

RFW_DIR := rust-example/firmware
RFW_OUT := $(RUST_OUT)/fw
RFW_CPUS := m3 m4f
RFW_RUST_TARGET_m3 := thumbv7m-none-eabi
RFW_RUST_TARGET_m4f := thumbv7em-none-eabihf
RFW_CFLAGS_m3 := -mcpu=cortex-m3 -mthumb
RFW_CFLAGS_m4f := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
RFW_BOARD_m3 := mps2-an385
RFW_BOARD_m4f := mps2-an386
RFW_CC := $(ARM_CC)
RFW_COMMON_CFLAGS := -std=c11 -O2 -g -ffunction-sections -fdata-sections $(WARN)
RFW_RUSTC := /usr/bin/rustc
RFW_CARGO := /usr/bin/cargo
RFW_CARGO_FLAGS = build --offline --release -Zbuild-std=core,alloc --target-dir $(abspath $(RFW_OUT))/target \
  --config 'source.rust-library-vendor.directory="$(abspath $(RUST_REG))"'
# Firmware images per CPU.
RFW_IMAGES := rust-fw mixed

# The C library for each CPU is mk/cross.mk's $(BUILD)/cross/<cpu>/librtmem.a.
# $(1) cpu
define rust_fw_cpu
RFW_BOARD_OBJS_$(1) := $(RFW_OUT)/$(1)/board/startup.o $(RFW_OUT)/$(1)/board/semihost.o
RFW_RUST_LIBDIR_$(1) := $(RFW_OUT)/target/$(RFW_RUST_TARGET_$(1))/release
RFW_CLIB_$(1) := $(BUILD)/cross/$(1)/librtmem.a

$(RFW_OUT)/$(1)/board/%.o: $(RFW_DIR)/board/%.c
	@mkdir -p $$(dir $$@)
	$(RFW_CC) $(RFW_CFLAGS_$(1)) $(RFW_COMMON_CFLAGS) -MMD -MP -c $$< -o $$@

$(RFW_OUT)/$(1)/mixed/%.o: $(RFW_DIR)/mixed/%.c $(COMPONENT_HDR)
	@mkdir -p $$(dir $$@)
	$(RFW_CC) $(RFW_CFLAGS_$(1)) $(RFW_COMMON_CFLAGS) -Iinclude -I$(RFW_DIR)/board -I$(COMPONENT_DIR)/include -MMD -MP -c $$< -o $$@

# Warnings in the firmware crates fail the build (their log is kept).
.PHONY: rust-fw-cargo-$(1)
# rtmem-sys links make cross's library here (RTMEM_LIB_DIR, its opt-out of
# compiling the C itself), so the images run the C exactly as `make cross` built it.
rust-fw-cargo-$(1): rust-registry $$(RFW_CLIB_$(1))
	@echo "== cargo -Zbuild-std: $(RFW_RUST_TARGET_$(1)) =="
	@mkdir -p $(RFW_OUT)
	+@cd $(RFW_DIR) && RUSTC=$(RFW_RUSTC) RUSTC_BOOTSTRAP=1 RTMEM_LIB_DIR=$(abspath $(BUILD)/cross/$(1)) \
	  $(RFW_CARGO) $(RFW_CARGO_FLAGS) \
	  --target $(RFW_RUST_TARGET_$(1)) 2>$(abspath $(RFW_OUT))/cargo-$(1).log; rc=$$$$?; \
	  cat $(abspath $(RFW_OUT))/cargo-$(1).log; \
	  if [ $$$$rc -ne 0 ]; then exit $$$$rc; fi; \
	  if grep -q '^warning' $(abspath $(RFW_OUT))/cargo-$(1).log; then echo "firmware crates: warnings are errors"; exit 1; fi

# $(RFW_OUT)/<cpu>/<image>.elf; the Rust staticlib is always re-checked by cargo.
$(RFW_OUT)/$(1)/rust-fw.elf: rust-fw-cargo-$(1) $$(RFW_BOARD_OBJS_$(1)) $$(RFW_CLIB_$(1)) $(RFW_DIR)/board/link.ld
	$(RFW_CC) $(RFW_CFLAGS_$(1)) -nostartfiles -T $(RFW_DIR)/board/link.ld -Wl,--gc-sections \
	  -Wl,--no-warn-execstack -Wl,-Map=$$(@:.elf=.map) $$(RFW_BOARD_OBJS_$(1)) \
	  $$(RFW_RUST_LIBDIR_$(1))/librtmem_fw.a $$(RFW_CLIB_$(1)) -o $$@

$(RFW_OUT)/$(1)/mixed.elf: rust-fw-cargo-$(1) $$(RFW_BOARD_OBJS_$(1)) $(RFW_OUT)/$(1)/mixed/main.o $$(RFW_CLIB_$(1)) $(RFW_DIR)/board/link.ld
	$(RFW_CC) $(RFW_CFLAGS_$(1)) -nostartfiles -T $(RFW_DIR)/board/link.ld -Wl,--gc-sections \
	  -Wl,--no-warn-execstack -Wl,-Map=$$(@:.elf=.map) $$(RFW_BOARD_OBJS_$(1)) $(RFW_OUT)/$(1)/mixed/main.o \
	  $$(RFW_RUST_LIBDIR_$(1))/librtmem_component.a $$(RFW_CLIB_$(1)) -o $$@

-include $$(RFW_BOARD_OBJS_$(1):.o=.d) $(RFW_OUT)/$(1)/mixed/main.d
endef
$(foreach c,$(RFW_CPUS),$(eval $(call rust_fw_cpu,$(c))))

RFW_ELFS := $(foreach c,$(RFW_CPUS),$(foreach i,$(RFW_IMAGES),$(RFW_OUT)/$(c)/$(i).elf))

rust-fw: $(RFW_ELFS)

# Run every image on its board; the semihosting exit status is the verdict.
rust-fw-run: rust-fw
	@echo "== Rust firmware on QEMU =="
	@fail=0; for c in $(RFW_CPUS); do for i in $(RFW_IMAGES); do \
	  case $$c in m3) board=$(RFW_BOARD_m3);; m4f) board=$(RFW_BOARD_m4f);; esac; \
	  log=$(RFW_OUT)/$$c/$$i.log; rm -f $$log; \
	  timeout -k 5 30 qemu-system-arm -M $$board -display none -monitor none \
	    -chardev file,id=out,path=$$log,mux=on -serial chardev:out \
	    -semihosting-config enable=on,target=native,chardev=out,userspace=on \
	    -kernel $(RFW_OUT)/$$c/$$i.elf </dev/null; rc=$$?; \
	  cat $$log; echo "-- $$i on $$board ($$c): exit $$rc"; \
	  [ $$rc -eq 0 ] || fail=1; \
	done; done; exit $$fail

# ---------------------------------------------------------------------------
# Packaging, and a firmware crate outside the workspace that uses the packages.
#
# build/rust/registry/ is a cargo directory registry: the unpacked .crate
# files of rtmem-sys and rtmem (from `cargo package`), Debian's packaged crate
# sources (cc from librust-cc-dev; the rest so the workspace resolves) and the
# standard library's vendored crates (for -Zbuild-std). rtmem is packaged, and verified, against the packaged
# rtmem-sys found there. rust-example/consumer/ is copied to build/rust/consumer/
# and built by Debian's cargo with nothing but `cargo build --release --target T`
# for each target, then run on its QEMU board: the exit status is the number
# of failed checks.

RUST_PKG := $(RUST_OUT)/package
RUST_STD_VENDOR := /usr/lib/rustlib/src/rust/library/vendor
RUST_CC_CRATE := $(firstword $(wildcard /usr/share/cargo/registry/cc-1.*))
RUST_PKG_CONFIG = --config 'source.crates-io.replace-with="rtmem-local"' \
  --config 'source.rtmem-local.directory="$(abspath $(RUST_REG))"'

# $(call rust_unpack,crate name): the .crate into the registry, with the
# checksum file a directory source needs.
define rust_unpack
	@rm -rf $(RUST_REG)/$(1)-$(RUST_VERSION)
	@tar -xzf $(RUST_PKG)/package/$(1)-$(RUST_VERSION).crate -C $(RUST_REG)
	@printf '{"files":{},"package":"%s"}' \
	  "$$(sha256sum $(RUST_PKG)/package/$(1)-$(RUST_VERSION).crate | cut -d' ' -f1)" \
	  > $(RUST_REG)/$(1)-$(RUST_VERSION)/.cargo-checksum.json
endef
RUST_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

# The registry without the rtmem crates (also the in-tree firmware's source).
rust-registry: rust-deps
	@test -n "$(RUST_CC_CRATE)" || { echo "no cc crate in /usr/share/cargo/registry: install librust-cc-dev"; exit 1; }
	@mkdir -p $(RUST_REG)
	@for d in $(RUST_STD_VENDOR)/* /usr/share/cargo/registry/*; do \
	  [ -e $(RUST_REG)/$$(basename $$d) ] || ln -s $$d $(RUST_REG)/; done

# Packaged again only when a file of either crate (or the workspace manifest) changed.
RUST_PKG_STAMP := $(RUST_REG)/rtmem-$(RUST_VERSION)/.cargo-checksum.json
RUST_PKG_INPUTS := Cargo.toml $(shell find ffi -type f -not -path '*/target/*' 2>/dev/null)

rust-package: $(RUST_PKG_STAMP)

$(RUST_PKG_STAMP): $(RUST_PKG_INPUTS)
	@$(MAKE) --no-print-directory rust-registry
	@echo "== cargo package: rtmem-sys $(RUST_VERSION), rtmem $(RUST_VERSION) =="
	@rm -rf $(RUST_REG)/rtmem-sys-* $(RUST_REG)/rtmem-[0-9]* && mkdir -p $(RUST_PKG)
	@$(RUST_ENV); $$CARGO package --offline --allow-dirty --registry crates-io $(RUST_PKG_CONFIG) \
	  --target-dir $(RUST_PKG) -p rtmem-sys
	$(call rust_unpack,rtmem-sys)
	@$(RUST_ENV); $$CARGO package --offline --allow-dirty --registry crates-io $(RUST_PKG_CONFIG) \
	  --target-dir $(RUST_PKG) -p rtmem
	$(call rust_unpack,rtmem)
	@ls -l $(RUST_PKG)/package/*.crate

RCON_DIR := rust-example/consumer
RCON_OUT := $(RUST_OUT)/consumer
RCON_TARGETS := thumbv7em-none-eabihf riscv32imac-unknown-none-elf

rust-consumer: rust-package
	@rm -rf $(RCON_OUT)/src $(RCON_OUT)/.cargo && mkdir -p $(RCON_OUT)
	@cp -r $(RCON_DIR)/. $(RCON_OUT)/
	@rm -f $(RCON_OUT)/Cargo.lock
	+@for t in $(RCON_TARGETS); do \
	  echo "== consumer crate: cargo build --release --target $$t (from the packaged crates) =="; \
	  (cd $(RCON_OUT) && RUSTC=$(RFW_RUSTC) RUSTC_BOOTSTRAP=1 $(RFW_CARGO) build --release --target $$t) \
	    2>$(RCON_OUT)/cargo-$$t.log; rc=$$?; cat $(RCON_OUT)/cargo-$$t.log; [ $$rc -eq 0 ] || exit $$rc; \
	  if grep -q '^warning' $(RCON_OUT)/cargo-$$t.log; then echo "consumer crate: warnings are errors"; exit 1; fi; \
	done

# The packaged crates for the other Cortex-M targets (rtmem-sys compiles the C
# with cc for each), and the default-lock rule: RtmHeap::empty() compiles where
# the target has a default lock and is refused, with the lock message, where
# it has none.
RTGT_DIR := rust-example/targets
RTGT_OUT := $(RUST_OUT)/targets
RTGT_WITH_DEFAULT := thumbv7m-none-eabi
RTGT_WITHOUT_DEFAULT := thumbv6m-none-eabi thumbv8m.main-none-eabihf

rust-targets: rust-package
	@rm -rf $(RTGT_OUT)/src $(RTGT_OUT)/.cargo && mkdir -p $(RTGT_OUT)
	@cp -r $(RTGT_DIR)/. $(RTGT_OUT)/ && rm -f $(RTGT_OUT)/Cargo.lock
	+@cd $(RTGT_OUT) && export RUSTC=$(RFW_RUSTC) RUSTC_BOOTSTRAP=1; \
	for t in $(RTGT_WITH_DEFAULT); do \
	  echo "== rtmem from the packages: cargo build --target $$t --features default-lock =="; \
	  $(RFW_CARGO) build -q --release --target $$t --features default-lock || exit 1; \
	done; \
	for t in $(RTGT_WITHOUT_DEFAULT); do \
	  echo "== rtmem from the packages: cargo build --target $$t (explicit lock) =="; \
	  $(RFW_CARGO) build -q --release --target $$t || exit 1; \
	  echo "== ... and RtmHeap::empty() must be refused there (no default lock) =="; \
	  if $(RFW_CARGO) build -q --release --target $$t --features default-lock 2>$(abspath $(RTGT_OUT))/refused-$$t.log; then \
	    echo "$$t: RtmHeap::empty() compiled on a target without a default lock"; exit 1; fi; \
	  grep -q 'is not a lock: this target has no default lock' $(abspath $(RTGT_OUT))/refused-$$t.log || { \
	    cat $(abspath $(RTGT_OUT))/refused-$$t.log; echo "$$t: refused without the lock message"; exit 1; }; \
	  echo "refused as expected: $$(grep -m1 'is not a lock' $(abspath $(RTGT_OUT))/refused-$$t.log)"; \
	done

rust-consumer-run: rust-consumer
	@echo "== consumer firmware on QEMU =="
	@fail=0; for t in $(RCON_TARGETS); do \
	  elf=$(RCON_OUT)/target/$$t/release/rtmem-consumer; log=$(RCON_OUT)/$$t.log; rm -f $$log; \
	  case $$t in \
	    thumbv7em-*) timeout -k 5 30 qemu-system-arm -M mps2-an386 -display none -monitor none \
	      -chardev file,id=out,path=$$log,mux=on -serial chardev:out \
	      -semihosting-config enable=on,target=native,chardev=out,userspace=on -kernel $$elf </dev/null; rc=$$?;; \
	    riscv32*) timeout -k 5 30 qemu-system-riscv32 -M virt -bios none -display none -monitor none \
	      -chardev file,id=out,path=$$log,mux=on -serial chardev:out \
	      -semihosting-config enable=on,target=native,chardev=out,userspace=on -kernel $$elf </dev/null; rc=$$?;; \
	  esac; \
	  cat $$log; echo "-- rtmem-consumer ($$t): exit $$rc"; [ $$rc -eq 0 ] || fail=1; \
	done; exit $$fail

# ---------------------------------------------------------------------------
# Benchmarks (not part of make test): Criterion with HTML reports in
# target/criterion/report/, the ratio summary, and the shim's instruction cost
# counted with callgrind.

rust-bench: rust-deps
	@$(DEPS) bench
	@echo "== cargo bench (Criterion, the rtmem allocators against System) =="
	@mkdir -p $(RUST_OUT)
	@$(RUST_ENV); $$CARGO bench --offline -p rtmem-benches --bench allocators
	@$(RUST_ENV); $$CARGO build --offline --release -q -p rtmem-benches --bins
	@echo "== Criterion medians and ratios to System (also in $(RUST_OUT)/bench-summary.md) =="
	@T=$${CARGO_TARGET_DIR:-target}; $$T/release/bench-summary $$T/criterion | tee $(RUST_OUT)/bench-summary.md
	@echo "== shim cost (callgrind) =="
	@$${CARGO_TARGET_DIR:-target}/release/shim-cost | tee -a $(RUST_OUT)/bench-summary.md
	@$(MAKE) --no-print-directory $(RFW_OUT)/m4f/rust-fw.elf >/dev/null
	@$(MAKE) --no-print-directory rust-shim-cost | tee -a $(RUST_OUT)/bench-summary.md

# The shim's cost on Cortex-M4F: instructions on the fast path (up to the
# first return or tail call) of the firmware's probe functions, which reach
# rtm_heap_alloc/rtm_heap_free through the shim and directly.
# (rust-bench builds the image first; so does make rust-fw.)
rust-shim-cost:
	@test -f $(RFW_OUT)/m4f/rust-fw.elf || { echo "rust-shim-cost: run make rust-fw first"; exit 1; }
	@echo "instructions on the fast path, Cortex-M4F (thumbv7em, release firmware, disassembled):"
	@arm-none-eabi-objdump -d --no-show-raw-insn $(RFW_OUT)/m4f/rust-fw.elf | awk ' \
	  /<probe_(shim|direct)_(alloc|free)>:/ { name = substr($$2, 2, length($$2) - 3); n = 0; on = 1; next } \
	  on && /^$$/ { on = 0 } \
	  on && NF > 1 && !(name in count) { n++; if ($$0 ~ /pop.*pc|b\.w|bx[ \t]+lr/) count[name] = n } \
	  END { \
	    printf "  alloc: %d direct, %d through the shim; free: %d direct, %d through the shim\n", \
	      count["probe_direct_alloc"], count["probe_shim_alloc"], count["probe_direct_free"], count["probe_shim_free"]; \
	    printf "shim cost over a direct C call on Cortex-M4F, default lock (PRIMASK): %+d alloc, %+d free\n", \
	      count["probe_shim_alloc"] - count["probe_direct_alloc"], count["probe_shim_free"] - count["probe_direct_free"] }'

# ---------------------------------------------------------------------------

rust-test: rust-deps
	@$(MAKE) --no-print-directory rust-bindings-check rust-cbindgen-check rust-csrc-check
	@$(MAKE) --no-print-directory rust-cargo-test
	@$(MAKE) --no-print-directory rust-clippy
	@$(MAKE) --no-print-directory rust-doc
	@$(MAKE) --no-print-directory rust-example
	@$(MAKE) --no-print-directory rust-fw-run
	@$(MAKE) --no-print-directory rust-consumer-run
	@$(MAKE) --no-print-directory rust-targets

TEST_STEPS += rust-test
