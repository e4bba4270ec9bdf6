# Rust: the ffi crates (rtmem, rtmem-sys), their generated bindings, the
# cbindgen header of the mixed firmware's Rust component, cargo test / clippy /
# doc, the host example, the bare-metal Rust firmware in QEMU, and the
# Criterion benchmarks.
#
#   make bindings     regenerate ffi/sys/src/bindings/*.rs (bindgen) and
#                     rust-example/firmware/component/include/*.h (cbindgen)
#   make rust-test    (a `make test` step) drift checks, cargo test, clippy,
#                     doc, the host example, the firmware on QEMU
#
# Host cargo: the one in PATH (rustup), else ~/.cargo/bin, else Debian's
# cargo-web (/usr/bin/cargo 1.96). The firmware always uses Debian's compiler,
# the only one here with the library sources -Zbuild-std needs.

.PHONY: bindings rust-test rust-bench rust-deps rust-bindings-check rust-cbindgen-check \
        rust-cargo-test rust-clippy rust-doc rust-example rust-fw rust-fw-run rust-shim-cost

RUST_OUT := $(BUILD)/rust
RUST_DEPS_GROUPS := rust cross qemu

# A shell prefix that finds cargo as described above and, for Debian's cargo,
# pins its own rustc/rustdoc.
RUST_ENV = PATH="$$HOME/.cargo/bin:$$PATH"; \
  if command -v cargo >/dev/null 2>&1 && [ "$$(command -v cargo)" != /usr/bin/cargo ]; then CARGO=$$(command -v cargo); \
  else CARGO=/usr/bin/cargo; export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc; fi; export PATH

rust-deps:
	@$(DEPS) $(RUST_DEPS_GROUPS)

# ---------------------------------------------------------------------------
# bindgen: one file per ABI, from the umbrella header.

BINDINGS_DIR := ffi/sys/src/bindings
BINDGEN_FLAGS := --use-core --ctypes-prefix core::ffi --size_t-is-usize \
  --default-enum-style newtype --with-derive-default \
  --allowlist-function 'rtm_.*' --allowlist-type 'rtm_.*' --allowlist-var 'RTM_.*'
BINDGEN_ABIS := x86_64 thumbv7m
BINDGEN_TARGET_x86_64 := x86_64-unknown-linux-gnu
BINDGEN_TARGET_thumbv7m := thumbv7m-none-eabi

# $(call rust_bindgen,output folder)
define rust_bindgen
	@mkdir -p $(1)
	@for abi in $(BINDGEN_ABIS); do \
	  case $$abi in x86_64) t=$(BINDGEN_TARGET_x86_64);; thumbv7m) t=$(BINDGEN_TARGET_thumbv7m);; esac; \
	  bindgen include/rtmem/rtmem.h $(BINDGEN_FLAGS) -o $(1)/$$abi.rs -- \
	    -Iinclude -ffreestanding --target=$$t || exit 1; \
	done
endef

bindings: rust-deps
	$(call rust_bindgen,$(BINDINGS_DIR))
	@echo "bindings: regenerated $(BINDINGS_DIR)"

rust-bindings-check: rust-deps
	@echo "== bindgen drift check =="
	$(call rust_bindgen,$(RUST_OUT)/bindings)
	@for abi in $(BINDGEN_ABIS); do \
	  diff -u $(BINDINGS_DIR)/$$abi.rs $(RUST_OUT)/bindings/$$abi.rs || { \
	    echo "$(BINDINGS_DIR)/$$abi.rs differs from the headers: run 'make bindings' and commit"; exit 1; }; \
	done; echo "bindings match the headers ($(BINDGEN_ABIS))"

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

rust-test: rust-deps
	@$(MAKE) --no-print-directory rust-bindings-check
	@$(MAKE) --no-print-directory rust-cargo-test
	@$(MAKE) --no-print-directory rust-clippy
	@$(MAKE) --no-print-directory rust-doc
	@$(MAKE) --no-print-directory rust-example

TEST_STEPS += rust-test
