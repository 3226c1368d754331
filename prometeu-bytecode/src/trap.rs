//! The one table of trap codes (`bytecode.md` §8).
//!
//! It lives here because the verifier checks `TRAP code` against it; `prometeu-abi`
//! re-exports it for the kernel and tools.

/// Declares [`TrapCode`] and its table from one list of rows.
macro_rules! traps {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal, $name:literal;)*) => {
        /// A run-time trap: the defined way a verified program fails.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum TrapCode {
            $($(#[doc = $doc])+ $variant = $code,)*
        }

        impl TrapCode {
            /// Every trap code, in number order.
            pub const ALL: &'static [TrapCode] = &[$(TrapCode::$variant,)*];

            /// The trap with this code, if one exists.
            pub const fn from_code(code: u32) -> Option<TrapCode> {
                match code {
                    $($code => Some(TrapCode::$variant),)*
                    _ => None,
                }
            }

            /// The trap's name, e.g. `TRAP_OOB`.
            pub const fn name(self) -> &'static str {
                match self { $(TrapCode::$variant => $name,)* }
            }

            /// When the trap is raised.
            pub const fn description(self) -> &'static str {
                match self { $(TrapCode::$variant => concat!($($doc),+),)* }
            }
        }
    };
}

traps! {
    /// Access through a handle whose storage was taken or freed (or a null handle).
    DeadGate = 0x01, "TRAP_DEAD_GATE";
    /// A view conflicts with an open `mutate` view of the same storage.
    GateBusy = 0x02, "TRAP_GATE_BUSY";
    /// Index out of range.
    Oob = 0x03, "TRAP_OOB";
    /// A system call argument out of its documented range.
    Arg = 0x04, "TRAP_ARG";
    /// A checked conversion out of range.
    Cast = 0x05, "TRAP_CAST";
    /// The `TRAP` instruction.
    Explicit = 0x06, "TRAP_EXPLICIT";
    /// Bounded arithmetic out of 0..=65535.
    BoundedOverflow = 0x07, "TRAP_BOUNDED_OVERFLOW";
    /// Value or call stack limit.
    StackOverflow = 0x08, "TRAP_STACK_OVERFLOW";
    /// Integer or bounded division or remainder by zero.
    DivZero = 0x0A, "TRAP_DIV_ZERO";
    /// Heap budget exceeded after a full collection.
    HeapExhausted = 0x0B, "TRAP_HEAP_EXHAUSTED";
}

impl TrapCode {
    /// The numeric code.
    pub const fn code(self) -> u32 {
        self as u32
    }
}

impl std::fmt::Display for TrapCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_sorted() {
        for w in TrapCode::ALL.windows(2) {
            assert!(w[0].code() < w[1].code());
        }
        for &t in TrapCode::ALL {
            assert_eq!(TrapCode::from_code(t.code()), Some(t));
            assert!(t.name().starts_with("TRAP_"));
        }
        assert_eq!(TrapCode::from_code(0x09), None);
        assert_eq!(TrapCode::from_code(0), None);
    }
}
