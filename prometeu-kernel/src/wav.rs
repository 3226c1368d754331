//! WAV output for `--audio-out`: 48 kHz, stereo, 16-bit PCM in a canonical 44-byte
//! RIFF header.

use crate::audio::SAMPLE_RATE;

/// Bytes before the sample data.
pub const WAV_HEADER_LEN: usize = 44;

/// Why samples could not become a WAV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WavTooLong {
    /// Interleaved sample values given.
    pub values: usize,
}

impl std::fmt::Display for WavTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} samples do not fit in a WAV file's 4 GiB",
            self.values
        )
    }
}

impl std::error::Error for WavTooLong {}

/// A complete WAV file holding `samples` (interleaved L, R, …).
pub fn wav_bytes(samples: &[i16]) -> Result<Vec<u8>, WavTooLong> {
    let too_long = WavTooLong {
        values: samples.len(),
    };
    let data_len = samples
        .len()
        .checked_mul(2)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| n.checked_add(36).is_some())
        .ok_or(too_long)?;
    let (channels, bits) = (2u16, 16u16);
    let block_align = channels * bits / 8;
    let mut out = Vec::with_capacity(WAV_HEADER_LEN + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(SAMPLE_RATE * u32::from(block_align)).to_le_bytes());
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    Ok(out)
}
