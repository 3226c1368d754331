//! Superinstructions (`load::fuse`) change neither results nor cycle totals nor where
//! a cycle budget can stop the program. A budget of one cycle runs exactly one
//! original instruction per `run` (no fused run ever fits), so it is the unfused
//! reference every other budget is compared with.

mod common;

use std::sync::OnceLock;

use common::{Run, asm, run_with};
use prometeu_bytecode::Program;
use prometeu_vm::{Value, VmConfig};
use proptest::prelude::*;

/// A loop that goes through every fused pattern: compare-and-branch after two
/// locals, after a local and a literal, after a literal and after any int pair, for
/// each comparison; `local ± literal` with and without a store back; int and float
/// arithmetic on one or two locals; list pushes.
fn program() -> &'static Program {
    static PROGRAM: OnceLock<Program> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let mut body = String::new();
        for (k, cmp) in ["I_EQ", "I_NE", "I_LT", "I_LE", "I_GT", "I_GE"]
            .iter()
            .enumerate()
        {
            body.push_str(&format!(
                "    GET_LOCAL 0
    PUSH_I32 {k}
    {cmp}
    JMP_IF_FALSE a{k}
    GET_LOCAL 1
    PUSH_I32 {add}
    I_ADD
    SET_LOCAL 1
a{k}:
    GET_LOCAL 0
    PUSH_I32 7
    I_REM
    PUSH_I32 3
    {cmp}
    JMP_IF_FALSE b{k}
    GET_LOCAL 1
    PUSH_I32 5
    I_SUB
    SET_LOCAL 1
b{k}:
    GET_LOCAL 1
    GET_LOCAL 0
    {cmp}
    JMP_IF_FALSE c{k}
    GET_LOCAL 1
    PUSH_I32 3
    I_XOR
    SET_LOCAL 1
c{k}:
    GET_LOCAL 0
    PUSH_I32 2
    I_MUL
    GET_LOCAL 1
    PUSH_I32 100
    I_REM
    {cmp}
    JMP_IF_FALSE d{k}
    GET_LOCAL 1
    PUSH_I32 1
    I_SUB
    PUSH_I32 2
    I_MUL
    SET_LOCAL 1
d{k}:
",
                add = 11 + k
            ));
        }
        asm(&format!(
            "
.layout list (i32)
.func main returns=(i32, i32) locals=5
    LIST_NEW 0
    SET_LOCAL 2
    PUSH_I32 300
    SET_LOCAL 3
    PUSH_I32 0
    SET_LOCAL 0
    PUSH_I32 1
    SET_LOCAL 1
loop:
    GET_LOCAL 0
    GET_LOCAL 3
    I_LT
    JMP_IF_FALSE done
{body}    GET_LOCAL 1
    GET_LOCAL 0
    I_SUB
    GET_LOCAL 0
    I_MUL
    GET_LOCAL 1
    GET_LOCAL 0
    I_MUL
    I_ADD
    GET_LOCAL 0
    I_ADD
    GET_LOCAL 1
    GET_LOCAL 0
    I_ADD
    GET_LOCAL 1
    I_SUB
    I_XOR
    PUSH_I32 65535
    I_AND
    SET_LOCAL 1
    GET_LOCAL 0
    I2F
    PUSH_F64 0.5
    F_MUL
    SET_LOCAL 4
    GET_LOCAL 4
    GET_LOCAL 4
    F_MUL
    GET_LOCAL 4
    F_ADD
    GET_LOCAL 4
    GET_LOCAL 4
    F_SUB
    F_SUB
    GET_LOCAL 4
    GET_LOCAL 4
    F_ADD
    GET_LOCAL 4
    F_SUB
    GET_LOCAL 4
    F_MUL
    F_ADD
    F2I
    GET_LOCAL 1
    I_ADD
    PUSH_I32 65535
    I_AND
    SET_LOCAL 1
    GET_LOCAL 2
    GET_LOCAL 1
    LIST_PUSH
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    JMP loop
done:
    GET_LOCAL 1
    GET_LOCAL 2
    LIST_LEN
    RET
.export main main
"
        ))
    })
}

fn run(budget: u64) -> Run {
    run_with(program(), VmConfig::default(), budget).1
}

/// One original instruction per `run`: what the unfused code does.
fn reference() -> &'static Run {
    static REFERENCE: OnceLock<Run> = OnceLock::new();
    REFERENCE.get_or_init(|| run(1))
}

#[test]
fn fused_code_matches_one_instruction_at_a_time() {
    let whole = run(u64::MAX);
    assert_eq!(&whole, reference());
    let Ok(values) = &whole.result else {
        panic!("{whole:?}");
    };
    assert_eq!(values[1], Value::Int(300), "one push per iteration");
    assert!(matches!(values[0], Value::Int(v) if v != 0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_budget_split_matches_the_unfused_run(budget in 1u64..400) {
        prop_assert_eq!(&run(budget), reference());
    }
}
