//! Input: the latch's edges, the slot layouts, and the recording format.

use prometeu_kernel::input::{
    Button, ButtonState, HwSlot, InputLatch, PAD_SLOTS, RawInput, TOUCH_SLOTS, pad_slots,
    read_recording, touch_slots, write_recording,
};
use proptest::prelude::*;

fn raw(buttons: &[Button], touch: Option<(i32, i32)>) -> RawInput {
    RawInput {
        buttons: buttons.iter().fold(0, |m, b| m | b.bit()),
        touch,
    }
}

#[test]
fn latch_produces_edges_and_hold_counts() {
    let mut latch = InputLatch::new();
    let script = [
        raw(&[Button::A], None),
        raw(&[Button::A, Button::Up], None),
        raw(&[Button::Up], None),
        raw(&[], None),
    ];
    let mut trace = Vec::new();
    for sample in &script {
        latch.latch(sample);
        let pad = latch.pad();
        trace.push((pad.button(Button::A), pad.button(Button::Up), pad.any()));
    }
    let st = |pressed, released, down, hold_frames| ButtonState {
        pressed,
        released,
        down,
        hold_frames,
    };
    assert_eq!(
        trace,
        [
            (st(true, false, true, 1), st(false, false, false, 0), true),
            (st(false, false, true, 2), st(true, false, true, 1), true),
            (st(false, true, false, 0), st(false, false, true, 2), true),
            (st(false, false, false, 0), st(false, true, false, 0), false),
        ]
    );
}

#[test]
fn hold_frames_saturate() {
    let mut state = ButtonState::default();
    for _ in 0..70_000 {
        state = state.next(true);
    }
    assert_eq!(state.hold_frames, 65535);
    assert!(state.down && !state.pressed);
}

#[test]
fn touch_keeps_last_contact_position() {
    let mut latch = InputLatch::new();
    assert_eq!((latch.touch().x, latch.touch().y), (0, 0));
    latch.latch(&raw(&[], Some((10, 20))));
    assert!(latch.touch().f.pressed);
    latch.latch(&raw(&[], Some((-5, 999))));
    assert_eq!(
        (
            latch.touch().x,
            latch.touch().y,
            latch.touch().f.hold_frames
        ),
        (-5, 999, 2)
    );
    latch.latch(&raw(&[], None));
    let t = latch.touch();
    assert!(t.f.released && !t.f.down);
    assert_eq!((t.x, t.y), (-5, 999));
}

#[test]
fn slot_layouts() {
    let mut latch = InputLatch::new();
    latch.latch(&raw(&[Button::Down], Some((7, 8))));
    latch.latch(&raw(&[Button::Down, Button::Select], Some((9, 10))));
    let pad = pad_slots(&latch.pad());
    assert_eq!(pad.len(), PAD_SLOTS);
    assert_eq!(pad.len(), 48);
    // Button 1 (down): held for 2 frames, not pressed this frame.
    assert_eq!(
        pad[4..8],
        [
            HwSlot::Bool(false),
            HwSlot::Bool(false),
            HwSlot::Bool(true),
            HwSlot::U16(2)
        ]
    );
    // Button 11 (select): pressed now.
    assert_eq!(
        pad[44..48],
        [
            HwSlot::Bool(true),
            HwSlot::Bool(false),
            HwSlot::Bool(true),
            HwSlot::U16(1)
        ]
    );
    assert_eq!(
        pad[0..4],
        [
            HwSlot::Bool(false),
            HwSlot::Bool(false),
            HwSlot::Bool(false),
            HwSlot::U16(0)
        ]
    );
    let touch = touch_slots(&latch.touch());
    assert_eq!(touch.len(), TOUCH_SLOTS);
    assert_eq!(
        touch,
        [
            HwSlot::Bool(false),
            HwSlot::Bool(false),
            HwSlot::Bool(true),
            HwSlot::U16(2),
            HwSlot::I32(9),
            HwSlot::I32(10)
        ]
    );
}

#[test]
fn recording_text_is_readable() {
    let frames = [
        raw(&[], None),
        raw(&[Button::Up, Button::A], None),
        raw(&Button::ALL, Some((160, 90))),
        raw(&[Button::Start], Some((-3, i32::MAX))),
    ];
    let text = write_recording(&frames);
    insta::assert_snapshot!(text);
    assert_eq!(read_recording(&text).unwrap(), frames);
}

#[test]
fn recording_comments_crlf_and_empty() {
    let text = "prometeu-input 1\r\n# a comment\r\n....a.......\r\n# another\n............ t 1 2\n";
    let frames = read_recording(text).unwrap();
    assert_eq!(frames, [raw(&[Button::A], None), raw(&[], Some((1, 2)))]);
    assert_eq!(read_recording("prometeu-input 1\n").unwrap(), []);
    assert_eq!(read_recording("prometeu-input 1").unwrap(), []);
}

#[test]
fn recording_errors_name_the_line() {
    let cases = [
        "",
        "hello\n",
        "prometeu-input 2\n",
        "prometeu-input 1\n............\n...\n",
        "prometeu-input 1\n# c\n....A.......\n",
        "prometeu-input 1\n............ t 1\n",
        "prometeu-input 1\n............ t 1 2 3\n",
        "prometeu-input 1\n............ t x 2\n",
        "prometeu-input 1\n............ t 99999999999 2\n",
        "prometeu-input 1\n............x\n",
        "prometeu-input 1\n\n",
        "prometeu-input 1\n.....é......\n",
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|c| read_recording(c).unwrap_err().to_string())
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}

fn any_raw() -> impl Strategy<Value = RawInput> {
    (
        0u16..(1 << 12),
        proptest::option::of((any::<i32>(), any::<i32>())),
    )
        .prop_map(|(buttons, touch)| RawInput { buttons, touch })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn recording_round_trips(frames in proptest::collection::vec(any_raw(), 0..50)) {
        let text = write_recording(&frames);
        prop_assert_eq!(text.lines().count(), frames.len() + 1);
        prop_assert_eq!(read_recording(&text).unwrap(), frames);
    }

    #[test]
    fn recording_reader_never_panics(text in "\\PC{0,200}") {
        let _ = read_recording(&text);
        let _ = read_recording(&format!("prometeu-input 1\n{text}"));
    }

    #[test]
    fn recording_reader_never_panics_on_near_miss_lines(
        lines in proptest::collection::vec("[.^v<>abxylrSsA-Z t0-9-]{0,30}", 0..10)
    ) {
        let text = format!("prometeu-input 1\n{}", lines.join("\n"));
        if let Err(e) = read_recording(&text) {
            prop_assert!(e.line >= 2 && e.line <= lines.len() + 1);
        }
    }

    #[test]
    fn latch_hold_counts_match_history(downs in proptest::collection::vec(any::<bool>(), 1..100)) {
        let mut latch = InputLatch::new();
        let mut run = 0u16;
        let mut prev = false;
        for down in downs {
            latch.latch(&RawInput { buttons: if down { Button::B.bit() } else { 0 }, touch: None });
            run = if down { run + 1 } else { 0 };
            let b = latch.pad().button(Button::B);
            prop_assert_eq!(b.hold_frames, run);
            prop_assert_eq!(b.pressed, down && !prev);
            prop_assert_eq!(b.released, !down && prev);
            prev = down;
        }
    }
}
