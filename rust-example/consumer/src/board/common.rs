// SPDX-License-Identifier: MIT OR Apache-2.0
//! What both boards share: console formatting and the panic handler.

use core::fmt;

/// Hand `s` to `put` in NUL-terminated chunks.
pub fn write_chunks(s: &str, mut put: impl FnMut(&[u8])) {
    let mut buf = [0u8; 65];
    for part in s.as_bytes().chunks(64) {
        buf[..part.len()].copy_from_slice(part);
        buf[part.len()] = 0;
        put(&buf[..=part.len()]);
    }
}

/// The semihosting console as a `fmt::Write`.
pub struct Console;

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        super::write(s);
        Ok(())
    }
}

#[no_mangle]
extern "C" fn board_fault(code: i32) -> ! {
    super::write("\nFAULT: unexpected exception or trap\n");
    super::exit(code)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let _ = fmt::Write::write_fmt(&mut Console, format_args!("\nPANIC: {info}\n"));
    super::exit(101)
}
