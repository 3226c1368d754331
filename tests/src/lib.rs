//! Workspace-level test support: the diagnostic fixture harness and helpers shared by
//! the end-to-end tests in `tests/tests/`.
#![warn(missing_docs)]

pub mod fixture;

pub use fixture::{
    Expectation, Fixture, FixtureMismatch, Produced, check_fixture, fixture_files, parse_fixture,
    produced_in, repo_root,
};
