//! The lexer: source text to tokens, trivia and lexical diagnostics
//! (`docs/spec/pbs-language.md` §2 and §11).
//!
//! One pass over the bytes; no allocation per token. Literal values are decoded here so
//! later phases never re-read literal text.

use crate::syntax::token::{Token, TokenKind};
use crate::{Diagnostic, DiagnosticCode, FileId, Span};

/// The lexer's output for one file.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    /// Significant tokens in source order, ending with one [`TokenKind::Eof`].
    pub tokens: Vec<Token>,
    /// Comments and doc comments in source order (whitespace is not recorded).
    pub trivia: Vec<Token>,
    /// Decoded float literal values, indexed by a float token's `value`.
    pub floats: Vec<f64>,
    /// Decoded (unescaped) text of every string literal, back to back.
    pub string_data: String,
    /// `(start, end)` byte ranges into `string_data`, indexed by a string token's `value`.
    pub strings: Vec<(u32, u32)>,
    /// Lexical diagnostics in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Lexed {
    /// The decoded text of string token `token`.
    pub fn string_value(&self, token: Token) -> &str {
        let (start, end) = self.strings[token.value as usize];
        &self.string_data[start as usize..end as usize]
    }

    /// The decoded value of float token `token`.
    pub fn float_value(&self, token: Token) -> f64 {
        self.floats[token.value as usize]
    }
}

/// Lexes `text`, the contents of `file`. Never fails: errors become diagnostics.
///
/// Sources are limited to `u32::MAX` bytes; offsets past that are clamped (callers bound
/// file sizes long before that).
pub fn lex(file: FileId, text: &str) -> Lexed {
    let mut lexer = Lexer {
        file,
        text,
        bytes: text.as_bytes(),
        pos: 0,
        out: Lexed {
            // About one token per three bytes of typical code.
            tokens: Vec::with_capacity(text.len() / 3 + 16),
            ..Lexed::default()
        },
        pending_flags: 0,
        scratch: String::new(),
    };
    lexer.run();
    lexer.out
}

