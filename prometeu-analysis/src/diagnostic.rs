//! The diagnostics model and the one table of diagnostic codes
//! (`docs/spec/pbs-language.md` §11).

use crate::Span;

/// How serious a diagnostic is. A program with any error produces no bytecode.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The program is wrong and will not be built.
    Error,
    /// The program builds, but something is probably not what was meant.
    Warning,
}

/// Declares [`DiagnosticCode`] and its table from one list of
/// `Variant = "CODE", severity, "description"` rows.
macro_rules! diagnostic_codes {
    ($($variant:ident = $code:literal, $severity:ident, $doc:literal;)*) => {
        /// A stable diagnostic code. Codes are the contract with users and tools;
        /// messages may change freely.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum DiagnosticCode {
            $(#[doc = $doc] $variant,)*
        }

        impl DiagnosticCode {
            /// Every code, in table order.
            pub const ALL: &'static [DiagnosticCode] = &[$(DiagnosticCode::$variant,)*];

            /// The code as written in diagnostics and fixtures, e.g. `E_TYPE_MISMATCH`.
            pub const fn as_str(self) -> &'static str {
                match self { $(DiagnosticCode::$variant => $code,)* }
            }

            /// The severity a diagnostic with this code has.
            pub const fn severity(self) -> Severity {
                match self { $(DiagnosticCode::$variant => Severity::$severity,)* }
            }

            /// When the code fires, in one sentence.
            pub const fn description(self) -> &'static str {
                match self { $(DiagnosticCode::$variant => $doc,)* }
            }
        }
    };
}

