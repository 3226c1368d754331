//! Every instruction family: results and traps, one table per family.

use crate::common;

use common::{main_returning, ret, run, trap};
use prometeu_vm::{TrapCode, Value, VmConfig};

fn int_op(op: &str, a: i32, b: i32) -> String {
    main_returning("i32", &format!("PUSH_I32 {a}\nPUSH_I32 {b}\n{op}"))
}

#[test]
fn int_arithmetic_wraps_and_truncates() {
    let cases: &[(&str, i32, i32, i32)] = &[
        ("I_ADD", i32::MAX, 1, i32::MIN),
        ("I_SUB", i32::MIN, 1, i32::MAX),
        ("I_MUL", 65536, 65536, 0),
        ("I_DIV", -7, 2, -3),
        ("I_DIV", i32::MIN, -1, i32::MIN),
        ("I_REM", -7, 2, -1),
        ("I_REM", 7, -2, 1),
        ("I_REM", i32::MIN, -1, 0),
        ("I_AND", 0b1100, 0b1010, 0b1000),
        ("I_OR", 0b1100, 0b1010, 0b1110),
        ("I_XOR", 0b1100, 0b1010, 0b0110),
        ("I_SHL", 1, 33, 2),
        ("I_SHL", 1, 31, i32::MIN),
        ("I_SHR", -8, 1, -4),
        ("I_SHR", -8, 65, -4),
    ];
    for &(op, a, b, want) in cases {
        assert_eq!(ret(&int_op(op, a, b)), Value::Int(want), "{op} {a} {b}");
    }
    assert_eq!(
        ret(&main_returning("i32", "PUSH_I32 -2147483648\nI_NEG")),
        Value::Int(i32::MIN)
    );
    assert_eq!(trap(&int_op("I_DIV", 1, 0)), TrapCode::DivZero);
    assert_eq!(trap(&int_op("I_REM", 1, 0)), TrapCode::DivZero);
}

#[test]
fn comparisons_of_every_scalar_type() {
    let b = |op: &str, push: &str, x: &str, y: &str| {
        ret(&main_returning(
            "bool",
            &format!("{push} {x}\n{push} {y}\n{op}"),
        ))
    };
    let t = Value::Bool(true);
    let f = Value::Bool(false);
    assert_eq!(b("I_LT", "PUSH_I32", "-1", "0"), t);
    assert_eq!(b("I_GE", "PUSH_I32", "-1", "0"), f);
    assert_eq!(b("I_EQ", "PUSH_I32", "5", "5"), t);
    assert_eq!(b("I_NE", "PUSH_I32", "5", "5"), f);
    assert_eq!(b("I_LE", "PUSH_I32", "5", "5"), t);
    assert_eq!(b("I_GT", "PUSH_I32", "6", "5"), t);
    assert_eq!(b("F_EQ", "PUSH_F64", "NaN", "NaN"), f);
    assert_eq!(b("F_NE", "PUSH_F64", "NaN", "NaN"), t);
    assert_eq!(b("F_LT", "PUSH_F64", "-0.0", "0.0"), f);
    assert_eq!(b("F_LE", "PUSH_F64", "-0.0", "0.0"), t);
    assert_eq!(b("F_GT", "PUSH_F64", "inf", "1e300"), t);
    assert_eq!(b("F_GE", "PUSH_F64", "1.5", "2.5"), f);
    assert_eq!(b("B_LT", "PUSH_BOUNDED", "1", "65535"), t);
    assert_eq!(b("B_EQ", "PUSH_BOUNDED", "7", "7"), t);
    assert_eq!(b("B_NE", "PUSH_BOUNDED", "7", "7"), f);
    assert_eq!(b("B_LE", "PUSH_BOUNDED", "8", "7"), f);
    assert_eq!(b("B_GT", "PUSH_BOUNDED", "8", "7"), t);
    assert_eq!(b("B_GE", "PUSH_BOUNDED", "7", "7"), t);
    assert_eq!(b("BOOL_EQ", "PUSH_BOOL", "true", "false"), f);
    assert_eq!(b("BOOL_NE", "PUSH_BOOL", "true", "false"), t);
    assert_eq!(ret(&main_returning("bool", "PUSH_BOOL false\nNOT")), t);
    let s = |op: &str, x: u32, y: u32| {
        ret(&main_returning(
            "bool",
            &format!("PUSH_CONST {x}\nPUSH_CONST {y}\n{op}"),
        ))
    };
    // Constants: 0 "ab", 1 "abc", 2 "b".
    assert_eq!(s("S_LT", 0, 1), t);
    assert_eq!(s("S_LT", 1, 2), t, "bytewise: \"abc\" < \"b\"");
    assert_eq!(s("S_GT", 2, 1), t);
    assert_eq!(s("S_EQ", 0, 0), t);
    assert_eq!(s("S_NE", 0, 1), t);
    assert_eq!(s("S_LE", 1, 1), t);
    assert_eq!(s("S_GE", 0, 1), f);
}

