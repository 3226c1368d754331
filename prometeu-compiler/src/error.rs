//! Why compilation stopped. The analysis has already reported every user mistake, and
//! the compiler lowers every construct the checker accepts, so a [`CompileError`] is
//! either a console limit that depends on the generated code (`toolchain.md` §2) or an
//! internal inconsistency (a bug); both name the source span that caused them.

use prometeu_analysis::Span;

/// What kind of failure a [`CompileError`] is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CompileErrorKind {
    /// The analysis reported errors: no bytecode is produced (`pbs-language.md` §11).
    AnalysisErrors,
    /// A limit of the bytecode format was exceeded (too many locals, a function too long).
    Limit,
    /// The compiler produced something inconsistent (a bug; never the user's fault).
    Internal,
}

/// A compilation failure with the span that caused it, when there is one.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CompileError {
    /// What went wrong, broadly.
    pub kind: CompileErrorKind,
    /// Where (absent for whole-program failures).
    pub span: Option<Span>,
    /// A sentence for the user.
    pub message: String,
}

impl CompileError {
    /// An internal error at `span` for a construct the checker should have rejected:
    /// the checker and the compiler disagree about what a valid program is.
    pub fn unlowerable(span: Span, what: impl std::fmt::Display) -> CompileError {
        CompileError::internal(
            Some(span),
            format!("{what} passed the checker but has no lowering"),
        )
    }

    /// An internal error at `span`.
    pub fn internal(span: Option<Span>, what: impl Into<String>) -> CompileError {
        CompileError {
            kind: CompileErrorKind::Internal,
            span,
            message: format!("internal compiler error: {}", what.into()),
        }
    }

    /// The same error, placed at `span` when it had no place yet: every error the
    /// compiler reports names a file and line (the function, field or expression being
    /// compiled when a layout or limit failed).
    pub fn or_span(mut self, span: Span) -> CompileError {
        self.span.get_or_insert(span);
        self
    }

    /// A limit error at `span`.
    pub fn limit(span: Option<Span>, what: impl Into<String>) -> CompileError {
        CompileError {
            kind: CompileErrorKind::Limit,
            span,
            message: what.into(),
        }
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.span {
            Some(s) => write!(
                f,
                "{} (file {}, {}..{})",
                self.message, s.file.0, s.start, s.end
            ),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CompileError {}

/// The result type of every lowering step.
pub type CResult<T> = Result<T, CompileError>;
