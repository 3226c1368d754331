//! The one opcode table of the PVM.
//!
//! Every opcode's number, mnemonic, immediates, stack effect and cycle cost is written
//! once, in the `opcodes!` invocation below; the encoder, decoder, assembler,
//! disassembler, verifier and the VM's dispatch all read it from here. Numbers are never
//! reused once released. `docs/spec/bytecode.md` §5 lists the same table and a test pins
//! the two together.

use crate::slot::SlotKind;

/// The kind and encoded size of one immediate operand.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ImmKind {
    /// One byte (`PUSH_BOOL`: 0 or 1).
    U8,
    /// Unsigned 32-bit: indices, counts, jump targets, ids.
    U32,
    /// Signed 32-bit literal.
    I32,
    /// IEEE-754 binary64 literal.
    F64,
}

impl ImmKind {
    /// Encoded size in bytes.
    pub const fn size(self) -> usize {
        match self {
            ImmKind::U8 => 1,
            ImmKind::U32 | ImmKind::I32 => 4,
            ImmKind::F64 => 8,
        }
    }
}

/// One immediate operand of an opcode: what it is called in assembly and its kind.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Imm {
    /// The operand's name in documentation (`target`, `idx`, `slot`, …).
    pub name: &'static str,
    /// Its encoding.
    pub kind: ImmKind,
}

/// What an instruction does to the operand stack, in slot kinds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum StackEffect {
    /// Pops `pops` (the last one is the top of the stack) and pushes `pushes`.
    Fixed {
        /// Kinds popped, deepest first.
        pops: &'static [SlotKind],
        /// Kinds pushed, deepest first.
        pushes: &'static [SlotKind],
    },
    /// Depends on immediates or program tables (locals, globals, constants, functions,
    /// heap layouts, system calls); the verifier computes it. The doc line says how.
    Dynamic,
}

/// How an instruction's cycle cost grows beyond its base cost.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CostGrowth {
    /// The base cost is the whole cost.
    Flat,
    /// Plus one cycle per slot moved.
    PerSlot,
    /// Plus one cycle per 8 bytes of string produced or compared (rounded up).
    PerByte8,
    /// Plus the system call's own cost from the console's table.
    Syscall,
}

/// Declares [`Opcode`] and its table from one list of rows.
macro_rules! opcodes {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = $num:literal, $mnemonic:literal, [$($iname:ident: $ikind:ident),*],
        $effect:expr, $cycles:literal, $growth:ident;
    )*) => {
        /// A PVM opcode. See the table in this module for numbers and effects.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Opcode {
            $($(#[doc = $doc])+ $variant = $num,)*
        }

        impl Opcode {
            /// Every opcode, in number order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$variant,)*];

            /// The opcode with this number, if one exists.
            pub const fn from_u16(n: u16) -> Option<Opcode> {
                match n {
                    $($num => Some(Opcode::$variant),)*
                    _ => None,
                }
            }

            /// The opcode's number.
            pub const fn number(self) -> u16 {
                self as u16
            }

            /// The assembly mnemonic, e.g. `I_ADD`.
            pub const fn mnemonic(self) -> &'static str {
                match self { $(Opcode::$variant => $mnemonic,)* }
            }

            /// The immediate operands, in encoding order.
            pub const fn immediates(self) -> &'static [Imm] {
                match self {
                    $(Opcode::$variant => &[$(Imm { name: stringify!($iname), kind: ImmKind::$ikind }),*],)*
                }
            }

            /// The stack effect.
            pub const fn stack_effect(self) -> StackEffect {
                match self { $(Opcode::$variant => $effect,)* }
            }

            /// The base cycle cost charged against the frame budget.
            pub const fn cycles(self) -> u32 {
                match self { $(Opcode::$variant => $cycles,)* }
            }

            /// How the cost grows beyond the base.
            pub const fn cost_growth(self) -> CostGrowth {
                match self { $(Opcode::$variant => CostGrowth::$growth,)* }
            }

            /// One line saying what the instruction does.
            pub const fn description(self) -> &'static str {
                match self { $(Opcode::$variant => concat!($($doc),+),)* }
            }
        }
    };
}

