//! Test-only generators: arbitrary programs (any content, for the container and text
//! round trips) and random well-typed programs (which must always verify).
#![allow(dead_code)]

use proptest::prelude::*;

use prometeu_bytecode::{
    Constant, DebugFunction, DebugInfo, Export, Function, Global, GlobalInit, ImmKind, ImmValue,
    Instr, Layout, LayoutKind, LineRun, Opcode, Program, SlotKind, SyscallRef,
};

pub fn kind() -> impl Strategy<Value = SlotKind> {
    prop_oneof![
        Just(SlotKind::I32),
        Just(SlotKind::F64),
        Just(SlotKind::U16),
        Just(SlotKind::Bool),
        Just(SlotKind::Str),
        (0u32..4).prop_map(SlotKind::Ref),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_.]{0,8}",
        ".{0,6}",
        Just("quote \" back \\ nl \n tab \t ctl \u{1} é".to_owned()),
    ]
}

fn f64_any() -> impl Strategy<Value = f64> {
    prop_oneof![any::<f64>(), any::<u64>().prop_map(f64::from_bits)]
}

fn constant() -> impl Strategy<Value = Constant> {
    prop_oneof![
        any::<i32>().prop_map(Constant::I32),
        f64_any().prop_map(Constant::F64),
        any::<u16>().prop_map(Constant::U16),
        text().prop_map(Constant::Str),
    ]
}

fn global() -> impl Strategy<Value = Global> {
    (kind(), any::<i32>(), f64_any(), any::<u16>(), any::<bool>()).prop_map(|(kind, i, f, u, b)| {
        let init = match kind {
            SlotKind::I32 => GlobalInit::I32(i),
            SlotKind::F64 => GlobalInit::F64(f),
            SlotKind::U16 => GlobalInit::U16(u),
            SlotKind::Bool => GlobalInit::Bool(b),
            SlotKind::Str | SlotKind::Ref(_) => GlobalInit::Empty,
        };
        Global { kind, init }
    })
}

/// One instruction with arbitrary immediates (jump targets small, so some land).
fn instr() -> impl Strategy<Value = Instr> {
    (
        0..Opcode::ALL.len(),
        0u32..48,
        any::<u32>(),
        any::<i32>(),
        f64_any(),
        any::<u8>(),
    )
        .prop_map(|(i, small, big, int, float, byte)| {
            let op = Opcode::ALL[i];
            let imms: Vec<ImmValue> = op
                .immediates()
                .iter()
                .enumerate()
                .map(|(n, imm)| match imm.kind {
                    ImmKind::U8 => ImmValue::U8(byte),
                    ImmKind::U32 if n == 0 && (op.is_jump() || op == Opcode::Call) => {
                        ImmValue::U32(small)
                    }
                    ImmKind::U32 => ImmValue::U32(if n == 0 { big % 5 } else { big }),
                    ImmKind::I32 => ImmValue::I32(int),
                    ImmKind::F64 => ImmValue::F64(float),
                })
                .collect();
            Instr::new(op, &imms)
        })
}

/// A function body: mostly whole instructions, sometimes raw bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(instr(), 0..8).prop_map(|is| prometeu_bytecode::encode_all(&is)),
        1 => prop::collection::vec(any::<u8>(), 0..12),
    ]
}

fn debug() -> impl Strategy<Value = DebugInfo> {
    (
        prop::collection::vec(text(), 0..3),
        prop::collection::vec((0u32..64, 0u32..3, any::<u32>(), any::<u32>()), 0..4),
        prop::collection::vec(
            (
                0u32..5,
                text(),
                prop::collection::vec((any::<u16>(), text()), 0..3),
            ),
            0..3,
        ),
    )
        .prop_map(|(files, lines, functions)| DebugInfo {
            files,
            lines: lines
                .into_iter()
                .map(|(pc, file, start, end)| LineRun {
                    pc,
                    file,
                    start,
                    end,
                })
                .collect(),
            functions: functions
                .into_iter()
                .map(|(index, name, locals)| DebugFunction {
                    index,
                    name,
                    locals,
                })
                .collect(),
        })
}

