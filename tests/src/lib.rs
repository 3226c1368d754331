//! Workspace-level test support: the diagnostic fixture harness and helpers shared by
//! the end-to-end tests in `tests/tests/`.
