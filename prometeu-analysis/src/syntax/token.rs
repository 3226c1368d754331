//! Tokens: the lexer's output, compact and allocation-free (`docs/spec/pbs-language.md` §2).

/// Declares [`TokenKind`] with its source text table from one list of rows.
macro_rules! token_kinds {
    (
        plain { $($(#[$pdoc:meta])* $plain:ident = $pname:literal,)* }
        keywords { $($kw:ident = $kwtext:literal,)* }
        punct { $($punct:ident = $ptext:literal,)* }
    ) => {
        /// What a token is. One byte; the text is in the source at the token's span.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        #[repr(u8)]
        pub enum TokenKind {
            $($(#[$pdoc])* $plain,)*
            $(#[doc = concat!("The keyword `", $kwtext, "`.")] $kw,)*
            $(#[doc = concat!("The punctuation `", $ptext, "`.")] $punct,)*
        }

        impl TokenKind {
            /// How the token is named in messages: its text for keywords and punctuation,
            /// a description otherwise.
            pub const fn describe(self) -> &'static str {
                match self {
                    $(TokenKind::$plain => $pname,)*
                    $(TokenKind::$kw => concat!("`", $kwtext, "`"),)*
                    $(TokenKind::$punct => concat!("`", $ptext, "`"),)*
                }
            }

            /// The keyword spelled `text`, if `text` is one.
            pub fn keyword(text: &str) -> Option<TokenKind> {
                match text {
                    $($kwtext => Some(TokenKind::$kw),)*
                    _ => None,
                }
            }

            /// Whether this is a keyword.
            pub const fn is_keyword(self) -> bool {
                matches!(self, $(TokenKind::$kw)|*)
            }

            /// Every keyword with its text, in the order of §2.3.
            pub const KEYWORDS: &'static [(TokenKind, &'static str)] =
                &[$((TokenKind::$kw, $kwtext),)*];

            /// Every operator and punctuation token with its text, in the order of §2.5.
            pub const PUNCTUATION: &'static [(TokenKind, &'static str)] =
                &[$((TokenKind::$punct, $ptext),)*];
        }
    };
}

token_kinds! {
    plain {
        /// An identifier `[A-Za-z_][A-Za-z0-9_]*` that is not a keyword nor a lone `_`.
        Ident = "an identifier",
        /// A lone `_`, the wildcard pattern.
        Underscore = "`_`",
        /// An int literal; `Token::value` is its value.
        Int = "an int literal",
        /// A float literal; `Token::value` indexes `Lexed::floats`.
        Float = "a float literal",
        /// A bounded literal such as `640b`; `Token::value` is its value.
        Bounded = "a bounded literal",
        /// A string literal; `Token::value` indexes `Lexed::strings`.
        Str = "a string literal",
        /// An ordinary `//` comment (trivia).
        Comment = "a comment",
        /// A `///` doc comment (trivia).
        DocComment = "a doc comment",
        /// The end of the file.
        Eof = "the end of the file",
    }
    keywords {
        Import = "import", From = "from", As = "as", Pub = "pub", Mod = "mod",
        Service = "service", Fn = "fn", Let = "let", Mut = "mut", Declare = "declare",
        Struct = "struct", Contract = "contract", Host = "host", Error = "error",
        Const = "const", Optional = "optional", Result = "result", Some = "some",
        None = "none", Ok = "ok", Err = "err", If = "if", Else = "else", When = "when",
        For = "for", In = "in", While = "while", Break = "break", Continue = "continue",
        Return = "return", Handle = "handle", Borrow = "borrow", Mutate = "mutate",
        Peek = "peek", Take = "take", Alloc = "alloc", Weak = "weak", True = "true",
        False = "false", SelfKw = "self",
    }
    punct {
        Plus = "+", Minus = "-", Star = "*", Slash = "/", Percent = "%", Bang = "!",
        Amp = "&", Pipe = "|", Caret = "^", Shl = "<<", Shr = ">>", AmpAmp = "&&",
        PipePipe = "||", EqEq = "==", NotEq = "!=", Lt = "<", Le = "<=", Gt = ">", Ge = ">=",
        Eq = "=", PlusEq = "+=", MinusEq = "-=", StarEq = "*=", SlashEq = "/=",
        PercentEq = "%=", LParen = "(", RParen = ")", LBrace = "{", RBrace = "}",
        LBracket = "[", RBracket = "]", Comma = ",", Semi = ";", Colon = ":", Dot = ".",
        DotDot = "..", Question = "?", Arrow = "->", At = "@",
    }
}

/// One token: kind, flags and byte range, plus a decoded literal payload. 16 bytes, no
/// heap: the text is `&source[start..end]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// [`Token::LEX_ERROR`] and friends.
    pub flags: u8,
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
    /// Int and bounded: the value. Float: index into `Lexed::floats`. Str: index into
    /// `Lexed::strings`. Otherwise 0.
    pub value: u32,
}

impl Token {
    /// The token itself is malformed (a literal with a lexical error); its value is
    /// meaningless.
    pub const LEX_ERROR: u8 = 1;
    /// A lexical error (invalid characters) sits between the previous token and this one.
    /// The parser uses this to stay silent about statements that already have an error.
    pub const AFTER_LEX_ERROR: u8 = 2;
    /// The literal is usable but had a lexical error inside (a string with a bad escape,
    /// or one that is unterminated).
    pub const INNER_LEX_ERROR: u8 = 4;

    /// Whether a lexical error was reported for or right before this token.
    #[inline]
    pub fn has_lex_error(self) -> bool {
        self.flags != 0
    }

    /// The byte range, for slicing the source.
    #[inline]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}
