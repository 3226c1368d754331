//! Compiles every example project and runs a few frames of each on the VM.

mod support;

fn example(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn compile_and_run(name: &str, frames: u32) -> support::Run {
    let l = support::load_dir(&example(name));
    let compiled = support::compile_loaded(&l).unwrap_or_else(|e| panic!("{name}: {e}"));
    support::run_compiled(&l, &compiled, frames)
}

#[test]
fn hello_compiles_and_logs_its_greeting() {
    let run = compile_and_run("hello", 3);
    assert_eq!(run.trap, None);
    assert_eq!(run.logs, vec!["0 INFO hello, prometeu"]);
}

#[test]
fn bounce_compiles_and_runs_without_trapping() {
    let run = compile_and_run("bounce", 120);
    assert_eq!(run.trap, None);
}

#[test]
fn town_compiles_and_runs_without_trapping() {
    let run = compile_and_run("town", 120);
    assert_eq!(run.trap, None, "logs: {:?}", run.logs);
}

#[test]
fn dependency_files_are_named_by_alias_in_the_debug_map() {
    let l = support::load_dir(&example("town"));
    let compiled = support::compile_loaded(&l).unwrap();
    let files = &compiled.program.debug.as_ref().unwrap().files;
    assert!(files.iter().any(|f| f == "src/main.pbs"), "{files:?}");
    assert!(
        files.iter().all(|f| !f.starts_with('/')),
        "no absolute path: {files:?}"
    );
    assert!(files.iter().any(|f| f.starts_with("@math/")), "{files:?}");
}
