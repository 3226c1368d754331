//! Input (`machine.md` §3): raw per-frame samples, the latch that turns them into
//! button edges, the recording format for `--record`/`--input`, and the slot layouts
//! of `Input.pad()` and `Input.touch()`.
//!
//! Recording format (text, one line per logical frame, `machine.md` §3):
//!
//! ```text
//! prometeu-input 1
//! ............
//! ^...a.......
//! ....a....... t 160 90
//! ```
//!
//! The first line is the header with the format version. Then line k (counting only
//! frame lines) is the input of the k-th call of `frame`: twelve characters, one per
//! button in spec order, the button's letter when held and `.` when not (letters
//! `^ v < > a b x y l r S s` for up, down, left, right, a, b, x, y, l, r, start,
//! select), then ` t X Y` when the touch pointer is in contact at (X, Y). Lines
//! starting with `#` are comments. Past the last line, nothing is held.

use std::fmt;

/// The twelve buttons, in the order of `machine.md` §3 and of the `Pad` struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Button {
    /// D-pad up.
    Up,
    /// D-pad down.
    Down,
    /// D-pad left.
    Left,
    /// D-pad right.
    Right,
    /// A.
    A,
    /// B.
    B,
    /// X.
    X,
    /// Y.
    Y,
    /// Left shoulder.
    L,
    /// Right shoulder.
    R,
    /// Start.
    Start,
    /// Select.
    Select,
}

impl Button {
    /// All buttons in spec order; a button's position is its bit in [`RawInput::buttons`].
    pub const ALL: [Button; 12] = [
        Button::Up,
        Button::Down,
        Button::Left,
        Button::Right,
        Button::A,
        Button::B,
        Button::X,
        Button::Y,
        Button::L,
        Button::R,
        Button::Start,
        Button::Select,
    ];

    /// The character a recording uses for this button when it is held.
    pub const LETTERS: [u8; 12] = *b"^v<>abxylrSs";

    /// The button's position in spec order (0 for up … 11 for select).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The button's bit in [`RawInput::buttons`].
    pub fn bit(self) -> u16 {
        1 << self.index()
    }
}

/// What a host saw for one frame: which buttons are down and where the pointer touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct RawInput {
    /// Bit `i` set when `Button::ALL[i]` is down; bits 12..=15 are ignored.
    pub buttons: u16,
    /// The pointer's screen position while in contact, `None` when not touching.
    pub touch: Option<(i32, i32)>,
}

impl RawInput {
    /// Whether `button` is down in this sample.
    pub fn is_down(&self, button: Button) -> bool {
        self.buttons & button.bit() != 0
    }
}

/// The prelude's `ButtonState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ButtonState {
    /// Went down this frame.
    pub pressed: bool,
    /// Went up this frame.
    pub released: bool,
    /// Held now.
    pub down: bool,
    /// Frames held, this one included; saturates at 65535; 0 when up.
    pub hold_frames: u16,
}

impl ButtonState {
    /// The state one frame later, given whether the button is down now.
    pub fn next(self, down: bool) -> ButtonState {
        ButtonState {
            pressed: down && !self.down,
            released: !down && self.down,
            down,
            hold_frames: if down {
                self.hold_frames.saturating_add(1)
            } else {
                0
            },
        }
    }
}

/// The prelude's `Pad`: one [`ButtonState`] per button, in spec order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Pad {
    /// Indexed by [`Button::index`].
    pub buttons: [ButtonState; 12],
}

impl Pad {
    /// The state of one button.
    pub fn button(&self, button: Button) -> ButtonState {
        self.buttons[button.index()]
    }

    /// `Pad.any`: whether any button is down.
    pub fn any(&self) -> bool {
        self.buttons.iter().any(|b| b.down)
    }
}

/// The prelude's `Touch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Touch {
    /// The contact, as a button.
    pub f: ButtonState,
    /// Pointer x while in contact; after release, the last contact position (0 before any).
    pub x: i32,
    /// Pointer y, like `x`.
    pub y: i32,
}

/// Turns raw samples into the frame's `Pad` and `Touch` (called once per logical
/// frame, before `frame()`); before the first latch everything is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InputLatch {
    pad: Pad,
    touch: Touch,
}

impl InputLatch {
    /// A latch with nothing held.
    pub fn new() -> InputLatch {
        InputLatch::default()
    }

    /// Latches one frame's sample, updating edges and hold counters.
    pub fn latch(&mut self, raw: &RawInput) {
        for button in Button::ALL {
            let state = &mut self.pad.buttons[button.index()];
            *state = state.next(raw.is_down(button));
        }
        self.touch.f = self.touch.f.next(raw.touch.is_some());
        if let Some((x, y)) = raw.touch {
            (self.touch.x, self.touch.y) = (x, y);
        }
    }

    /// The latched pad, what `Input.pad()` returns this frame.
    pub fn pad(&self) -> Pad {
        self.pad
    }

    /// The latched touch, what `Input.touch()` returns this frame.
    pub fn touch(&self) -> Touch {
        self.touch
    }
}

/// A flattened VM slot value produced by the hardware, before the dispatcher maps it to
/// the VM's own slot type (`bytecode.md` §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HwSlot {
    /// A `bool` slot.
    Bool(bool),
    /// A `u16` (`bounded`) slot.
    U16(u16),
    /// An `i32` (`int`) slot.
    I32(i32),
}

