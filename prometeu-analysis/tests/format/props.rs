//! Property test: random programs (from a small generator of valid PBS) printed with
//! random spacing and random comments in random places → format → the same tree, every
//! comment present and in order, and formatting the output changes nothing.

use prometeu_analysis::format::{format_text, same_tree};
use prometeu_analysis::{FileId, NameInterner, parse_file};
use proptest::prelude::*;

/// A tiny deterministic generator (xorshift), seeded by proptest.
struct Gen {
    state: u64,
    tokens: Vec<String>,
}

impl Gen {
    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick(&mut self, options: &[&str]) {
        let index = self.below(options.len() as u64) as usize;
        self.t(options[index]);
    }

    fn t(&mut self, text: &str) {
        self.tokens.push(text.to_string());
    }

    fn name(&mut self) {
        const NAMES: [&str; 6] = ["a", "b", "total", "x1", "a_rather_long_variable_name", "é"];
        let index = self.below(5) as usize; // `é` is not an identifier; kept for strings
        let name = NAMES[index];
        self.t(name);
    }

    fn ty(&mut self, depth: u32) {
        match if depth > 2 { 0 } else { self.below(6) } {
            0 => {
                let name = ["int", "float", "string", "bool", "Vec2"][self.below(5) as usize];
                self.t(name);
            }
            1 => {
                self.t("optional");
                self.t("<");
                self.ty(depth + 1);
                self.t(">");
            }
            2 => {
                self.t("list");
                self.t("<");
                self.ty(depth + 1);
                self.t(">");
            }
            3 => {
                self.t("result");
                self.t("<");
                self.ty(depth + 1);
                self.t(",");
                self.t("Oops");
                self.t(">");
            }
            4 => {
                self.t("[");
                self.ty(depth + 1);
                self.t(";");
                self.t("4");
                self.t("]");
            }
            _ => {
                self.t("ref");
                self.t("<");
                self.ty(depth + 1);
                self.t(">");
            }
        }
    }

    /// An operand: a literal, a name, or something in parentheses or brackets.
    fn atom(&mut self, depth: u32) {
        match if depth > 3 {
            self.below(5)
        } else {
            self.below(14)
        } {
            0 => self.name(),
            1 => {
                let n = ["0", "42", "0xFF", "1_000"][self.below(4) as usize];
                self.t(n);
            }
            2 => self.t("1.5"),
            3 => {
                let s = [
                    "\"s\"",
                    "\"héllo wörld ✓\"",
                    "\"a string literal that is long enough to matter for the line width, really\"",
                ][self.below(3) as usize];
                self.t(s);
            }
            4 => self.pick(&["true", "none"]),
            5 => {
                self.t("(");
                self.expr(depth + 1);
                self.t(")");
            }
            6 | 7 => {
                self.name();
                self.call_args(depth);
            }
            8 => {
                self.name();
                self.t(".");
                self.name();
                if self.chance(50) {
                    self.call_args(depth);
                }
            }
            9 => {
                self.pick(&["some", "ok", "err"]);
                self.t("(");
                self.expr(depth + 1);
                self.t(")");
            }
            10 => {
                self.t("[");
                let n = self.below(4);
                for i in 0..n {
                    if i > 0 {
                        self.t(",");
                    }
                    self.expr(depth + 1);
                }
                self.t("]");
            }
            11 => {
                self.name();
                self.t("[");
                self.expr(depth + 1);
                self.t("]");
            }
            12 => {
                self.t("-");
                self.atom(depth + 1);
            }
            _ => {
                self.t("(");
                self.atom(depth + 1);
                self.t("as");
                self.ty(2);
                self.t(")");
            }
        }
    }

    fn call_args(&mut self, depth: u32) {
        self.t("(");
        let n = self.below(5);
        for i in 0..n {
            if i > 0 {
                self.t(",");
            }
            self.expr(depth + 1);
        }
        if n > 0 && self.chance(20) {
            self.t(",");
        }
        self.t(")");
    }