use SlotKind::{Bool as B, F64 as F, I32 as I, Str as S, U16 as U};

const fn fx(pops: &'static [SlotKind], pushes: &'static [SlotKind]) -> StackEffect {
    StackEffect::Fixed { pops, pushes }
}

const DYN: StackEffect = StackEffect::Dynamic;

opcodes! {
    // ---- 0x00–0x0F control ----
    /// Does nothing.
    Nop = 0x00, "NOP", [], fx(&[], &[]), 1, Flat;
    /// Stops the program (the kernel treats it as the end of the cartridge).
    Halt = 0x01, "HALT", [], fx(&[], &[]), 1, Flat;
    /// Jumps to `target`, a byte offset from the start of the function.
    Jmp = 0x02, "JMP", [target: U32], fx(&[], &[]), 2, Flat;
    /// Pops a bool; jumps to `target` when it is false.
    JmpIfFalse = 0x03, "JMP_IF_FALSE", [target: U32], fx(&[B], &[]), 2, Flat;
    /// Pops a bool; jumps to `target` when it is true.
    JmpIfTrue = 0x04, "JMP_IF_TRUE", [target: U32], fx(&[B], &[]), 2, Flat;
    /// Debugger breakpoint; a no-op when no debugger is attached.
    Break = 0x05, "BREAK", [], fx(&[], &[]), 1, Flat;
    /// Raises trap `code` (`TRAP_EXPLICIT` for unreachable code).
    Trap = 0x06, "TRAP", [code: U32], fx(&[], &[]), 1, Flat;

    // ---- 0x10–0x1F stack ----
    /// Pushes constant `idx` of the pool (its kind is the constant's).
    PushConst = 0x10, "PUSH_CONST", [idx: U32], DYN, 1, Flat;
    /// Pops one slot of any kind.
    Pop = 0x11, "POP", [], DYN, 1, Flat;
    /// Duplicates the top slot.
    Dup = 0x12, "DUP", [], DYN, 1, Flat;
    /// Swaps the two top slots.
    Swap = 0x13, "SWAP", [], DYN, 1, Flat;
    /// Pushes the null handle of heap layout `type` (a `none` payload; any access traps).
    PushNull = 0x14, "PUSH_NULL", [ty: U32], DYN, 1, Flat;
    /// Pushes a float literal.
    PushF64 = 0x15, "PUSH_F64", [value: F64], fx(&[], &[F]), 1, Flat;
    /// Pushes a bool literal (0 or 1).
    PushBool = 0x16, "PUSH_BOOL", [value: U8], fx(&[], &[B]), 1, Flat;
    /// Pushes an int literal.
    PushI32 = 0x17, "PUSH_I32", [value: I32], fx(&[], &[I]), 1, Flat;
    /// Pops `n` slots of any kinds.
    PopN = 0x18, "POP_N", [n: U32], DYN, 1, Flat;
    /// Pushes a bounded literal (0..=65535).
    PushBounded = 0x19, "PUSH_BOUNDED", [value: U32], fx(&[], &[U]), 1, Flat;
    /// Duplicates the top `n` slots, keeping their order.
    DupN = 0x1A, "DUP_N", [n: U32], DYN, 1, PerSlot;

    // ---- 0x20–0x2F int ----
    /// Wrapping int addition.
    IAdd = 0x20, "I_ADD", [], fx(&[I, I], &[I]), 1, Flat;
    /// Wrapping int subtraction.
    ISub = 0x21, "I_SUB", [], fx(&[I, I], &[I]), 1, Flat;
    /// Wrapping int multiplication.
    IMul = 0x22, "I_MUL", [], fx(&[I, I], &[I]), 1, Flat;
    /// Int division truncating toward zero; traps `TRAP_DIV_ZERO` (MIN / -1 wraps).
    IDiv = 0x23, "I_DIV", [], fx(&[I, I], &[I]), 1, Flat;
    /// Int remainder with the dividend's sign; traps `TRAP_DIV_ZERO` (MIN % -1 is 0).
    IRem = 0x24, "I_REM", [], fx(&[I, I], &[I]), 1, Flat;
    /// Wrapping int negation.
    INeg = 0x25, "I_NEG", [], fx(&[I], &[I]), 1, Flat;
    /// Bitwise and.
    IAnd = 0x26, "I_AND", [], fx(&[I, I], &[I]), 1, Flat;
    /// Bitwise or.
    IOr = 0x27, "I_OR", [], fx(&[I, I], &[I]), 1, Flat;
    /// Bitwise exclusive or.
    IXor = 0x28, "I_XOR", [], fx(&[I, I], &[I]), 1, Flat;
    /// Shift left by the low 5 bits of the right operand.
    IShl = 0x29, "I_SHL", [], fx(&[I, I], &[I]), 1, Flat;
    /// Arithmetic shift right by the low 5 bits of the right operand.
    IShr = 0x2A, "I_SHR", [], fx(&[I, I], &[I]), 1, Flat;

    // ---- 0x30–0x3F float and bounded ----
    /// Float addition.
    FAdd = 0x30, "F_ADD", [], fx(&[F, F], &[F]), 1, Flat;
    /// Float subtraction.
    FSub = 0x31, "F_SUB", [], fx(&[F, F], &[F]), 1, Flat;
    /// Float multiplication.
    FMul = 0x32, "F_MUL", [], fx(&[F, F], &[F]), 1, Flat;
    /// Float division.
    FDiv = 0x33, "F_DIV", [], fx(&[F, F], &[F]), 1, Flat;
    /// Float remainder (truncated, like C's `fmod`).
    FRem = 0x34, "F_REM", [], fx(&[F, F], &[F]), 1, Flat;
    /// Float negation.
    FNeg = 0x35, "F_NEG", [], fx(&[F], &[F]), 1, Flat;
    /// Bounded addition; traps `TRAP_BOUNDED_OVERFLOW` outside 0..=65535.
    BAdd = 0x36, "B_ADD", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded subtraction; traps `TRAP_BOUNDED_OVERFLOW` below 0.
    BSub = 0x37, "B_SUB", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded multiplication; traps `TRAP_BOUNDED_OVERFLOW` above 65535.
    BMul = 0x38, "B_MUL", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded division; traps `TRAP_DIV_ZERO`.
    BDiv = 0x39, "B_DIV", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded remainder; traps `TRAP_DIV_ZERO`.
    BRem = 0x3A, "B_REM", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded bitwise and.
    BAnd = 0x3B, "B_AND", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded bitwise or.
    BOr = 0x3C, "B_OR", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded bitwise exclusive or.
    BXor = 0x3D, "B_XOR", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded shift left by the low 5 bits of the right operand; traps
    /// `TRAP_BOUNDED_OVERFLOW` when bits above 65535 would be set.
    BShl = 0x3E, "B_SHL", [], fx(&[U, U], &[U]), 1, Flat;
    /// Bounded logical shift right by the low 5 bits of the right operand.
    BShr = 0x3F, "B_SHR", [], fx(&[U, U], &[U]), 1, Flat;

    // ---- 0x40–0x4F compare and logic (int, float, bool) ----
    /// Int equality.
    IEq = 0x40, "I_EQ", [], fx(&[I, I], &[B]), 1, Flat;
    /// Int inequality.
    INe = 0x41, "I_NE", [], fx(&[I, I], &[B]), 1, Flat;
    /// Int less than.
    ILt = 0x42, "I_LT", [], fx(&[I, I], &[B]), 1, Flat;
    /// Int less or equal.
    ILe = 0x43, "I_LE", [], fx(&[I, I], &[B]), 1, Flat;
    /// Int greater than.
    IGt = 0x44, "I_GT", [], fx(&[I, I], &[B]), 1, Flat;
    /// Int greater or equal.
    IGe = 0x45, "I_GE", [], fx(&[I, I], &[B]), 1, Flat;
    /// Float equality (IEEE: NaN is unequal to everything).
    FEq = 0x46, "F_EQ", [], fx(&[F, F], &[B]), 1, Flat;
    /// Float inequality.
    FNe = 0x47, "F_NE", [], fx(&[F, F], &[B]), 1, Flat;
    /// Float less than.
    FLt = 0x48, "F_LT", [], fx(&[F, F], &[B]), 1, Flat;
    /// Float less or equal.
    FLe = 0x49, "F_LE", [], fx(&[F, F], &[B]), 1, Flat;
    /// Float greater than.
    FGt = 0x4A, "F_GT", [], fx(&[F, F], &[B]), 1, Flat;
    /// Float greater or equal.
    FGe = 0x4B, "F_GE", [], fx(&[F, F], &[B]), 1, Flat;
    /// Bool equality.
    BoolEq = 0x4C, "BOOL_EQ", [], fx(&[B, B], &[B]), 1, Flat;
    /// Bool inequality.
    BoolNe = 0x4D, "BOOL_NE", [], fx(&[B, B], &[B]), 1, Flat;
    /// Bool negation.
    Not = 0x4E, "NOT", [], fx(&[B], &[B]), 1, Flat;

    // ---- 0x50–0x5F calls and variables ----
    /// Calls function `func`: pops its parameter slots, pushes its return slots.
    Call = 0x50, "CALL", [func: U32], DYN, 5, Flat;
    /// Returns the top `return_slots` slots to the caller.
    Ret = 0x51, "RET", [], DYN, 2, Flat;
    /// Pushes local slot `slot`.
    GetLocal = 0x52, "GET_LOCAL", [slot: U32], DYN, 1, Flat;
    /// Pops into local slot `slot`.
    SetLocal = 0x53, "SET_LOCAL", [slot: U32], DYN, 1, Flat;
    /// Pushes global slot `slot`.
    GetGlobal = 0x54, "GET_GLOBAL", [slot: U32], DYN, 1, Flat;
    /// Pops into global slot `slot`.
    SetGlobal = 0x55, "SET_GLOBAL", [slot: U32], DYN, 1, Flat;
    /// Pushes `count` local slots starting at `slot`.
    GetLocalN = 0x56, "GET_LOCAL_N", [slot: U32, count: U32], DYN, 1, PerSlot;
    /// Pops `count` slots into the locals starting at `slot`.
    SetLocalN = 0x57, "SET_LOCAL_N", [slot: U32, count: U32], DYN, 1, PerSlot;
    /// Pushes `count` global slots starting at `slot`.
    GetGlobalN = 0x58, "GET_GLOBAL_N", [slot: U32, count: U32], DYN, 1, PerSlot;
    /// Pops `count` slots into the globals starting at `slot`.
    SetGlobalN = 0x59, "SET_GLOBAL_N", [slot: U32, count: U32], DYN, 1, PerSlot;
    /// Pops an int index `i`; pushes the `stride` local slots at `base + i * stride`;
    /// traps `TRAP_OOB` unless `0 <= i < len`.
    GetLocalIdx = 0x5A, "GET_LOCAL_IDX", [base: U32, len: U32, stride: U32], DYN, 2, PerSlot;
    /// Pops `stride` slots, then an int index `i`; stores them at local
    /// `base + i * stride`; traps `TRAP_OOB` unless `0 <= i < len`.
    SetLocalIdx = 0x5B, "SET_LOCAL_IDX", [base: U32, len: U32, stride: U32], DYN, 2, PerSlot;
    /// `GET_LOCAL_IDX` on globals.
    GetGlobalIdx = 0x5C, "GET_GLOBAL_IDX", [base: U32, len: U32, stride: U32], DYN, 2, PerSlot;
    /// `SET_LOCAL_IDX` on globals.
    SetGlobalIdx = 0x5D, "SET_GLOBAL_IDX", [base: U32, len: U32, stride: U32], DYN, 2, PerSlot;

    // ---- 0x60–0x6F heap: refs and strings ----
    /// Pops the slots of heap layout `type` and moves them into new storage; pushes
    /// its handle. May collect; traps `TRAP_HEAP_EXHAUSTED`.
    Alloc = 0x60, "ALLOC", [ty: U32], DYN, 4, PerSlot;
    /// Pops a handle; pushes a copy of its whole value. Traps `TRAP_DEAD_GATE` on dead or
    /// null storage and `TRAP_GATE_BUSY` while a `mutate` view of it is open.
    Peek = 0x61, "PEEK", [], DYN, 4, PerSlot;
    /// Like `PEEK`, then kills the storage (later accesses trap `TRAP_DEAD_GATE`); also
    /// traps `TRAP_GATE_BUSY` while any view of it is open.
    Take = 0x62, "TAKE", [], DYN, 4, PerSlot;
    /// Opens a read view: pops a handle, pushes it back. Traps `TRAP_DEAD_GATE`, or
    /// `TRAP_GATE_BUSY` while a `mutate` view is open.
    BorrowBegin = 0x63, "BORROW_BEGIN", [], DYN, 4, Flat;
    /// Closes a read view: pops its handle.
    BorrowEnd = 0x64, "BORROW_END", [], DYN, 4, Flat;
    /// Opens an exclusive write view: pops a handle, pushes it back. Traps
    /// `TRAP_DEAD_GATE`, or `TRAP_GATE_BUSY` while any view is open.
    MutateBegin = 0x65, "MUTATE_BEGIN", [], DYN, 4, Flat;
    /// Closes a write view: pops its handle.
    MutateEnd = 0x66, "MUTATE_END", [], DYN, 4, Flat;
    /// Pops a handle; pushes `count` slots of its storage starting at slot `off`.
    /// Traps `TRAP_DEAD_GATE`.
    GateLoad = 0x67, "GATE_LOAD", [off: U32, count: U32], DYN, 4, PerSlot;
    /// Pops `count` slots, then a handle; stores them at slot `off` of its storage.
    /// Traps `TRAP_DEAD_GATE`.
    GateStore = 0x68, "GATE_STORE", [off: U32, count: U32], DYN, 4, PerSlot;
    /// Handle identity: pops two handles of one layout, pushes whether they are the same
    /// storage. Never traps.
    RefEq = 0x69, "REF_EQ", [], DYN, 1, Flat;
    /// Handle non-identity.
    RefNe = 0x6A, "REF_NE", [], DYN, 1, Flat;
    /// Pops two strings, pushes their concatenation. May collect; traps
    /// `TRAP_HEAP_EXHAUSTED`.
    StrConcat = 0x6B, "STR_CONCAT", [], fx(&[S, S], &[S]), 4, PerByte8;
    /// Pops a string, pushes its length in bytes.
    StrLen = 0x6C, "STR_LEN", [], fx(&[S], &[I]), 1, Flat;
    /// Pops `n` strings (2 <= `n` <= 65535; the deepest is the first), pushes their
    /// concatenation in one allocation. May collect; traps `TRAP_HEAP_EXHAUSTED`.
    StrConcatN = 0x6D, "STR_CONCAT_N", [n: U32], DYN, 4, PerByte8;

    // ---- 0x70 system ----
    /// Performs system call `id` (`machine.md` §5): pops its argument slots, pushes its
    /// result slots.
    Syscall = 0x70, "SYSCALL", [id: U32], DYN, 0, Syscall;

    // ---- 0x80 frame ----
    /// Ends the logical frame: the safepoint where the console presents, mixes audio and
    /// advances the collector.
    FrameSync = 0x80, "FRAME_SYNC", [], fx(&[], &[]), 1, Flat;

    // ---- 0x90–0x9F conversions ----
    /// int → float.
    I2F = 0x90, "I2F", [], fx(&[I], &[F]), 1, Flat;
    /// float → int, truncating toward zero and saturating (NaN → 0).
    F2I = 0x91, "F2I", [], fx(&[F], &[I]), 1, Flat;
    /// int → bounded; traps `TRAP_CAST` outside 0..=65535.
    I2B = 0x92, "I2B", [], fx(&[I], &[U]), 1, Flat;
    /// float → bounded, truncating; traps `TRAP_CAST` when the truncated value (or NaN)
    /// is outside 0..=65535.
    F2B = 0x93, "F2B", [], fx(&[F], &[U]), 1, Flat;
    /// bounded → int.
    B2I = 0x94, "B2I", [], fx(&[U], &[I]), 1, Flat;
    /// bounded → float.
    B2F = 0x95, "B2F", [], fx(&[U], &[F]), 1, Flat;
    /// int → decimal string.
    I2S = 0x96, "I2S", [], fx(&[I], &[S]), 4, PerByte8;
    /// float → shortest round-trip decimal string (`pbs-language.md` §3.1).
    F2S = 0x97, "F2S", [], fx(&[F], &[S]), 4, PerByte8;
    /// bounded → decimal string.
    B2S = 0x98, "B2S", [], fx(&[U], &[S]), 4, PerByte8;
    /// bool → `true` / `false`.
    Bool2S = 0x99, "BOOL2S", [], fx(&[B], &[S]), 4, Flat;

    // ---- 0xA0–0xAF compare, continued (bounded, string) ----
    /// Bounded equality.
    BEq = 0xA0, "B_EQ", [], fx(&[U, U], &[B]), 1, Flat;
    /// Bounded inequality.
    BNe = 0xA1, "B_NE", [], fx(&[U, U], &[B]), 1, Flat;
    /// Bounded less than.
    BLt = 0xA2, "B_LT", [], fx(&[U, U], &[B]), 1, Flat;
    /// Bounded less or equal.
    BLe = 0xA3, "B_LE", [], fx(&[U, U], &[B]), 1, Flat;
    /// Bounded greater than.
    BGt = 0xA4, "B_GT", [], fx(&[U, U], &[B]), 1, Flat;
    /// Bounded greater or equal.
    BGe = 0xA5, "B_GE", [], fx(&[U, U], &[B]), 1, Flat;
    /// String equality (bytes).
    SEq = 0xA6, "S_EQ", [], fx(&[S, S], &[B]), 2, PerByte8;
    /// String inequality.
    SNe = 0xA7, "S_NE", [], fx(&[S, S], &[B]), 2, PerByte8;
    /// String less than (bytewise lexicographic).
    SLt = 0xA8, "S_LT", [], fx(&[S, S], &[B]), 2, PerByte8;
    /// String less or equal.
    SLe = 0xA9, "S_LE", [], fx(&[S, S], &[B]), 2, PerByte8;
    /// String greater than.
    SGt = 0xAA, "S_GT", [], fx(&[S, S], &[B]), 2, PerByte8;
    /// String greater or equal.
    SGe = 0xAB, "S_GE", [], fx(&[S, S], &[B]), 2, PerByte8;

    // ---- 0xB0–0xBF lists ----
    /// Pushes a handle to a new empty list whose element layout is `type`. May collect.
    ListNew = 0xB0, "LIST_NEW", [ty: U32], DYN, 4, Flat;
    /// Pops a list handle, pushes its length. Traps `TRAP_DEAD_GATE`.
    ListLen = 0xB1, "LIST_LEN", [], DYN, 4, Flat;
    /// Pops an element, then a handle to a list of layout `type`; appends. May collect.
    ListPush = 0xB2, "LIST_PUSH", [ty: U32], DYN, 4, PerSlot;
    /// Pops a list handle; removes the last element and pushes it as an optional (a
    /// bool tag, then the element or zeroed slots).
    ListPop = 0xB3, "LIST_POP", [], DYN, 4, PerSlot;
    /// Pops an int index, then a list handle; pushes the element. Traps `TRAP_OOB`.
    ListGet = 0xB4, "LIST_GET", [], DYN, 4, PerSlot;
    /// Pops an element, an int index, then a handle to a list of layout `type`;
    /// replaces. Traps `TRAP_OOB`.
    ListSet = 0xB5, "LIST_SET", [ty: U32], DYN, 4, PerSlot;
    /// Pops an element, an int index (0..=len), then a handle to a list of layout
    /// `type`; inserts. Traps `TRAP_OOB`.
    ListInsert = 0xB6, "LIST_INSERT", [ty: U32], DYN, 4, PerSlot;
    /// Pops an int index, then a list handle; removes and pushes the element. Traps
    /// `TRAP_OOB`.
    ListRemove = 0xB7, "LIST_REMOVE", [], DYN, 4, PerSlot;
    /// Pops a list handle; removes every element.
    ListClear = 0xB8, "LIST_CLEAR", [], DYN, 4, Flat;
}

