//! Lexer rules of §2, one test per rule, and every lexical error of §11 with its exact
//! primary span.

use prometeu_analysis::syntax::{Lexed, Token, TokenKind, lex};
use prometeu_analysis::{DiagnosticCode, FileId};

fn lexed(src: &str) -> Lexed {
    lex(FileId(0), src)
}

/// Kinds and texts of the significant tokens (without the final Eof).
fn tokens(src: &str) -> Vec<(TokenKind, &str)> {
    let out = lexed(src);
    assert_eq!(out.tokens.last().map(|t| t.kind), Some(TokenKind::Eof));
    out.tokens[..out.tokens.len() - 1]
        .iter()
        .map(|t| (t.kind, &src[t.range()]))
        .collect()
}

/// `(code, text under the primary span)` of every diagnostic.
fn errors(src: &str) -> Vec<(DiagnosticCode, &str)> {
    lexed(src)
        .diagnostics
        .iter()
        .map(|d| (d.code, &src[d.span.range()]))
        .collect()
}

fn single(src: &str) -> (Lexed, Token) {
    let out = lexed(src);
    assert_eq!(out.tokens.len(), 2, "{src}: {:?}", out.tokens);
    let t = out.tokens[0];
    (out, t)
}

#[test]
fn identifiers_keywords_and_wildcard() {
    use TokenKind as T;
    assert_eq!(
        tokens("foo _bar x1 _ self weak Self"),
        vec![
            (T::Ident, "foo"),
            (T::Ident, "_bar"),
            (T::Ident, "x1"),
            (T::Underscore, "_"),
            (T::SelfKw, "self"),
            (T::Weak, "weak"),
            (T::Ident, "Self"),
        ]
    );
    for &(kind, text) in TokenKind::KEYWORDS {
        assert_eq!(tokens(text), vec![(kind, text)], "{text}");
        assert!(kind.is_keyword());
    }
    assert_eq!(TokenKind::KEYWORDS.len(), 40);
}

#[test]
fn every_operator_and_punctuation() {
    for &(kind, text) in TokenKind::PUNCTUATION {
        assert_eq!(tokens(text), vec![(kind, text)], "{text}");
    }
    use TokenKind as T;
    assert_eq!(
        tokens("a<<=b"),
        vec![
            (T::Ident, "a"),
            (T::Shl, "<<"),
            (T::Eq, "="),
            (T::Ident, "b")
        ]
    );
    assert_eq!(tokens("->-"), vec![(T::Arrow, "->"), (T::Minus, "-")]);
    assert_eq!(tokens("..."), vec![(T::DotDot, ".."), (T::Dot, ".")]);
}

#[test]
fn int_literals_decimal_hex_and_underscores() {
    for (src, value) in [
        ("0", 0),
        ("42", 42),
        ("1_000", 1000),
        ("0x1F", 31),
        ("0xFF_FF", 65535),
        ("0X10", 16),
        ("2147483647", i32::MAX as u32),
        ("0x7FFFFFFF", i32::MAX as u32),
    ] {
        let (_, t) = single(src);
        assert_eq!(
            (t.kind, t.value, t.flags),
            (TokenKind::Int, value, 0),
            "{src}"
        );
    }
}

#[test]
fn float_literals_and_the_dot_rule() {
    for (src, value) in [
        ("1.5", 1.5),
        ("0.25", 0.25),
        ("3.0e8", 3.0e8),
        ("6.02E-3", 6.02e-3),
        ("1_000.5", 1000.5),
        ("2e3", 2000.0),
    ] {
        let (out, t) = single(src);
        assert_eq!(t.kind, TokenKind::Float, "{src}");
        assert_eq!(out.float_value(t), value, "{src}");
    }
    use TokenKind as T;
    assert_eq!(
        tokens("1..5"),
        vec![(T::Int, "1"), (T::DotDot, ".."), (T::Int, "5")]
    );
    assert_eq!(
        tokens("1.x"),
        vec![(T::Int, "1"), (T::Dot, "."), (T::Ident, "x")]
    );
    assert_eq!(
        tokens("1.5.x"),
        vec![(T::Float, "1.5"), (T::Dot, "."), (T::Ident, "x")]
    );
}

#[test]
fn bounded_literals() {
    for (src, value) in [("0b", 0), ("640b", 640), ("65535b", 65535), ("1_0b", 10)] {
        let (_, t) = single(src);
        assert_eq!(
            (t.kind, t.value, t.flags),
            (TokenKind::Bounded, value, 0),
            "{src}"
        );
    }
    // `b` is a hex digit, not a suffix, after `0x`.
    let (_, t) = single("0xFFb");
    assert_eq!((t.kind, t.value), (TokenKind::Int, 0xFFB));
}

