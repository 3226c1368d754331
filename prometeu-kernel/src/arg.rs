//! The one error a hardware call reports for a bad argument; the kernel turns it into
//! `TRAP_ARG`.

use std::fmt;

/// A system-call argument outside the range `machine.md` §5 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgError {
    /// The argument's name as written in the prelude (`voice`, `max`, …).
    pub arg: &'static str,
    /// The value the cartridge passed.
    pub value: i64,
    /// The allowed range, for the trap message (`0..=15`).
    pub expected: &'static str,
}

impl ArgError {
    /// Checks that `value` lies in `lo..=hi`, naming the argument for the trap message.
    pub fn check_range(
        arg: &'static str,
        value: i32,
        lo: i32,
        hi: i32,
        expected: &'static str,
    ) -> Result<i32, ArgError> {
        if (lo..=hi).contains(&value) {
            Ok(value)
        } else {
            Err(ArgError {
                arg,
                value: i64::from(value),
                expected,
            })
        }
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "argument `{}` = {} is out of range (expected {})",
            self.arg, self.value, self.expected
        )
    }
}

impl std::error::Error for ArgError {}