impl std::fmt::Display for Opcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.mnemonic())
    }
}

impl Opcode {
    /// The opcode with this mnemonic (case-sensitive, as printed).
    pub fn from_mnemonic(text: &str) -> Option<Opcode> {
        Opcode::ALL.iter().copied().find(|op| op.mnemonic() == text)
    }

    /// Encoded size of the instruction: the `u16` opcode plus its immediates.
    pub const fn encoded_len(self) -> usize {
        let imms = self.immediates();
        let mut len = 2;
        let mut i = 0;
        while i < imms.len() {
            len += imms[i].kind.size();
            i += 1;
        }
        len
    }

    /// Whether control never falls through to the next instruction.
    pub const fn ends_block(self) -> bool {
        matches!(
            self,
            Opcode::Jmp | Opcode::Ret | Opcode::Halt | Opcode::Trap
        )
    }

    /// The jump target immediate, for the three jump instructions.
    pub const fn is_jump(self) -> bool {
        matches!(self, Opcode::Jmp | Opcode::JmpIfFalse | Opcode::JmpIfTrue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_mnemonics_are_unique_and_round_trip() {
        let mut numbers = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for &op in Opcode::ALL {
            assert!(numbers.insert(op.number()), "{op}");
            assert!(names.insert(op.mnemonic()), "{op}");
            assert_eq!(Opcode::from_u16(op.number()), Some(op));
            assert_eq!(Opcode::from_mnemonic(op.mnemonic()), Some(op));
            assert!(!op.description().is_empty());
        }
        assert_eq!(Opcode::from_u16(0xFFFF), None);
        assert_eq!(Opcode::from_mnemonic("i_add"), None);
    }

    #[test]
    fn table_is_in_number_order() {
        assert!(
            Opcode::ALL
                .windows(2)
                .all(|w| w[0].number() < w[1].number())
        );
    }

    #[test]
    fn encoded_len_counts_immediates() {
        assert_eq!(Opcode::Nop.encoded_len(), 2);
        assert_eq!(Opcode::PushBool.encoded_len(), 3);
        assert_eq!(Opcode::Jmp.encoded_len(), 6);
        assert_eq!(Opcode::PushF64.encoded_len(), 10);
        assert_eq!(Opcode::GetLocalIdx.encoded_len(), 14);
    }
}
