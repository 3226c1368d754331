//! Gamepads through the Linux joystick interface (`/dev/input/js*`): no library and
//! no headers (gilrs needs libudev's headers at build time). The first pad found drives
//! pad 0; pads are looked for again every second, so plugging one in (or replacing it)
//! works while the cartridge runs. Elsewhere, or without a pad, the keyboard plays.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::time::{Duration, Instant};

use prometeu_kernel::input::Button;

/// One `struct js_event`: time (ms), value, type, number.
const EVENT_SIZE: usize = 8;
const JS_EVENT_BUTTON: u8 = 0x01;
const JS_EVENT_AXIS: u8 = 0x02;
const JS_EVENT_INIT: u8 = 0x80;
/// A stick further than this from the centre (of ±32767) counts as a d-pad press.
const STICK_THRESHOLD: i16 = 16_000;

/// The state of one pad, as the events of the joystick interface build it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PadState {
    buttons: u16,
    stick: u16,
    hat: u16,
}

impl PadState {
    /// The console buttons held, as [`prometeu_kernel::input::RawInput::buttons`] bits.
    pub fn buttons(&self) -> u16 {
        self.buttons | self.stick | self.hat
    }

    /// Applies one 8-byte `js_event`. Buttons follow the usual layout of the Linux
    /// `xpad`/`hid` drivers (0 a, 1 b, 2 x, 3 y, 4 l, 5 r, 6 select, 7 start); axes 0/1
    /// (left stick) and 6/7 (the hat) drive the d-pad.
    pub fn apply(&mut self, event: [u8; EVENT_SIZE]) {
        let value = i16::from_le_bytes([event[4], event[5]]);
        let kind = event[6] & !JS_EVENT_INIT;
        let number = event[7];
        match kind {
            JS_EVENT_BUTTON => {
                let button = match number {
                    0 => Button::A,
                    1 => Button::B,
                    2 => Button::X,
                    3 => Button::Y,
                    4 => Button::L,
                    5 => Button::R,
                    6 => Button::Select,
                    7 => Button::Start,
                    _ => return,
                };
                set(&mut self.buttons, button.bit(), value != 0);
            }
            JS_EVENT_AXIS => {
                let (target, negative, positive) = match number {
                    0 => (&mut self.stick, Button::Left, Button::Right),
                    1 => (&mut self.stick, Button::Up, Button::Down),
                    6 => (&mut self.hat, Button::Left, Button::Right),
                    7 => (&mut self.hat, Button::Up, Button::Down),
                    _ => return,
                };
                set(target, negative.bit(), value < -STICK_THRESHOLD);
                set(target, positive.bit(), value > STICK_THRESHOLD);
            }
            _ => {}
        }
    }
}

fn set(bits: &mut u16, bit: u16, on: bool) {
    if on {
        *bits |= bit;
    } else {
        *bits &= !bit;
    }
}

/// Starts the gamepad thread; it publishes pad 0's buttons until the run ends.
pub(crate) fn spawn(shared: Arc<crate::Shared>) {
    let _ = std::thread::Builder::new()
        .name("prometeu-gamepad".into())
        .spawn(move || poll_pads(&shared.pad, &shared.quit));
}

fn poll_pads(buttons: &AtomicU16, stop: &AtomicBool) {
    let mut pad: Option<(std::fs::File, PadState)> = None;
    let mut last_scan = Instant::now() - Duration::from_secs(1);
    while !stop.load(Ordering::Relaxed) {
        if pad.is_none() && last_scan.elapsed() >= Duration::from_secs(1) {
            last_scan = Instant::now();
            pad = open_first_pad().map(|f| (f, PadState::default()));
        }
        if let Some((file, state)) = &mut pad {
            let mut event = [0u8; EVENT_SIZE];
            loop {
                match file.read(&mut event) {
                    Ok(EVENT_SIZE) => state.apply(event),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    // Unplugged (ENODEV) or a short read: forget the pad, scan again.
                    _ => {
                        pad = None;
                        buttons.store(0, Ordering::Relaxed);
                        break;
                    }
                }
            }
            if let Some((_, state)) = &pad {
                buttons.store(state.buttons(), Ordering::Relaxed);
            }
        }
        // Well under a frame, so a press is seen by the next frame's latch.
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[cfg(target_os = "linux")]
fn open_first_pad() -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    (0..8).find_map(|i| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(format!("/dev/input/js{i}"))
            .ok()
    })
}

#[cfg(not(target_os = "linux"))]
fn open_first_pad() -> Option<std::fs::File> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(value: i16, kind: u8, number: u8) -> [u8; EVENT_SIZE] {
        let v = value.to_le_bytes();
        [0, 0, 0, 0, v[0], v[1], kind, number]
    }

    #[test]
    fn buttons_sticks_and_hat_map_to_console_buttons() {
        let mut pad = PadState::default();
        pad.apply(event(1, JS_EVENT_BUTTON | JS_EVENT_INIT, 0));
        pad.apply(event(1, JS_EVENT_BUTTON, 7));
        pad.apply(event(-32767, JS_EVENT_AXIS, 0));
        pad.apply(event(32767, JS_EVENT_AXIS, 7));
        assert_eq!(
            pad.buttons(),
            Button::A.bit() | Button::Start.bit() | Button::Left.bit() | Button::Down.bit()
        );
        pad.apply(event(0, JS_EVENT_BUTTON, 0));
        pad.apply(event(100, JS_EVENT_AXIS, 0));
        assert_eq!(pad.buttons(), Button::Start.bit() | Button::Down.bit());
    }
}
