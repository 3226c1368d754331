//! The locals in scope during a body walk.

use crate::semantics::fx::FxHashMap as HashMap;
use crate::{NameId, SymbolId};

/// The open scopes of a body, innermost last, with an index by name so that looking a
/// name up costs the same in a function of 100,000 `let`s as in one of ten.
#[derive(Default)]
pub(super) struct Scopes {
    /// The locals of each open scope, in declaration order.
    frames: Vec<Vec<(NameId, SymbolId)>>,
    /// For every name in scope, its locals as `(scope index, symbol)`, innermost last
    /// (a scope holds a name at most once: a duplicate is reported, not added).
    by_name: HashMap<NameId, Vec<(usize, SymbolId)>>,
}

impl Scopes {
    /// Scopes with the outermost (the parameters') open.
    pub(super) fn new() -> Scopes {
        let mut scopes = Scopes::default();
        scopes.open();
        scopes
    }

    /// Opens an inner scope.
    pub(super) fn open(&mut self) {
        self.frames.push(Vec::new());
    }

    /// Closes the innermost scope; its locals go out of scope.
    pub(super) fn close(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        for (name, _) in frame {
            if let Some(entries) = self.by_name.get_mut(&name) {
                entries.pop();
                if entries.is_empty() {
                    self.by_name.remove(&name);
                }
            }
        }
    }

    /// Adds a local to the innermost scope.
    pub(super) fn define(&mut self, name: NameId, symbol: SymbolId) {
        let depth = self.frames.len().saturating_sub(1);
        if let Some(frame) = self.frames.last_mut() {
            frame.push((name, symbol));
            self.by_name.entry(name).or_default().push((depth, symbol));
        }
    }

    /// The local `name` of the innermost scope itself.
    pub(super) fn in_innermost(&self, name: NameId) -> Option<SymbolId> {
        let innermost = self.frames.len().checked_sub(1)?;
        let &(depth, symbol) = self.by_name.get(&name)?.last()?;
        (depth == innermost).then_some(symbol)
    }

    /// The innermost local `name` of an enclosing scope (not the innermost one).
    pub(super) fn in_enclosing(&self, name: NameId) -> Option<SymbolId> {
        let innermost = self.frames.len().checked_sub(1)?;
        let entries = self.by_name.get(&name)?;
        entries
            .iter()
            .rev()
            .find(|&&(depth, _)| depth < innermost)
            .map(|&(_, symbol)| symbol)
    }

    /// The innermost local `name` in scope.
    pub(super) fn find(&self, name: NameId) -> Option<SymbolId> {
        self.by_name.get(&name)?.last().map(|&(_, symbol)| symbol)
    }

    /// Every local in scope, outermost first.
    pub(super) fn names(&self) -> impl Iterator<Item = NameId> + '_ {
        self.frames.iter().flatten().map(|&(name, _)| name)
    }
}
