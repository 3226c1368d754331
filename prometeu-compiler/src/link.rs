//! The linker: lowers every function reachable from the entry points, lays out service
//! state as globals, and encodes one verified [`Program`] image.
//!
//! Order is deterministic: functions by symbol order (prelude, then the project
//! graph's files by project and path, each in declaration order), `__init_globals`
//! last; constants pooled in first-use order; heap layouts in first-use order;
//! `SYSC` sorted by id.

use std::collections::HashMap;

use prometeu_analysis::project::ProjectGraph;
use prometeu_analysis::semantics::consts::ConstValue;
use prometeu_analysis::semantics::{Namespace, SymbolKind, TypeArena};
use prometeu_analysis::{Analysis, FileId, ProjectId, SymbolId};
use prometeu_bytecode::verify::{MAX_FRAME_SLOTS, compute_max_stack_with};
use prometeu_bytecode::{
    Constant, DebugFunction, DebugInfo, Export, Function, Global, GlobalInit, ImmValue, Instr,
    LineRun, Opcode, Program, Rule, SlotKind, verify_program,
};

use crate::emit::{Callee, FnCode, Op};
use crate::error::{CResult, CompileError, CompileErrorKind};
use crate::lower::{Ctx, lower_fn, lower_init_globals};

/// The name of the exported function that initialises service fields whose value
/// needs code (`machine.md` §6).
pub const INIT_GLOBALS: &str = "__init_globals";

/// The debug-map path of the embedded prelude.
pub const PRELUDE_DEBUG_PATH: &str = "prometeu:prelude.pbs";

/// A compiled, verified program.
#[derive(Clone, Debug)]
pub struct CompiledProgram {
    /// The linked image, with its debug map.
    pub program: Program,
    /// The function each entry of `program.functions` was compiled from, by index;
    /// `None` for code no declaration owns (`__init_globals`).
    pub function_symbols: Vec<Option<SymbolId>>,
}

/// How big one function is in the linked program (after inlining).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FunctionSize {
    /// Instructions in its body.
    pub instructions: u32,
    /// Bytes of its body in `CODE`.
    pub bytes: u32,
}

impl CompiledProgram {
    /// The `program.pbc` bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        prometeu_bytecode::write_program(&self.program)
    }

    /// The size of every compiled function, by the symbol it was compiled from: what
    /// the language server's code lens shows (functions the entry points never reach
    /// are not compiled, so they are absent).
    pub fn function_sizes(&self) -> HashMap<SymbolId, FunctionSize> {
        let code = &self.program.code;
        self.program
            .functions
            .iter()
            .zip(&self.function_symbols)
            .filter_map(|(function, symbol)| {
                let start = function.code_offset as usize;
                let body = code.get(start..start + function.code_len as usize)?;
                // The program verified, so its code decodes; count what does.
                let instructions = Instr::decode_all(body).map_or(0, |all| all.len() as u32);
                Some((
                    (*symbol)?,
                    FunctionSize {
                        instructions,
                        bytes: function.code_len,
                    },
                ))
            })
            .collect()
    }
}

/// How [`compile_with`] compiles; [`compile`] uses the default.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CompileOptions {
    /// Inline small leaf functions into their callers ([`crate::inline`]). On by
    /// default; off only to compare against (tests, benchmarks).
    pub inline: bool,
}

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions { inline: true }
    }
}

/// Compiles an analysed program. `analysis` must have no errors (else
/// [`CompileErrorKind::AnalysisErrors`]); the result always passes `verify_program`.
pub fn compile(analysis: &Analysis, graph: &ProjectGraph) -> Result<CompiledProgram, CompileError> {
    compile_with(analysis, graph, CompileOptions::default())
}

