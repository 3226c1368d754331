//! Slot kinds: what one VM value slot can hold.

/// The index of a heap layout in the program's `TYPE` section.
pub type TypeIndex = u32;

/// The kind of one slot (`bytecode.md` §2). Handles carry the heap layout they point
/// to, so the verifier knows what a load through them yields without run-time checks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum SlotKind {
    /// `int`: 32-bit signed.
    I32,
    /// `float`: IEEE-754 binary64.
    F64,
    /// `bounded`: unsigned 16-bit.
    U16,
    /// `bool`.
    Bool,
    /// `string`: a constant-pool or heap string.
    Str,
    /// A handle (`ref<T>` or `list<T>`) to storage of the given heap layout.
    Ref(TypeIndex),
}

impl SlotKind {
    /// The file encoding's tag byte (`Ref` is followed by its `u32` type index).
    pub const fn tag(self) -> u8 {
        match self {
            SlotKind::I32 => 1,
            SlotKind::F64 => 2,
            SlotKind::U16 => 3,
            SlotKind::Bool => 4,
            SlotKind::Str => 5,
            SlotKind::Ref(_) => 6,
        }
    }

    /// Whether the garbage collector must trace this slot.
    pub const fn is_traced(self) -> bool {
        matches!(self, SlotKind::Str | SlotKind::Ref(_))
    }

    /// The name used in assembly text and error messages.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        match self {
            SlotKind::I32 => "i32".into(),
            SlotKind::F64 => "f64".into(),
            SlotKind::U16 => "u16".into(),
            SlotKind::Bool => "bool".into(),
            SlotKind::Str => "str".into(),
            SlotKind::Ref(t) => format!("ref{t}").into(),
        }
    }
}

impl std::fmt::Display for SlotKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}
