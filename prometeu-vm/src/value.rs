//! Value slots, heap handles and the owned [`Value`] view used by embedders and tests.

/// What a slot currently holds. The verifier already proves which kind every slot has;
/// the VM keeps the tag anyway so the collector finds roots at *any* step (budget
/// suspension, system calls, allocation) without stack maps.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
#[repr(u8)]
pub enum Tag {
    /// An `int` (also the tag of zeroed, never-written slots).
    #[default]
    I32,
    /// A `float`.
    F64,
    /// A `bounded`.
    U16,
    /// A `bool`.
    Bool,
    /// A string of the constant pool (never collected); `bits` index the VM's string table.
    StaticStr,
    /// A runtime string in the heap; `bits` hold its handle.
    HeapStr,
    /// A `ref<T>` or `list<T>` handle (`bits` 0 is the null handle).
    Handle,
}

/// One VM value slot: 64 payload bits and a [`Tag`].
///
/// Instructions are typed, so the hot loop reads the payload without looking at the
/// tag; only the collector, string access and handle access consult it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Slot {
    bits: u64,
    tag: Tag,
}

impl Slot {
    /// An `int` slot.
    #[inline(always)]
    pub const fn int(v: i32) -> Slot {
        Slot {
            bits: v as u32 as u64,
            tag: Tag::I32,
        }
    }

    /// A `float` slot.
    #[inline(always)]
    pub const fn float(v: f64) -> Slot {
        Slot {
            bits: v.to_bits(),
            tag: Tag::F64,
        }
    }

    /// A `bounded` slot.
    #[inline(always)]
    pub const fn bounded(v: u16) -> Slot {
        Slot {
            bits: v as u64,
            tag: Tag::U16,
        }
    }

    /// A `bool` slot.
    #[inline(always)]
    pub const fn bool(v: bool) -> Slot {
        Slot {
            bits: v as u64,
            tag: Tag::Bool,
        }
    }

    /// The null handle (the payload of a `none` handle; every access traps).
    pub const NULL: Slot = Slot {
        bits: 0,
        tag: Tag::Handle,
    };

    /// A handle slot.
    #[inline(always)]
    pub(crate) const fn handle(h: Handle) -> Slot {
        Slot {
            bits: h.0,
            tag: Tag::Handle,
        }
    }

    /// A runtime string slot.
    #[inline(always)]
    pub(crate) const fn heap_str(h: Handle) -> Slot {
        Slot {
            bits: h.0,
            tag: Tag::HeapStr,
        }
    }

    /// A constant string slot (index into the VM's static string table).
    #[inline(always)]
    pub(crate) const fn static_str(index: u32) -> Slot {
        Slot {
            bits: index as u64,
            tag: Tag::StaticStr,
        }
    }

    /// The slot's tag.
    #[inline(always)]
    pub const fn tag(self) -> Tag {
        self.tag
    }

    /// The raw payload.
    #[inline(always)]
    pub const fn bits(self) -> u64 {
        self.bits
    }

    /// The payload read as an `int`.
    #[inline(always)]
    pub const fn as_int(self) -> i32 {
        self.bits as u32 as i32
    }

    /// The payload read as a `float`.
    #[inline(always)]
    pub const fn as_float(self) -> f64 {
        f64::from_bits(self.bits)
    }

    /// The payload read as a `bounded`.
    #[inline(always)]
    pub const fn as_bounded(self) -> u16 {
        self.bits as u16
    }

    /// The payload read as a `bool`.
    #[inline(always)]
    pub const fn as_bool(self) -> bool {
        self.bits != 0
    }

    /// The handle in this slot; the null handle when the slot holds no handle, so a
    /// kind confusion can only ever trap, never reach foreign storage.
    #[inline(always)]
    pub const fn as_handle(self) -> Handle {
        match self.tag {
            Tag::Handle => Handle(self.bits),
            _ => Handle::NULL,
        }
    }

    /// The heap object this slot keeps alive, if any (a handle or a runtime string).
    #[inline(always)]
    pub(crate) const fn traced(self) -> Option<Handle> {
        match self.tag {
            Tag::Handle | Tag::HeapStr if self.bits != 0 => Some(Handle(self.bits)),
            _ => None,
        }
    }
}

/// A heap handle `{index, generation}` packed as `generation << 32 | index`.
/// Generation 0 is never issued, so the all-zero handle is null.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, PartialOrd, Ord)]
pub struct Handle(pub(crate) u64);

impl Handle {
    /// The null handle.
    pub const NULL: Handle = Handle(0);

    /// A handle to gate `index` at `generation`.
    pub const fn new(index: u32, generation: u32) -> Handle {
        Handle(((generation as u64) << 32) | index as u64)
    }

    /// The gate index.
    pub const fn index(self) -> u32 {
        self.0 as u32
    }

    /// The gate generation the handle was issued for.
    pub const fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// Whether this is the null handle.
    pub const fn is_null(self) -> bool {
        self.0 == 0
    }
}

/// An owned, host-friendly copy of one slot (strings copied out of the VM).
#[derive(Clone, PartialEq, Debug)]
pub enum Value {
    /// `int`.
    Int(i32),
    /// `float`.
    Float(f64),
    /// `bounded`.
    Bounded(u16),
    /// `bool`.
    Bool(bool),
    /// `string` (constant or runtime).
    Str(String),
    /// A handle; the null handle is `Handle(Handle::NULL)`.
    Handle(Handle),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_round_trip_through_slots() {
        for v in [0, 1, -1, i32::MIN, i32::MAX] {
            assert_eq!(Slot::int(v).as_int(), v);
        }
        for v in [0.0, -0.0, 1.5, f64::INFINITY, f64::MIN_POSITIVE] {
            assert_eq!(Slot::float(v).as_float().to_bits(), v.to_bits());
        }
        assert!(Slot::float(f64::NAN).as_float().is_nan());
        assert_eq!(Slot::bounded(65535).as_bounded(), 65535);
        assert!(Slot::bool(true).as_bool());
        assert!(!Slot::bool(false).as_bool());
    }

    #[test]
    fn only_handle_slots_yield_handles() {
        let h = Handle::new(7, 3);
        assert_eq!((h.index(), h.generation()), (7, 3));
        assert_eq!(Slot::handle(h).as_handle(), h);
        assert_eq!(Slot::int(-1).as_handle(), Handle::NULL);
        assert_eq!(Slot::heap_str(h).as_handle(), Handle::NULL);
        assert_eq!(Slot::heap_str(h).traced(), Some(h));
        assert_eq!(Slot::NULL.traced(), None);
        assert_eq!(Slot::static_str(3).traced(), None);
    }
}
