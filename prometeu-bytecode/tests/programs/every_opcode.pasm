; A valid program that uses every opcode of the table at least once.
.const i32 42
.const f64 2.5
.const u16 7
.const str "hi \"there\"\n"

.layout ref (i32, str)      ; 0: a struct of int and string
.layout list (i32)          ; 1: list<int>
.layout list (ref0)         ; 2: list<ref<…>>

.global i32 5               ; 0
.global f64 0.5             ; 1
.global u16 3               ; 2
.global bool true           ; 3
.global str                 ; 4
.global ref0                ; 5
.global i32 0               ; 6..8: [int; 3]
.global i32 -1
.global i32 0x7fffffff

.syscall 0x0010 args=0 rets=1   ; System.frame_count
.syscall 0x5001 args=1 rets=0   ; Log.info

.func add params=(i32, i32) returns=(i32)
    GET_LOCAL 0
    GET_LOCAL 1
    I_ADD
    RET

.func stop
    HALT

.func main
    NOP
    BREAK
    PUSH_I32 1
    PUSH_I32 2
    CALL add
    SET_LOCAL 0
    ; int arithmetic
    GET_LOCAL 0
    PUSH_CONST 0
    I_ADD
    PUSH_I32 3
    I_SUB
    PUSH_I32 3
    I_MUL
    PUSH_I32 3
    I_DIV
    PUSH_I32 3
    I_REM
    I_NEG
    PUSH_I32 3
    I_AND
    PUSH_I32 3
    I_OR
    PUSH_I32 3
    I_XOR
    PUSH_I32 3
    I_SHL
    PUSH_I32 3
    I_SHR
    SET_LOCAL 0
    ; float arithmetic
    PUSH_F64 1.5
    PUSH_CONST 1
    F_ADD
    PUSH_F64 -0.0
    F_SUB
    PUSH_F64 1e300
    F_MUL
    PUSH_F64 inf
    F_DIV
    PUSH_F64 NaN
    F_REM
    F_NEG
    SET_LOCAL 1
    ; bounded arithmetic
    PUSH_BOUNDED 10
    PUSH_CONST 2
    B_ADD
    PUSH_BOUNDED 1
    B_SUB
    PUSH_BOUNDED 2
    B_MUL
    PUSH_BOUNDED 2
    B_DIV
    PUSH_BOUNDED 3
    B_REM
    PUSH_BOUNDED 0xFF
    B_AND
    PUSH_BOUNDED 1
    B_OR
    PUSH_BOUNDED 1
    B_XOR
    PUSH_BOUNDED 1
    B_SHL
    PUSH_BOUNDED 1
    B_SHR
    SET_LOCAL 2
    ; comparisons, folded into one bool
    PUSH_BOOL true
    GET_LOCAL 0
    GET_LOCAL 0
    I_EQ
    BOOL_EQ
    GET_LOCAL 0
    GET_LOCAL 0
    I_NE
    BOOL_NE
    GET_LOCAL 0
    GET_LOCAL 0
    I_LT
    BOOL_EQ
    GET_LOCAL 0
    GET_LOCAL 0
    I_LE
    BOOL_EQ
    GET_LOCAL 0
    GET_LOCAL 0
    I_GT
    BOOL_EQ
    GET_LOCAL 0
    GET_LOCAL 0
    I_GE
    BOOL_EQ
    GET_LOCAL 1
    GET_LOCAL 1
    F_EQ
    BOOL_EQ
    GET_LOCAL 1
    GET_LOCAL 1
    F_NE
    BOOL_EQ
    GET_LOCAL 1
    GET_LOCAL 1
    F_LT
    BOOL_EQ
    GET_LOCAL 1
    GET_LOCAL 1
    F_LE
    BOOL_EQ
    GET_LOCAL 1
    GET_LOCAL 1
    F_GT
    BOOL_EQ
    GET_LOCAL 1
    GET_LOCAL 1
    F_GE
    BOOL_EQ
    GET_LOCAL 2
    GET_LOCAL 2
    B_EQ
    BOOL_EQ
    GET_LOCAL 2
    GET_LOCAL 2
    B_NE
    BOOL_EQ
    GET_LOCAL 2
    GET_LOCAL 2
    B_LT
    BOOL_EQ
    GET_LOCAL 2
    GET_LOCAL 2
    B_LE
    BOOL_EQ
    GET_LOCAL 2
    GET_LOCAL 2
    B_GT
    BOOL_EQ
    GET_LOCAL 2
    GET_LOCAL 2
    B_GE
    BOOL_EQ
    PUSH_CONST 3
    PUSH_CONST 3
    S_EQ
    BOOL_EQ
    PUSH_CONST 3
    PUSH_CONST 3
    S_NE
    BOOL_EQ
    PUSH_CONST 3
    PUSH_CONST 3
    S_LT
    BOOL_EQ
    PUSH_CONST 3
    PUSH_CONST 3
    S_LE
    BOOL_EQ
    PUSH_CONST 3
    PUSH_CONST 3
    S_GT
    BOOL_EQ
    PUSH_CONST 3
    PUSH_CONST 3
    S_GE
    BOOL_EQ
    NOT
    SET_LOCAL 3
    ; conversions and strings
    GET_LOCAL 0
    I2F
    F2I
    I2B
    B2F
    F2B
    B2I
    I2S
    GET_LOCAL 1
    F2S
    STR_CONCAT
    GET_LOCAL 2
    B2S
    STR_CONCAT
    GET_LOCAL 3
    BOOL2S
    STR_CONCAT
    PUSH_CONST 3
    PUSH_CONST 3
    STR_CONCAT_N 3
    STR_LEN
    SET_LOCAL 0
    ; stack shuffling
    PUSH_I32 1
    DUP
    SWAP
    POP
    DUP_N 1
    POP_N 2
    ; globals
    GET_GLOBAL 0
    SET_GLOBAL 0
    GET_GLOBAL_N 0 2
    SET_GLOBAL_N 0 2
    PUSH_I32 1
    GET_GLOBAL_IDX 6 3 1
    SET_LOCAL 0
    PUSH_I32 2
    GET_LOCAL 0
    SET_GLOBAL_IDX 6 3 1
    ; locals: several at once, and a local array [int; 2] at 5..7
    GET_LOCAL_N 0 2
    SET_LOCAL_N 0 2
    PUSH_I32 0
    SET_LOCAL 5
    PUSH_I32 0
    SET_LOCAL 6
    PUSH_I32 1
    GET_LOCAL_IDX 5 2 1
    POP
    PUSH_I32 0
    PUSH_I32 9
    SET_LOCAL_IDX 5 2 1
    ; refs
    GET_LOCAL 0
    PUSH_CONST 3
    ALLOC 0
    SET_LOCAL 7
    GET_LOCAL 7
    PEEK
    POP_N 2
    GET_LOCAL 7
    BORROW_BEGIN
    BORROW_END
    GET_LOCAL 7
    MUTATE_BEGIN
    PUSH_I32 5
    GATE_STORE 0 1
    GET_LOCAL 7
    MUTATE_END
    GET_LOCAL 7
    GATE_LOAD 1 1
    POP
    GET_LOCAL 7
    GET_LOCAL 7
    REF_EQ
    GET_LOCAL 7
    PUSH_NULL 0
    REF_NE
    BOOL_EQ
    POP
    GET_LOCAL 7
    TAKE
    POP_N 2
    ; lists
    LIST_NEW 1
    SET_LOCAL 8
    GET_LOCAL 8
    PUSH_I32 4
    LIST_PUSH 1
    GET_LOCAL 8
    PUSH_I32 0
    PUSH_I32 7
    LIST_INSERT 1
    GET_LOCAL 8
    PUSH_I32 0
    PUSH_I32 8
    LIST_SET 1
    GET_LOCAL 8
    PUSH_I32 0
    LIST_GET
    POP
    GET_LOCAL 8
    PUSH_I32 0
    LIST_REMOVE
    POP
    GET_LOCAL 8
    LIST_POP
    POP_N 2
    GET_LOCAL 8
    LIST_LEN
    POP
    GET_LOCAL 8
    LIST_CLEAR
    LIST_NEW 2
    PUSH_NULL 0
    LIST_PUSH 2
    ; system calls
    SYSCALL 0x0010
    POP
    PUSH_CONST 3
    SYSCALL 0x5001
    ; a loop: for i in 0..3
    PUSH_I32 0
    SET_LOCAL 9
loop:
    GET_LOCAL 9
    PUSH_I32 3
    I_LT
    JMP_IF_FALSE done
    GET_LOCAL 9
    PUSH_I32 1
    I_ADD
    SET_LOCAL 9
    JMP loop
done:
    GET_LOCAL 3
    JMP_IF_TRUE end
    FRAME_SYNC
    JMP end
    TRAP TRAP_EXPLICIT          ; unreachable
end:
    RET

.export "frame" main
.export "add" add

.debug
.debug file "src/main.pbs"
.debug line 0 file=0 span=0..10
.debug line 8 file=0 span=12..20
.debug func add "add"
.debug local 0 "a"
.debug local 1 "b"
.debug func main "frame"