#[test]
fn float_arithmetic_follows_ieee() {
    let fl = |op: &str, a: &str, b: &str| {
        ret(&main_returning(
            "f64",
            &format!("PUSH_F64 {a}\nPUSH_F64 {b}\n{op}"),
        ))
    };
    assert_eq!(fl("F_ADD", "0.1", "0.2"), Value::Float(0.1 + 0.2));
    assert_eq!(fl("F_SUB", "1.0", "2.5"), Value::Float(-1.5));
    assert_eq!(fl("F_MUL", "1e308", "10.0"), Value::Float(f64::INFINITY));
    assert_eq!(fl("F_DIV", "1.0", "0.0"), Value::Float(f64::INFINITY));
    assert_eq!(fl("F_REM", "-7.5", "2.0"), Value::Float(-1.5));
    assert!(matches!(fl("F_DIV", "0.0", "0.0"), Value::Float(v) if v.is_nan()));
    assert_eq!(
        ret(&main_returning("f64", "PUSH_F64 2.0\nF_NEG")),
        Value::Float(-2.0)
    );
}

#[test]
fn bounded_arithmetic_traps_out_of_range() {
    let bo = |op: &str, a: u32, b: u32| {
        main_returning("u16", &format!("PUSH_BOUNDED {a}\nPUSH_BOUNDED {b}\n{op}"))
    };
    let ok: &[(&str, u32, u32, u16)] = &[
        ("B_ADD", 65534, 1, 65535),
        ("B_SUB", 5, 5, 0),
        ("B_MUL", 255, 257, 65535),
        ("B_DIV", 7, 2, 3),
        ("B_REM", 7, 2, 1),
        ("B_AND", 0xF0F0, 0xFF00, 0xF000),
        ("B_OR", 0xF0F0, 0x0F00, 0xFFF0),
        ("B_XOR", 0xFFFF, 0x00FF, 0xFF00),
        ("B_SHL", 1, 15, 0x8000),
        ("B_SHL", 0, 31, 0),
        ("B_SHR", 0x8000, 15, 1),
        ("B_SHR", 0x8000, 33, 0x4000),
    ];
    for &(op, a, b, want) in ok {
        assert_eq!(ret(&bo(op, a, b)), Value::Bounded(want), "{op} {a} {b}");
    }
    let traps: &[(&str, u32, u32, TrapCode)] = &[
        ("B_ADD", 65535, 1, TrapCode::BoundedOverflow),
        ("B_SUB", 0, 1, TrapCode::BoundedOverflow),
        ("B_MUL", 256, 256, TrapCode::BoundedOverflow),
        ("B_SHL", 1, 16, TrapCode::BoundedOverflow),
        ("B_DIV", 1, 0, TrapCode::DivZero),
        ("B_REM", 1, 0, TrapCode::DivZero),
    ];
    for &(op, a, b, want) in traps {
        assert_eq!(trap(&bo(op, a, b)), want, "{op} {a} {b}");
    }
}

#[test]
fn conversions_saturate_or_trap() {
    let f2i = |v: &str| ret(&main_returning("i32", &format!("PUSH_F64 {v}\nF2I")));
    assert_eq!(f2i("-2.9"), Value::Int(-2));
    assert_eq!(f2i("1e20"), Value::Int(i32::MAX));
    assert_eq!(f2i("-inf"), Value::Int(i32::MIN));
    assert_eq!(f2i("NaN"), Value::Int(0));
    let f2b = |v: &str| main_returning("u16", &format!("PUSH_F64 {v}\nF2B"));
    assert_eq!(ret(&f2b("65535.9")), Value::Bounded(65535));
    assert_eq!(ret(&f2b("-0.5")), Value::Bounded(0));
    assert_eq!(trap(&f2b("65536.0")), TrapCode::Cast);
    assert_eq!(trap(&f2b("-1.0")), TrapCode::Cast);
    assert_eq!(trap(&f2b("NaN")), TrapCode::Cast);
    let i2b = |v: i32| main_returning("u16", &format!("PUSH_I32 {v}\nI2B"));
    assert_eq!(ret(&i2b(65535)), Value::Bounded(65535));
    assert_eq!(trap(&i2b(65536)), TrapCode::Cast);
    assert_eq!(trap(&i2b(-1)), TrapCode::Cast);
    assert_eq!(
        ret(&main_returning("f64", "PUSH_I32 -3\nI2F")),
        Value::Float(-3.0)
    );
    assert_eq!(
        ret(&main_returning("i32", "PUSH_BOUNDED 65535\nB2I")),
        Value::Int(65535)
    );
    assert_eq!(
        ret(&main_returning("f64", "PUSH_BOUNDED 7\nB2F")),
        Value::Float(7.0)
    );
}

