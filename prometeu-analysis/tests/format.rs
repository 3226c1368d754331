//! The formatter (`docs/spec/toolchain.md` §5): every `.pbs` of the repository, the
//! style's breaking rules at the width boundary, comments, CRLF and deep input, and a
//! property test over generated programs.

#[path = "format/cases.rs"]
mod cases;
#[path = "format/corpus.rs"]
mod corpus;
#[path = "format/props.rs"]
mod props;
