//! The embedded prelude and the ABI's system-call table agree exactly: every host
//! contract function of the prelude is one system call with the same contract, name,
//! signature and slot counts, and every system call is a prelude host function
//! (`pbs-language.md` §10, `machine.md` §5).

use prometeu_abi::SYSCALLS;
use prometeu_analysis::project::load_loose_file;
use prometeu_analysis::semantics::{SymbolKind, TypeKind};
use prometeu_analysis::{Analysis, FileDb, NodeKind, TypeId, analyze};

/// How many stack slots a value of `ty` takes (`bytecode.md` §2): scalars one, a
/// struct the sum of its fields.
fn slots(analysis: &Analysis, ty: TypeId) -> usize {
    match analysis.types.kind(ty) {
        TypeKind::Void => 0,
        TypeKind::Struct(s) => analysis
            .defs
            .members(s)
            .iter()
            .filter(|&&m| analysis.symbols.get(m).kind == SymbolKind::Field)
            .map(|&m| slots(analysis, analysis.facts.symbol_type(m).unwrap()))
            .sum(),
        _ => 1,
    }
}

/// `name(p: T, …): R` of a prelude host function, as the ABI table writes it.
fn signature(analysis: &Analysis, f: prometeu_analysis::SymbolId) -> String {
    let sym = analysis.symbols.get(f);
    let arena = &analysis.parse(sym.node.0).unwrap().arena;
    let NodeKind::FnDecl { sig, .. } = *arena.kind(sym.node.1) else {
        panic!("not a fn")
    };
    let NodeKind::FnSig { params, .. } = *arena.kind(sig) else {
        panic!("no signature")
    };
    let types = &analysis.facts.signature(f).unwrap();
    let params: Vec<String> = arena
        .list(params)
        .iter()
        .zip(&types.params)
        .map(|(&p, &t)| {
            let NodeKind::Param { name, .. } = *arena.kind(p) else {
                panic!("self in a host fn")
            };
            let NodeKind::Name { name } = *arena.kind(name) else {
                panic!("unnamed")
            };
            format!(
                "{}: {}",
                analysis.names.resolve(name),
                analysis.display_type(t)
            )
        })
        .collect();
    let ret = match types.ret {
        t if analysis.types.kind(t) == TypeKind::Void => String::new(),
        t => format!(": {}", analysis.display_type(t)),
    };
    format!("{}({}){ret}", analysis.symbol_name(f), params.join(", "))
}

#[test]
fn prelude_host_functions_are_exactly_the_syscall_table() {
    let dir = tempfile_dir();
    let path = dir.join("main.pbs");
    std::fs::write(&path, "fn frame() {}\n").unwrap();
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );

    let mut host: Vec<(String, String, String, usize, usize)> = analysis
        .symbols
        .iter()
        .filter(|(_, s)| s.kind == SymbolKind::HostFn)
        .map(|(id, s)| {
            let contract = analysis.symbol_name(s.parent.unwrap()).to_string();
            let sig = analysis.facts.signature(id).unwrap();
            let args = sig.params.iter().map(|&t| slots(&analysis, t)).sum();
            let rets = slots(&analysis, sig.ret);
            (
                contract,
                analysis.symbol_name(id).to_string(),
                signature(&analysis, id),
                args,
                rets,
            )
        })
        .collect();
    let mut abi: Vec<(String, String, String, usize, usize)> = SYSCALLS
        .iter()
        .map(|s| {
            (
                s.contract.to_string(),
                s.name.to_string(),
                s.signature.to_string(),
                s.args.len(),
                s.rets.len(),
            )
        })
        .collect();
    host.sort();
    abi.sort();
    assert_eq!(host, abi);
    assert_eq!(host.len(), 18);
}

/// A fresh directory under the target dir (the tests crate has no tempfile).
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("prometeu-prelude-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
