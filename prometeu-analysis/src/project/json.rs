//! A small, strict JSON parser (RFC 8259) that keeps the span of every key and value,
//! so that manifest errors can point inside `prometeu.json`.
//!
//! It accepts exactly what `serde_json` accepts for a `serde_json::Value`, with two
//! deliberate differences: a leading byte-order mark is skipped (editors on some systems
//! write one), and nesting is limited to [`MAX_DEPTH`] levels (a manifest needs three).
//! It never panics; its work and memory are linear in the input.

use crate::{FileId, Span};

/// How many arrays and objects may enclose one another.
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON value and where it is.
#[derive(Clone, PartialEq, Debug)]
pub struct JsonValue {
    /// What the value is.
    pub kind: JsonKind,
    /// The value's text, from its first to its last byte (quotes and brackets included).
    pub span: Span,
}

/// The shape and contents of a [`JsonValue`].
#[derive(Clone, PartialEq, Debug)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written so that integers of any size stay exact.
    Number(String),
    /// A string, escapes decoded.
    String(String),
    /// An array's elements in source order.
    Array(Vec<JsonValue>),
    /// An object's members in source order; duplicate keys are kept (callers decide).
    Object(Vec<JsonMember>),
}

/// One `"key": value` pair of an object.
#[derive(Clone, PartialEq, Debug)]
pub struct JsonMember {
    /// The key, escapes decoded.
    pub key: String,
    /// The key's text, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: JsonValue,
}

/// Why a text is not JSON, and where.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JsonError {
    /// What is wrong, for a human.
    pub message: String,
    /// The offending character (empty at the end of the text).
    pub span: Span,
}

impl JsonKind {
    /// The JSON name of this kind of value, for messages ("expected a string, found an
    /// array").
    pub fn describe(&self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }
}

impl JsonValue {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[JsonMember]> {
        match &self.kind {
            JsonKind::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The number as an unsigned integer, if it is written as one (no fraction, no
    /// exponent, no sign) and fits.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.kind {
            JsonKind::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
            _ => None,
        }
    }
}

/// Parses `text` (the whole of file `file`) as one JSON value.
pub fn parse_json(text: &str, file: FileId) -> Result<JsonValue, JsonError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        file,
    };
    if text.starts_with('\u{feff}') {
        parser.pos = '\u{feff}'.len_utf8();
    }
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error_here("unexpected text after the JSON value"));
    }
    Ok(value)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    file: FileId,
}

