// SPDX-License-Identifier: MIT OR Apache-2.0
//! Build script of rtmem: picks the shim's default lock for the target
//! (`rtmem_default_lock`), which cfg alone cannot tell apart (thumbv6m,
//! thumbv7em and thumbv8m.main all say `target_arch = "arm"`).

use std::env;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(rtmem_default_lock, values(\"interrupt_free\", \"spin\"))");
    println!("cargo:rerun-if-changed=build.rs");
    let target = env::var("TARGET").unwrap_or_default();
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let atomics = env::var("CARGO_CFG_TARGET_HAS_ATOMIC").unwrap_or_default();
    // Cortex-M3/M4/M7: no part runs one image on two of these cores; the
    // others (thumbv6m: RP2040, thumbv8m: RP2350, RV32: RP2350's Hazard3)
    // have such parts, and unknown targets are not guessed at.
    let lock = if target.starts_with("thumbv7m-") || target.starts_with("thumbv7em-") {
        Some("interrupt_free")
    } else if os != "none" && atomics.split(',').any(|w| w == "8") {
        Some("spin")
    } else {
        None
    };
    if let Some(lock) = lock {
        println!("cargo:rustc-cfg=rtmem_default_lock=\"{lock}\"");
    }
}
