//! Hardware constants of the console (`machine.md` §1–§4, §7).

/// Framebuffer width in pixels.
pub const SCREEN_WIDTH: u32 = 320;
/// Framebuffer height in pixels.
pub const SCREEN_HEIGHT: u32 = 180;
/// Logical frames per second.
pub const FRAMES_PER_SECOND: u32 = 60;
/// Cycles a frame may spend before it is suspended until the next tick.
pub const FRAME_BUDGET_CYCLES: u64 = 2_000_000;
/// Audio output sample rate (stereo, 16-bit).
pub const AUDIO_SAMPLE_RATE: u32 = 48_000;
/// Stereo samples the mixer produces per logical frame.
pub const AUDIO_SAMPLES_PER_FRAME: u32 = AUDIO_SAMPLE_RATE / FRAMES_PER_SECOND;
/// Mixer voices.
pub const AUDIO_VOICES: u32 = 16;
/// Value stack capacity in slots; deeper traps `TRAP_STACK_OVERFLOW`.
pub const VALUE_STACK_SLOTS: usize = 65_536;
/// Heap budget per cartridge, in bytes.
pub const HEAP_BUDGET_BYTES: usize = 16 * 1024 * 1024;
/// The colour key (`Color.TRANSPARENT`): sprite and tile pixels of it are not drawn.
pub const COLOR_KEY: u16 = 0xF81F;
/// The buttons of the pad, in `Pad` field order.
pub const BUTTONS: [&str; 12] = [
    "up", "down", "left", "right", "a", "b", "x", "y", "l", "r", "start", "select",
];
/// `hold_frames` saturates here.
pub const MAX_HOLD_FRAMES: u16 = u16::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_constants_match_the_spec() {
        assert_eq!(AUDIO_SAMPLES_PER_FRAME, 800);
        assert_eq!(HEAP_BUDGET_BYTES, 16_777_216);
        assert_eq!(BUTTONS.len(), 12);
    }
}
