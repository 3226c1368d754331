//! What the language server reads: the def index, member lookup, the reference index
//! with read/write kinds, the symbol of every name node (imports and aliases included)
//! and doc comments.

use std::path::Path;
use std::sync::Arc;

use prometeu_analysis::project::{load_loose_file, load_project};
use prometeu_analysis::semantics::{Namespace, RefKind, SymbolKind, TypeKind};
use prometeu_analysis::{Analysis, FileDb, FileId, NodeKind, SymbolId, analyze};

fn analyze_text(text: &str) -> (FileId, Arc<Analysis>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.pbs");
    std::fs::write(&path, text).unwrap();
    let mut db = FileDb::new();
    let graph = load_loose_file(&path, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    (graph.files[0].file, analysis)
}

/// The symbol of the name token that starts at the `n`-th occurrence of `needle`.
fn symbol_at_text(
    analysis: &Analysis,
    file: FileId,
    text: &str,
    needle: &str,
    n: usize,
) -> Option<SymbolId> {
    let offset = text.match_indices(needle).nth(n).unwrap().0 as u32;
    analysis.symbol_at_offset(file, offset).map(|(_, s)| s)
}

const SOURCE: &str = "\
declare struct P(
    /// The horizontal position.
    x: int,
) {
    pub fn bump(mut self) { self.x += 1; }
}

fn frame() {
    let mut p = P(1);
    p.x = 2;
    p.bump();
    Log.info(p.x as string);
}
";

#[test]
fn locals_fields_and_methods_have_their_uses_with_kinds() {
    let (file, analysis) = analyze_text(SOURCE);
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );
    let p = symbol_at_text(&analysis, file, SOURCE, "p ", 0).expect("the binding");
    assert_eq!(analysis.symbols.get(p).kind, SymbolKind::Local);
    assert!(analysis.symbols.get(p).mutable);
    let kinds: Vec<RefKind> = analysis.refs.refs(p).iter().map(|r| r.kind).collect();
    assert_eq!(kinds, vec![RefKind::Write, RefKind::Write, RefKind::Read]);
    // Every use is the name token itself.
    for r in analysis.refs.refs(p) {
        assert_eq!(&SOURCE[r.span.range()], "p");
    }

    let x = symbol_at_text(&analysis, file, SOURCE, "x:", 0).expect("the field");
    let sym = analysis.symbols.get(x);
    assert_eq!(sym.kind, SymbolKind::Field);
    assert_eq!(sym.doc.as_deref(), Some("The horizontal position."));
    assert_eq!(analysis.refs.refs(x).len(), 3, "self.x, p.x = …, p.x");
    assert_eq!(symbol_at_text(&analysis, file, SOURCE, "x +=", 0), Some(x));

    let owner = sym.parent.unwrap();
    let module = sym.module;
    let name = analysis.names.get("P").unwrap();
    assert_eq!(
        analysis.defs.item(module, name, Namespace::Type),
        Some(owner)
    );
    assert_eq!(analysis.defs.item(module, name, Namespace::Value), None);
    let bump = analysis
        .defs
        .member(owner, analysis.names.get("bump").unwrap())
        .unwrap();
    assert_eq!(analysis.symbols.get(bump).kind, SymbolKind::Method);
    assert_eq!(analysis.facts.signature(bump).unwrap().receiver, Some(true));
    assert_eq!(
        symbol_at_text(&analysis, file, SOURCE, "bump()", 0),
        Some(bump)
    );
    assert_eq!(analysis.defs.members(owner), &[x, bump]);

    // `self` is a parameter whose uses are recorded too.
    let self_param = symbol_at_text(&analysis, file, SOURCE, "self.x", 0).unwrap();
    assert_eq!(analysis.symbols.get(self_param).kind, SymbolKind::Param);
    // The prelude is reachable: `Log.info` names a host function of `Log`.
    let info = symbol_at_text(&analysis, file, SOURCE, "info", 0).unwrap();
    assert_eq!(analysis.symbols.get(info).kind, SymbolKind::HostFn);
    assert_eq!(analysis.symbols.get(info).module, analysis.prelude_module);
    assert_eq!(
        analysis.symbols.get(info).decl_span.file,
        analysis.prelude_file
    );
}

#[test]
fn every_name_node_of_a_clean_program_resolves() {
    for project in ["hello", "bounce", "mathlib", "town"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(project);
        let mut db = FileDb::new();
        let graph = load_project(&dir, &mut db);
        let analysis = analyze(&graph, &mut db, None);
        assert!(analysis.diagnostics.is_empty());
        assert_all_names_resolve(&analysis);
    }
}

