//! The IDE layer's queries on in-memory fixtures (`//- /path` headers, `$0` cursor),
//! with insta snapshots of readable renderings (`path:line:col `text``).

#[path = "ide/support.rs"]
mod support;

#[path = "ide/assists.rs"]
mod assists;
#[path = "ide/completion.rs"]
mod completion;
#[path = "ide/host.rs"]
mod host;
#[path = "ide/hover.rs"]
mod hover;
#[path = "ide/imports.rs"]
mod imports;
#[path = "ide/inlay_hints.rs"]
mod inlay_hints;
#[path = "ide/navigation.rs"]
mod navigation;
#[path = "ide/references.rs"]
mod references;
#[path = "ide/rename.rs"]
mod rename;
#[path = "ide/robustness.rs"]
mod robustness;
#[path = "ide/semantic_tokens.rs"]
mod semantic_tokens;
#[path = "ide/signature_help.rs"]
mod signature_help;
#[path = "ide/structure.rs"]
mod structure;
#[path = "ide/symbols.rs"]
mod symbols;
