//! The heap (`machine.md` §7): a table of gates, each holding one piece of storage (a
//! `ref<T>` value, a `list<T>` or a runtime string), with view state and the budget.
//!
//! Handles are `{index, generation}`; freeing a gate bumps its generation so a stale
//! handle can never reach new storage. Budget charges follow `machine.md` §7 exactly:
//! a ref 32 bytes + 8 per slot, a list 32 + accounted capacity × packed element size,
//! a string 32 + its length. The collector lives in [`crate::gc`].

use crate::gc::Collector;
use crate::value::{Handle, Slot};
use prometeu_bytecode::TrapCode;

/// Bytes every gate's header is charged.
pub(crate) const HEADER_BYTES: u64 = 32;
/// Bytes a `ref<T>` is charged per slot.
pub(crate) const REF_SLOT_BYTES: u64 = 8;
/// The end of the free list.
pub(crate) const NO_GATE: u32 = u32::MAX;
/// The first accounted capacity of a list (elements).
pub(crate) const LIST_FIRST_CAPACITY: u32 = 4;

/// The storage behind one gate.
#[derive(Debug)]
pub(crate) enum Storage {
    /// The gate is on the free list; `next` is the next free gate ([`NO_GATE`] at the
    /// end). The list lives in the gates themselves, so freeing never grows a vector
    /// (a reallocation copy would be a pause proportional to the heap).
    Free { next: u32 },
    /// Killed by `TAKE`: handles to it trap `TRAP_DEAD_GATE`; only the header stays
    /// charged until the collector frees the gate.
    Taken,
    /// A `ref<T>`: the slots of one value.
    Ref(RefSlots),
    /// A `list<T>`.
    List(List),
    /// A runtime string. Kept as built (a `String`, not a `Box<str>`): shrinking a
    /// formatted number's buffer to its length would cost a `realloc` per `I2S`, for
    /// a few bytes. The budget charges the length, never the capacity.
    Str(String),
}

/// The slots of a `ref` value: up to two inline, so small values cost no separate
/// allocation (allocating, tracing and freeing them touches one cache line).
#[derive(Debug)]
pub(crate) enum RefSlots {
    Inline { len: u8, slots: [Slot; 2] },
    Boxed(Box<[Slot]>),
}

impl RefSlots {
    /// Stores a copy of `values`.
    pub fn new(values: &[Slot]) -> RefSlots {
        match values.len() {
            len @ 0..=2 => {
                let mut slots = [Slot::default(); 2];
                slots[..len].copy_from_slice(values);
                RefSlots::Inline {
                    len: len as u8,
                    slots,
                }
            }
            _ => RefSlots::Boxed(values.into()),
        }
    }
}

impl std::ops::Deref for RefSlots {
    type Target = [Slot];
    fn deref(&self) -> &[Slot] {
        match self {
            RefSlots::Inline { len, slots } => &slots[..*len as usize],
            RefSlots::Boxed(slots) => slots,
        }
    }
}

impl std::ops::DerefMut for RefSlots {
    fn deref_mut(&mut self) -> &mut [Slot] {
        match self {
            RefSlots::Inline { len, slots } => &mut slots[..*len as usize],
            RefSlots::Boxed(slots) => slots,
        }
    }
}

/// Gates in fixed-size chunks: growing the table never copies (or re-faults) the
/// gates already there, so a growing heap has no reallocation spikes.
#[derive(Debug, Default)]
pub(crate) struct GateTable {
    chunks: Vec<Vec<Gate>>,
    len: usize,
}

const CHUNK_BITS: u32 = 14;
const CHUNK: usize = 1 << CHUNK_BITS;

impl GateTable {
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&Gate> {
        self.chunks.get(i >> CHUNK_BITS)?.get(i & (CHUNK - 1))
    }

    #[inline]
    pub fn get_mut(&mut self, i: usize) -> Option<&mut Gate> {
        self.chunks
            .get_mut(i >> CHUNK_BITS)?
            .get_mut(i & (CHUNK - 1))
    }

    pub fn push(&mut self, gate: Gate) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let last = self.chunks.len() - 1;
        self.chunks[last].push(gate);
        self.len += 1;
    }
}

