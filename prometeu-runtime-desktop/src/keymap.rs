//! The desktop key map of `machine.md` §3 and the developer keys of `toolchain.md` §5.

use prometeu_kernel::input::Button;
use winit::keyboard::KeyCode;

/// The console button a key drives: arrows → d-pad; `Z` → a, `X` → b, `A` → x, `S` →
/// y, `Q` → l, `W` → r, `Enter` → start, `Right Shift` or `Backspace` → select.
pub fn button_for_key(key: KeyCode) -> Option<Button> {
    Some(match key {
        KeyCode::ArrowUp => Button::Up,
        KeyCode::ArrowDown => Button::Down,
        KeyCode::ArrowLeft => Button::Left,
        KeyCode::ArrowRight => Button::Right,
        KeyCode::KeyZ => Button::A,
        KeyCode::KeyX => Button::B,
        KeyCode::KeyA => Button::X,
        KeyCode::KeyS => Button::Y,
        KeyCode::KeyQ => Button::L,
        KeyCode::KeyW => Button::R,
        KeyCode::Enter | KeyCode::NumpadEnter => Button::Start,
        KeyCode::ShiftRight | KeyCode::Backspace => Button::Select,
        _ => return None,
    })
}

/// A developer key's action (never seen by the cartridge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevKey {
    /// F1: show or hide the key help.
    Help,
    /// F3: show or hide the stats overlay.
    Stats,
    /// F5: restart the cartridge.
    Restart,
    /// F6: pause or resume.
    Pause,
    /// F7: run one frame while paused.
    Step,
    /// F9: start or stop recording input.
    Record,
    /// F11: fullscreen on or off.
    Fullscreen,
    /// F12: write a screenshot.
    Screenshot,
}

/// The developer action of a key.
pub fn dev_key(key: KeyCode) -> Option<DevKey> {
    Some(match key {
        KeyCode::F1 => DevKey::Help,
        KeyCode::F3 => DevKey::Stats,
        KeyCode::F5 => DevKey::Restart,
        KeyCode::F6 => DevKey::Pause,
        KeyCode::F7 => DevKey::Step,
        KeyCode::F9 => DevKey::Record,
        KeyCode::F11 => DevKey::Fullscreen,
        KeyCode::F12 => DevKey::Screenshot,
        _ => return None,
    })
}

/// The F1 help text, one key a line.
pub const HELP: &str = "arrows d-pad  Z a  X b  A x  S y\n\
Q l  W r  Enter start  RShift select\n\
F1 help  F3 stats  F5 restart\n\
F6 pause  F7 step  F9 record input\n\
F11 fullscreen  F12 screenshot";