struct Lexer<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Lexed,
    /// Flags for the next token (set after skipping invalid characters).
    pending_flags: u8,
    /// Reused buffer for number text without underscores.
    scratch: String,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn offset(pos: usize) -> u32 {
    u32::try_from(pos).unwrap_or(u32::MAX)
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, offset(start), offset(end))
    }

    fn error(&mut self, code: DiagnosticCode, start: usize, end: usize, message: String) {
        let span = self.span(start, end);
        self.out
            .diagnostics
            .push(Diagnostic::new(code, span, message));
    }

    fn push(&mut self, kind: TokenKind, start: usize, value: u32, flags: u8) {
        let token = Token {
            kind,
            flags: flags | std::mem::take(&mut self.pending_flags),
            start: offset(start),
            end: offset(self.pos),
            value,
        };
        self.out.tokens.push(token);
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.bytes[start];
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.peek(1) == b'/' => self.comment(start),
                b'"' => self.string(start),
                b'0'..=b'9' => self.number(start),
                _ if is_ident_start(b) => self.ident(start),
                b'#' | b'~' | b'\'' | b'=' | b'!' | b'-' if self.foreign(start) => {}
                _ => {
                    if let Some(kind) = self.punct() {
                        self.push(kind, start, 0, 0);
                    } else {
                        self.invalid_chars(start);
                    }
                }
            }
        }
        let end = self.bytes.len();
        self.pos = end;
        self.push(TokenKind::Eof, end, 0, 0);
    }

    fn comment(&mut self, start: usize) {
        let end = memchr_newline(self.bytes, start);
        // Exactly three slashes make a doc comment; `////` is an ordinary comment.
        let is_doc = self.peek(2) == b'/' && self.peek(3) != b'/';
        self.pos = end;
        let kind = if is_doc {
            TokenKind::DocComment
        } else {
            TokenKind::Comment
        };
        self.out.trivia.push(Token {
            kind,
            flags: 0,
            start: offset(start),
            end: offset(end),
            value: 0,
        });
    }

    fn ident(&mut self, start: usize) {
        let mut end = start + 1;
        while end < self.bytes.len() && is_ident_continue(self.bytes[end]) {
            end += 1;
        }
        self.pos = end;
        let text = &self.text[start..end];
        let kind = if text == "_" {
            TokenKind::Underscore
        } else {
            TokenKind::keyword(text).unwrap_or(TokenKind::Ident)
        };
        self.push(kind, start, 0, 0);
    }

    /// Another language's spelling at `start` that PBS writes differently (§11, one
    /// mistake, one diagnostic): reports it with the PBS spelling, lexes it as that
    /// spelling would be (flagged, so the parser adds nothing), and returns true; false
    /// when the text is not one of them.
    ///
    /// | written | meaning in PBS | becomes |
    /// |---|---|---|
    /// | `# note`, `#` at a line end, `#!`, `#[` | a comment (Python, shell), an attribute (Rust) | `E_LEX_INVALID_CHAR`; the rest of the line is a comment |
    /// | `-- note` first on its line | a comment (Lua) | `E_LEX_INVALID_CHAR`; the rest of the line is a comment |
    /// | `~=` | not equal (Lua) | `E_LEX_INVALID_CHAR`; a `!=` token |
    /// | `'text'` | a string (JS, Python, Lua) | `E_LEX_INVALID_CHAR`; a string token |
    /// | `===`, `!==` | equality (JavaScript) | `E_PARSE_UNEXPECTED_TOKEN`; `==`, `!=` |
    fn foreign(&mut self, start: usize) -> bool {
        let bytes = self.bytes;
        let (code, end, message, kind) = match (bytes[start], self.peek(1), self.peek(2)) {
            (b'#', _, _) if self.hash_comment(start) => {
                let end = memchr_newline(bytes, start);
                self.error(
                    DiagnosticCode::LexInvalidChar,
                    start,
                    start + 1,
                    "`#` does not start a comment in PBS: write `//`".to_string(),
                );
                self.out.trivia.push(Token {
                    kind: TokenKind::Comment,
                    flags: 0,
                    start: offset(start),
                    end: offset(end),
                    value: 0,
                });
                // The next line is not part of the mistake: no flag on its first token
                // (the parser drops a missing `;` right before a `#`, see
                // `Parser::expect_semi`).
                self.pos = end;
                return true;
            }
            (b'-', b'-', b' ' | b'\t' | b'\n' | b'\r' | 0) if self.line_start(start) => {
                // `-- note` (Lua) as the first thing on its line.
                let end = memchr_newline(bytes, start);
                self.error(
                    DiagnosticCode::LexInvalidChar,
                    start,
                    start + 2,
                    "`--` does not start a comment in PBS: write `//`".to_string(),
                );
                self.out.trivia.push(Token {
                    kind: TokenKind::Comment,
                    flags: 0,
                    start: offset(start),
                    end: offset(end),
                    value: 0,
                });
                self.pos = end;
                return true;
            }
            (b'~', b'=', _) => (
                DiagnosticCode::LexInvalidChar,
                start + 2,
                "PBS writes \"not equal\" as `!=`",
                TokenKind::NotEq,
            ),
            (b'=', b'=', b'=') => (
                DiagnosticCode::ParseUnexpectedToken,
                start + 3,
                "PBS has no `===`: `==` compares two values of the same type",
                TokenKind::EqEq,
            ),
            (b'!', b'=', b'=') => (
                DiagnosticCode::ParseUnexpectedToken,
                start + 3,
                "PBS has no `!==`: `!=` compares two values of the same type",
                TokenKind::NotEq,
            ),
            (b'\'', _, _) => {
                let line_end = memchr_newline(bytes, start);
                let Some(close) = bytes[start + 1..line_end].iter().position(|&b| b == b'\'')
                else {
                    return false;
                };
                let end = start + 1 + close + 1;
                let inner = &self.text[start + 1..end - 1];
                self.error(
                    DiagnosticCode::LexInvalidChar,
                    start,
                    end,
                    format!("strings are written in double quotes: \"{inner}\""),
                );
                let data_start = self.out.string_data.len();
                self.out.string_data.push_str(inner);
                let index = offset(self.out.strings.len());
                let data_end = self.out.string_data.len();
                self.out
                    .strings
                    .push((offset(data_start), offset(data_end)));
                self.pos = end;
                self.push(TokenKind::Str, start, index, Token::LEX_ERROR);
                return true;
            }
            _ => return false,
        };
        self.error(code, start, end, message.to_string());
        self.pos = end;
        self.push(kind, start, 0, Token::LEX_ERROR);
        true
    }

    /// Whether only spaces and tabs stand between the line's start and `start`.
    fn line_start(&self, start: usize) -> bool {
        self.bytes[..start]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n' && b != b'\r')
            .all(|&b| b == b' ' || b == b'\t')
    }

    /// Whether the `#` at `start` starts what another language reads as a comment: at
    /// the end of a line, before `!` or `[` (`#!`, `#[…]`), or before a space and a
    /// word (`# note`). Any other `#` is an ordinary invalid character.
    fn hash_comment(&self, start: usize) -> bool {
        let after = &self.bytes[start + 1..];
        match after {
            [] | [b'\n' | b'\r' | b'!' | b'[', ..] => true,
            [b' ' | b'\t', rest @ ..] => {
                let word = rest.iter().find(|&&b| b != b' ' && b != b'\t');
                word.is_none_or(|&b| {
                    b.is_ascii_alphanumeric() || !b.is_ascii() || b == b'\n' || b == b'\r'
                })
            }
            _ => false,
        }
    }

    /// Skips a run of characters that start no token and reports it once.
    fn invalid_chars(&mut self, start: usize) {
        let mut end = start;
        loop {
            let ch = self.text[end..].chars().next().expect("not at end");
            end += ch.len_utf8();
            let Some(&next) = self.bytes.get(end) else {
                break;
            };
            let starts_token = next.is_ascii_whitespace()
                || next == b'"'
                || next.is_ascii_alphanumeric()
                || next == b'_'
                || punct_kind(self.bytes, end).is_some();
            if starts_token {
                break;
            }
        }
        self.pos = end;
        let shown = &self.text[start..end];
        self.error(
            DiagnosticCode::LexInvalidChar,
            start,
            end,
            format!(
                "unexpected character{} `{shown}`",
                if shown.chars().count() > 1 { "s" } else { "" }
            ),
        );
        self.pending_flags |= Token::AFTER_LEX_ERROR;
    }

    fn punct(&mut self) -> Option<TokenKind> {
        let (kind, len) = punct_kind(self.bytes, self.pos)?;
        self.pos += len;
        Some(kind)
    }

    fn string(&mut self, start: usize) {
        let data_start = self.out.string_data.len();
        let mut pos = start + 1;
        let mut flags = 0;
        let mut run_start = pos;
        loop {
            let Some(&b) = self.bytes.get(pos) else {
                self.out.string_data.push_str(&self.text[run_start..pos]);
                self.unterminated(start, pos);
                flags |= Token::INNER_LEX_ERROR;
                break;
            };
            match b {
                b'"' => {
                    self.out.string_data.push_str(&self.text[run_start..pos]);
                    pos += 1;
                    break;
                }
                b'\n' | b'\r' => {
                    self.out.string_data.push_str(&self.text[run_start..pos]);
                    self.unterminated(start, pos);
                    flags |= Token::INNER_LEX_ERROR;
                    break;
                }
                b'\\' => {
                    self.out.string_data.push_str(&self.text[run_start..pos]);
                    match self.escape(pos) {
                        Escape::Ok(ch, next) => {
                            self.out.string_data.push(ch);
                            pos = next;
                        }
                        Escape::Bad(next) => {
                            // Keep the bad escape's text so the value stays close to what
                            // was written.
                            self.out.string_data.push_str(&self.text[pos..next]);
                            flags |= Token::INNER_LEX_ERROR;
                            pos = next;
                        }
                        Escape::LineEnd => {
                            // A `\` right before the line end: the string is simply
                            // unterminated; one diagnostic is enough.
                            pos += 1;
                            continue;
                        }
                    }
                    run_start = pos;
                }
                _ => pos += 1,
            }
        }
        self.pos = pos;
        let index = offset(self.out.strings.len());
        let data_end = self.out.string_data.len();
        self.out
            .strings
            .push((offset(data_start), offset(data_end)));
        self.push(TokenKind::Str, start, index, flags);
    }

    fn unterminated(&mut self, start: usize, end: usize) {
        self.error(
            DiagnosticCode::LexUnterminatedString,
            start,
            end,
            "string literal is not closed before the end of the line".to_string(),
        );
    }

    /// Decodes the escape whose `\` is at `pos`.
    fn escape(&mut self, pos: usize) -> Escape {
        let letter = self.bytes.get(pos + 1).copied();
        let simple = match letter {
            None | Some(b'\n') | Some(b'\r') => return Escape::LineEnd,
            Some(b'\\') => Some('\\'),
            Some(b'"') => Some('"'),
            Some(b'n') => Some('\n'),
            Some(b't') => Some('\t'),
            Some(b'r') => Some('\r'),
            Some(b'0') => Some('\0'),
            Some(b'u') => None,
            Some(_) => {
                let ch = self.text[pos + 1..].chars().next().expect("a char follows");
                let end = pos + 1 + ch.len_utf8();
                self.error(
                    DiagnosticCode::LexInvalidEscape,
                    pos,
                    end,
                    format!("unknown escape `\\{ch}`; valid escapes are \\\\ \\\" \\n \\t \\r \\0 \\u{{…}}"),
                );
                return Escape::Bad(end);
            }
        };
        if let Some(ch) = simple {
            return Escape::Ok(ch, pos + 2);
        }
        // `\u{` 1–6 hex digits `}` naming a Unicode scalar value.
        let mut end = pos + 2;
        if self.bytes.get(end) != Some(&b'{') {
            self.error(
                DiagnosticCode::LexInvalidEscape,
                pos,
                end,
                "`\\u` must be followed by `{hex digits}`".to_string(),
            );
            return Escape::Bad(end);
        }
        end += 1;
        let digits_start = end;
        while self.bytes.get(end).is_some_and(u8::is_ascii_hexdigit) {
            end += 1;
        }
        let digits = &self.text[digits_start..end];
        let closed = self.bytes.get(end) == Some(&b'}');
        if closed {
            end += 1;
        }
        let value = if closed && (1..=6).contains(&digits.len()) {
            u32::from_str_radix(digits, 16)
                .ok()
                .and_then(char::from_u32)
        } else {
            None
        };
        match value {
            Some(ch) => Escape::Ok(ch, end),
            None => {
                self.error(
                    DiagnosticCode::LexInvalidEscape,
                    pos,
                    end,
                    "`\\u{…}` needs 1 to 6 hex digits naming a Unicode scalar value".to_string(),
                );
                Escape::Bad(end)
            }
        }
    }

    fn number(&mut self, start: usize) {
        let bytes = self.bytes;
        let mut pos = start;
        if bytes[pos] == b'0' && matches!(bytes.get(pos + 1), Some(b'x') | Some(b'X')) {
            pos += 2;
            let mut value: u64 = 0;
            let mut digits = 0;
            while let Some(&b) = bytes.get(pos) {
                let d = match b {
                    b'0'..=b'9' => b - b'0',
                    b'a'..=b'f' => b - b'a' + 10,
                    b'A'..=b'F' => b - b'A' + 10,
                    b'_' => {
                        pos += 1;
                        continue;
                    }
                    _ => break,
                };
                value = (value * 16 + u64::from(d)).min(u64::from(u32::MAX) + 1);
                digits += 1;
                pos += 1;
            }
            let glued = self.bad_suffix(&mut pos);
            if digits == 0 || glued {
                return self.invalid_number(
                    start,
                    pos,
                    "a hex literal needs hex digits after `0x`",
                );
            }
            return self.int_token(start, pos, value);
        }
        let mut value: u64 = 0;
        while let Some(&b) = bytes.get(pos) {
            match b {
                b'0'..=b'9' => {
                    value = (value * 10 + u64::from(b - b'0')).min(u64::from(u32::MAX) + 1)
                }
                b'_' => {}
                _ => break,
            }
            pos += 1;
        }
        let mut is_float = false;
        // A `.` continues the number only when a digit follows it (`1..5`, `1.x`).
        if bytes.get(pos) == Some(&b'.') {
            match bytes.get(pos + 1) {
                Some(b'0'..=b'9') => {
                    is_float = true;
                    pos += 2;
                    while bytes
                        .get(pos)
                        .is_some_and(|&b| b.is_ascii_digit() || b == b'_')
                    {
                        pos += 1;
                    }
                }
                Some(&b) if b == b'.' || is_ident_start(b) => {}
                _ => {
                    return self.invalid_number(
                        start,
                        pos + 1,
                        "a digit must follow the `.` of a float literal",
                    );
                }
            }
        }
        if matches!(bytes.get(pos), Some(b'e') | Some(b'E')) {
            is_float = true;
            pos += 1;
            if matches!(bytes.get(pos), Some(b'+') | Some(b'-')) {
                pos += 1;
            }
            let exp_start = pos;
            while bytes
                .get(pos)
                .is_some_and(|&b| b.is_ascii_digit() || b == b'_')
            {
                pos += 1;
            }
            if !bytes[exp_start..pos].iter().any(u8::is_ascii_digit) {
                self.bad_suffix(&mut pos);
                return self.invalid_number(start, pos, "an exponent needs digits");
            }
        }
        if !is_float && bytes.get(pos) == Some(&b'b') {
            pos += 1;
            if self.bad_suffix(&mut pos) {
                return self.invalid_number(start, pos, "unknown suffix on a number");
            }
            self.pos = pos;
            if value > 65535 {
                self.error(
                    DiagnosticCode::LexBoundedOverflow,
                    start,
                    pos,
                    "bounded literal does not fit in 0..=65535".to_string(),
                );
                return self.push(TokenKind::Bounded, start, 0, Token::LEX_ERROR);
            }
            return self.push(TokenKind::Bounded, start, value as u32, 0);
        }
        if self.bad_suffix(&mut pos) {
            return self.invalid_number(start, pos, "unknown suffix on a number");
        }
        if !is_float {
            return self.int_token(start, pos, value);
        }
        self.scratch.clear();
        self.scratch
            .extend(self.text[start..pos].chars().filter(|&c| c != '_'));
        let parsed: f64 = self.scratch.parse().unwrap_or(f64::INFINITY);
        if !parsed.is_finite() {
            return self.invalid_number(start, pos, "the value is too large for a float");
        }
        self.pos = pos;
        let index = offset(self.out.floats.len());
        self.out.floats.push(parsed);
        self.push(TokenKind::Float, start, index, 0);
    }

    /// Extends `pos` over identifier characters glued to a number; true if there were any.
    fn bad_suffix(&self, pos: &mut usize) -> bool {
        let before = *pos;
        while self.bytes.get(*pos).copied().is_some_and(is_ident_continue) {
            *pos += 1;
        }
        *pos != before
    }

    fn int_token(&mut self, start: usize, end: usize, value: u64) {
        self.pos = end;
        if value > i32::MAX as u64 {
            self.error(
                DiagnosticCode::LexIntOverflow,
                start,
                end,
                "int literal does not fit in 0..=2147483647".to_string(),
            );
            return self.push(TokenKind::Int, start, 0, Token::LEX_ERROR);
        }
        self.push(TokenKind::Int, start, value as u32, 0);
    }

    fn invalid_number(&mut self, start: usize, end: usize, why: &str) {
        self.pos = end;
        let shown = &self.text[start..end];
        self.error(
            DiagnosticCode::LexInvalidNumber,
            start,
            end,
            format!("malformed number `{shown}`: {why}"),
        );
        self.push(TokenKind::Int, start, 0, Token::LEX_ERROR);
    }
}

