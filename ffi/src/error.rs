// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`MemoryError`]: the seed's error enum over the library's `rtm_status_t`.

use core::ffi::CStr;
use core::fmt;

use crate::sys;

/// Why an rtmem operation failed (the design's `MemoryError`, one variant per
/// `RTM_ERR_*` code).
///
/// The first seven variants are the seed's, in the seed's order and with the
/// seed's names, so code written against the seed matches on them unchanged.
/// A status the crate does not know (from a newer C library) becomes
/// [`MemoryError::Unknown`] carrying the raw value: an out-of-range C integer
/// never turns into an invalid Rust enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MemoryError {
    /// `RTM_ERR_NO_MEMORY`: no block large enough; the allocator is unchanged.
    OutOfMemory,
    /// `RTM_ERR_INVALID_POINTER`: a pointer the object never handed out
    /// (foreign, interior, or NULL where one is required).
    InvalidPointer,
    /// `RTM_ERR_OVERLAP`: a new region overlaps an existing one.
    AddressOverlap,
    /// `RTM_ERR_ALIGNMENT`: an alignment that is not a power of two, or memory
    /// not aligned as required.
    AlignmentError,
    /// `RTM_ERR_ACCESS`: an access the protection settings forbid.
    AccessViolation,
    /// `RTM_ERR_DOUBLE_FREE`: a block that is already free was freed again.
    DoubleFree,
    /// `RTM_ERR_CORRUPTED`: metadata failed its check (overrun, wild write).
    CorruptedMetadata,
    /// `RTM_ERR_INVALID_ARG`: an argument out of range (size 0, a size that
    /// overflows, an object that is already initialised, ...).
    InvalidArgument,
    /// `RTM_ERR_UNSUPPORTED`: not supported by this object or on this target.
    Unsupported,
    /// A negative or positive status this version of the crate does not know.
    Unknown(i32),
}

impl MemoryError {
    /// The error for a status code; `None` for `RTM_OK` (zero).
    pub const fn from_status(status: sys::rtm_status_t) -> Option<Self> {
        Some(match status {
            sys::RTM_OK => return None,
            sys::RTM_ERR_NO_MEMORY => Self::OutOfMemory,
            sys::RTM_ERR_INVALID_POINTER => Self::InvalidPointer,
            sys::RTM_ERR_OVERLAP => Self::AddressOverlap,
            sys::RTM_ERR_ALIGNMENT => Self::AlignmentError,
            sys::RTM_ERR_ACCESS => Self::AccessViolation,
            sys::RTM_ERR_DOUBLE_FREE => Self::DoubleFree,
            sys::RTM_ERR_CORRUPTED => Self::CorruptedMetadata,
            sys::RTM_ERR_INVALID_ARG => Self::InvalidArgument,
            sys::RTM_ERR_UNSUPPORTED => Self::Unsupported,
            other => Self::Unknown(other),
        })
    }

    /// `Ok(())` for `RTM_OK`, the error otherwise.
    #[inline]
    pub const fn check(status: sys::rtm_status_t) -> Result<(), Self> {
        match Self::from_status(status) {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// The C status code of this error (`Unknown` gives back its raw value).
    pub const fn status(self) -> sys::rtm_status_t {
        match self {
            Self::OutOfMemory => sys::RTM_ERR_NO_MEMORY,
            Self::InvalidPointer => sys::RTM_ERR_INVALID_POINTER,
            Self::AddressOverlap => sys::RTM_ERR_OVERLAP,
            Self::AlignmentError => sys::RTM_ERR_ALIGNMENT,
            Self::AccessViolation => sys::RTM_ERR_ACCESS,
            Self::DoubleFree => sys::RTM_ERR_DOUBLE_FREE,
            Self::CorruptedMetadata => sys::RTM_ERR_CORRUPTED,
            Self::InvalidArgument => sys::RTM_ERR_INVALID_ARG,
            Self::Unsupported => sys::RTM_ERR_UNSUPPORTED,
            Self::Unknown(raw) => raw,
        }
    }

    /// The C library's name of the code, e.g. `"RTM_ERR_DOUBLE_FREE"`
    /// (`"RTM_ERR_UNKNOWN"` for [`MemoryError::Unknown`]).
    pub fn name(self) -> &'static str {
        // SAFETY: rtm_status_str accepts any value and returns a static,
        // NUL-terminated ASCII string, never NULL.
        let name = unsafe { CStr::from_ptr(sys::rtm_status_str(self.status())) };
        name.to_str().unwrap_or("RTM_ERR_UNKNOWN")
    }
}

impl fmt::Display for MemoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(raw) => write!(f, "unknown rtmem status {raw}"),
            other => f.write_str(other.name()),
        }
    }
}

impl core::error::Error for MemoryError {}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [MemoryError; 9] = [
        MemoryError::OutOfMemory,
        MemoryError::InvalidPointer,
        MemoryError::AddressOverlap,
        MemoryError::AlignmentError,
        MemoryError::AccessViolation,
        MemoryError::DoubleFree,
        MemoryError::CorruptedMetadata,
        MemoryError::InvalidArgument,
        MemoryError::Unsupported,
    ];

    #[test]
    fn every_code_round_trips_and_has_the_c_name() {
        for e in KNOWN {
            assert!(e.status() < 0);
            assert_eq!(MemoryError::from_status(e.status()), Some(e));
            assert_eq!(MemoryError::check(e.status()), Err(e));
            assert!(e.name().starts_with("RTM_ERR_") && e.name() != "RTM_ERR_UNKNOWN", "{e:?}");
        }
        assert_eq!(MemoryError::from_status(0), None);
        assert_eq!(MemoryError::check(0), Ok(()));
    }

    #[test]
    fn rtm_ok_is_a_status_and_names_success() {
        let ok: sys::rtm_status_t = sys::RTM_OK; // same type as every error code
        assert_eq!(MemoryError::check(ok), Ok(()));
        // SAFETY: rtm_status_str returns a static NUL-terminated string.
        let name = unsafe { core::ffi::CStr::from_ptr(sys::rtm_status_str(ok)) };
        assert_eq!(name.to_str(), Ok("RTM_OK"));
    }

    #[test]
    fn seed_variants_are_the_first_seven_codes_in_order() {
        for (i, e) in KNOWN[..7].iter().enumerate() {
            assert_eq!(e.status(), -(i as i32) - 1);
        }
    }

    #[test]
    fn unknown_codes_stay_unknown() {
        for raw in [1, 42, -10, -1000, i32::MIN, i32::MAX] {
            let e = MemoryError::from_status(raw).expect("not OK");
            assert_eq!(e, MemoryError::Unknown(raw));
            assert_eq!(e.status(), raw);
            assert_eq!(e.name(), "RTM_ERR_UNKNOWN");
        }
    }
}