impl Parser<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        // Offsets past u32 cannot occur for files the FileDb accepts; saturate anyway so
        // a huge input can never panic here.
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span::new(self.file, clamp(start), clamp(end).max(clamp(start)))
    }

    /// An error on the character at the current position (empty at the end).
    fn error_here(&self, message: impl Into<String>) -> JsonError {
        let end = self.text[self.pos..]
            .chars()
            .next()
            .map_or(self.pos, |c| self.pos + c.len_utf8());
        JsonError {
            message: message.into(),
            span: self.span(self.pos, end),
        }
    }

    fn error_at(&self, start: usize, end: usize, message: impl Into<String>) -> JsonError {
        JsonError {
            message: message.into(),
            span: self.span(start, end),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// What the character at the current position is, for "expected …, found …".
    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of the file".to_string(),
            Some(c) if c.is_control() => format!("U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonKind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.literal("true", JsonKind::Bool(true))?,
            Some(b'f') => self.literal("false", JsonKind::Bool(false))?,
            Some(b'n') => self.literal("null", JsonKind::Null)?,
            Some(b) if b.is_ascii_alphabetic() => return Err(self.bare_word()),
            _ => return Err(self.error_here(format!("expected a value, found {}", self.found()))),
        };
        Ok(JsonValue {
            kind,
            span: self.span(start, self.pos),
        })
    }

    fn literal(&mut self, word: &str, kind: JsonKind) -> Result<JsonKind, JsonError> {
        let rest = &self.bytes[self.pos..];
        let ends_word = !rest
            .get(word.len())
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if rest.starts_with(word.as_bytes()) && ends_word {
            self.pos += word.len();
            return Ok(kind);
        }
        Err(self.bare_word())
    }

    /// The error for a word that is not `true`, `false` or `null`, on the whole word.
    fn bare_word(&self) -> JsonError {
        let end = self.pos
            + self.bytes[self.pos..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
        JsonError {
            message: format!(
                "expected a value, found `{}`; strings need double quotes, and the only bare words are `true`, `false` and `null`",
                &self.text[self.pos..end]
            ),
            span: self.span(self.pos, end),
        }
    }

    fn enter(&self, depth: usize) -> Result<usize, JsonError> {
        if depth >= MAX_DEPTH {
            return Err(self.error_here(format!(
                "arrays and objects are nested more than {MAX_DEPTH} levels deep"
            )));
        }
        Ok(depth + 1)
    }

    fn array(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        let depth = self.enter(depth)?;
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonKind::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonKind::Array(items));
                }
                None => {
                    return Err(self.error_here(format!(
                        "the array opened at byte {open} is never closed: expected `,` or `]`"
                    )));
                }
                _ => {
                    return Err(self.error_here(format!(
                        "expected `,` or `]` after an array element, found {}",
                        self.found()
                    )));
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        let depth = self.enter(depth)?;
        let open = self.pos;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonKind::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                let hint = if members.is_empty() {
                    ""
                } else {
                    " (JSON allows no comma before `}`)"
                };
                return Err(self.error_here(format!(
                    "expected a field name in double quotes, found {}{hint}",
                    self.found()
                )));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = self.span(key_start, self.pos);
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error_here(format!(
                    "expected `:` after the field name, found {}",
                    self.found()
                )));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value(depth)?;
            members.push(JsonMember {
                key,
                key_span,
                value,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonKind::Object(members));
                }
                None => {
                    return Err(self.error_here(format!(
                        "the object opened at byte {open} is never closed: expected `,` or `}}`"
                    )));
                }
                _ => {
                    return Err(self.error_here(format!(
                        "expected `,` or `}}` after an object member, found {}",
                        self.found()
                    )));
                }
            }
        }
    }

    /// Parses a string starting at the opening quote and returns its decoded contents.
    fn string(&mut self) -> Result<String, JsonError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go; the text is valid UTF-8 and
            // `"`, `\` and control characters are ASCII, so the run ends on a boundary.
            let run = self.bytes[self.pos..]
                .iter()
                .take_while(|&&b| b != b'"' && b != b'\\' && b >= 0x20)
                .count();
            out.push_str(&self.text[self.pos..self.pos + run]);
            self.pos += run;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(b'\n') | None => {
                    return Err(self.error_at(
                        open,
                        self.pos,
                        "unterminated string: a string must end with `\"` on the same line",
                    ));
                }
                Some(b) => {
                    return Err(self.error_here(format!(
                        "control character U+{b:04X} in a string; write it as an escape"
                    )));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let start = self.pos;
        self.pos += 1;
        let decoded = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4(start)?;
                let c = match first {
                    0xD800..=0xDBFF => {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return Err(self.error_at(
                                start,
                                self.pos,
                                "a `\\u` escape of a leading surrogate must be followed by a trailing one",
                            ));
                        }
                        let second_start = self.pos;
                        self.pos += 2;
                        let second = self.hex4(second_start)?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(self.error_at(
                                start,
                                self.pos,
                                "a `\\u` escape of a leading surrogate must be followed by a trailing one",
                            ));
                        }
                        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                        char::from_u32(code)
                    }
                    0xDC00..=0xDFFF => None,
                    _ => char::from_u32(first),
                };
                let Some(c) = c else {
                    return Err(self.error_at(
                        start,
                        self.pos,
                        "a `\\u` escape names a lone surrogate, which is not a character",
                    ));
                };
                out.push(c);
                return Ok(());
            }
            _ => {
                let end = self.text[self.pos..]
                    .chars()
                    .next()
                    .map_or(self.pos, |c| self.pos + c.len_utf8());
                return Err(self.error_at(
                    start,
                    end,
                    "unknown escape; JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
                ));
            }
        };
        self.pos += 1;
        out.push(decoded);
        Ok(())
    }

    /// Reads the four hex digits of a `\u` escape that started at `start`.
    fn hex4(&mut self, start: usize) -> Result<u32, JsonError> {
        let mut value = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| (b as char).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.error_at(
                    start,
                    self.pos,
                    "a `\\u` escape needs exactly four hex digits",
                ));
            };
            value = value * 16 + digit;
            self.pos += 1;
        }
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let n = self.bytes[self.pos..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.pos += n;
        n
    }

    fn number(&mut self) -> Result<JsonKind, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 => {
                return Err(self.error_here(format!(
                    "expected a digit after `-`, found {}",
                    self.found()
                )));
            }
            n if n > 1 && self.bytes[int_start] == b'0' => {
                return Err(self.error_at(
                    int_start,
                    self.pos,
                    "numbers cannot have leading zeros",
                ));
            }
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error_here(format!(
                    "expected a digit after `.`, found {}",
                    self.found()
                )));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error_here(format!(
                    "expected a digit in the exponent, found {}",
                    self.found()
                )));
            }
        }
        let text = &self.text[start..self.pos];
        // Like serde_json: a number whose magnitude overflows a double is rejected.
        if text.parse::<f64>().is_ok_and(f64::is_infinite) {
            return Err(self.error_at(start, self.pos, "number out of range"));
        }
        Ok(JsonKind::Number(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<JsonValue, JsonError> {
        parse_json(text, FileId(0))
    }

    fn err(text: &str) -> (String, std::ops::Range<usize>) {
        let e = parse(text).unwrap_err();
        (e.message, e.span.range())
    }

    #[test]
    fn values_keep_their_spans() {
        let text =
            r#" { "a" : [1, -2.5e3, "x\n\u00e9\ud83d\ude00"], "b": {"c": null}, "d": true } "#;
        let v = parse(text).unwrap();
        assert_eq!(&text[v.span.range()], text.trim());
        let members = v.as_object().unwrap();
        assert_eq!(&text[members[0].key_span.range()], r#""a""#);
        let JsonKind::Array(items) = &members[0].value.kind else {
            panic!("array expected")
        };
        assert_eq!(&text[items[1].span.range()], "-2.5e3");
        assert_eq!(items[2].as_str(), Some("x\né😀"));
        assert_eq!(&text[items[2].span.range()], r#""x\n\u00e9\ud83d\ude00""#);
        assert_eq!(members[1].value.as_object().unwrap()[0].key, "c");
        assert_eq!(members[2].value.kind, JsonKind::Bool(true));
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        assert_eq!(err("").1, 0..0);
        assert_eq!(err("{\"a\": 1,}").1, 8..9);
        assert_eq!(err("{\"a\" 1}").1, 5..6);
        assert_eq!(err("[1 2]").1, 3..4);
        assert_eq!(err("\"abc").1, 0..4);
        assert_eq!(err("\"a\\qb\"").1, 2..4);
        assert_eq!(err("01").1, 0..2);
        assert_eq!(err("tru").1, 0..3);
        assert_eq!(err("True").1, 0..4);
        assert_eq!(err("1 2").1, 2..3);
        assert_eq!(err("\"\\ud800\"").1, 1..7);
        assert_eq!(err("\"\\u12\"").1, 1..5);
        assert_eq!(err("1e999").1, 0..5);
        assert_eq!(err("[").1, 1..1);
        assert!(err("{\"a\": 1").0.contains("never closed"));
        assert!(err("\"a\tb\"").0.contains("U+0009"));
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(err(&deep).0.contains("nested"));
        // Far deeper than the stack could take if the limit were missing.
        assert!(parse(&"[".repeat(1_000_000)).is_err());
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let v = parse("\u{feff}{}").unwrap();
        assert_eq!(v.span.range(), 3..5);
    }

    #[test]
    fn integers_read_exactly() {
        assert_eq!(parse("4294967295").unwrap().as_u64(), Some(4294967295));
        assert_eq!(parse("1.0").unwrap().as_u64(), None);
        assert_eq!(parse("-1").unwrap().as_u64(), None);
        assert_eq!(parse("99999999999999999999").unwrap().as_u64(), None);
    }
}