#[test]
fn string_literals_and_escapes() {
    let (out, t) = single(r#""a\\b\"c\nd\te\rf\0g\u{1F600}h\u{41}""#);
    assert_eq!(t.kind, TokenKind::Str);
    assert_eq!(out.string_value(t), "a\\b\"c\nd\te\rf\0g😀hA");
    let (out, t) = single("\"héllo\"");
    assert_eq!(out.string_value(t), "héllo");
    let (out, t) = single("\"\"");
    assert_eq!(out.string_value(t), "");
}

#[test]
fn bool_and_none_are_keywords() {
    use TokenKind as T;
    assert_eq!(
        tokens("true false none"),
        vec![(T::True, "true"), (T::False, "false"), (T::None, "none")]
    );
}

#[test]
fn comments_and_doc_comments_are_trivia() {
    let src = "/// doc\n//// not doc\n// plain\nfn // tail\n";
    let out = lexed(src);
    let kinds: Vec<_> = out
        .trivia
        .iter()
        .map(|t| (t.kind, &src[t.range()]))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (TokenKind::DocComment, "/// doc"),
            (TokenKind::Comment, "//// not doc"),
            (TokenKind::Comment, "// plain"),
            (TokenKind::Comment, "// tail"),
        ]
    );
    assert_eq!(tokens(src), vec![(TokenKind::Fn, "fn")]);
    // CRLF: the comment stops before `\r`.
    let out = lexed("// a\r\nx");
    assert_eq!(out.trivia[0].end, 4);
}

#[test]
fn unterminated_string_spans_to_the_end_of_the_line() {
    assert_eq!(
        errors("let a = \"never closed;\nlet b = 1;"),
        vec![(DiagnosticCode::LexUnterminatedString, "\"never closed;")]
    );
    assert_eq!(
        errors("\"abc\r\n"),
        vec![(DiagnosticCode::LexUnterminatedString, "\"abc")]
    );
    assert_eq!(
        errors("\"abc"),
        vec![(DiagnosticCode::LexUnterminatedString, "\"abc")]
    );
    // A `\` right before the line end: one diagnostic, not two.
    assert_eq!(
        errors("\"abc\\\n"),
        vec![(DiagnosticCode::LexUnterminatedString, "\"abc\\")]
    );
    // The next line lexes normally.
    assert_eq!(tokens("\"x\nfoo").last(), Some(&(TokenKind::Ident, "foo")));
}

