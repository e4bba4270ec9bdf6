// SPDX-License-Identifier: MIT OR Apache-2.0
//! RV32 board support for QEMU virt (-bios none): start-up (gp, sp, .bss),
//! a trap handler that ends the run, semihosting.

core::arch::global_asm!(
    ".section .text.start,\"ax\",@progbits",
    ".global _start",
    "_start:",
    ".option push",
    ".option norelax",
    "la gp, __global_pointer$",
    ".option pop",
    "la sp, __stack_top",
    "la t0, trap_entry",
    "csrw mtvec, t0",
    "la t0, __bss_start",
    "la t1, __bss_end",
    "1: bgeu t0, t1, 2f",
    "sw zero, 0(t0)",
    "addi t0, t0, 4",
    "j 1b",
    "2: call firmware_main",
    "3: j 3b",
    ".balign 4",
    "trap_entry:",
    "li a0, 100",
    "call board_fault",
    // The semihosting trap: these three instructions, uncompressed and inside
    // one page, are what the debugger (QEMU) recognises.
    ".section .text.semihost,\"ax\",@progbits",
    ".global semihost_call",
    ".balign 16",
    "semihost_call:",
    ".option push",
    ".option norvc",
    "slli zero, zero, 0x1f",
    "ebreak",
    "srai zero, zero, 7",
    ".option pop",
    "ret",
);

extern "C" {
    fn semihost_call(op: usize, arg: usize) -> usize;
}

pub(super) fn semihost(op: u32, arg: usize) -> usize {
    // SAFETY: the semihosting trap; QEMU reads the block `arg` points to.
    unsafe { semihost_call(op as usize, arg) }
}


/// mstatus.MIE clear, to check that the heap calls leave interrupts as they found them.
pub fn interrupts_masked() -> bool {
    let mstatus: usize;
    // SAFETY: reads a CSR.
    unsafe { core::arch::asm!("csrr {0}, mstatus", out(reg) mstatus, options(nomem, nostack)) };
    mstatus & 8 == 0
}

pub const NAME: &str = "RV32IMAC (riscv32imac-unknown-none-elf, virt)";

/// Unmask (`true`) or mask interrupts (mstatus.MIE).
pub fn set_interrupts(on: bool) {
    // SAFETY: mie is 0 at reset, so no interrupt is taken either way.
    unsafe {
        if on {
            core::arch::asm!("csrsi mstatus, 8", options(nostack));
        } else {
            core::arch::asm!("csrci mstatus, 8", options(nostack));
        }
    }
}