/// Any program the container can represent, with functions tiling `CODE`.
pub fn program() -> impl Strategy<Value = Program> {
    (
        any::<u16>(),
        prop::collection::vec(constant(), 0..5),
        prop::collection::vec(
            (
                prop::collection::vec(kind(), 0..3),
                any::<u16>(),
                prop::collection::vec(kind(), 0..3),
                any::<u16>(),
                body(),
            ),
            0..4,
        ),
        prop::collection::vec(global(), 0..4),
        prop::collection::vec((any::<bool>(), prop::collection::vec(kind(), 0..4)), 0..3),
        prop::collection::vec((text(), 0u32..5), 0..3),
        prop::collection::vec(any::<(u32, u16, u16)>(), 0..3),
        prop::option::of(debug()),
    )
        .prop_map(
            |(flags, constants, funcs, globals, layouts, exports, syscalls, debug)| {
                let mut code = Vec::new();
                let functions = funcs
                    .into_iter()
                    .map(|(params, local_slots, returns, max_stack, body)| {
                        let f = Function {
                            code_offset: code.len() as u32,
                            code_len: body.len() as u32,
                            params,
                            local_slots,
                            returns,
                            max_stack,
                        };
                        code.extend_from_slice(&body);
                        f
                    })
                    .collect();
                Program {
                    flags,
                    constants,
                    functions,
                    code,
                    globals,
                    layouts: layouts
                        .into_iter()
                        .map(|(list, slots)| Layout {
                            kind: if list {
                                LayoutKind::List
                            } else {
                                LayoutKind::Ref
                            },
                            slots,
                        })
                        .collect(),
                    exports: exports
                        .into_iter()
                        .map(|(name, func)| Export { name, func })
                        .collect(),
                    syscalls: syscalls
                        .into_iter()
                        .map(|(id, arg_slots, ret_slots)| SyscallRef {
                            id,
                            arg_slots,
                            ret_slots,
                        })
                        .collect(),
                    debug,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------
// Well-typed programs, written as assembly text

use SlotKind::{Bool as B, F64 as F, I32 as I, Str as S, U16 as U};

/// The prelude every generated program shares.
const PRELUDE: &str = "\
.const i32 7
.const f64 0.5
.const u16 9
.const str \"s\"
.layout ref (i32, str)
.layout list (i32)
.layout list (ref0)
.global i32 1
.global f64 2.0
.global bool true
.global str
.global ref0
.syscall 0x0010 args=0 rets=1
.syscall 0x5001 args=1 rets=0
";
const GLOBALS: [SlotKind; 5] = [I, F, B, S, SlotKind::Ref(0)];
const KINDS: [SlotKind; 8] = [
    I,
    F,
    U,
    B,
    S,
    SlotKind::Ref(0),
    SlotKind::Ref(1),
    SlotKind::Ref(2),
];

/// Builds one well-typed program from a stream of choices.
pub struct WellTyped {
    choices: Vec<u32>,
    at: usize,
    out: String,
    labels: usize,
    /// `(params, returns)` of the functions written so far.
    sigs: Vec<(Vec<SlotKind>, Vec<SlotKind>)>,
}

struct Frame {
    stack: Vec<SlotKind>,
    locals: Vec<SlotKind>,
    budget: usize,
}

impl WellTyped {
    pub fn program(choices: Vec<u32>, functions: usize) -> String {
        let mut g = WellTyped {
            choices,
            at: 0,
            out: PRELUDE.to_owned(),
            labels: 0,
            sigs: Vec::new(),
        };
        for i in 0..functions.max(1) {
            g.function(i);
        }
        g.out
            .push_str(&format!(".export \"main\" f{}\n", functions.max(1) - 1));
        g.out
    }

    fn pick(&mut self, n: usize) -> usize {
        let c = self.choices.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        c as usize % n.max(1)
    }

    fn emit(&mut self, line: &str) {
        self.out.push_str("    ");
        self.out.push_str(line);
        self.out.push('\n');
    }

    fn label(&mut self) -> String {
        self.labels += 1;
        format!("L{}", self.labels)
    }

    fn kinds(&mut self, max: usize) -> Vec<SlotKind> {
        let n = self.pick(max + 1);
        (0..n).map(|_| KINDS[self.pick(KINDS.len())]).collect()
    }

    fn function(&mut self, index: usize) {
        let params = self.kinds(3);
        let returns = self.kinds(2);
        let extra = self.kinds(4);
        let names = |ks: &[SlotKind]| {
            ks.iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Every function gets one more local, an int loop counter.
        self.out.push_str(&format!(
            "\n.func f{index} params=({}) returns=({})\n",
            names(&params),
            names(&returns)
        ));
        let mut locals = params.clone();
        locals.extend(&extra);
        locals.push(I);
        let mut f = Frame {
            stack: Vec::new(),
            locals,
            budget: 40,
        };
        for slot in params.len()..f.locals.len() {
            let k = f.locals[slot];
            self.push_value(&mut f, k);
            self.emit(&format!("SET_LOCAL {slot}"));
            f.stack.pop();
        }
        self.block(&mut f, 0, 2);
        while f.stack.pop().is_some() {
            self.emit("POP");
        }
        for &k in &returns {
            self.push_value(&mut f, k);
        }
        self.emit("RET");
        self.sigs.push((params, returns));
    }

    /// Pushes some value of kind `k`.
    fn push_value(&mut self, f: &mut Frame, k: SlotKind) {
        let alt = self.pick(2) == 0;
        let line = match k {
            I if alt => "PUSH_CONST 0".to_owned(),
            I => format!("PUSH_I32 {}", self.pick(1000) as i32 - 500),
            F if alt => "PUSH_CONST 1".to_owned(),
            F => format!("PUSH_F64 {}", self.pick(100) as f64 / 4.0),
            U if alt => "PUSH_CONST 2".to_owned(),
            U => format!("PUSH_BOUNDED {}", self.pick(65536)),
            B => format!("PUSH_BOOL {}", alt),
            S => "PUSH_CONST 3".to_owned(),
            SlotKind::Ref(0) if alt => {
                self.emit("PUSH_I32 1");
                self.emit("PUSH_CONST 3");
                "ALLOC 0".to_owned()
            }
            SlotKind::Ref(0) => "PUSH_NULL 0".to_owned(),
            SlotKind::Ref(t) => format!("LIST_NEW {t}"),
        };
        self.emit(&line);
        f.stack.push(k);
    }

    /// Random statements; never pops below `floor`; ends with the stack at `floor`.
    fn block(&mut self, f: &mut Frame, floor: usize, depth: usize) {
        let steps = self.pick(12);
        for _ in 0..steps {
            if f.budget == 0 {
                break;
            }
            f.budget -= 1;
            self.step(f, floor, depth);
        }
        while f.stack.len() > floor {
            f.stack.pop();
            self.emit("POP");
        }
    }

    fn top(f: &Frame, floor: usize, n: usize) -> Option<&[SlotKind]> {
        (f.stack.len() >= floor + n).then(|| &f.stack[f.stack.len() - n..])
    }

    fn step(&mut self, f: &mut Frame, floor: usize, depth: usize) {
        let choice = self.pick(16);
        let top1 = Self::top(f, floor, 1).map(|t| t[0]);
        let top2 = Self::top(f, floor, 2).map(|t| (t[0], t[1]));
        match choice {
            0 => {
                let k = KINDS[self.pick(KINDS.len())];
                self.push_value(f, k);
            }
            1 => match top2 {
                Some((a, b)) if a == b && matches!(a, I | F | U | S | B) => {
                    let ops: &[&str] = match a {
                        I => &[
                            "I_ADD", "I_SUB", "I_MUL", "I_AND", "I_OR", "I_XOR", "I_SHL", "I_SHR",
                            "I_LT", "I_EQ",
                        ],
                        F => &["F_ADD", "F_SUB", "F_MUL", "F_DIV", "F_REM", "F_GE"],
                        U => &["B_AND", "B_OR", "B_XOR", "B_SHR", "B_NE", "B_LE"],
                        S => &["STR_CONCAT", "STR_CONCAT_N 2", "S_EQ", "S_LT"],
                        _ => &["BOOL_EQ", "BOOL_NE"],
                    };
                    let op = ops[self.pick(ops.len())];
                    self.emit(op);
                    f.stack.truncate(f.stack.len() - 2);
                    // Arithmetic keeps the operand kind; comparisons push bool.
                    let result = match op {
                        "I_ADD" | "I_SUB" | "I_MUL" | "I_AND" | "I_OR" | "I_XOR" | "I_SHL"
                        | "I_SHR" => I,
                        "F_ADD" | "F_SUB" | "F_MUL" | "F_DIV" | "F_REM" => F,
                        "B_AND" | "B_OR" | "B_XOR" | "B_SHR" => U,
                        "STR_CONCAT" | "STR_CONCAT_N 2" => S,
                        _ => B,
                    };
                    f.stack.push(result);
                }
                _ => self.push_value(f, I),
            },
            2 => match top1 {
                Some(k @ (I | F | U | B)) => {
                    let (op, to) = match k {
                        I => [("I2F", F), ("I2S", S), ("I_NEG", I)][self.pick(3)],
                        F => [("F2I", I), ("F2S", S), ("F_NEG", F)][self.pick(3)],
                        U => [("B2I", I), ("B2F", F), ("B2S", S)][self.pick(3)],
                        _ => [("NOT", B), ("BOOL2S", S)][self.pick(2)],
                    };
                    self.emit(op);
                    f.stack.pop();
                    f.stack.push(to);
                }
                Some(S) => {
                    self.emit("STR_LEN");
                    f.stack.pop();
                    f.stack.push(I);
                }
                _ => self.push_value(f, S),
            },
            3 => {
                let slot = self.pick(f.locals.len());
                self.emit(&format!("GET_LOCAL {slot}"));
                f.stack.push(f.locals[slot]);
            }
            4 => match top1 {
                Some(k) => match f.locals.iter().position(|&l| l == k) {
                    Some(slot) if slot + 1 != f.locals.len() => {
                        self.emit(&format!("SET_LOCAL {slot}"));
                        f.stack.pop();
                    }
                    _ => {
                        self.emit("DUP");
                        f.stack.push(k);
                    }
                },
                None => self.push_value(f, B),
            },
            5 => {
                let g = self.pick(GLOBALS.len());
                self.emit(&format!("GET_GLOBAL {g}"));
                f.stack.push(GLOBALS[g]);
                if self.pick(2) == 0 {
                    self.emit(&format!("SET_GLOBAL {g}"));
                    f.stack.pop();
                }
            }
            6 => match top2 {
                Some((a, b)) => {
                    self.emit("SWAP");
                    let n = f.stack.len();
                    f.stack[n - 2] = b;
                    f.stack[n - 1] = a;
                }
                None => self.push_value(f, F),
            },
            7 => match top1 {
                Some(SlotKind::Ref(0)) => match self.pick(4) {
                    0 => {
                        self.emit("PEEK");
                        f.stack.pop();
                        f.stack.extend([I, S]);
                    }
                    1 => {
                        self.emit("GATE_LOAD 1 1");
                        f.stack.pop();
                        f.stack.push(S);
                    }
                    2 => {
                        self.emit("BORROW_BEGIN");
                        self.emit("BORROW_END");
                        f.stack.pop();
                    }
                    _ => {
                        self.emit("MUTATE_BEGIN");
                        self.emit("PUSH_I32 3");
                        self.emit("GATE_STORE 0 1");
                        f.stack.pop();
                    }
                },
                Some(SlotKind::Ref(1)) => match self.pick(3) {
                    0 => {
                        self.emit("DUP");
                        self.emit("PUSH_I32 5");
                        self.emit("LIST_PUSH 1");
                    }
                    1 => {
                        self.emit("LIST_POP");
                        f.stack.pop();
                        f.stack.extend([B, I]);
                    }
                    _ => {
                        self.emit("LIST_LEN");
                        f.stack.pop();
                        f.stack.push(I);
                    }
                },
                Some(SlotKind::Ref(2)) => {
                    self.emit("DUP");
                    self.emit("PUSH_NULL 0");
                    self.emit("LIST_PUSH 2");
                }
                _ => {
                    let t = self.pick(3) as u32;
                    self.push_value(f, SlotKind::Ref(t));
                }
            },
            8 if !self.sigs.is_empty() => {
                let callee = self.pick(self.sigs.len());
                let (params, returns) = self.sigs[callee].clone();
                for k in params {
                    self.push_value(f, k);
                }
                self.emit(&format!("CALL f{callee}"));
                let n = f.stack.len() - self.sigs[callee].0.len();
                f.stack.truncate(n);
                f.stack.extend(returns);
            }
            9 => {
                if self.pick(2) == 0 {
                    self.emit("SYSCALL 0x0010");
                    f.stack.push(I);
                } else {
                    self.emit("PUSH_CONST 3");
                    self.emit("SYSCALL 0x5001");
                }
            }
            10 if depth > 0 => {
                // if / else, each arm balanced
                let (other, end) = (self.label(), self.label());
                self.push_value(f, B);
                self.emit(&format!("JMP_IF_FALSE {other}"));
                f.stack.pop();
                let h = f.stack.len();
                self.block(f, h, depth - 1);
                self.emit(&format!("JMP {end}"));
                self.out.push_str(&format!("{other}:\n"));
                self.block(f, h, depth - 1);
                self.out.push_str(&format!("{end}:\n"));
            }
            11 if depth > 0 => {
                // for counter in 0..n (the counter is the last local)
                let counter = f.locals.len() - 1;
                let (top, exit) = (self.label(), self.label());
                let n = self.pick(4);
                self.emit("PUSH_I32 0");
                self.emit(&format!("SET_LOCAL {counter}"));
                self.out.push_str(&format!("{top}:\n"));
                self.emit(&format!("GET_LOCAL {counter}"));
                self.emit(&format!("PUSH_I32 {n}"));
                self.emit("I_LT");
                self.emit(&format!("JMP_IF_FALSE {exit}"));
                let h = f.stack.len();
                self.block(f, h, depth - 1);
                self.emit(&format!("GET_LOCAL {counter}"));
                self.emit("PUSH_I32 1");
                self.emit("I_ADD");
                self.emit(&format!("SET_LOCAL {counter}"));
                self.emit(&format!("JMP {top}"));
                self.out.push_str(&format!("{exit}:\n"));
            }
            12 => {
                self.emit("FRAME_SYNC");
            }
            13 => match Self::top(f, floor, 2) {
                Some(_) => {
                    self.emit("DUP_N 2");
                    let n = f.stack.len();
                    let top: Vec<SlotKind> = f.stack[n - 2..].to_vec();
                    f.stack.extend(top);
                }
                None => self.push_value(f, U),
            },
            14 => {
                self.emit("PUSH_I32 0");
                self.emit("GET_GLOBAL_IDX 0 1 1");
                f.stack.push(I);
            }
            _ => {
                if Self::top(f, floor, 1).is_some() {
                    self.emit("POP");
                    f.stack.pop();
                } else {
                    self.emit("NOP");
                }
            }
        }
    }
}