/// Every name node of every analysed file (the prelude included) has a symbol.
fn assert_all_names_resolve(analysis: &Analysis) {
    for f in &analysis.files {
        let arena = &f.parse.arena;
        for node in arena.ids() {
            let resolvable =
                match *arena.kind(node) {
                    NodeKind::NameRef { .. } | NodeKind::SelfRef => true,
                    NodeKind::TypeName { name } => !matches!(
                        analysis.names.resolve(name),
                        "int" | "float" | "bool" | "string" | "bounded" | "void"
                    ),
                    // Built-in methods of lists, arrays and strings have no symbol.
                    NodeKind::Name { .. } => !arena.parent(node).is_some_and(|parent| match *arena
                        .kind(parent)
                    {
                        // Parameters of body-less signatures (contracts) bind nothing.
                        NodeKind::Param { .. } => arena
                            .ancestors(parent)
                            .find(|&a| matches!(arena.kind(a), NodeKind::FnDecl { .. }))
                            .is_some_and(|a| {
                                matches!(arena.kind(a), NodeKind::FnDecl { body: None, .. })
                            }),
                        NodeKind::Member { base, .. } => {
                            analysis.facts.node_type(f.file, base).is_some_and(|t| {
                                matches!(
                                    analysis.types.kind(t),
                                    TypeKind::List(_) | TypeKind::Array(..) | TypeKind::String
                                )
                            })
                        }
                        _ => false,
                    }),
                    _ => false,
                };
            if resolvable {
                assert!(
                    analysis.refs.symbol_at(f.file, node).is_some(),
                    "{:?}: {:?} at {:?} has no symbol",
                    f.file,
                    arena.kind(node),
                    arena.span(node)
                );
            }
        }
    }
}

#[test]
fn imports_and_aliases_point_at_the_imported_item() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/town");
    let mut db = FileDb::new();
    let graph = load_project(&dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    let main = graph
        .files
        .iter()
        .find(|f| f.rel_path == "src/main.pbs")
        .unwrap();
    let text = db.text(main.file).to_string();
    let at = |needle: &str| {
        let offset = text.find(needle).unwrap() as u32;
        let node = analysis
            .parse(main.file)
            .unwrap()
            .arena
            .node_at_offset(offset)
            .unwrap();
        analysis.refs.symbol_at(main.file, node).unwrap()
    };
    let ease_in_out = at("ease_in_out");
    assert_eq!(analysis.symbol_name(ease_in_out), "ease_in_out");
    assert_eq!(at("ease }"), ease_in_out, "the alias");
    assert_eq!(at("ease(t)"), ease_in_out, "a use through the alias");
    // The import itself is a reference, so rename finds it.
    let spans: Vec<&str> = analysis
        .refs
        .refs(ease_in_out)
        .iter()
        .filter(|r| r.span.file == main.file)
        .map(|r| &text[r.span.range()])
        .collect();
    assert_eq!(spans, vec!["ease_in_out", "ease"]);
}

#[test]
fn effective_visibility_is_the_narrower_of_member_and_owner() {
    use prometeu_analysis::semantics::Reach;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/town");
    let mut db = FileDb::new();
    let graph = load_project(&dir, &mut db);
    let analysis = analyze(&graph, &mut db, None);
    let by_name = |name: &str| {
        analysis
            .symbols
            .iter()
            .find(|(id, _)| analysis.symbol_name(*id) == name)
            .unwrap()
            .0
    };
    assert_eq!(analysis.reach(by_name("Townsfolk")), Reach::Everywhere);
    assert_eq!(analysis.reach(by_name("census")), Reach::Everywhere);
    assert_eq!(analysis.reach(by_name("people")), Reach::Owner);
    assert_eq!(analysis.reach(by_name("check_mood")), Reach::Module);
    assert_eq!(analysis.reach(by_name("mood_color")), Reach::File);
    assert_eq!(
        analysis.reach(by_name("Grumpy")),
        Reach::Everywhere,
        "as its error"
    );
    assert_eq!(
        analysis.reach(by_name("Gfx")),
        Reach::Everywhere,
        "the prelude"
    );
}

#[test]
fn signatures_print_like_a_hover() {
    let source = "declare struct V(x: float) {\n    pub fn scale(mut self, k: float): V { self.x *= k; return self; }\n}\nfn frame() { let mut v = V(1.0); Log.info(v.scale(2.0).x as string); }\n";
    let (file, analysis) = analyze_text(source);
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );
    let scale = symbol_at_text(&analysis, file, source, "scale", 0).unwrap();
    assert_eq!(
        analysis.signature_text(scale).as_deref(),
        Some("fn scale(mut self, k: float): V")
    );
    let info = symbol_at_text(&analysis, file, source, "info", 0).unwrap();
    assert_eq!(
        analysis.signature_text(info).as_deref(),
        Some("fn info(msg: string)")
    );
    let v = symbol_at_text(&analysis, file, source, "v =", 0).unwrap();
    assert_eq!(analysis.signature_text(v), None);
}
