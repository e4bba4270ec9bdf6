// SPDX-License-Identifier: MIT OR Apache-2.0
//! The Rust side of the board support (board.h), shared by the firmware
//! crates with `#[path]`: console output, exit, and the panic handler.

use core::fmt::{self, Write};

extern "C" {
    fn board_write(text: *const u8, len: usize);
    fn board_exit(code: i32) -> !;
}

/// The semihosting console.
pub struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // SAFETY: board_write reads `len` bytes of the valid string.
        unsafe { board_write(s.as_ptr(), s.len()) };
        Ok(())
    }
}

/// Print to the semihosting console.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => {{
        let _ = core::fmt::Write::write_fmt(&mut $crate::board::Console, format_args!($($arg)*));
        let _ = core::fmt::Write::write_str(&mut $crate::board::Console, "\n");
    }};
}

/// End the emulation with `code` as QEMU's exit status.
#[allow(dead_code)]
pub fn exit(code: i32) -> ! {
    // SAFETY: board_exit takes any code and does not return.
    unsafe { board_exit(code) }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let _ = writeln!(Console, "\nPANIC: {info}");
    exit(101)
}
