//! Random edit sequences against the server (see `edits_then_diagnostics_equal_check`).
