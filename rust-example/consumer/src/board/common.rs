// SPDX-License-Identifier: MIT OR Apache-2.0
//! What both boards share: the semihosting console and exit over each
//! board's `semihost` call, console formatting and the panic handler.

use core::fmt;

/// Hand `s` to `put` in NUL-terminated chunks.
fn write_chunks(s: &str, mut put: impl FnMut(&[u8])) {
    let mut buf = [0u8; 65];
    for part in s.as_bytes().chunks(64) {
        buf[..part.len()].copy_from_slice(part);
        buf[part.len()] = 0;
        put(&buf[..=part.len()]);
    }
}

/// Print `s` on the semihosting console (SYS_WRITE0, NUL-terminated chunks).
pub fn write(s: &str) {
    write_chunks(s, |chunk| {
        super::semihost(0x04, chunk.as_ptr() as usize);
    });
}

/// End the emulation with `code` as QEMU's exit status (SYS_EXIT_EXTENDED).
pub fn exit(code: i32) -> ! {
    let block = [0x20026usize, code as usize];
    super::semihost(0x20, block.as_ptr() as usize);
    loop {}
}

/// The semihosting console as a `fmt::Write`.
pub struct Console;

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write(s);
        Ok(())
    }
}

#[no_mangle]
extern "C" fn board_fault(code: i32) -> ! {
    write("\nFAULT: unexpected exception or trap\n");
    exit(code)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let _ = fmt::Write::write_fmt(&mut Console, format_args!("\nPANIC: {info}\n"));
    exit(101)
}