/// [`compile`] with explicit options.
pub fn compile_with(
    analysis: &Analysis,
    graph: &ProjectGraph,
    options: CompileOptions,
) -> Result<CompiledProgram, CompileError> {
    if analysis.has_errors() {
        return Err(CompileError {
            kind: CompileErrorKind::AnalysisErrors,
            span: None,
            message: "the program has errors; nothing was compiled".into(),
        });
    }
    let mut cx = Ctx::new(analysis);
    let (globals, init_fields) = layout_globals(&mut cx)?;
    let root = graph.module_by_path(ProjectId(0), "");
    let entry = |name: &str| {
        let id = analysis.names.get(name)?;
        let s = analysis.defs.item(root?, id, Namespace::Value)?;
        (analysis.symbols.get(s).kind == SymbolKind::Function).then_some(s)
    };
    let (frame, init) = (entry("frame"), entry("init"));
    for f in [frame, init].into_iter().flatten() {
        cx.want(f);
    }
    let init_globals = if init_fields.is_empty() {
        None
    } else {
        Some(lower_init_globals(&mut cx, &init_fields)?)
    };
    let mut lowered: HashMap<SymbolId, FnCode> = HashMap::new();
    let mut next = 0;
    while next < cx.wanted.len() {
        let f = cx.wanted[next];
        next += 1;
        lowered.insert(f, lower_fn(&mut cx, f)?);
    }
    let mut order: Vec<SymbolId> = lowered.keys().copied().collect();
    order.sort();
    let index: HashMap<SymbolId, u32> = order
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, i as u32))
        .collect();
    let mut bodies: Vec<FnCode> = order
        .iter()
        .map(|s| lowered.remove(s).unwrap_or_default())
        .collect();
    let mut function_symbols: Vec<Option<SymbolId>> = order.iter().copied().map(Some).collect();
    let init_index = init_globals.map(|body| {
        function_symbols.push(None);
        bodies.push(body);
        bodies.len() as u32 - 1
    });
    let mut program = link_program(graph, &bodies, &index)?;
    program.globals = globals;
    program.layouts = cx.layouts.heap.clone();
    program.syscalls = cx.syscalls.values().copied().collect();
    for (name, f) in [("frame", frame), ("init", init)] {
        if let Some(f) = f.and_then(|f| index.get(&f)) {
            program.exports.push(Export {
                name: name.into(),
                func: *f,
            });
        }
    }
    if let Some(i) = init_index {
        program.exports.push(Export {
            name: INIT_GLOBALS.into(),
            func: i,
        });
    }
    for (i, body) in bodies.iter().enumerate() {
        match compute_max_stack_with(&program, i as u32, Some(&prometeu_abi::ConsoleSyscalls)) {
            Some(depth) => program.functions[i].max_stack = depth,
            None => break,
        }
        check_frame(&program.functions[i], body)?;
    }
    let plain = options.inline.then(|| program.clone());
    if options.inline {
        crate::inline::inline_calls(&mut program);
    }
    // A program-level failure names the first function: every error has a place.
    let function_span = |e: &prometeu_bytecode::VerifyError| {
        e.function
            .and_then(|f| bodies.get(f as usize))
            .or(bodies.first())
            .map(|body| body.span)
    };
    if let Err(e) = verify_program(&program, &prometeu_abi::ConsoleSyscalls) {
        // Inlining grows callers; one that grew past the verifier's work budget is
        // kept as it was lowered rather than failing the build.
        let too_big = e.rule == Rule::Limits;
        match plain {
            Some(plain)
                if too_big && verify_program(&plain, &prometeu_abi::ConsoleSyscalls).is_ok() =>
            {
                program = plain;
            }
            _ => {
                return Err(CompileError::internal(
                    function_span(&e),
                    format!("the compiled program does not verify: {e}"),
                ));
            }
        }
    }
    Ok(CompiledProgram {
        program,
        function_symbols,
    })
}

