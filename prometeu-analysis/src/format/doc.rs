//! The layout IR and its printer: a flat list of commands (text, possible line breaks,
//! groups, indentation, comments) laid out greedily at a fixed width, in the manner of
//! Wadler's "prettier printer": a group is printed on one line when it fits in what is
//! left of the line (and holds no forced break), otherwise each of its line breaks
//! becomes a newline.
//!
//! Flat rather than a tree so that building it allocates one vector and printing it is
//! one loop, whatever the nesting: no recursion, no stack to overflow.

/// One layout command.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Cmd<'a> {
    /// Literal text without newlines.
    Text(&'a str),
    /// A space on a flat line, a newline when the enclosing group breaks.
    Line,
    /// Nothing on a flat line, a newline when the enclosing group breaks.
    SoftLine,
    /// Always a newline (breaks every enclosing group).
    HardLine,
    /// Asks for one blank line here (after a newline); ignored right after an opening
    /// bracket, at the start of the output and when the previous line is blank already.
    BlankLine,
    /// Opens a group.
    Begin,
    /// Closes the innermost group.
    End,
    /// Indents the lines that follow by one level.
    Indent,
    /// Undoes one [`Cmd::Indent`].
    Dedent,
    /// Text printed only when the enclosing group breaks (the trailing comma).
    IfBreak(&'static str),
    /// A `//` comment at the end of the current line, printed before the next newline.
    TrailingComment(&'a str),
    /// A `//` comment on a line of its own at the current indentation.
    OwnLineComment(&'a str),
    /// Records the output offset here into the mark table at this index.
    Mark(u32),
    /// Writes the waiting own-line comments now, at the current indentation (the
    /// comments before a closing bracket stay indented with the contents).
    FlushComments,
}

/// The line width the printer aims for (`docs/spec/toolchain.md`, the PBS style).
pub const LINE_WIDTH: usize = 100;
/// Spaces per indentation level.
pub const INDENT_WIDTH: usize = 4;

/// Lays `cmds` out; `marks` receives the output offset of every [`Cmd::Mark`].
pub(super) fn print(cmds: &[Cmd<'_>], marks: &mut [usize], size_hint: usize) -> String {
    let groups = analyse_groups(cmds);
    let mut printer = Printer {
        out: String::with_capacity(size_hint + size_hint / 8),
        indent: 0,
        column: 0,
        at_line_start: true,
        pending: Vec::new(),
        leading: Vec::new(),
    };
    // One entry per open group: whether it is broken.
    let mut modes: Vec<bool> = Vec::new();
    for (index, cmd) in cmds.iter().enumerate() {
        let broken = modes.last().copied().unwrap_or(true);
        match *cmd {
            Cmd::Text(text) => {
                // A trailing comment ends its line: only closing punctuation may still
                // join the line before it (`f(a, // note` keeps its comma).
                if !printer.pending.is_empty() && !joins_before_comment(text) {
                    printer.newline();
                }
                printer.text(text);
            }
            Cmd::Line => {
                if broken || !printer.pending.is_empty() {
                    printer.newline();
                } else {
                    printer.text(" ");
                }
            }
            Cmd::SoftLine => {
                if broken || !printer.pending.is_empty() {
                    printer.newline();
                }
            }
            Cmd::HardLine => printer.newline(),
            Cmd::BlankLine => {
                if printer.leading.is_empty() {
                    printer.blank_line();
                } else {
                    printer.leading.push(None);
                }
            }
            Cmd::Begin => {
                let info = groups[index];
                let mode = if !broken {
                    false
                } else {
                    info.hard || !fits(cmds, index, info.end as usize, &groups, &printer)
                };
                modes.push(mode);
            }
            Cmd::End => {
                modes.pop();
            }
            Cmd::Indent => printer.indent += 1,
            Cmd::Dedent => printer.indent = printer.indent.saturating_sub(1),
            Cmd::IfBreak(text) => {
                if broken {
                    printer.text(text);
                }
            }
            Cmd::TrailingComment(text) => {
                if printer.at_line_start {
                    printer.own_line_comment(text);
                } else {
                    printer.pending.push(text);
                }
            }
            Cmd::OwnLineComment(text) => {
                printer.flush_pending_if_inside_line();
                printer.leading.push(Some(text));
            }
            Cmd::FlushComments => printer.flush_leading(),
            Cmd::Mark(slot) => {
                printer.flush_leading();
                if let Some(mark) = marks.get_mut(slot as usize) {
                    *mark = printer.out.len();
                }
            }
        }
    }
    printer.flush_leading();
    printer.flush_pending();
    printer.out
}

/// What the printer needs to know about a group before printing it.
#[derive(Clone, Copy, Default)]
struct GroupInfo {
    /// Index of the matching [`Cmd::End`].
    end: u32,
    /// Whether it contains a forced break (hard line, comment, blank line).
    hard: bool,
}

/// Matches every `Begin` with its `End` and marks the groups holding a forced break.
fn analyse_groups(cmds: &[Cmd<'_>]) -> Vec<GroupInfo> {
    let mut info = vec![GroupInfo::default(); cmds.len()];
    let mut open: Vec<usize> = Vec::new();
    for (index, cmd) in cmds.iter().enumerate() {
        match cmd {
            Cmd::Begin => open.push(index),
            Cmd::End => {
                if let Some(begin) = open.pop() {
                    info[begin].end = index as u32;
                    let hard = info[begin].hard;
                    if let Some(&parent) = open.last() {
                        info[parent].hard |= hard;
                    }
                }
            }
            Cmd::HardLine | Cmd::BlankLine | Cmd::TrailingComment(_) | Cmd::OwnLineComment(_) => {
                if let Some(&innermost) = open.last() {
                    info[innermost].hard = true;
                }
            }
            _ => {}
        }
    }
    // An unbalanced `Begin` (a builder bug) spans to the end.
    for begin in open {
        info[begin].end = cmds.len() as u32;
    }
    info
}

/// Whether the group opening at `begin` fits flat on the rest of the current line,
/// counting what follows it up to the next possible line break.
fn fits(
    cmds: &[Cmd<'_>],
    begin: usize,
    end: usize,
    groups: &[GroupInfo],
    printer: &Printer,
) -> bool {
    let mut remaining = LINE_WIDTH as isize - printer.column() as isize;
    // Nesting relative to the group: after its end, depth 0 is the enclosing (broken)
    // level, where the next line break ends the line being measured.
    let mut depth: usize = 0;
    // After a trailing comment that follows the group, only punctuation that joins the
    // line before the comment (a `,`, a `)`) is still on it.
    let mut after_comment = false;
    let mut index = begin + 1;
    while index < cmds.len() {
        if remaining < 0 {
            return false;
        }
        let inside = index < end;
        match cmds[index] {
            Cmd::Text(text) if after_comment && !joins_before_comment(text) => return true,
            Cmd::Text(text) => remaining -= text_width(text) as isize,
            Cmd::Line => {
                if !inside && depth == 0 {
                    return true;
                }
                remaining -= 1;
            }
            Cmd::SoftLine => {
                if !inside && depth == 0 {
                    return true;
                }
            }
            Cmd::HardLine | Cmd::BlankLine | Cmd::OwnLineComment(_) => return true,
            Cmd::TrailingComment(_) if inside => return false,
            Cmd::TrailingComment(_) => after_comment = true,
            Cmd::Begin => {
                if !inside {
                    if groups[index].hard {
                        return remaining >= 0;
                    }
                    depth += 1;
                }
            }
            Cmd::End => {
                if !inside && index != end {
                    depth = depth.saturating_sub(1);
                }
            }
            // After the group, at the enclosing (broken) level, a trailing comma is
            // printed: it counts, as a comma written in the source would.
            Cmd::IfBreak(text) if !inside && depth == 0 => {
                remaining -= text_width(text) as isize;
            }
            Cmd::IfBreak(_) | Cmd::Indent | Cmd::Dedent | Cmd::Mark(_) | Cmd::FlushComments => {}
        }
        index += 1;
    }
    remaining >= 0
}

/// Text that may go before a pending trailing comment instead of after it.
fn joins_before_comment(text: &str) -> bool {
    text.trim().is_empty() || matches!(text, ";" | "," | ")" | "]" | ">" | "?")
}

/// The width of `text` in columns: one per character.
fn text_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

struct Printer<'a> {
    out: String,
    indent: usize,
    /// Columns used on the current line, indentation included once text is written.
    column: usize,
    /// Nothing but (unwritten) indentation on the current line yet.
    at_line_start: bool,
    /// Trailing comments waiting for the end of the line.
    pending: Vec<&'a str>,
    /// Comments of their own lines waiting for the next text, whose indentation they
    /// take (`None`: a blank line among them).
    leading: Vec<Option<&'a str>>,
}

impl<'a> Printer<'a> {
    fn column(&self) -> usize {
        if self.at_line_start {
            self.indent * INDENT_WIDTH
        } else {
            self.column
        }
    }

    fn text(&mut self, text: &str) {
        // Spaces never start a line (indentation does) nor end one before a comment.
        if text.is_empty()
            || ((self.at_line_start || !self.leading.is_empty()) && text.trim().is_empty())
        {
            return;
        }
        self.flush_leading();
        if self.at_line_start {
            self.write_indent();
        }
        self.out.push_str(text);
        self.column += text_width(text);
    }

    fn write_indent(&mut self) {
        let width = self.indent * INDENT_WIDTH;
        self.out.extend(std::iter::repeat_n(' ', width));
        self.column = width;
        self.at_line_start = false;
    }

    /// Writes the trailing comments waiting for the end of the line: the first at the
    /// end of it, any other on a line of its own (a `//` runs to the end of the line).
    fn flush_pending(&mut self) {
        for comment in std::mem::take(&mut self.pending) {
            if self.at_line_start {
                self.write_indent();
            } else {
                self.trim_line_end();
                self.out.push(' ');
            }
            self.out.push_str(comment);
            self.out.push('\n');
            self.at_line_start = true;
            self.column = 0;
        }
    }

    fn trim_line_end(&mut self) {
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed);
    }

    /// Ends the current line unless nothing was written on it yet.
    fn newline(&mut self) {
        self.flush_pending();
        if self.at_line_start {
            return;
        }
        self.trim_line_end();
        self.out.push('\n');
        self.at_line_start = true;
        self.column = 0;
    }

    fn blank_line(&mut self) {
        if !self.at_line_start || !self.pending.is_empty() {
            // Inside a line (a comment in the middle of an expression): no blank line.
            self.newline();
            return;
        }
        let bytes = self.out.as_bytes();
        if bytes.is_empty() || bytes.ends_with(b"\n\n") {
            return;
        }
        let last_content = self.out.trim_end().as_bytes().last().copied();
        if matches!(last_content, None | Some(b'{' | b'(' | b'[')) {
            return;
        }
        self.out.push('\n');
    }

    fn own_line_comment(&mut self, text: &'a str) {
        self.newline();
        self.text(text);
        self.newline();
    }

    /// A trailing comment stays on the line it ends even when own-line comments follow.
    fn flush_pending_if_inside_line(&mut self) {
        if !self.pending.is_empty() {
            self.newline();
        }
    }

    /// Writes the waiting own-line comments, each on its own line at the current
    /// indentation (that of the text about to follow them).
    fn flush_leading(&mut self) {
        if self.leading.is_empty() {
            return;
        }
        self.newline();
        for comment in std::mem::take(&mut self.leading) {
            match comment {
                Some(comment) => self.own_line_comment(comment),
                None => self.blank_line(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(cmds: &[Cmd<'_>]) -> String {
        print(cmds, &mut [], 0)
    }

    #[test]
    fn a_group_that_fits_stays_flat_and_one_that_does_not_breaks() {
        let long = "x".repeat(60);
        let list = |item: &'static str| {
            vec![
                Cmd::Text("f("),
                Cmd::Begin,
                Cmd::Indent,
                Cmd::SoftLine,
                Cmd::Text(item),
                Cmd::Text(","),
                Cmd::Line,
                Cmd::Text(item),
                Cmd::IfBreak(","),
                Cmd::Dedent,
                Cmd::SoftLine,
                Cmd::End,
                Cmd::Text(");"),
            ]
        };
        assert_eq!(layout(&list("a")), "f(a, a);");
        let leaked: &'static str = Box::leak(long.clone().into_boxed_str());
        assert_eq!(
            layout(&list(leaked)),
            format!("f(\n    {long},\n    {long},\n);")
        );
    }

    #[test]
    fn a_trailing_comment_forces_its_group_to_break_and_ends_its_line() {
        let cmds = [
            Cmd::Begin,
            Cmd::Text("a"),
            Cmd::Text(","),
            Cmd::TrailingComment("// note"),
            Cmd::Line,
            Cmd::Text("b"),
            Cmd::End,
        ];
        assert_eq!(layout(&cmds), "a, // note\nb");
    }
}
