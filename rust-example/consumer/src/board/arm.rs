// SPDX-License-Identifier: MIT OR Apache-2.0
//! Cortex-M board support for QEMU mps2-an386: vector table, reset handler
//! (copies .data, zeroes .bss, enables the FPU), semihosting.

core::arch::global_asm!(
    ".section .isr_vector,\"a\",%progbits",
    ".global __vectors",
    "__vectors:",
    ".word __stack_top",
    ".word reset_handler",
    ".rept 14",
    ".word fault_handler",
    ".endr",
    ".section .text.reset_handler,\"ax\",%progbits",
    ".global reset_handler",
    ".thumb_func",
    "reset_handler:",
    "ldr r0, =__data_start",
    "ldr r1, =__data_end",
    "ldr r2, =__data_load",
    "1: cmp r0, r1",
    "bhs 2f",
    "ldr r3, [r2], #4",
    "str r3, [r0], #4",
    "b 1b",
    "2: ldr r0, =__bss_start",
    "ldr r1, =__bss_end",
    "movs r2, #0",
    "3: cmp r0, r1",
    "bhs 4f",
    "str r2, [r0], #4",
    "b 3b",
    // CPACR: CP10 and CP11 full access (the hard-float ABI uses the FPU).
    "4: ldr r0, =0xE000ED88",
    "ldr r1, [r0]",
    "orr r1, r1, #(0xF << 20)",
    "str r1, [r0]",
    "dsb",
    "isb",
    "bl firmware_main",
    "5: b 5b",
    // Named by the unwind tables the compiler emits even with panic = "abort";
    // never called (nothing unwinds).
    ".global __aeabi_unwind_cpp_pr0",
    ".thumb_func",
    "__aeabi_unwind_cpp_pr0:",
    ".thumb_func",
    "fault_handler:",
    "movs r0, #100",
    "bl board_fault",
);

/// One semihosting call.
pub(super) fn semihost(op: u32, arg: usize) -> usize {
    let r: usize;
    // SAFETY: the semihosting trap; QEMU reads the block `arg` points to.
    unsafe { core::arch::asm!("bkpt 0xab", inout("r0") op as usize => r, in("r1") arg, options(nostack)) };
    r
}


/// PRIMASK, to check that the heap calls leave interrupts as they found them.
pub fn interrupts_masked() -> bool {
    let primask: u32;
    // SAFETY: reads a register.
    unsafe { core::arch::asm!("mrs {0}, PRIMASK", out(reg) primask, options(nomem, nostack, preserves_flags)) };
    primask & 1 != 0
}

pub const NAME: &str = "Cortex-M4F (thumbv7em-none-eabihf, mps2-an386)";

/// Unmask (`true`) or mask interrupts (PRIMASK).
pub fn set_interrupts(on: bool) {
    // SAFETY: no interrupt source is enabled in the NVIC on this board.
    unsafe {
        if on {
            core::arch::asm!("cpsie i", options(nostack, preserves_flags));
        } else {
            core::arch::asm!("cpsid i", options(nostack, preserves_flags));
        }
    }
}
