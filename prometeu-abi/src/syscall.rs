//! The one system-call table (`machine.md` §5).
//!
//! Arguments and results are flattened slots (`bytecode.md` §2): `Color` is one `u16`;
//! `ButtonState` is `bool, bool, bool, u16`; `Pad` is twelve of them (48 slots);
//! `Touch` is a `ButtonState` then `x: int`, `y: int` (6 slots).

use prometeu_bytecode::{SlotKind, SyscallTable};

/// One system call: who it is in PBS, what it moves on the stack and what it costs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Syscall {
    /// The `SYSCALL` immediate. The high nibble of the low 16 bits is the family.
    pub id: u32,
    /// The prelude contract, e.g. `Gfx`.
    pub contract: &'static str,
    /// The member name, e.g. `fill_rect`.
    pub name: &'static str,
    /// The PBS signature as in the prelude, without `fn` and `;`, e.g.
    /// `frame_count(): int`.
    pub signature: &'static str,
    /// Argument slots, first argument deepest.
    pub args: &'static [SlotKind],
    /// Result slots.
    pub rets: &'static [SlotKind],
    /// Base cycle cost; the kernel adds the growth described in `cost`.
    pub cycles: u32,
    /// The full cost as written in `machine.md`, e.g. `20 + w·h/8`.
    pub cost: &'static str,
    /// What it does.
    pub doc: &'static str,
}

impl Syscall {
    /// The qualified PBS form used in `machine.md`, e.g. `Gfx.clear(c: Color)`.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.contract, self.signature)
    }
}

use SlotKind::{Bool as B, I32 as I, Str as S, U16 as U};

/// `Color`.
const C: SlotKind = U;

/// `Pad`: twelve `ButtonState`s.
const PAD: [SlotKind; 48] = {
    let mut slots = [B; 48];
    let mut i = 0;
    while i < 12 {
        slots[i * 4 + 3] = U;
        i += 1;
    }
    slots
};

/// `Touch`: a `ButtonState`, then `x`, `y`.
const TOUCH: [SlotKind; 6] = [B, B, B, U, I, I];

/// Declares [`SYSCALLS`] from one list of rows.
macro_rules! syscalls {
    ($($id:literal $contract:ident . $name:ident $sig:literal [$($a:expr),*] [$($r:tt)*] $cycles:literal $cost:literal $doc:literal;)*) => {
        /// Every system call of the console, sorted by id.
        pub const SYSCALLS: &[Syscall] = &[$(Syscall {
            id: $id,
            contract: stringify!($contract),
            name: stringify!($name),
            signature: concat!(stringify!($name), $sig),
            args: &[$($a),*],
            rets: syscalls!(@rets $($r)*),
            cycles: $cycles,
            cost: $cost,
            doc: $doc,
        },)*];
    };
    (@rets PAD) => { &PAD };
    (@rets TOUCH) => { &TOUCH };
    (@rets $($r:expr),*) => { &[$($r),*] };
}

syscalls! {
    0x0010 System.frame_count "(): int" [] [I] 5 "5"
        "0 during `init`, n during the n-th call of `frame`.";
    0x0011 System.random "(max: int): int" [I] [I] 10 "10"
        "A number in 0..max from the deterministic generator seeded from `app_id`; `max <= 0` traps `TRAP_ARG`.";
    0x1002 Gfx.fill_rect "(x: int, y: int, w: int, h: int, c: Color)" [I, I, I, I, C] [] 20 "20 + w·h/8"
        "Fills a rectangle.";
    0x1003 Gfx.line "(x0: int, y0: int, x1: int, y1: int, c: Color)" [I, I, I, I, C] [] 20 "20 + length"
        "Draws a line.";
    0x1004 Gfx.circle "(cx: int, cy: int, r: int, c: Color)" [I, I, I, C] [] 20 "20 + r·4"
        "Draws a circle outline.";
    0x1005 Gfx.disc "(cx: int, cy: int, r: int, c: Color)" [I, I, I, C] [] 20 "20 + r·r"
        "Draws a filled circle.";
    0x1006 Gfx.rect "(x: int, y: int, w: int, h: int, c: Color)" [I, I, I, I, C] [] 20 "20 + w + h"
        "Draws a rectangle outline.";
    0x1008 Gfx.text "(x: int, y: int, s: string, c: Color)" [I, I, S, C] [] 20 "20 + 16·chars"
        "Draws text in the built-in 8×8 font.";
    0x1009 Gfx.pixel "(x: int, y: int, c: Color)" [I, I, C] [] 4 "4"
        "Sets one pixel.";
    0x100A Gfx.sprite "(bank: int, tile: int, x: int, y: int, flip_x: bool, flip_y: bool)" [I, I, I, I, B, B] [] 20 "20 + size² / 8"
        "Draws a sprite tile; a bad bank or tile traps `TRAP_ARG`.";
    0x1010 Gfx.clear "(c: Color)" [C] [] 2000 "2000"
        "Fills the back buffer.";
    0x2010 Input.pad "(): Pad" [] [PAD] 12 "12"
        "The pad's buttons this frame (48 slots).";
    0x2011 Input.touch "(): Touch" [] [TOUCH] 8 "8"
        "The touch pointer this frame (6 slots).";
    0x3001 Audio.tone "(voice: int, wave: int, freq_hz: int, frames: int, volume: int, pan: int)" [I, I, I, I, I, I] [] 30 "30"
        "Plays a tone on a voice; `wave` 0 square, 1 triangle, 2 saw, 3 sine, 4 noise; out-of-range values trap `TRAP_ARG`.";
    0x3002 Audio.stop "(voice: int)" [I] [] 10 "10"
        "Silences a voice.";
    0x3003 Audio.playing "(voice: int): bool" [I] [B] 5 "5"
        "Whether a voice is playing.";
    0x5001 Log.info "(msg: string)" [S] [] 20 "20"
        "Logs to the host with the frame number.";
    0x5002 Log.warn "(msg: string)" [S] [] 20 "20"
        "Logs a warning to the host with the frame number.";
}

/// The system call with this id.
pub fn syscall(id: u32) -> Option<&'static Syscall> {
    SYSCALLS
        .binary_search_by_key(&id, |s| s.id)
        .ok()
        .map(|i| &SYSCALLS[i])
}

/// The console's table as the verifier sees it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConsoleSyscalls;

impl SyscallTable for ConsoleSyscalls {
    fn signature(&self, id: u32) -> Option<(&[SlotKind], &[SlotKind])> {
        syscall(id).map(|s| (s.args, s.rets))
    }
}