/// Rejects a function whose parameters, locals and operand stack together take more
/// slots than the console gives one frame ([`MAX_FRAME_SLOTS`], `bytecode.md` §1), at
/// the expression that made the larger of the two grow: the loader would refuse it.
fn check_frame(function: &prometeu_bytecode::Function, body: &FnCode) -> CResult<()> {
    let frame = function.params.len() as u64 + u64::from(function.local_slots);
    let total = frame + u64::from(function.max_stack);
    if total <= MAX_FRAME_SLOTS as u64 {
        return Ok(());
    }
    let span = if frame >= u64::from(function.max_stack) {
        body.max_local_span
    } else {
        body.max_depth_span
    };
    Err(CompileError::limit(
        Some(span),
        format!(
            "`{}` needs {total} slots for its locals ({frame}) and operand stack ({}); a function may use at most {MAX_FRAME_SLOTS}",
            body.name, function.max_stack
        ),
    ))
}

/// Gives every service field its global slots, with the initial value when it is a
/// constant `GLOB` can hold; returns the fields whose initialiser needs code.
fn layout_globals(cx: &mut Ctx<'_>) -> CResult<(Vec<Global>, Vec<SymbolId>)> {
    let a = cx.a;
    let mut globals = Vec::new();
    let mut needs_code = Vec::new();
    let fields: Vec<SymbolId> = a
        .symbols
        .iter()
        .filter(|(_, s)| s.kind == SymbolKind::ServiceField && !s.duplicate)
        .map(|(id, _)| id)
        .collect();
    for field in fields {
        let ty = a.facts.symbol_type(field).unwrap_or(TypeArena::ERROR);
        let decl = a.symbols.get(field).decl_span;
        let kinds = cx.slots(ty).map_err(|e| e.or_span(decl))?;
        cx.globals.insert(field, globals.len() as u32);
        let mut inits = Vec::with_capacity(kinds.len());
        let constant = a
            .const_values
            .get(&field)
            .is_some_and(|v| glob_inits(a, v, &mut inits));
        if !constant || inits.len() != kinds.len() {
            inits = kinds.iter().map(|&k| zero_init(k)).collect();
            needs_code.push(field);
        }
        globals.extend(
            kinds
                .iter()
                .zip(inits)
                .map(|(&kind, init)| Global { kind, init }),
        );
    }
    Ok((globals, needs_code))
}

/// Flattens a constant into `GLOB` initial values; false when some slot needs code (a
/// non-empty string, an allocation).
fn glob_inits(a: &Analysis, value: &ConstValue, out: &mut Vec<GlobalInit>) -> bool {
    match value {
        ConstValue::Int(v) => out.push(GlobalInit::I32(*v)),
        ConstValue::Float(v) => out.push(GlobalInit::F64(*v)),
        ConstValue::Bounded(v) => out.push(GlobalInit::U16(*v)),
        ConstValue::Bool(v) => out.push(GlobalInit::Bool(*v)),
        ConstValue::Str(s) if s.is_empty() => out.push(GlobalInit::Empty),
        ConstValue::Case(c) => out.push(GlobalInit::I32(crate::layout::case_index(a, *c))),
        ConstValue::Struct(_, vs) | ConstValue::Array(vs) => {
            return vs.iter().all(|v| glob_inits(a, v, out));
        }
        ConstValue::Str(_) | ConstValue::Alloc(_) | ConstValue::NewList => return false,
    }
    true
}

fn zero_init(kind: SlotKind) -> GlobalInit {
    match kind {
        SlotKind::I32 => GlobalInit::I32(0),
        SlotKind::F64 => GlobalInit::F64(0.0),
        SlotKind::U16 => GlobalInit::U16(0),
        SlotKind::Bool => GlobalInit::Bool(false),
        SlotKind::Str | SlotKind::Ref(_) => GlobalInit::Empty,
    }
}

