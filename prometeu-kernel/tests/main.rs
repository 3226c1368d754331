//! Every integration test of `prometeu-kernel`, in one test binary: one binary links the
//! dependencies once instead of once per file, which makes the first `cargo test` of
//! the workspace faster and `target/` smaller. Each `tests/*.rs` file is a module here
//! (run one with `cargo test -p prometeu-kernel --test kernel FILE::`); the last test below
//! fails when a file is not listed, so none is silently left out.

mod carts;
mod common;

mod audio;
mod cartridge_load;
mod driver;
mod font;
mod gfx_golden;
mod host;
mod input;
mod kernel_run;
mod pmc_archive;
mod random;
mod sprites;

#[path = "../../tests/support/suite.rs"]
mod suite;

/// Every `tests/*.rs` file is one of the modules above.
#[test]
fn every_test_file_is_in_the_suite() {
    suite::assert_every_test_file_is_listed(env!("CARGO_MANIFEST_DIR"), include_str!("main.rs"));
}
