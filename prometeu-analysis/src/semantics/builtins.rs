//! The one table of built-in methods: what `list<T>`, `[T; N]` and `string` values
//! answer to (`docs/spec/pbs-language.md` §3.1, §3.2, §6.6). The checker types calls
//! with it, the language server completes from it, the compiler lowers by its names.

/// A parameter or result type of a built-in method, relative to the receiver.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BuiltinType {
    /// The receiver's element type `T`.
    Elem,
    /// `optional<T>`.
    OptionalElem,
    /// `int`.
    Int,
    /// No value.
    Void,
}

/// Which values have a method.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BuiltinReceiver {
    /// `list<T>`
    List,
    /// `[T; N]`
    Array,
    /// `string`
    String,
}

/// One built-in method.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BuiltinMethod {
    /// Who has it.
    pub receiver: BuiltinReceiver,
    /// Its name.
    pub name: &'static str,
    /// Parameter names and types, as signature help shows them.
    pub params: &'static [(&'static str, BuiltinType)],
    /// Its result.
    pub ret: BuiltinType,
    /// What it does, for hovers.
    pub doc: &'static str,
}

use BuiltinReceiver::{Array, List, String as Str};
use BuiltinType::{Elem, Int, OptionalElem, Void};

/// Every built-in method, by receiver then name.
pub const BUILTIN_METHODS: &[BuiltinMethod] = &[
    BuiltinMethod {
        receiver: List,
        name: "clear",
        params: &[],
        ret: Void,
        doc: "Removes every element.",
    },
    BuiltinMethod {
        receiver: List,
        name: "get",
        params: &[("i", Int)],
        ret: Elem,
        doc: "A copy of element `i`; traps `TRAP_OOB` outside `0..len()`.",
    },
    BuiltinMethod {
        receiver: List,
        name: "insert",
        params: &[("i", Int), ("v", Elem)],
        ret: Void,
        doc: "Inserts `v` before element `i` (`i == len()` appends); traps `TRAP_OOB` otherwise.",
    },
    BuiltinMethod {
        receiver: List,
        name: "len",
        params: &[],
        ret: Int,
        doc: "The number of elements.",
    },
    BuiltinMethod {
        receiver: List,
        name: "pop",
        params: &[],
        ret: OptionalElem,
        doc: "Removes and returns the last element, or `none` when empty.",
    },
    BuiltinMethod {
        receiver: List,
        name: "push",
        params: &[("v", Elem)],
        ret: Void,
        doc: "Appends `v`.",
    },
    BuiltinMethod {
        receiver: List,
        name: "remove",
        params: &[("i", Int)],
        ret: Elem,
        doc: "Removes and returns element `i`; traps `TRAP_OOB` outside `0..len()`.",
    },
    BuiltinMethod {
        receiver: List,
        name: "set",
        params: &[("i", Int), ("v", Elem)],
        ret: Void,
        doc: "Replaces element `i` with `v`; traps `TRAP_OOB` outside `0..len()`.",
    },
    BuiltinMethod {
        receiver: Array,
        name: "len",
        params: &[],
        ret: Int,
        doc: "The array's length `N`.",
    },
    BuiltinMethod {
        receiver: Str,
        name: "len",
        params: &[],
        ret: Int,
        doc: "The length in bytes.",
    },
];

/// The built-in method `name` of `receiver`, if there is one.
pub fn builtin_method(receiver: BuiltinReceiver, name: &str) -> Option<&'static BuiltinMethod> {
    BUILTIN_METHODS
        .iter()
        .find(|m| m.receiver == receiver && m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_unique_and_documented() {
        let keys: Vec<(u8, &str)> = BUILTIN_METHODS
            .iter()
            .map(|m| (m.receiver as u8, m.name))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted);
        assert!(BUILTIN_METHODS.iter().all(|m| !m.doc.is_empty()));
        // §6.6 lists exactly these list methods.
        let list: Vec<&str> = BUILTIN_METHODS
            .iter()
            .filter(|m| m.receiver == List)
            .map(|m| m.name)
            .collect();
        assert_eq!(
            list,
            [
                "clear", "get", "insert", "len", "pop", "push", "remove", "set"
            ]
        );
        assert_eq!(builtin_method(Str, "len").unwrap().ret, Int);
        assert!(builtin_method(Array, "push").is_none());
    }
}