impl std::ops::Index<usize> for GateTable {
    type Output = Gate;
    #[inline]
    fn index(&self, i: usize) -> &Gate {
        &self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

impl std::ops::IndexMut<usize> for GateTable {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut Gate {
        &mut self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

/// A list's elements (flattened, `stride` slots each) and its accounted capacity.
#[derive(Debug)]
pub(crate) struct List {
    pub stride: u32,
    /// Bytes charged per element of capacity.
    pub elem_bytes: u32,
    /// Capacity in elements as charged to the budget; grows 0 → 4 → 8 → 16 … (doubling)
    /// when a push or insert finds the list full, and never shrinks.
    pub capacity: u32,
    pub items: Vec<Slot>,
}

/// One entry of the gate table.
#[derive(Debug)]
pub(crate) struct Gate {
    pub generation: u32,
    /// Open `borrow` views.
    pub borrows: u32,
    /// Whether a `mutate` view is open.
    pub mutating: bool,
    /// Tri-colour mark: set when shaded (grey or black) in the current cycle.
    pub marked: bool,
    /// Whether the storage can hold handles or strings (else never scanned).
    pub traced: bool,
    /// Bytes currently charged to the budget for this gate.
    pub charge: u64,
    /// Element count of a list whose elements have no slots (`list<()>`-like layouts
    /// cannot store anything in `items`, so their length is kept here).
    pub zero_len: u32,
    pub storage: Storage,
}

/// The gate table, the budget and the collector's state.
#[derive(Debug)]
pub(crate) struct Heap {
    pub gates: GateTable,
    /// The first gate of the free list (last freed, first reused: deterministic), or
    /// [`NO_GATE`].
    pub free_head: u32,
    /// Gates on the free list.
    pub free_count: usize,
    /// Bytes charged.
    pub used: u64,
    /// The budget (16 MiB on the console).
    pub budget: u64,
    pub gc: Collector,
    /// Handles the host keeps alive.
    pub host_roots: Vec<Handle>,
}

/// What the collector traces from besides the heap itself.
#[derive(Clone, Copy)]
pub(crate) struct Roots<'a> {
    pub stack: &'a [Slot],
    pub globals: &'a [Slot],
}

impl Heap {
    pub fn new(budget: u64, collector: Collector) -> Heap {
        Heap {
            gates: GateTable::default(),
            free_head: NO_GATE,
            free_count: 0,
            used: 0,
            budget,
            gc: collector,
            host_roots: Vec::new(),
        }
    }

    /// The live gate `h` points to, or `TRAP_DEAD_GATE`.
    #[inline]
    pub fn gate(&self, h: Handle) -> Result<&Gate, TrapCode> {
        match self.gates.get(h.index() as usize) {
            Some(g)
                if g.generation == h.generation()
                    && !matches!(g.storage, Storage::Free { .. } | Storage::Taken) =>
            {
                Ok(g)
            }
            _ => Err(TrapCode::DeadGate),
        }
    }

    /// Mutable form of [`Heap::gate`].
    #[inline]
    pub fn gate_mut(&mut self, h: Handle) -> Result<&mut Gate, TrapCode> {
        match self.gates.get_mut(h.index() as usize) {
            Some(g)
                if g.generation == h.generation()
                    && !matches!(g.storage, Storage::Free { .. } | Storage::Taken) =>
            {
                Ok(g)
            }
            _ => Err(TrapCode::DeadGate),
        }
    }

    /// The slots of the `ref` storage `h` points to.
    pub fn ref_slots(&self, h: Handle) -> Result<&[Slot], TrapCode> {
        match &self.gate(h)?.storage {
            Storage::Ref(slots) => Ok(slots),
            _ => Err(TrapCode::DeadGate),
        }
    }

    /// The text of a string slot (constant strings are resolved by the caller).
    pub fn heap_str(&self, h: Handle) -> &str {
        match self.gate(h).map(|g| &g.storage) {
            Ok(Storage::Str(s)) => s,
            _ => "",
        }
    }

    /// Charges `bytes` for an allocation about to happen. A charge that does not fit
    /// runs a full collection right here; if it still does not fit, the allocation traps
    /// `TRAP_HEAP_EXHAUSTED`. Also paces the incremental collector by allocation.
    /// The allocation's inputs must still be reachable from `roots`.
    pub fn reserve(&mut self, bytes: u64, roots: Roots<'_>) -> Result<(), TrapCode> {
        if self.used.saturating_add(bytes) > self.budget {
            self.collect_full(roots);
            if self.used.saturating_add(bytes) > self.budget {
                return Err(TrapCode::HeapExhausted);
            }
        }
        self.used += bytes;
        self.after_allocation(bytes, roots);
        Ok(())
    }

    /// Puts `storage` (already charged `charge` bytes) behind a new gate.
    pub fn insert(&mut self, storage: Storage, charge: u64, traced: bool) -> Handle {
        self.free_one_pending();
        let marked_at = |index: u32, gc: &Collector| gc.allocation_colour(index);
        let index = match self.free_head {
            NO_GATE => None,
            index => Some(index),
        };
        let index = match index {
            Some(index) => {
                let marked = marked_at(index, &self.gc);
                let g = &mut self.gates[index as usize];
                let Storage::Free { next } = g.storage else {
                    unreachable!("only free gates are on the free list");
                };
                self.free_head = next;
                self.free_count -= 1;
                g.borrows = 0;
                g.mutating = false;
                g.marked = marked;
                g.traced = traced;
                g.charge = charge;
                g.zero_len = 0;
                g.storage = storage;
                index
            }
            None => {
                let index = self.gates.len() as u32;
                let marked = marked_at(index, &self.gc);
                self.gates.push(Gate {
                    generation: 1,
                    borrows: 0,
                    mutating: false,
                    marked,
                    traced,
                    charge,
                    zero_len: 0,
                    storage,
                });
                index
            }
        };
        Handle::new(index, self.gates[index as usize].generation)
    }

    /// Allocates a runtime string.
    pub fn alloc_str(&mut self, text: String, roots: Roots<'_>) -> Result<Handle, TrapCode> {
        self.reserve_str(text.len() as u64, roots)?;
        Ok(self.insert_str(text))
    }

    /// Charges a runtime string of `len` bytes before it is built, so that a string
    /// too large for the budget traps before any memory is asked for; then
    /// [`Heap::insert_str`] stores it. May collect, like [`Heap::reserve`].
    pub fn reserve_str(&mut self, len: u64, roots: Roots<'_>) -> Result<(), TrapCode> {
        self.reserve(HEADER_BYTES.saturating_add(len), roots)
    }

    /// Stores a runtime string whose length [`Heap::reserve_str`] charged.
    pub fn insert_str(&mut self, text: String) -> Handle {
        let charge = HEADER_BYTES + text.len() as u64;
        self.insert(Storage::Str(text), charge, false)
    }

    /// Makes room for one more element in list `h`, growing its accounted capacity
    /// (doubling, first 4) when full. May collect; the list must be rooted.
    pub fn list_make_room(&mut self, h: Handle, roots: Roots<'_>) -> Result<(), TrapCode> {
        let g = self.gate(h)?;
        let Storage::List(list) = &g.storage else {
            return Err(TrapCode::DeadGate);
        };
        let len = list_len(g, list) as u64;
        if len < list.capacity as u64 {
            return Ok(());
        }
        let new_capacity = match list.capacity {
            0 => LIST_FIRST_CAPACITY,
            c => c.checked_mul(2).ok_or(TrapCode::HeapExhausted)?,
        };
        let bytes = (new_capacity - list.capacity) as u64 * list.elem_bytes as u64;
        self.reserve(bytes, roots)?;
        let g = self.gate_mut(h)?;
        g.charge += bytes;
        if let Storage::List(list) = &mut g.storage {
            let extra = (new_capacity - list.capacity) as usize * list.stride as usize;
            list.items.reserve_exact(extra);
            list.capacity = new_capacity;
        }
        Ok(())
    }

    /// Kills storage `h` for `TAKE`: returns its slots and releases everything but the
    /// header from the budget.
    pub fn take(&mut self, h: Handle) -> Result<RefSlots, TrapCode> {
        let g = self.gate_mut(h)?;
        if g.borrows > 0 || g.mutating {
            return Err(TrapCode::GateBusy);
        }
        if !matches!(g.storage, Storage::Ref(_)) {
            return Err(TrapCode::DeadGate);
        }
        let Storage::Ref(slots) = std::mem::replace(&mut g.storage, Storage::Taken) else {
            unreachable!("checked above");
        };
        let released = g.charge - HEADER_BYTES;
        g.charge = HEADER_BYTES;
        self.used -= released;
        // Yuasa barrier: the values leave the heap for the stack, which was scanned at
        // the start of the cycle, so they must be shaded now.
        if self.gc.is_marking() {
            for s in slots.iter() {
                self.barrier(*s);
            }
        }
        Ok(slots)
    }

    /// Keeps `h` alive until [`Heap::unpin`] (a host root).
    pub fn pin(&mut self, h: Handle) {
        self.host_roots.push(h);
        if self.gc.is_marking() {
            self.shade(h);
        }
    }

    /// Drops one host root for `h`.
    pub fn unpin(&mut self, h: Handle) {
        if let Some(i) = self.host_roots.iter().rposition(|r| *r == h) {
            self.host_roots.remove(i);
        }
    }

    /// The deletion (Yuasa) write barrier: called with the value a store is about to
    /// overwrite or move out of heap storage; shades it while marking is in progress.
    #[inline]
    pub fn barrier(&mut self, old: Slot) {
        if let Some(h) = old.traced() {
            if self.gc.is_marking() {
                self.shade(h);
            }
        }
    }

    /// Number of gates holding storage (live or not yet collected).
    pub fn object_count(&self) -> usize {
        self.gates.len() - self.free_count
    }
}

/// Number of elements of a list gate.
#[inline]
pub(crate) fn list_len(g: &Gate, list: &List) -> usize {
    match list.stride {
        0 => g.zero_len as usize,
        // One-slot elements are the common case: no division.
        1 => list.items.len(),
        s => list.items.len() / s as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_slots_inline_small_values_and_box_large_ones() {
        let values: Vec<Slot> = (0..5).map(Slot::int).collect();
        for n in 0..=5 {
            let mut slots = RefSlots::new(&values[..n]);
            assert_eq!(&slots[..], &values[..n]);
            assert_eq!(matches!(slots, RefSlots::Inline { .. }), n <= 2);
            if n > 0 {
                slots[n - 1] = Slot::bool(true);
                assert_eq!(slots[n - 1], Slot::bool(true));
            }
        }
    }

    #[test]
    fn gate_table_indexes_across_chunks() {
        let mut table = GateTable::default();
        for i in 0..(CHUNK + 3) {
            table.push(Gate {
                generation: i as u32 + 1,
                borrows: 0,
                mutating: false,
                marked: false,
                traced: false,
                charge: 0,
                zero_len: 0,
                storage: Storage::Free { next: NO_GATE },
            });
        }
        assert_eq!(table.len(), CHUNK + 3);
        assert_eq!(table[CHUNK + 2].generation, CHUNK as u32 + 3);
        assert_eq!(
            table.get(CHUNK - 1).map(|g| g.generation),
            Some(CHUNK as u32)
        );
        assert!(table.get(CHUNK + 3).is_none());
        table[5].generation = 99;
        assert_eq!(table.get_mut(5).map(|g| g.generation), Some(99));
    }

    #[test]
    fn stale_and_null_handles_are_dead() {
        let mut heap = Heap::new(
            1 << 20,
            Collector::new(crate::gc::Pacing {
                mode: Default::default(),
                step_bytes: 1024,
                start_bytes: 1024,
                slice_time: std::time::Duration::from_millis(1),
                cpu_timing: false,
                background: false,
                idle_time: false,
            }),
        );
        let roots = Roots {
            stack: &[],
            globals: &[],
        };
        let h = heap.alloc_str("abc".into(), roots).unwrap();
        assert_eq!(heap.used, 35);
        assert_eq!(heap.heap_str(h), "abc");
        assert!(heap.gate(Handle::NULL).is_err());
        assert!(
            heap.gate(Handle::new(h.index(), h.generation() + 1))
                .is_err()
        );
        heap.collect_full(roots);
        assert_eq!(heap.used, 0);
        assert!(heap.gate(h).is_err(), "unrooted storage is freed");
        // A string too long for the budget is refused before it is built, whatever its
        // length.
        for len in [1 << 20, u64::MAX] {
            assert_eq!(heap.reserve_str(len, roots), Err(TrapCode::HeapExhausted));
        }
        assert_eq!(heap.used, 0);
        let again = heap.alloc_str("x".into(), roots).unwrap();
        assert_eq!(again.index(), h.index(), "the freed gate is reused");
        assert_ne!(again, h, "with a new generation");
        assert_eq!(heap.heap_str(h), "");
    }
}