/// Slots of one `ButtonState`: pressed, released, down, hold_frames.
pub const BUTTON_STATE_SLOTS: usize = 4;
/// Slots of `Pad`: twelve button states in spec order.
pub const PAD_SLOTS: usize = 12 * BUTTON_STATE_SLOTS;
/// Slots of `Touch`: the contact's button state, then x, y.
pub const TOUCH_SLOTS: usize = BUTTON_STATE_SLOTS + 2;

/// A `ButtonState` flattened in field order.
pub fn button_state_slots(state: ButtonState) -> [HwSlot; BUTTON_STATE_SLOTS] {
    [
        HwSlot::Bool(state.pressed),
        HwSlot::Bool(state.released),
        HwSlot::Bool(state.down),
        HwSlot::U16(state.hold_frames),
    ]
}

/// `Input.pad()`'s result flattened: 48 slots, buttons in spec order.
pub fn pad_slots(pad: &Pad) -> [HwSlot; PAD_SLOTS] {
    let mut slots = [HwSlot::Bool(false); PAD_SLOTS];
    for (chunk, state) in slots.chunks_exact_mut(BUTTON_STATE_SLOTS).zip(pad.buttons) {
        chunk.copy_from_slice(&button_state_slots(state));
    }
    slots
}

/// `Input.touch()`'s result flattened: 6 slots.
pub fn touch_slots(touch: &Touch) -> [HwSlot; TOUCH_SLOTS] {
    let [a, b, c, d] = button_state_slots(touch.f);
    [a, b, c, d, HwSlot::I32(touch.x), HwSlot::I32(touch.y)]
}

/// The first line of every recording.
pub const RECORDING_HEADER: &str = "prometeu-input 1";

/// Why a recording could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingError {
    /// 1-based line number in the file.
    pub line: usize,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "input recording, line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for RecordingError {}

/// Writes frames as a recording (format in the module documentation).
pub fn write_recording(frames: &[RawInput]) -> String {
    let mut out = String::with_capacity(RECORDING_HEADER.len() + 1 + frames.len() * 13);
    out.push_str(RECORDING_HEADER);
    out.push('\n');
    for frame in frames {
        write_frame_line(&mut out, frame);
    }
    out
}

/// Appends one frame's line (with its newline), for recorders that stream.
pub fn write_frame_line(out: &mut String, frame: &RawInput) {
    for button in Button::ALL {
        out.push(if frame.is_down(button) {
            Button::LETTERS[button.index()] as char
        } else {
            '.'
        });
    }
    if let Some((x, y)) = frame.touch {
        out.push_str(&format!(" t {x} {y}"));
    }
    out.push('\n');
}

/// Reads a recording into one sample per frame.
pub fn read_recording(text: &str) -> Result<Vec<RawInput>, RecordingError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)));
    match lines.next() {
        Some((_, header)) if header == RECORDING_HEADER => {}
        Some((_, header)) if header.starts_with("prometeu-input ") => {
            return Err(RecordingError {
                line: 1,
                message: format!(
                    "unsupported version (header `{}`, expected `{RECORDING_HEADER}`)",
                    clip(header)
                ),
            });
        }
        _ => {
            return Err(RecordingError {
                line: 1,
                message: format!("missing header `{RECORDING_HEADER}`"),
            });
        }
    }
    let mut frames = Vec::new();
    for (line, content) in lines {
        if content.starts_with('#') {
            continue;
        }
        frames.push(parse_frame_line(content).map_err(|message| RecordingError { line, message })?);
    }
    Ok(frames)
}

fn parse_frame_line(line: &str) -> Result<RawInput, String> {
    let Some(mask) = line.get(..12).filter(|mask| mask.is_ascii()) else {
        return Err(format!(
            "expected 12 button characters, found `{}`",
            clip(line)
        ));
    };
    let mut buttons = 0u16;
    for (button, ch) in Button::ALL.into_iter().zip(mask.bytes()) {
        let letter = Button::LETTERS[button.index()];
        match ch {
            b'.' => {}
            c if c == letter => buttons |= button.bit(),
            _ => {
                return Err(format!(
                    "button {} must be `{}` or `.`, found `{}`",
                    button.index() + 1,
                    letter as char,
                    ch as char
                ));
            }
        }
    }
    let rest = &line[12..];
    let touch = if rest.is_empty() {
        None
    } else {
        let mut parts = rest
            .strip_prefix(" t ")
            .ok_or_else(|| {
                format!(
                    "expected ` t X Y` after the buttons, found `{}`",
                    clip(rest)
                )
            })?
            .split(' ');
        let mut coord = |name: &str| -> Result<i32, String> {
            let part = parts
                .next()
                .ok_or_else(|| format!("missing touch {name}"))?;
            part.parse::<i32>()
                .map_err(|_| format!("touch {name} `{}` is not an integer", clip(part)))
        };
        let (x, y) = (coord("x")?, coord("y")?);
        if let Some(extra) = parts.next() {
            return Err(format!(
                "unexpected `{}` after the touch position",
                clip(extra)
            ));
        }
        Some((x, y))
    };
    Ok(RawInput { buttons, touch })
}

/// At most 40 characters of `s`, for error messages about arbitrary input.
fn clip(s: &str) -> &str {
    s.char_indices().nth(40).map_or(s, |(i, _)| &s[..i])
}