    fn expr(&mut self, depth: u32) {
        match if depth > 3 { 0 } else { self.below(8) } {
            0..=2 => self.atom(depth),
            3 | 4 => {
                // A chain of one precedence level (comparisons do not chain).
                let ops: &[&str] = [
                    &["+", "-"][..],
                    &["*", "/", "%"],
                    &["&&"],
                    &["||"],
                    &["<"],
                    &["=="],
                ][self.below(6) as usize];
                let n = if ops == ["<"] || ops == ["=="] {
                    2
                } else {
                    2 + self.below(6)
                };
                for i in 0..n {
                    if i > 0 {
                        let op = ops[self.below(ops.len() as u64) as usize];
                        self.t(op);
                    }
                    self.atom(depth + 1);
                }
            }
            5 => {
                self.atom(depth + 1);
                self.t("else");
                self.atom(depth + 1);
            }
            6 => {
                self.atom(depth + 1);
                self.t("when");
                self.t("{");
                let n = 1 + self.below(3);
                for i in 0..n {
                    match i {
                        0 => self.t("1"),
                        1 => {
                            self.t("some");
                            self.t("(");
                            self.t("v");
                            self.t(")");
                        }
                        _ => self.t("_"),
                    }
                    self.t("->");
                    self.expr(depth + 1);
                    if i + 1 < n || self.chance(50) {
                        self.t(",");
                    }
                }
                self.t("}");
            }
            _ => {
                self.t("if");
                self.atom(depth + 1);
                self.t("{");
                self.expr(depth + 1);
                self.t("}");
                self.t("else");
                self.t("{");
                self.expr(depth + 1);
                self.t("}");
            }
        }
    }

    fn block(&mut self, depth: u32) {
        self.t("{");
        let n = if depth > 2 {
            self.below(2)
        } else {
            self.below(5)
        };
        for _ in 0..n {
            self.stmt(depth + 1);
        }
        self.t("}");
    }

    fn stmt(&mut self, depth: u32) {
        match self.below(9) {
            0 | 1 => {
                self.t("let");
                if self.chance(30) {
                    self.t("mut");
                }
                self.name();
                if self.chance(30) {
                    self.t(":");
                    self.ty(0);
                }
                self.t("=");
                self.expr(0);
                self.t(";");
            }
            2 => {
                self.name();
                self.pick(&["=", "+=", "-="]);
                self.expr(0);
                self.t(";");
            }
            3 => {
                self.t("return");
                if self.chance(70) {
                    self.expr(0);
                }
                self.t(";");
            }
            4 => {
                self.t("if");
                self.expr(1);
                self.block(depth);
                if self.chance(50) {
                    self.t("else");
                    self.block(depth);
                }
            }
            5 => {
                self.t("while");
                self.expr(1);
                self.block(depth);
            }
            6 => {
                self.t("for");
                self.name();
                self.t("in");
                self.atom(2);
                self.t("..");
                self.atom(2);
                self.block(depth);
            }
            7 => {
                self.name();
                self.call_args(0);
                self.t(";");
            }
            _ => self.t("break ;"),
        }
    }

    fn item(&mut self) {
        if self.chance(20) {
            self.t("/// Documentation.\n");
        }
        match self.below(5) {
            0 | 1 => {
                if self.chance(30) {
                    self.t("pub");
                }
                self.t("fn");
                self.name();
                self.t("(");
                let n = self.below(4);
                for i in 0..n {
                    if i > 0 {
                        self.t(",");
                    }
                    self.name();
                    self.t(":");
                    self.ty(0);
                }
                self.t(")");
                if self.chance(50) {
                    self.t(":");
                    self.ty(0);
                }
                self.block(0);
            }
            2 => {
                self.t("declare");
                self.t("const");
                self.t("K");
                self.t(":");
                self.t("int");
                self.t("=");
                self.expr(1);
                self.t(";");
            }
            3 => {
                self.t("declare");
                self.t("struct");
                self.t("P");
                self.t("(");
                let n = 1 + self.below(4);
                for i in 0..n {
                    if i > 0 {
                        self.t(",");
                    }
                    self.name();
                    self.t(":");
                    self.ty(0);
                }
                self.t(")");
                if self.chance(50) {
                    self.t("{");
                    self.t("pub fn get(self): int");
                    self.block(1);
                    self.t("}");
                }
            }
            _ => {
                self.t("declare error Oops {");
                self.t("Bad");
                self.t(",");
                self.t("Worse");
                self.t("}");
            }
        }
    }
}