diagnostic_codes! {
    LexInvalidChar = "E_LEX_INVALID_CHAR", Error, "A character that starts no token.";
    LexUnterminatedString = "E_LEX_UNTERMINATED_STRING", Error, "A string reaches a line end or the end of the file.";
    LexInvalidEscape = "E_LEX_INVALID_ESCAPE", Error, "An unknown `\\` escape or a bad `\\u{…}`.";
    LexInvalidNumber = "E_LEX_INVALID_NUMBER", Error, "A malformed number (`1.`, `0x`, `1e`, a bad suffix).";
    LexIntOverflow = "E_LEX_INT_OVERFLOW", Error, "An int literal outside 0..=2147483647.";
    LexBoundedOverflow = "E_LEX_BOUNDED_OVERFLOW", Error, "A bounded literal outside 0..=65535.";
    ParseUnexpectedToken = "E_PARSE_UNEXPECTED_TOKEN", Error, "A token the grammar does not allow there.";
    ParseExpectedExpr = "E_PARSE_EXPECTED_EXPR", Error, "An expression is missing.";
    ParseExpectedType = "E_PARSE_EXPECTED_TYPE", Error, "A type is missing.";
    ParseExpectedIdent = "E_PARSE_EXPECTED_IDENT", Error, "An identifier is missing.";
    ParseUnclosedDelimiter = "E_PARSE_UNCLOSED_DELIMITER", Error, "A `(`, `[` or `{` without its partner.";
    ParseNonAssoc = "E_PARSE_NON_ASSOC", Error, "A chained comparison or equality.";
    ParseTopLevelStatement = "E_PARSE_TOP_LEVEL_STATEMENT", Error, "A statement outside any function.";
    ParseImportAfterDecl = "E_PARSE_IMPORT_AFTER_DECL", Error, "An import after the first declaration.";
    ParseReserved = "E_PARSE_RESERVED", Error, "Use of a reserved, inactive keyword (`weak`).";
    ResolveUndefined = "E_RESOLVE_UNDEFINED", Error, "A name that resolves to nothing.";
    ResolveDuplicateSymbol = "E_RESOLVE_DUPLICATE_SYMBOL", Error, "Two items with one name in a module.";
    ResolveDuplicateLocal = "E_RESOLVE_DUPLICATE_LOCAL", Error, "Two `let`s of one name in one block, or two equal parameter names.";
    ResolveDuplicateMember = "E_RESOLVE_DUPLICATE_MEMBER", Error, "Two fields, members or error cases with one name.";
    ResolveNotVisible = "E_RESOLVE_NOT_VISIBLE", Error, "A private or `mod` item used from where it is not visible.";
    ResolveModuleNotFound = "E_RESOLVE_MODULE_NOT_FOUND", Error, "An import names a module that does not exist.";
    ResolveImportNotFound = "E_RESOLVE_IMPORT_NOT_FOUND", Error, "An import names an item its module does not have.";
    ResolveImportConflict = "E_RESOLVE_IMPORT_CONFLICT", Error, "An import collides with a module item or another import.";
    ResolveNotAType = "E_RESOLVE_NOT_A_TYPE", Error, "A value name used where a type is expected.";
    ResolveNotAValue = "E_RESOLVE_NOT_A_VALUE", Error, "A type name used where a value is expected.";
    ResolveHostContract = "E_RESOLVE_HOST_CONTRACT", Error, "A host contract outside the prelude.";
    TypeMismatch = "E_TYPE_MISMATCH", Error, "Expected one type, found another.";
    TypeOperator = "E_TYPE_OPERATOR", Error, "An operator applied to types it does not accept.";
    TypeInvalidCast = "E_TYPE_INVALID_CAST", Error, "An `as` conversion the language does not allow.";
    TypeArgCount = "E_TYPE_ARG_COUNT", Error, "A wrong number of arguments.";
    TypeNotCallable = "E_TYPE_NOT_CALLABLE", Error, "Calling something that is not a function, struct or method.";
    TypeNoMember = "E_TYPE_NO_MEMBER", Error, "An unknown field, method, constant or case.";
    TypeNotMutable = "E_TYPE_NOT_MUTABLE", Error, "Assigning to, or calling a `mut self` method on, an immutable place.";
    TypeMissingReturn = "E_TYPE_MISSING_RETURN", Error, "A non-void function that can reach its end.";
    TypeVoidValue = "E_TYPE_VOID_VALUE", Error, "A `void` call used as a value.";
    TypeNonExhaustive = "E_TYPE_NON_EXHAUSTIVE", Error, "A `when` value or `handle` that misses cases.";
    TypePropagate = "E_TYPE_PROPAGATE", Error, "A `?` where it is not allowed.";
    TypeBreakOutsideLoop = "E_TYPE_BREAK_OUTSIDE_LOOP", Error, "A `break` or `continue` outside a loop.";
    TypeContractMismatch = "E_TYPE_CONTRACT_MISMATCH", Error, "A service misses or mis-types a contract function.";
    TypeConstEval = "E_TYPE_CONST_EVAL", Error, "A constant expression that is not constant or would trap.";
    TypeInfer = "E_TYPE_INFER", Error, "A `none` or `[]` whose type cannot be known from context.";
    HipViewEscape = "E_HIP_VIEW_ESCAPE", Error, "A view leaves its block.";
    HipViewConflict = "E_HIP_VIEW_CONFLICT", Error, "A statically visible `mutate`/`borrow` overlap.";
    HipNotHandle = "E_HIP_NOT_HANDLE", Error, "`borrow`, `mutate`, `peek` or `take` on a non-handle.";
    ProjectManifest = "E_PROJECT_MANIFEST", Error, "`prometeu.json` missing or invalid.";
    ProjectNoMain = "E_PROJECT_NO_MAIN", Error, "An app without `src/main.pbs`.";
    ProjectNoFrame = "E_PROJECT_NO_FRAME", Error, "An app without `fn frame()`.";
    ProjectEntrySignature = "E_PROJECT_ENTRY_SIGNATURE", Error, "An app's `init` or `frame` with parameters or a return type.";
    ProjectDependency = "E_PROJECT_DEPENDENCY", Error, "A dependency that cannot be found, or a cycle of projects.";
    ProjectIo = "E_PROJECT_IO", Error, "A project file or directory that cannot be read (permissions, a broken link, a symlink loop, a non-UTF-8 name).";
    ProjectUnknownField = "W_PROJECT_UNKNOWN_FIELD", Warning, "A `prometeu.json` field the toolchain does not know; it is ignored.";
    UnusedLocal = "W_UNUSED_LOCAL", Warning, "A local or parameter declared and never used.";
    UnusedImport = "W_UNUSED_IMPORT", Warning, "An import never used.";
    UnusedPrivate = "W_UNUSED_PRIVATE", Warning, "A private item or service member never used.";
    UnusedMut = "W_UNUSED_MUT", Warning, "A `mut` binding never assigned nor used as a `mut self` receiver.";
    UnreachableCode = "W_UNREACHABLE_CODE", Warning, "Code that can never run.";
    UnreachableArm = "W_UNREACHABLE_ARM", Warning, "A `when` arm that can never match.";
    Shadowed = "W_SHADOWED", Warning, "A `let` that hides a local of an enclosing block.";
}

impl DiagnosticCode {
    /// The code written as `text`, if there is one.
    pub fn from_code(text: &str) -> Option<DiagnosticCode> {
        DiagnosticCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for DiagnosticCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for DiagnosticCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DiagnosticCode::from_code(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code `{text}`")))
    }
}

/// A secondary location that explains a diagnostic (the first declaration of a
/// duplicate, the opener of an unclosed delimiter, …).
#[derive(Clone, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
pub struct Related {
    /// What this location is.
    pub message: String,
    /// Where it is.
    pub span: Span,
}

/// One problem found in a program: severity, stable code, message, primary span and
/// related locations.
#[derive(Clone, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Error or warning; always the code's severity.
    pub severity: Severity,
    /// The stable code.
    pub code: DiagnosticCode,
    /// Human text; may be improved freely.
    pub message: String,
    /// What an editor underlines.
    pub span: Span,
    /// Secondary locations, in the order they help the reader.
    pub related: Vec<Related>,
    /// Facts a quick fix needs that the message may abbreviate: for
    /// `E_TYPE_NON_EXHAUSTIVE`, every missing pattern (the message names three). Not
    /// part of any output format.
    #[serde(skip)]
    pub data: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's own severity and no related locations.
    pub fn new(code: DiagnosticCode, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            span,
            related: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Attaches the facts a quick fix needs (see [`Diagnostic::data`]).
    pub fn with_data(mut self, data: Vec<String>) -> Diagnostic {
        self.data = data;
        self
    }

    /// Adds a related location.
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push(Related {
            message: message.into(),
            span,
        });
        self
    }