enum Escape {
    /// A valid escape: the character and the offset after the escape.
    Ok(char, usize),
    /// An invalid escape, reported; the offset after it.
    Bad(usize),
    /// `\` at the end of a line or file.
    LineEnd,
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    let mut end = from;
    while end < bytes.len() && bytes[end] != b'\n' && bytes[end] != b'\r' {
        end += 1;
    }
    end
}

/// The operator or punctuation at `pos`, longest match first, with its length.
fn punct_kind(bytes: &[u8], pos: usize) -> Option<(TokenKind, usize)> {
    use TokenKind as T;
    let b = *bytes.get(pos)?;
    let next = bytes.get(pos + 1).copied().unwrap_or(0);
    let two = |kind: TokenKind| Some((kind, 2));
    let one = |kind: TokenKind| Some((kind, 1));
    match (b, next) {
        (b'<', b'<') => two(T::Shl),
        (b'>', b'>') => two(T::Shr),
        (b'&', b'&') => two(T::AmpAmp),
        (b'|', b'|') => two(T::PipePipe),
        (b'=', b'=') => two(T::EqEq),
        (b'!', b'=') => two(T::NotEq),
        (b'<', b'=') => two(T::Le),
        (b'>', b'=') => two(T::Ge),
        (b'+', b'=') => two(T::PlusEq),
        (b'-', b'=') => two(T::MinusEq),
        (b'*', b'=') => two(T::StarEq),
        (b'/', b'=') => two(T::SlashEq),
        (b'%', b'=') => two(T::PercentEq),
        (b'.', b'.') => two(T::DotDot),
        (b'-', b'>') => two(T::Arrow),
        (b'+', _) => one(T::Plus),
        (b'-', _) => one(T::Minus),
        (b'*', _) => one(T::Star),
        (b'/', _) => one(T::Slash),
        (b'%', _) => one(T::Percent),
        (b'!', _) => one(T::Bang),
        (b'&', _) => one(T::Amp),
        (b'|', _) => one(T::Pipe),
        (b'^', _) => one(T::Caret),
        (b'<', _) => one(T::Lt),
        (b'>', _) => one(T::Gt),
        (b'=', _) => one(T::Eq),
        (b'(', _) => one(T::LParen),
        (b')', _) => one(T::RParen),
        (b'{', _) => one(T::LBrace),
        (b'}', _) => one(T::RBrace),
        (b'[', _) => one(T::LBracket),
        (b']', _) => one(T::RBracket),
        (b',', _) => one(T::Comma),
        (b';', _) => one(T::Semi),
        (b':', _) => one(T::Colon),
        (b'.', _) => one(T::Dot),
        (b'?', _) => one(T::Question),
        (b'@', _) => one(T::At),
        _ => None,
    }
}
