//! `System.random(max)`: a deterministic generator seeded from the cartridge's `app_id`
//! (`machine.md` §5 spells out the algorithm so any host reproduces it).
//!
//! The generator is SplitMix64 with the state starting at `app_id` (as an unsigned
//! 64-bit integer); each draw takes the high 32 bits of one output and maps them to
//! `0..max` with Lemire's multiply-and-reject method, which has no bias at all.

use crate::arg::ArgError;

/// SplitMix64's state increment (the golden ratio in 64-bit fixed point).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The console's random number generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// The generator a cartridge with `app_id` starts with.
    pub fn from_app_id(app_id: u64) -> Rng {
        Rng { state: app_id }
    }

    /// The next 64-bit SplitMix64 output.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `System.random(max)`: a uniform integer in `0..max`; `max <= 0` is an [`ArgError`].
    ///
    /// With `x` the high 32 bits of the next output and `m = x·max` (64-bit), the
    /// answer is `m >> 32` unless the low half of `m` is below `2³² mod max`, in which
    /// case `x` is drawn again (this happens with probability below `max / 2³²`).
    pub fn random(&mut self, max: i32) -> Result<i32, ArgError> {
        if max <= 0 {
            return Err(ArgError {
                arg: "max",
                value: i64::from(max),
                expected: "1 or more",
            });
        }
        let max = max as u32;
        let threshold = max.wrapping_neg() % max;
        loop {
            let x = self.next_u64() >> 32;
            let m = x * u64::from(max);
            if (m as u32) >= threshold {
                return Ok((m >> 32) as i32);
            }
        }
    }
}