    /// The order diagnostics are reported in: by file, start offset, code, then the rest,
    /// so sorted output is deterministic.
    pub fn sort_key(&self) -> (crate::FileId, u32, &'static str, u32, &str) {
        (
            self.span.file,
            self.span.start,
            self.code.as_str(),
            self.span.end,
            &self.message,
        )
    }
}

/// Sorts diagnostics into their reporting order (see [`Diagnostic::sort_key`]).
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Sorts diagnostics and keeps one per code and span: two phases that notice the same
/// mistake (the loader and the lexer both see a non-UTF-8 byte) report it once.
pub fn finish_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    sort_diagnostics(diagnostics);
    diagnostics.dedup_by(|later, earlier| later.code == earlier.code && later.span == earlier.span);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FileId;

    #[test]
    fn table_codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for &code in DiagnosticCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            let expected = if code.as_str().starts_with("E_") {
                Severity::Error
            } else {
                assert!(code.as_str().starts_with("W_"), "{code}");
                Severity::Warning
            };
            assert_eq!(code.severity(), expected, "{code}");
            assert!(!code.description().is_empty());
            assert_eq!(DiagnosticCode::from_code(code.as_str()), Some(code));
        }
        assert_eq!(DiagnosticCode::from_code("E_NOPE"), None);
    }

    /// The table must list exactly the codes of the spec's §11 table.
    #[test]
    fn table_matches_the_specification() {
        let spec = include_str!("../../docs/spec/pbs-language.md");
        let section = &spec[spec.find("## 11. Diagnostics").expect("§11")..];
        let table_end = section.find("\nUnused warnings").expect("end of §11 table");
        let mut in_spec: Vec<&str> = section[..table_end]
            .split('`')
            .filter(|w| {
                (w.starts_with("E_") || w.starts_with("W_"))
                    && w.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
            .collect();
        in_spec.sort();
        in_spec.dedup();
        let mut in_table: Vec<&str> = DiagnosticCode::ALL.iter().map(|c| c.as_str()).collect();
        in_table.sort();
        assert_eq!(in_table, in_spec);
    }

    #[test]
    fn diagnostics_sort_by_file_offset_then_code() {
        let d = |file, start, code| {
            Diagnostic::new(code, Span::new(FileId(file), start, start + 1), "m")
        };
        let mut list = vec![
            d(1, 0, DiagnosticCode::TypeMismatch),
            d(0, 5, DiagnosticCode::UnusedLocal),
            d(0, 5, DiagnosticCode::TypeMismatch),
            d(0, 2, DiagnosticCode::Shadowed),
        ];
        sort_diagnostics(&mut list);
        let order: Vec<_> = list
            .iter()
            .map(|d| (d.span.file.0, d.span.start, d.code.as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                (0, 2, "W_SHADOWED"),
                (0, 5, "E_TYPE_MISMATCH"),
                (0, 5, "W_UNUSED_LOCAL"),
                (1, 0, "E_TYPE_MISMATCH")
            ]
        );
    }

    #[test]
    fn finishing_drops_repeats_of_one_code_at_one_span() {
        let at = |start| Span::new(FileId(0), start, start + 1);
        let mut list = vec![
            Diagnostic::new(DiagnosticCode::LexInvalidChar, at(4), "from the lexer"),
            Diagnostic::new(DiagnosticCode::LexInvalidChar, at(4), "from the loader"),
            Diagnostic::new(DiagnosticCode::TypeMismatch, at(4), "another mistake"),
            Diagnostic::new(DiagnosticCode::LexInvalidChar, at(1), "earlier"),
        ];
        finish_diagnostics(&mut list);
        let kept: Vec<_> = list
            .iter()
            .map(|d| (d.span.start, d.code.as_str()))
            .collect();
        assert_eq!(
            kept,
            vec![
                (1, "E_LEX_INVALID_CHAR"),
                (4, "E_LEX_INVALID_CHAR"),
                (4, "E_TYPE_MISMATCH")
            ]
        );
    }

    #[test]
    fn unknown_codes_do_not_deserialize() {
        let err = serde_json::from_str::<DiagnosticCode>("\"E_NOPE\"").unwrap_err();
        assert!(err.to_string().contains("unknown diagnostic code `E_NOPE`"));
    }
}
