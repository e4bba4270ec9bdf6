// SPDX-License-Identifier: MIT OR Apache-2.0
//! The board this image runs on, by target architecture.

mod common;
pub use common::{exit, Console};

#[cfg(target_arch = "arm")]
mod arm;
#[cfg(target_arch = "arm")]
pub use arm::*;

#[cfg(target_arch = "riscv32")]
mod riscv;
#[cfg(target_arch = "riscv32")]
pub use riscv::*;
