//! Decoded instructions and their byte encoding (`bytecode.md` §4).

use crate::opcode::{ImmKind, Opcode};

/// One immediate operand's value.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum ImmValue {
    /// A `U8` immediate.
    U8(u8),
    /// A `U32` immediate.
    U32(u32),
    /// An `I32` immediate.
    I32(i32),
    /// An `F64` immediate.
    F64(f64),
}

impl ImmValue {
    /// The value as `u32` for `U8`/`U32` immediates (indices, counts, targets).
    pub fn as_u32(self) -> Option<u32> {
        match self {
            ImmValue::U8(v) => Some(v.into()),
            ImmValue::U32(v) => Some(v),
            ImmValue::I32(_) | ImmValue::F64(_) => None,
        }
    }
}

/// A decoded instruction: an opcode and its immediates (at most three).
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Instr {
    /// The opcode.
    pub op: Opcode,
    imms: [ImmValue; 3],
}

/// Why bytes could not be decoded as an instruction.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum DecodeError {
    /// The `u16` at this offset is no opcode.
    UnknownOpcode {
        /// Byte offset of the opcode.
        offset: usize,
        /// The number read.
        number: u16,
    },
    /// The instruction at this offset runs past the end of the code.
    Truncated {
        /// Byte offset of the opcode.
        offset: usize,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnknownOpcode { offset, number } => {
                write!(f, "unknown opcode 0x{number:04X} at offset {offset}")
            }
            DecodeError::Truncated { offset } => {
                write!(
                    f,
                    "instruction at offset {offset} runs past the end of the code"
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {}

impl Instr {
    /// An instruction with the given immediates. Panics when their number or kinds do
    /// not match the opcode's table row: building a wrong instruction is a bug in the
    /// caller (the assembler checks user text before calling this).
    pub fn new(op: Opcode, imms: &[ImmValue]) -> Instr {
        let kinds = op.immediates();
        assert_eq!(
            kinds.len(),
            imms.len(),
            "{op} takes {} immediates",
            kinds.len()
        );
        let mut stored = [ImmValue::U32(0); 3];
        for (i, (imm, value)) in kinds.iter().zip(imms).enumerate() {
            let fits = matches!(
                (imm.kind, value),
                (ImmKind::U8, ImmValue::U8(_))
                    | (ImmKind::U32, ImmValue::U32(_))
                    | (ImmKind::I32, ImmValue::I32(_))
                    | (ImmKind::F64, ImmValue::F64(_))
            );
            assert!(fits, "{op} immediate `{}` must be {:?}", imm.name, imm.kind);
            stored[i] = *value;
        }
        Instr { op, imms: stored }
    }

    /// An instruction without immediates.
    pub fn op(op: Opcode) -> Instr {
        Instr::new(op, &[])
    }

    /// An instruction with one `U32` immediate.
    pub fn u32(op: Opcode, a: u32) -> Instr {
        Instr::new(op, &[ImmValue::U32(a)])
    }

    /// The immediates, in encoding order.
    pub fn imms(&self) -> &[ImmValue] {
        &self.imms[..self.op.immediates().len()]
    }

    /// Immediate `i` as `u32` (0 when absent or not an unsigned kind).
    pub fn imm_u32(&self, i: usize) -> u32 {
        self.imms().get(i).and_then(|v| v.as_u32()).unwrap_or(0)
    }

    /// Appends the encoding to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.op.number().to_le_bytes());
        for value in self.imms() {
            match *value {
                ImmValue::U8(v) => out.push(v),
                ImmValue::U32(v) => out.extend_from_slice(&v.to_le_bytes()),
                ImmValue::I32(v) => out.extend_from_slice(&v.to_le_bytes()),
                ImmValue::F64(v) => out.extend_from_slice(&v.to_bits().to_le_bytes()),
            }
        }
    }

    /// Decodes the instruction at `offset` of `code`; returns it with its length.
    pub fn decode(code: &[u8], offset: usize) -> Result<(Instr, usize), DecodeError> {
        let truncated = DecodeError::Truncated { offset };
        let head = code
            .get(offset..offset.saturating_add(2))
            .filter(|h| h.len() == 2)
            .ok_or(truncated.clone())?;
        let number = u16::from_le_bytes([head[0], head[1]]);
        let op = Opcode::from_u16(number).ok_or(DecodeError::UnknownOpcode { offset, number })?;
        let len = op.encoded_len();
        let bytes = code
            .get(offset..offset.saturating_add(len))
            .filter(|b| b.len() == len)
            .ok_or(truncated)?;
        let mut at = 2;
        let mut imms = [ImmValue::U32(0); 3];
        for (slot, imm) in imms.iter_mut().zip(op.immediates()) {
            let field = &bytes[at..at + imm.kind.size()];
            *slot = match imm.kind {
                ImmKind::U8 => ImmValue::U8(field[0]),
                ImmKind::U32 => ImmValue::U32(u32::from_le_bytes(field.try_into().unwrap())),
                ImmKind::I32 => ImmValue::I32(i32::from_le_bytes(field.try_into().unwrap())),
                ImmKind::F64 => ImmValue::F64(f64::from_bits(u64::from_le_bytes(
                    field.try_into().unwrap(),
                ))),
            };
            at += imm.kind.size();
        }
        Ok((Instr { op, imms }, len))
    }

    /// Decodes a whole function body into `(offset, instruction)` pairs.
    pub fn decode_all(code: &[u8]) -> Result<Vec<(u32, Instr)>, DecodeError> {
        let mut out = Vec::new();
        let mut offset = 0;
        while offset < code.len() {
            let (instr, len) = Instr::decode(code, offset)?;
            out.push((offset as u32, instr));
            offset += len;
        }
        Ok(out)
    }
}

/// Encodes a sequence of instructions back to back.
pub fn encode_all(instrs: &[Instr]) -> Vec<u8> {
    let mut out = Vec::new();
    for instr in instrs {
        instr.encode(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_opcode_round_trips() {
        for &op in Opcode::ALL {
            let imms: Vec<ImmValue> = op
                .immediates()
                .iter()
                .enumerate()
                .map(|(i, imm)| match imm.kind {
                    ImmKind::U8 => ImmValue::U8(1),
                    ImmKind::U32 => ImmValue::U32(0xDEAD_0000 + i as u32),
                    ImmKind::I32 => ImmValue::I32(-7 - i as i32),
                    ImmKind::F64 => ImmValue::F64(-0.5),
                })
                .collect();
            let instr = Instr::new(op, &imms);
            let mut bytes = Vec::new();
            instr.encode(&mut bytes);
            assert_eq!(bytes.len(), op.encoded_len());
            let (back, len) = Instr::decode(&bytes, 0).unwrap();
            assert_eq!(len, bytes.len());
            assert_eq!(back, instr);
        }
    }

    #[test]
    fn bad_bytes_are_errors_not_panics() {
        assert_eq!(
            Instr::decode(&[], 0),
            Err(DecodeError::Truncated { offset: 0 })
        );
        assert_eq!(
            Instr::decode(&[0x17, 0x00, 1], 0),
            Err(DecodeError::Truncated { offset: 0 })
        );
        assert_eq!(
            Instr::decode(&[0xFF, 0xFF], 0),
            Err(DecodeError::UnknownOpcode {
                offset: 0,
                number: 0xFFFF
            })
        );
        assert!(Instr::decode(&[0, 0], usize::MAX - 1).is_err());
    }
}
