//! Names from other languages that a newcomer writes in the first hour, with the PBS
//! spelling (§11: one mistake, one helpful diagnostic). Only consulted for a name that
//! resolves to nothing; one table per namespace.

/// Values and functions: `(written, hint)`.
const VALUES: &[(&str, &str)] = &[
    ("null", "an empty optional is `none`"),
    ("nil", "an empty optional is `none`"),
    ("None", "an empty optional is `none`"),
    ("NULL", "an empty optional is `none`"),
    ("undefined", "an empty optional is `none`"),
    ("Some", "an optional's value is made with `some(…)`"),
    ("Ok", "a result's value is made with `ok(…)`"),
    ("Err", "a result's error is made with `err(…)`"),
    ("True", "PBS writes `true`"),
    ("False", "PBS writes `false`"),
    ("this", "a method names its receiver `self`"),
    ("print", "write a line to the log with `Log.info(…)`"),
    ("println", "write a line to the log with `Log.info(…)`"),
    ("printf", "write a line to the log with `Log.info(…)`"),
    ("puts", "write a line to the log with `Log.info(…)`"),
    ("console", "write a line to the log with `Log.info(…)`"),
    ("len", "a length is a method: `x.len()`"),
    ("range", "a range is written `a..b` in `for i in a..b`"),
    ("str", "convert to text with `as`: `(x as string)`"),
    ("tostring", "convert to text with `as`: `(x as string)`"),
    ("String", "convert to text with `as`: `(x as string)`"),
    ("match", "match a value with `value when { pattern -> … }`"),
    ("switch", "match a value with `value when { pattern -> … }`"),
];

/// Types: `(written, hint)`.
const TYPES: &[(&str, &str)] = &[
    ("i8", "the 32-bit integer type is `int`"),
    ("i16", "the 32-bit integer type is `int`"),
    ("i32", "the 32-bit integer type is `int`"),
    ("i64", "the 32-bit integer type is `int`"),
    ("isize", "the 32-bit integer type is `int`"),
    ("integer", "the 32-bit integer type is `int`"),
    ("Integer", "the 32-bit integer type is `int`"),
    ("number", "PBS's numbers are `int`, `float` and `bounded`"),
    ("u8", "PBS's unsigned 16-bit type is `bounded`"),
    ("u16", "PBS's unsigned 16-bit type is `bounded`"),
    (
        "u32",
        "the 32-bit integer type is `int`; `bounded` is unsigned 16-bit",
    ),
    ("usize", "the 32-bit integer type is `int`"),
    ("f32", "the 64-bit floating-point type is `float`"),
    ("f64", "the 64-bit floating-point type is `float`"),
    ("double", "the 64-bit floating-point type is `float`"),
    ("String", "PBS's text type is `string`"),
    ("str", "PBS's text type is `string`"),
    ("boolean", "PBS's truth type is `bool`"),
    ("Bool", "PBS's truth type is `bool`"),
    (
        "Vec",
        "a growable list is `list<T>` (made with `alloc list<T>()`)",
    ),
    (
        "Array",
        "a growable list is `list<T>`; a fixed array is `[T; N]`",
    ),
    ("Option", "PBS writes `optional<T>`"),
    ("Result", "PBS writes `result<T, E>`"),
];

/// Members of lists, arrays and strings: `(written, hint)`.
const MEMBERS: &[(&str, &str)] = &[
    ("length", "the length is `.len()`"),
    ("size", "the length is `.len()`"),
    ("count", "the length is `.len()`"),
    ("append", "a list grows with `.push(v)`"),
    ("add", "a list grows with `.push(v)`"),
    ("push_back", "a list grows with `.push(v)`"),
    ("pop_back", "a list shrinks with `.pop()`"),
    ("at", "an element is read with `l[i]` or `.get(i)`"),
];

/// Members of prelude contracts written as in other languages: `(owner, written, hint)`.
const TYPE_MEMBERS: &[(&str, &str, &str)] = &[
    (
        "Log",
        "print",
        "the log has `Log.info(…)` and `Log.warn(…)`",
    ),
    (
        "Log",
        "println",
        "the log has `Log.info(…)` and `Log.warn(…)`",
    ),
    ("Log", "log", "the log has `Log.info(…)` and `Log.warn(…)`"),
    (
        "Log",
        "debug",
        "the log has `Log.info(…)` and `Log.warn(…)`",
    ),
    (
        "Log",
        "error",
        "the log has `Log.info(…)` and `Log.warn(…)`",
    ),
    (
        "Log",
        "warning",
        "the log has `Log.info(…)` and `Log.warn(…)`",
    ),
];

/// The hint for `Owner.name` that does not exist, when `name` is another language's
/// spelling of one of `Owner`'s members.
pub(crate) fn type_member_hint(owner: &str, name: &str) -> Option<&'static str> {
    TYPE_MEMBERS
        .iter()
        .find(|(o, n, _)| *o == owner && *n == name)
        .map(|(_, _, h)| *h)
}

/// The hint for a member of a list, array or string that does not exist.
pub(crate) fn member_hint(name: &str) -> Option<&'static str> {
    MEMBERS.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
}

/// The hint for a value-position name that resolved to nothing, if it is a known
/// habit from another language.
pub(crate) fn value_hint(name: &str) -> Option<&'static str> {
    VALUES.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
}

/// The hint for a type name that resolved to nothing.
pub(crate) fn type_hint(name: &str) -> Option<&'static str> {
    TYPES.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
}