#[test]
fn strings_concatenate_measure_and_print() {
    let s = |body: &str| ret(&main_returning("str", body));
    assert_eq!(
        s("PUSH_CONST 0\nPUSH_CONST 2\nSTR_CONCAT"),
        Value::Str("abb".into())
    );
    assert_eq!(s("PUSH_I32 -42\nI2S"), Value::Str("-42".into()));
    assert_eq!(s("PUSH_BOUNDED 65535\nB2S"), Value::Str("65535".into()));
    assert_eq!(s("PUSH_BOOL true\nBOOL2S"), Value::Str("true".into()));
    assert_eq!(s("PUSH_BOOL false\nBOOL2S"), Value::Str("false".into()));
    assert_eq!(s("PUSH_F64 3.0\nF2S"), Value::Str("3.0".into()));
    assert_eq!(s("PUSH_F64 0.25\nF2S"), Value::Str("0.25".into()));
    assert_eq!(
        s("PUSH_F64 0.1\nPUSH_F64 0.2\nF_ADD\nF2S"),
        Value::Str("0.30000000000000004".into())
    );
    assert_eq!(s("PUSH_F64 -inf\nF2S"), Value::Str("-inf".into()));
    assert_eq!(s("PUSH_F64 NaN\nF2S"), Value::Str("NaN".into()));
    assert_eq!(
        s("PUSH_I32 12\nI2S\nPUSH_CONST 1\nSTR_CONCAT\nPUSH_I32 3\nI2S\nSTR_CONCAT"),
        Value::Str("12abc3".into())
    );
    assert_eq!(
        ret(&main_returning(
            "i32",
            "PUSH_CONST 1\nPUSH_I32 77\nI2S\nSTR_CONCAT\nSTR_LEN"
        )),
        Value::Int(5)
    );
}

#[test]
fn stack_instructions_move_slots() {
    assert_eq!(
        ret(&main_returning(
            "i32",
            "PUSH_I32 1\nPUSH_I32 2\nSWAP\nI_SUB"
        )),
        Value::Int(1)
    );
    assert_eq!(
        ret(&main_returning("i32", "PUSH_I32 3\nDUP\nI_MUL")),
        Value::Int(9)
    );
    assert_eq!(
        ret(&main_returning(
            "i32",
            "PUSH_I32 10\nPUSH_I32 4\nDUP_N 2\nI_SUB\nPOP_N 1\nI_SUB\nNOP\nBREAK"
        )),
        Value::Int(6)
    );
    assert_eq!(
        ret(&main_returning("i32", "PUSH_I32 5\nPUSH_I32 6\nPOP")),
        Value::Int(5)
    );
}

#[test]
fn locals_globals_and_indexed_arrays() {
    let text = "
.global i32 40
.global i32 0
.global i32 0
.global i32 0
.func main returns=(i32) locals=6
    ; locals 0..6: an array [int; 3] of stride 2 would not fit; use [int; 3] at 1..4
    PUSH_I32 1
    PUSH_I32 2
    PUSH_I32 3
    SET_LOCAL_N 1 3
    PUSH_I32 2
    PUSH_I32 30
    SET_LOCAL_IDX 1 3 1
    PUSH_I32 2
    GET_LOCAL_IDX 1 3 1
    GET_LOCAL_N 1 2
    I_ADD
    I_ADD
    SET_LOCAL 0
    GET_GLOBAL 0
    GET_LOCAL 0
    I_ADD
    SET_GLOBAL 1
    PUSH_I32 0
    PUSH_I32 7
    PUSH_I32 8
    SET_GLOBAL_IDX 2 1 2
    GET_GLOBAL_N 1 3
    I_ADD
    I_ADD
    PUSH_I32 0
    GET_GLOBAL_IDX 2 1 2
    I_ADD
    I_ADD
    RET
.export main main
";
    // local0 = 30 + 1 + 2 = 33; g1 = 73; g2,g3 = 7,8; 73+7+8 + (7+8) = 103.
    assert_eq!(ret(text), Value::Int(103));
    let init = "PUSH_I32 0\nDUP\nDUP\nSET_LOCAL_N 0 3\n";
    let oob = main_returning("i32", &format!("{init}PUSH_I32 3\nGET_LOCAL_IDX 0 3 1"));
    assert_eq!(trap(&oob), TrapCode::Oob);
    let neg = main_returning("i32", &format!("{init}PUSH_I32 -1\nGET_LOCAL_IDX 0 3 1"));
    assert_eq!(trap(&neg), TrapCode::Oob);
}

