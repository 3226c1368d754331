//! `System.random`: pinned sequence, range, argument errors, rough uniformity.

use prometeu_kernel::random::Rng;

#[test]
fn sequence_is_pinned() {
    // SplitMix64 reference: seed 1234567 gives 6457827717110365317 first.
    assert_eq!(Rng::from_app_id(1234567).next_u64(), 6457827717110365317);
    let mut rng = Rng::from_app_id(1001);
    let draws: Vec<String> = [1, 2, 6, 100, 1000, i32::MAX, 7, 3]
        .iter()
        .map(|&m| rng.random(m).unwrap().to_string())
        .collect();
    insta::assert_snapshot!(draws.join(" "), @"0 0 1 48 506 1479467661 1 1");
}

#[test]
fn results_stay_in_range_and_cover_it() {
    let mut rng = Rng::from_app_id(0);
    let mut seen = [0u32; 10];
    for _ in 0..100_000 {
        let v = rng.random(10).unwrap();
        seen[v as usize] += 1;
    }
    for count in seen {
        assert!((9_500..10_500).contains(&count), "{seen:?}");
    }
    assert_eq!(rng.random(1), Ok(0));
    for max in [1, 3, 1 << 20, i32::MAX] {
        for _ in 0..1000 {
            let v = rng.random(max).unwrap();
            assert!((0..max).contains(&v));
        }
    }
}

#[test]
fn bad_max_is_an_argument_error() {
    let mut rng = Rng::from_app_id(5);
    assert_eq!(rng.random(0).unwrap_err().arg, "max");
    assert!(rng.random(-1).is_err());
    assert!(rng.random(i32::MIN).is_err());
}

#[test]
fn different_apps_get_different_streams() {
    let draw = |id| {
        let mut r = Rng::from_app_id(id);
        (0..8).map(|_| r.random(1000).unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(draw(7), draw(7));
    assert_ne!(draw(7), draw(8));
}
