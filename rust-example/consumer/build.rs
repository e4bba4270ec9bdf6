// SPDX-License-Identifier: MIT OR Apache-2.0
//! Picks the linker script of the board for the target being built.

use std::env;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let script = match env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default().as_str() {
        "arm" => "link-mps2.ld",
        "riscv32" => "link-virt.ld",
        other => panic!("rtmem-consumer runs on Cortex-M (mps2-an386) or RV32 (virt), not {other}"),
    };
    println!("cargo:rerun-if-changed={script}");
    println!("cargo:rustc-link-arg=-T{}", dir.join(script).display());
}