#[test]
fn control_flow_jumps_and_explicit_traps() {
    let text = "
.func main returns=(i32) locals=2
    PUSH_I32 0
    SET_LOCAL 0
loop:
    GET_LOCAL 0
    PUSH_I32 10
    I_GE
    JMP_IF_TRUE done
    GET_LOCAL 0
    PUSH_I32 1
    I_ADD
    SET_LOCAL 0
    PUSH_BOOL false
    JMP_IF_FALSE loop
    TRAP 6
done:
    GET_LOCAL 0
    RET
.export main main
";
    assert_eq!(ret(text), Value::Int(10));
    assert_eq!(trap(&main_returning("i32", "TRAP 6")), TrapCode::Explicit);
    // `TRAP` raises exactly the code of the table it names; the verifier admits no
    // other code, so the VM never sees one.
    for &code in TrapCode::ALL {
        let text = main_returning("i32", &format!("TRAP {}", code.code()));
        assert_eq!(trap(&text), code);
    }
    let unknown = common::asm(&main_returning("i32", "TRAP 0x42"));
    assert!(prometeu_bytecode::verify_program(&unknown, &common::ConsoleTable).is_err());
    assert_eq!(
        run(".func main\n    HALT\n.export main main\n").result,
        Ok(vec![Value::Str("<halt>".into())])
    );
}

#[test]
fn calls_pass_arguments_and_return_several_slots() {
    // `fib` from the shared program, `divmod` returning two slots.
    let text = concat!(
        "
.func main returns=(i32) locals=0
    PUSH_I32 20
    CALL fib
    PUSH_I32 7
    PUSH_I32 3
    CALL divmod
    I_MUL
    I_ADD
    RET
.func divmod params=(i32, i32) returns=(i32, i32) locals=1
    GET_LOCAL 0
    GET_LOCAL 1
    I_DIV
    GET_LOCAL 0
    GET_LOCAL 1
    I_REM
    RET
",
        include_str!("programs/fibs.asm")
    );
    assert_eq!(ret(text), Value::Int(6765 + 2));
}

/// `fib(20)` by a function without locals (the fast loop's inlined call) and by one with
/// a local (its out-of-line call), each calling itself 21,890 times.
const TWO_FIBS: &str = concat!(
    "
.func main returns=(i32) locals=0
    PUSH_I32 20
    CALL fib
    PUSH_I32 20
    CALL fibl
    I_ADD
    RET
",
    include_str!("programs/fibs.asm")
);

#[test]
fn calls_are_counted_exactly_when_asked_whatever_the_loop_and_budget() {
    // fib(n) enters fib 2·F(n+1) − 1 times: 21,891 for n = 20.
    let want = [1, 21_891, 21_891];
    for register_forms in [true, false] {
        for budget in [u64::MAX, 1_000, 7] {
            let config = VmConfig {
                register_forms,
                ..VmConfig::default()
            };
            let mut vm = common::verified_vm(&common::asm(TWO_FIBS), config);
            assert_eq!(vm.call_counts(), &[] as &[u64], "not counting by default");
            vm.count_calls();
            let (vm, run) = common::run_vm(vm, budget);
            assert_eq!(run.result, Ok(vec![Value::Int(2 * 6765)]));
            assert_eq!(
                vm.call_counts(),
                &want,
                "register forms {register_forms}, budget {budget}"
            );
        }
    }
    // Counting changes no result and no cycle.
    let plain = run(TWO_FIBS);
    let mut vm = common::verified_vm(&common::asm(TWO_FIBS), VmConfig::default());
    vm.count_calls();
    let (_, counted) = common::run_vm(vm, u64::MAX);
    assert_eq!(
        (plain.result, plain.cycles),
        (counted.result, counted.cycles)
    );
}
