//! Identifier interning.

use std::collections::HashMap;

use crate::NameId;

/// Deduplicating string interner: every distinct identifier gets one [`NameId`], and
/// the same text always gets the same ID within one interner. IDs are assigned in
/// first-intern order, which is deterministic when inputs are processed in a
/// deterministic order.
#[derive(Default, Clone, Debug)]
pub struct NameInterner {
    ids: HashMap<Box<str>, NameId>,
    // Strings are boxed so that `resolve` returns a reference that stays valid (and
    // stable in content) however many names are added later.
    names: Vec<Box<str>>,
}

impl NameInterner {
    /// An empty interner.
    pub fn new() -> NameInterner {
        NameInterner::default()
    }

    /// The ID of `text`, creating it on first sight.
    pub fn intern(&mut self, text: &str) -> NameId {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = NameId::from_index(self.names.len());
        self.names.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    /// The ID of `text` if it was interned, without creating it.
    pub fn get(&self, text: &str) -> Option<NameId> {
        self.ids.get(text).copied()
    }

    /// The text of `id`. Panics on an ID from another interner that is out of range.
    pub fn resolve(&self, id: NameId) -> &str {
        &self.names[id.index()]
    }

    /// How many distinct names are interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every name with its ID, in ID order.
    pub fn iter(&self) -> impl Iterator<Item = (NameId, &str)> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, s)| (NameId::from_index(i), &**s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_deduplicates_and_resolves() {
        let mut names = NameInterner::new();
        let a = names.intern("frame");
        let b = names.intern("init");
        assert_eq!(names.intern("frame"), a);
        assert_ne!(a, b);
        assert_eq!(names.resolve(a), "frame");
        assert_eq!(names.resolve(b), "init");
        assert_eq!(names.get("init"), Some(b));
        assert_eq!(names.get("nope"), None);
        assert_eq!(names.len(), 2);
        let all: Vec<_> = names.iter().collect();
        assert_eq!(all, vec![(a, "frame"), (b, "init")]);
    }

    #[test]
    fn ids_follow_first_intern_order() {
        let mut names = NameInterner::new();
        let ids: Vec<_> = ["c", "a", "b", "a"]
            .iter()
            .map(|s| names.intern(s))
            .collect();
        assert_eq!(ids, vec![NameId(0), NameId(1), NameId(2), NameId(1)]);
    }

    #[test]
    fn resolved_text_is_stable_across_growth() {
        let mut names = NameInterner::new();
        let first = names.intern("first");
        let ptr = names.resolve(first).as_ptr();
        for i in 0..10_000 {
            names.intern(&format!("n{i}"));
        }
        assert_eq!(names.resolve(first).as_ptr(), ptr);
        assert!(names.intern("") == names.intern(""));
    }
}
