//! Property tests: the lexer and parser accept any input without panicking or hanging,
//! and every span they produce is well-formed. Inputs: arbitrary strings, arbitrary
//! bytes read as lossy UTF-8, soups of PBS tokens, and example files with random
//! deletions, insertions and swaps. Case count follows `PROPTEST_CASES` (256 by default).

use std::sync::OnceLock;

use prometeu_analysis::syntax::{TokenKind, ast_to_json, lex};
use prometeu_analysis::{FileId, NameInterner, NodeKind, Span, parse_file};
use proptest::prelude::*;

/// The example sources, read once.
fn examples() -> &'static [String] {
    static FILES: OnceLock<Vec<String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
        let mut out = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "pbs") {
                    out.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        out.sort();
        assert!(!out.is_empty());
        out
    })
}

/// Every distinct token text of the examples, plus every keyword and punctuation, plus
/// a few malformed pieces.
fn vocabulary() -> &'static [String] {
    static VOCAB: OnceLock<Vec<String>> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let mut words: Vec<String> = Vec::new();
        for src in examples() {
            for t in lex(FileId(0), src).tokens {
                if t.kind != TokenKind::Eof {
                    words.push(src[t.range()].to_string());
                }
            }
        }
        words.extend(TokenKind::KEYWORDS.iter().map(|(_, s)| s.to_string()));
        words.extend(TokenKind::PUNCTUATION.iter().map(|(_, s)| s.to_string()));
        for odd in [
            "\"open",
            "0x",
            "1.",
            "#",
            "é",
            "/// doc",
            "// c\n",
            "\\u{",
            "99999999999",
            ">>",
            // Other languages' spellings the parser recovers from (§11).
            "and",
            "or",
            "not",
            "elif",
            "var",
            "local",
            "function",
            "def",
            "++",
            "--",
            "=>",
            "? 1 :",
            "~=",
            "===",
            "!==",
            "'s'",
            "# note\n",
            "#[",
            "loop",
            "match",
            "switch",
            "for (",
            "println!(",
        ] {
            words.push(odd.to_string());
        }
        words.sort();
        words.dedup();
        words
    })
}

fn check_span(text: &str, span: Span, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(span.start <= span.end, "{what}: inverted span {span:?}");
    prop_assert!(
        span.end as usize <= text.len(),
        "{what}: span {span:?} past the end"
    );
    prop_assert!(
        text.is_char_boundary(span.start as usize),
        "{what}: start off a char boundary"
    );
    prop_assert!(
        text.is_char_boundary(span.end as usize),
        "{what}: end off a char boundary"
    );
    Ok(())
}

/// Parses `text` and checks every invariant of the result.
fn check_invariants(text: &str) -> Result<(), TestCaseError> {
    let mut names = NameInterner::new();
    let parse = parse_file(FileId(7), text, &mut names);
    let arena = &parse.arena;
    let root = parse.root();
    let is_file = matches!(arena.kind(root), NodeKind::SourceFile { .. });
    prop_assert!(is_file, "the root is not a SourceFile");
    prop_assert_eq!(arena.span(root).range(), 0..text.len());
    for id in arena.ids() {
        let span = arena.span(id);
        prop_assert_eq!(span.file, FileId(7));
        check_span(text, span, arena.kind(id).name())?;
        if let Some(parent) = arena.parent(id) {
            let outer = arena.span(parent);
            prop_assert!(
                outer.contains_span(span),
                "{} {:?} not inside its parent {} {:?}",
                arena.kind(id).name(),
                span,
                arena.kind(parent).name(),
                outer
            );
        } else {
            prop_assert_eq!(id, root, "only the root has no parent");
        }
    }
    for d in &parse.diagnostics {
        check_span(text, d.span, d.code.as_str())?;
        for r in &d.related {
            check_span(text, r.span, "related")?;
        }
    }
    for offset in [0, text.len() / 3, text.len() / 2, text.len()] {
        if let Some(node) = arena.node_at_offset(offset as u32) {
            prop_assert!(arena.span(node).touches(offset as u32));
        }
    }
    // Deterministic: the same text gives the same diagnostics and the same dump.
    let mut again = NameInterner::new();
    let second = parse_file(FileId(7), text, &mut again);
    prop_assert_eq!(&parse.diagnostics, &second.diagnostics);
    if text.len() < 4096 {
        prop_assert_eq!(
            ast_to_json(arena, &names),
            ast_to_json(&second.arena, &again)
        );
    }
    Ok(())
}

/// One random edit of a source.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    Swap(usize, usize, usize),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete(at, len)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, word)| Edit::Insert(at, word)),
        (any::<usize>(), any::<usize>(), 1usize..30).prop_map(|(a, b, len)| Edit::Swap(a, b, len)),
    ]
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, edit: &Edit) {
    let len = text.len().max(1);
    match *edit {
        Edit::Delete(at, n) => {
            let start = floor_boundary(text, at % len);
            let end = floor_boundary(text, start + n);
            text.replace_range(start..end, "");
        }
        Edit::Insert(at, word) => {
            let vocab = vocabulary();
            let at = floor_boundary(text, at % len);
            text.insert_str(at, &format!(" {} ", vocab[word % vocab.len()]));
        }
        Edit::Swap(a, b, n) => {
            let (a, b) = (a % len, b % len);
            let (a, b) = (a.min(b), a.max(b));
            let a0 = floor_boundary(text, a);
            let a1 = floor_boundary(text, (a + n).min(b));
            let b0 = floor_boundary(text, b);
            let b1 = floor_boundary(text, b + n);
            if a0 <= a1 && a1 <= b0 && b0 <= b1 {
                let first = text[a0..a1].to_string();
                let second = text[b0..b1].to_string();
                text.replace_range(b0..b1, &first);
                text.replace_range(a0..a1, &second);
            }
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_strings_parse_with_sound_spans(text in "\\PC{0,200}") {
        check_invariants(&text)?;
    }

    #[test]
    fn arbitrary_bytes_parse_with_sound_spans(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check_invariants(&text)?;
    }

    #[test]
    fn token_soup_parses_with_sound_spans(
        picks in proptest::collection::vec((any::<usize>(), 0usize..4), 0..150)
    ) {
        let vocab = vocabulary();
        let mut text = String::new();
        for (word, sep) in picks {
            text.push_str(&vocab[word % vocab.len()]);
            text.push_str([" ", "", "\n", "\t"][sep]);
        }
        check_invariants(&text)?;
    }

    #[test]
    fn mutated_examples_parse_with_sound_spans(
        file in any::<usize>(),
        edits in proptest::collection::vec(edit_strategy(), 1..6)
    ) {
        let files = examples();
        let mut text = files[file % files.len()].clone();
        for edit in &edits {
            apply(&mut text, edit);
        }
        check_invariants(&text)?;
    }
}

#[test]
fn every_example_file_satisfies_the_invariants() {
    for src in examples() {
        check_invariants(src).unwrap();
    }
}
