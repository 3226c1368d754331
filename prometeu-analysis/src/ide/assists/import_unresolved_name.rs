//! `E_RESOLVE_UNDEFINED`: import the name from each module that exports an item of that
//! name and the file's project can import (its own modules, its direct dependencies),
//! with the edit the auto-import of completion makes ([`Snapshot::import_edits`]).

use std::collections::BTreeSet;

use super::{Assist, FixContext, is_identifier};
use crate::ModuleId;
use crate::ide::imports::import_path_from;
use crate::semantics::{Namespace, Reach};

/// One fix per module, in path order; preferred when there is only one.
pub(super) fn fixes(context: &FixContext<'_>, assists: &mut Vec<Assist>) {
    let name = context.text_of(context.diagnostic.span);
    if !is_identifier(name) {
        return;
    }
    let analysis = &context.root.analysis;
    let Some(name_id) = analysis.names.get(name) else {
        return;
    };
    let Some(own_module) = analysis.file(context.file).map(|f| f.module) else {
        return;
    };
    // One lookup per module and namespace: the modules are few, the items many.
    let paths: BTreeSet<String> = (0..context.root.graph.modules.len())
        .map(ModuleId::from_index)
        .filter(|&module| module != own_module)
        .filter(|&module| {
            [Namespace::Value, Namespace::Type]
                .into_iter()
                .any(|namespace| {
                    analysis
                        .defs
                        .item(module, name_id, namespace)
                        .is_some_and(|symbol| analysis.reach(symbol) == Reach::Everywhere)
                })
        })
        .filter_map(|module| import_path_from(context.root, context.file, module))
        .collect();
    let only_one = paths.len() == 1;
    for path in paths {
        let edits = context.snapshot.import_edits(context.file, &path, name);
        if edits.is_empty() {
            continue;
        }
        let title = format!("Import `{name}` from \"{path}\"");
        assists.push(context.fix(title, only_one, edits));
    }
}