#[test]
fn invalid_escapes_span_the_backslash_and_its_letter() {
    use DiagnosticCode as D;
    assert_eq!(
        errors(r#""bad \q escape""#),
        vec![(D::LexInvalidEscape, r"\q")]
    );
    assert_eq!(errors("\"\\é\""), vec![(D::LexInvalidEscape, "\\é")]);
    assert_eq!(
        errors(r#""\u{110000}""#),
        vec![(D::LexInvalidEscape, r"\u{110000}")]
    );
    assert_eq!(
        errors(r#""\u{D800}""#),
        vec![(D::LexInvalidEscape, r"\u{D800}")]
    );
    assert_eq!(errors(r#""\u{}""#), vec![(D::LexInvalidEscape, r"\u{}")]);
    assert_eq!(
        errors(r#""\u{1234567}""#),
        vec![(D::LexInvalidEscape, r"\u{1234567}")]
    );
    assert_eq!(errors(r#""\u41""#), vec![(D::LexInvalidEscape, r"\u")]);
    assert_eq!(errors(r#""\u{41""#), vec![(D::LexInvalidEscape, r"\u{41")]);
    // Two mistakes, two diagnostics; the literal stays a string.
    let src = r#""\q\w""#;
    assert_eq!(errors(src).len(), 2);
    let (out, t) = single(src);
    assert_eq!(t.kind, TokenKind::Str);
    assert!(t.has_lex_error());
    assert_eq!(out.string_value(t), r"\q\w");
}

#[test]
fn invalid_numbers() {
    use DiagnosticCode as D;
    for (src, bad) in [
        ("0x", "0x"),
        ("0x;", "0x"),
        ("0xZZ", "0xZZ"),
        ("1.", "1."),
        ("1. ", "1."),
        ("1e", "1e"),
        ("1e+", "1e+"),
        ("1ex", "1ex"),
        ("12abc", "12abc"),
        ("1.5f", "1.5f"),
        ("1.5b", "1.5b"),
        ("10bx", "10bx"),
        ("1e999", "1e999"),
    ] {
        assert_eq!(errors(src), vec![(D::LexInvalidNumber, bad)], "{src}");
        let t = lexed(src).tokens[0];
        assert_eq!(t.flags & Token::LEX_ERROR, Token::LEX_ERROR, "{src}");
    }
}

#[test]
fn overflowing_literals() {
    use DiagnosticCode as D;
    assert_eq!(
        errors("2147483648"),
        vec![(D::LexIntOverflow, "2147483648")]
    );
    assert_eq!(
        errors("99999999999"),
        vec![(D::LexIntOverflow, "99999999999")]
    );
    assert_eq!(
        errors("0x80000000"),
        vec![(D::LexIntOverflow, "0x80000000")]
    );
    assert_eq!(
        errors("99999999999999999999999999"),
        vec![(D::LexIntOverflow, "99999999999999999999999999")]
    );
    assert_eq!(errors("65536b"), vec![(D::LexBoundedOverflow, "65536b")]);
    assert_eq!(errors("70000b"), vec![(D::LexBoundedOverflow, "70000b")]);
}

#[test]
fn invalid_characters_are_reported_and_skipped() {
    use DiagnosticCode as D;
    assert_eq!(errors("3 $;"), vec![(D::LexInvalidChar, "$")]);
    assert_eq!(
        tokens("3 $;"),
        vec![(TokenKind::Int, "3"), (TokenKind::Semi, ";")]
    );
    // A run of invalid characters is one mistake; non-ASCII is skipped whole.
    assert_eq!(errors("a $€# b"), vec![(D::LexInvalidChar, "$€#")]);
    assert_eq!(errors("a\u{0}b"), vec![(D::LexInvalidChar, "\u{0}")]);
    assert_eq!(errors("x $ y @@ z $").len(), 2);
    // The token after the skipped characters is flagged for the parser.
    let out = lexed("3 $;");
    assert_eq!(
        out.tokens[1].flags & Token::AFTER_LEX_ERROR,
        Token::AFTER_LEX_ERROR
    );
}

#[test]
fn spans_are_byte_offsets() {
    let out = lexed("é x");
    assert_eq!((out.tokens[0].start, out.tokens[0].end), (3, 4));
    assert_eq!(out.diagnostics[0].span.range(), 0..2);
}

/// Other languages' spellings (§11, one mistake, one diagnostic): each is reported once
/// with the PBS spelling and lexed as what it meant.
#[test]
fn other_languages_spellings_are_reported_once_and_lexed_as_meant() {
    use DiagnosticCode as D;
    // `#` starts a Python comment: reported on `#`; the rest of the line is skipped.
    assert_eq!(errors("3 # note: x\n4"), vec![(D::LexInvalidChar, "#")]);
    assert_eq!(
        tokens("3 # note: x\n4"),
        vec![(TokenKind::Int, "3"), (TokenKind::Int, "4")]
    );
    assert_eq!(errors("a ~= b"), vec![(D::LexInvalidChar, "~=")]);
    assert_eq!(
        tokens("a ~= b"),
        vec![
            (TokenKind::Ident, "a"),
            (TokenKind::NotEq, "~="),
            (TokenKind::Ident, "b")
        ]
    );
    assert_eq!(errors("a === b"), vec![(D::ParseUnexpectedToken, "===")]);
    assert_eq!(tokens("a === b")[1], (TokenKind::EqEq, "==="));
    assert_eq!(errors("a !== b"), vec![(D::ParseUnexpectedToken, "!==")]);
    assert_eq!(tokens("a !== b")[1], (TokenKind::NotEq, "!=="));
    assert_eq!(errors("'hi'"), vec![(D::LexInvalidChar, "'hi'")]);
    assert_eq!(tokens("'hi'"), vec![(TokenKind::Str, "'hi'")]);
    // `-- note` first on its line is a Lua comment; elsewhere `--` is two minus signs.
    assert_eq!(errors("  -- note\n4"), vec![(D::LexInvalidChar, "--")]);
    assert_eq!(tokens("  -- note\n4"), vec![(TokenKind::Int, "4")]);
    assert!(errors("5 -- 2").is_empty());
    assert!(errors("--x").is_empty());
    // A lone `'` or `~` is an ordinary invalid character.
    assert_eq!(errors("a ' b"), vec![(D::LexInvalidChar, "'")]);
    assert_eq!(errors("a ~ b"), vec![(D::LexInvalidChar, "~")]);
}
