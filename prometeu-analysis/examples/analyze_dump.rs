//! Prints the diagnostics of a project directory or loose file (a debugging aid).

use prometeu_analysis::project::{load_loose_file, load_project};
use prometeu_analysis::{FileDb, analyze};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: analyze_dump PATH");
        return;
    };
    let path = std::path::Path::new(&path);
    let mut db = FileDb::new();
    let graph = if path.is_dir() {
        load_project(path, &mut db)
    } else {
        load_loose_file(path, &mut db)
    };
    let analysis = analyze(&graph, &mut db, None);
    // `REPEAT=n` times n full and n incremental (nothing changed) re-analyses.
    if let Some(n) = std::env::var("REPEAT")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        let start = std::time::Instant::now();
        for _ in 0..n {
            analyze(&graph, &mut db, None);
        }
        let full = start.elapsed() / n.max(1);
        let start = std::time::Instant::now();
        for _ in 0..n {
            analyze(&graph, &mut db, Some(&analysis));
        }
        let incremental = start.elapsed() / n.max(1);
        println!("full {full:?}, incremental {incremental:?} per analysis");
    }
    for d in &analysis.diagnostics {
        let at = db.line_index(d.span.file).offset_to_line_col(d.span.start);
        let at = at
            .map(|lc| format!("{}:{}", lc.line + 1, lc.col))
            .unwrap_or_default();
        println!("{} {} {at} {}", d.code, db.uri(d.span.file), d.message);
    }
}
