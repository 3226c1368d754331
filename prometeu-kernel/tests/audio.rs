//! The mixer: determinism (pinned hash), pitch, pan, stop, lengths, argument ranges.

use prometeu_kernel::audio::{AudioFrame, FRAME_VALUES, Mixer, SINE_TABLE, pan_gains, sine};
use prometeu_kernel::host::{FNV_OFFSET, fnv1a64};

fn left(frame: &AudioFrame) -> impl Iterator<Item = i16> + '_ {
    frame.iter().step_by(2).copied()
}

fn right(frame: &AudioFrame) -> impl Iterator<Item = i16> + '_ {
    frame.iter().skip(1).step_by(2).copied()
}

/// Mixes `frames` frames and returns all samples of one channel.
fn channel(mixer: &mut Mixer, frames: usize, pick_right: bool) -> Vec<i16> {
    let mut out = Vec::new();
    for _ in 0..frames {
        let f = mixer.mix_frame();
        if pick_right {
            out.extend(right(&f));
        } else {
            out.extend(left(&f));
        }
    }
    out
}

/// Sign changes from negative to non-negative.
fn rising_crossings(samples: &[i16]) -> usize {
    samples.windows(2).filter(|w| w[0] < 0 && w[1] >= 0).count()
}

#[test]
fn scripted_sequence_hash_is_pinned() {
    let mut mixer = Mixer::new();
    let mut hash = FNV_OFFSET;
    let mut lines = Vec::new();
    for frame in 0..120 {
        match frame {
            0 => {
                mixer.tone(0, 0, 440, 30, 200, 128).unwrap();
                mixer.tone(1, 1, 220, 60, 255, 0).unwrap();
            }
            10 => {
                mixer.tone(2, 2, 330, 40, 180, 255).unwrap();
                mixer.tone(3, 3, 523, 80, 255, 100).unwrap();
            }
            20 => mixer.tone(15, 4, 4000, 50, 120, 200).unwrap(),
            45 => mixer.stop(3).unwrap(),
            50 => {
                for v in 4..15 {
                    mixer.tone(v, v % 5, 100 + v * 97, 30, 255, v * 17).unwrap();
                }
            }
            _ => {}
        }
        let f = mixer.mix_frame();
        hash = f.iter().fold(hash, |h, s| fnv1a64(h, &s.to_le_bytes()));
        if frame % 20 == 19 {
            let playing: String = (0..16)
                .map(|v| if mixer.playing(v).unwrap() { '1' } else { '0' })
                .collect();
            lines.push(format!(
                "after frame {frame}: hash {hash:016x} playing {playing}"
            ));
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn sine_table_is_pinned() {
    let hash = SINE_TABLE
        .iter()
        .fold(FNV_OFFSET, |h, s| fnv1a64(h, &s.to_le_bytes()));
    assert_eq!(SINE_TABLE[0], 0);
    assert_eq!(SINE_TABLE[256], 32767);
    assert_eq!(SINE_TABLE[512], 0);
    assert_eq!(SINE_TABLE[768], -32767);
    assert_eq!(sine(1 << 30), 32767);
    insta::assert_snapshot!(format!("{hash:016x}"), @"5a591e607ff6520a");
}

#[test]
fn tone_period_matches_frequency() {
    for wave in 0..4 {
        for freq in [50, 440, 1000, 4321] {
            let mut mixer = Mixer::new();
            mixer.tone(0, wave, freq, 60, 255, 128).unwrap();
            let samples = channel(&mut mixer, 60, false);
            let crossings = rising_crossings(&samples) as i32;
            // One second of audio: one rising crossing per period.
            assert!(
                (crossings - freq).abs() <= 1,
                "wave {wave} at {freq} Hz: {crossings}"
            );
        }
    }
}

#[test]
fn pan_extremes_use_one_channel() {
    let mut mixer = Mixer::new();
    mixer.tone(0, 0, 440, 2, 255, 0).unwrap();
    let f = mixer.mix_frame();
    assert!(left(&f).any(|s| s != 0));
    assert!(right(&f).all(|s| s == 0));
    let mut mixer = Mixer::new();
    mixer.tone(0, 3, 440, 2, 255, 255).unwrap();
    let f = mixer.mix_frame();
    assert!(left(&f).all(|s| s == 0));
    assert!(right(&f).any(|s| s != 0));
    assert_eq!(pan_gains(0), (255, 0));
    assert_eq!(pan_gains(128), (254, 255));
    assert_eq!(pan_gains(255), (0, 255));
}

#[test]
fn square_wave_peak_and_centre_balance() {
    let mut mixer = Mixer::new();
    mixer.tone(0, 0, 1000, 1, 255, 128).unwrap();
    let f = mixer.mix_frame();
    let max_l = left(&f).max().unwrap();
    let max_r = right(&f).max().unwrap();
    assert!((8000..=8192).contains(&max_r), "right peak {max_r}");
    assert!(max_l <= max_r && max_l > 7900, "left peak {max_l}");
}

#[test]
fn voices_end_after_their_frames_and_playing_lags_one_sync() {
    let mut mixer = Mixer::new();
    mixer.tone(5, 1, 300, 3, 255, 128).unwrap();
    assert!(!mixer.playing(5).unwrap(), "not applied before FRAME_SYNC");
    let mut sounding = Vec::new();
    let mut playing = Vec::new();
    for _ in 0..5 {
        let f = mixer.mix_frame();
        sounding.push(f.iter().any(|&s| s != 0));
        playing.push(mixer.playing(5).unwrap());
    }
    assert_eq!(sounding, [true, true, true, false, false]);
    assert_eq!(playing, [true, true, false, false, false]);
}

#[test]
fn stop_silences_and_last_command_wins() {
    let mut mixer = Mixer::new();
    mixer.tone(0, 0, 440, 100, 255, 128).unwrap();
    mixer.mix_frame();
    mixer.stop(0).unwrap();
    assert!(mixer.playing(0).unwrap(), "stop applies at the next sync");
    let f = mixer.mix_frame();
    assert!(f.iter().all(|&s| s == 0));
    assert!(!mixer.playing(0).unwrap());
    // Stop then tone in one frame: the tone wins; tone then stop: silence.
    mixer.stop(1).unwrap();
    mixer.tone(1, 0, 440, 10, 255, 128).unwrap();
    mixer.tone(2, 0, 440, 10, 255, 128).unwrap();
    mixer.stop(2).unwrap();
    mixer.mix_frame();
    assert!(mixer.playing(1).unwrap());
    assert!(!mixer.playing(2).unwrap());
    // frames = 0 silences too.
    mixer.tone(1, 0, 440, 0, 255, 128).unwrap();
    assert!(mixer.mix_frame().iter().all(|&s| s == 0));
}

#[test]
fn sixteen_loud_voices_saturate_instead_of_wrapping() {
    let mut mixer = Mixer::new();
    for v in 0..16 {
        mixer.tone(v, 0, 100, 1, 255, 128).unwrap();
    }
    let f = mixer.mix_frame();
    assert_eq!(f[0], i16::MAX);
    assert_eq!(f[1], i16::MAX);
    assert!(f.contains(&i16::MIN));
    assert_eq!(f.len(), FRAME_VALUES);
}

#[test]
fn noise_is_deterministic_and_not_periodic_like_a_tone() {
    let run = || {
        let mut mixer = Mixer::new();
        mixer.tone(0, 4, 8000, 10, 255, 128).unwrap();
        channel(&mut mixer, 10, false)
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let positives = a.iter().filter(|&&s| s > 0).count();
    assert!(
        (3000..5000).contains(&positives),
        "roughly balanced: {positives}"
    );
}

#[test]
fn argument_ranges() {
    let mut m = Mixer::new();
    let bad = [
        (-1, 0, 440, 1, 1, 1, "voice"),
        (16, 0, 440, 1, 1, 1, "voice"),
        (0, 5, 440, 1, 1, 1, "wave"),
        (0, -1, 440, 1, 1, 1, "wave"),
        (0, 0, 0, 1, 1, 1, "freq_hz"),
        (0, 0, 20_001, 1, 1, 1, "freq_hz"),
        (0, 0, 440, -1, 1, 1, "frames"),
        (0, 0, 440, 1, 256, 1, "volume"),
        (0, 0, 440, 1, -1, 1, "volume"),
        (0, 0, 440, 1, 1, 256, "pan"),
    ];
    for (voice, wave, freq, frames, volume, pan, arg) in bad {
        assert_eq!(
            m.tone(voice, wave, freq, frames, volume, pan)
                .unwrap_err()
                .arg,
            arg
        );
    }
    assert!(m.tone(15, 4, 20_000, i32::MAX, 255, 255).is_ok());
    assert!(m.tone(0, 0, 1, 0, 0, 0).is_ok());
    assert!(m.stop(16).is_err());
    assert!(m.playing(-1).is_err());
    insta::assert_snapshot!(m.stop(99).unwrap_err().to_string(), @"argument `voice` = 99 is out of range (expected 0..=15)");
}

mod arbitrary_commands {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_commands_mix_deterministically(
            commands in proptest::collection::vec(
                (any::<i32>(), -1..6i32, prop_oneof![1..20_001i32, any::<i32>()], -2..5i32, -1..257i32, -1..257i32, any::<bool>()),
                0..40,
            )
        ) {
            let run = || {
                let mut mixer = Mixer::new();
                let mut out = Vec::new();
                for (i, &(voice, wave, freq, frames, volume, pan, stop)) in commands.iter().enumerate() {
                    let voice = if voice.rem_euclid(3) == 0 { voice } else { voice.rem_euclid(17) };
                    let _ = if stop { mixer.stop(voice) } else { mixer.tone(voice, wave, freq, frames, volume, pan) };
                    let _ = mixer.playing(voice);
                    if i % 4 == 3 {
                        out.extend_from_slice(&mixer.mix_frame());
                    }
                }
                out.extend_from_slice(&mixer.mix_frame());
                out
            };
            prop_assert_eq!(run(), run());
        }
    }
}