/// A program and the comments placed in it, in order. `anywhere`: comments between any
/// two tokens; otherwise only where people put them, after `;`, `,`, `{` and `}`.
fn program(seed: u64, anywhere: bool) -> (String, Vec<String>) {
    let mut generator = Gen {
        state: seed | 1,
        tokens: Vec::new(),
    };
    if generator.chance(40) {
        generator.t("import { a, b as c } from \"lib\";");
    }
    let items = 1 + generator.below(4);
    for _ in 0..items {
        generator.item();
    }
    let mut text = String::new();
    let mut comments = Vec::new();
    let tokens = std::mem::take(&mut generator.tokens);
    let mut previous = String::new();
    for token in tokens {
        let separator = [" ", "\n", "   ", "\n\n", " \n    ", "\t"][generator.below(6) as usize];
        text.push_str(separator);
        let at_line_end = matches!(previous.as_str(), ";" | "," | "{" | "}");
        if (anywhere || at_line_end) && generator.chance(if anywhere { 8 } else { 30 }) {
            let comment = format!("// c{}", comments.len());
            text.push_str(&comment);
            text.push('\n');
            comments.push(comment);
        }
        text.push_str(&token);
        previous = token;
    }
    text.push('\n');
    (text, comments)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn random_programs_with_comments_anywhere_format_to_the_same_tree_with_every_comment(seed in any::<u64>()) {
        let (text, comments) = program(seed, true);
        let formatted = check_tree_and_comments(&text, &comments);
        // Formatting again succeeds and keeps everything too.
        let again = format_text(&formatted).unwrap();
        check_tree_and_comments(&again, &comments);
    }

    #[test]
    fn random_programs_with_comments_at_line_ends_format_idempotently(seed in any::<u64>()) {
        let (text, comments) = program(seed, false);
        let formatted = check_tree_and_comments(&text, &comments);
        let again = format_text(&formatted).unwrap();
        if again != formatted {
            let (first, second): (Vec<&str>, Vec<&str>) = (formatted.lines().collect(), again.lines().collect());
            let at = first.iter().zip(&second).position(|(a, b)| a != b).unwrap_or(first.len().min(second.len()));
            let from = at.saturating_sub(4);
            panic!(
                "not idempotent at line {at}\n--- first\n{}\n--- second\n{}\n--- input\n{text}",
                first[from..(at + 12).min(first.len())].join("\n"),
                second[from..(at + 12).min(second.len())].join("\n"),
            );
        }
    }
}

/// Formats `text` and checks the output: it parses to the same tree, holds every
/// comment in order and no line ends in a space. Returns the output.
fn check_tree_and_comments(text: &str, comments: &[String]) -> String {
    let mut names = NameInterner::new();
    let input = parse_file(FileId(0), text, &mut names);
    assert!(
        input.diagnostics.is_empty(),
        "the generator produced invalid code: {:?}\n{text}",
        input.diagnostics.first()
    );
    let formatted = format_text(text).unwrap_or_else(|e| panic!("{e}\n--- input\n{text}"));
    let mut names = NameInterner::new();
    let output = parse_file(FileId(0), &formatted, &mut names);
    assert!(output.diagnostics.is_empty());
    if let Err(difference) = same_tree(&input, &output) {
        panic!("{difference}\n--- input\n{text}\n--- output\n{formatted}");
    }
    let mut from = 0;
    for comment in comments {
        let at = formatted[from..].find(comment.as_str());
        assert!(
            at.is_some(),
            "{comment} missing or out of order in\n{formatted}"
        );
        from += at.unwrap() + comment.len();
    }
    for line in formatted.lines() {
        assert!(!line.ends_with(' '), "trailing space in {line:?}");
    }
    formatted
}