/// Lays the functions out back to back and resolves their references: labels to
/// offsets, calls to function indices, constants to pool indices; builds the debug map.
fn link_program(
    graph: &ProjectGraph,
    bodies: &[FnCode],
    index: &HashMap<SymbolId, u32>,
) -> CResult<Program> {
    let mut program = Program::default();
    let mut debug = DebugInfo::default();
    let mut file_index: HashMap<FileId, u32> = HashMap::new();
    let mut const_index: HashMap<ConstKey, u32> = HashMap::new();
    for (fi, body) in bodies.iter().enumerate() {
        let mut labels = HashMap::new();
        let mut pc = 0u32;
        for (op, _) in &body.ops {
            if let Op::Mark(l) = op {
                labels.insert(l.0, pc);
            }
            pc = pc.checked_add(op.encoded_len()).ok_or_else(|| {
                CompileError::limit(Some(body.span), "a function longer than 4 GiB")
            })?;
        }
        let start = program.code.len() as u32;
        for (op, span) in &body.ops {
            let instr = match op {
                Op::Mark(_) => continue,
                Op::Instr(i) => *i,
                Op::Jump(o, l) => {
                    let target = *labels.get(&l.0).ok_or_else(|| {
                        CompileError::internal(Some(*span), "a jump to an unplaced label")
                    })?;
                    Instr::u32(*o, target)
                }
                Op::Call(Callee::Fn(f)) => {
                    let i = *index.get(f).ok_or_else(|| {
                        CompileError::internal(
                            Some(*span),
                            "a call of a function that was not lowered",
                        )
                    })?;
                    Instr::u32(Opcode::Call, i)
                }
                Op::PushConst(c) => {
                    let key = ConstKey::of(c);
                    let next = program.constants.len() as u32;
                    let i = *const_index.entry(key).or_insert_with(|| {
                        program.constants.push(c.clone());
                        next
                    });
                    Instr::new(Opcode::PushConst, &[ImmValue::U32(i)])
                }
            };
            let pc = program.code.len() as u32;
            let next_file = file_index.len() as u32;
            let file = *file_index.entry(span.file).or_insert_with(|| {
                let path = graph
                    .display_path(span.file)
                    .unwrap_or_else(|| PRELUDE_DEBUG_PATH.to_string());
                debug.files.push(path);
                next_file
            });
            let run = LineRun {
                pc,
                file,
                start: span.start,
                end: span.end,
            };
            let same = debug
                .lines
                .last()
                .is_some_and(|l| (l.file, l.start, l.end) == (run.file, run.start, run.end));
            if !same {
                debug.lines.push(run);
            }
            instr.encode(&mut program.code);
        }
        let len = program.code.len() as u32 - start;
        if body.max_depth > u32::from(u16::MAX) {
            return Err(CompileError::limit(
                Some(body.max_depth_span),
                format!(
                    "`{}` needs an operand stack deeper than 65535 slots",
                    body.name
                ),
            ));
        }
        let locals = u16::try_from(body.locals).map_err(|_| {
            CompileError::limit(
                Some(body.max_local_span),
                format!("`{}` needs more than 65535 locals", body.name),
            )
        })?;
        program.functions.push(Function {
            code_offset: start,
            code_len: len,
            params: body.params.clone(),
            local_slots: locals,
            returns: body.returns.clone(),
            max_stack: 0,
        });
        let mut local_names: Vec<(u16, String)> = body
            .local_names
            .iter()
            .filter_map(|(s, n)| Some((u16::try_from(*s).ok()?, n.clone())))
            .collect();
        local_names.sort();
        local_names.dedup();
        debug.functions.push(DebugFunction {
            index: fi as u32,
            name: body.name.clone(),
            locals: local_names,
        });
    }
    program.debug = Some(debug);
    Ok(program)
}

/// A hashable identity of a constant (floats by bit pattern).
#[derive(Clone, PartialEq, Eq, Hash)]
enum ConstKey {
    I32(i32),
    F64(u64),
    U16(u16),
    Str(String),
}

impl ConstKey {
    fn of(c: &Constant) -> ConstKey {
        match c {
            Constant::I32(v) => ConstKey::I32(*v),
            Constant::F64(v) => ConstKey::F64(v.to_bits()),
            Constant::U16(v) => ConstKey::U16(*v),
            Constant::Str(s) => ConstKey::Str(s.clone()),
        }
    }
}
