; Recursive Fibonacci, a call and a return every 9 or so instructions: `fib` has no
; locals (the fast loop's inlined call), `fibl` one (its out-of-line call). Shared by
; the call-counting test (tests/instructions.rs) and the call benchmark
; (benches/dispatch.rs), each with its own `main`.
.func fib params=(i32) returns=(i32) locals=0
    GET_LOCAL 0
    PUSH_I32 2
    I_LT
    JMP_IF_FALSE rec
    GET_LOCAL 0
    RET
rec:
    GET_LOCAL 0
    PUSH_I32 1
    I_SUB
    CALL fib
    GET_LOCAL 0
    PUSH_I32 2
    I_SUB
    CALL fib
    I_ADD
    RET
.func fibl params=(i32) returns=(i32) locals=1
    GET_LOCAL 0
    PUSH_I32 2
    I_LT
    JMP_IF_FALSE rec
    GET_LOCAL 0
    RET
rec:
    GET_LOCAL 0
    PUSH_I32 1
    I_SUB
    CALL fibl
    SET_LOCAL 1
    GET_LOCAL 0
    PUSH_I32 2
    I_SUB
    CALL fibl
    GET_LOCAL 1
    I_ADD
    RET
.export main main
