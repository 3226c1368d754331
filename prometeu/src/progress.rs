//! A one-line progress display for long work (`toolchain.md` §2): a long headless run
//! says which frame it is on, a build which stage. It is drawn on stderr only when
//! stderr is a terminal, so pipes, files and tests see nothing of it, and it is erased
//! before anything else is printed and when the work ends.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often a changing status is redrawn: often enough to look alive, rarely enough to
/// cost nothing.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// The status line, if one is shown.
pub struct Progress {
    /// Whether stderr is a terminal (else every call does nothing).
    enabled: bool,
    /// When the line was last drawn.
    drawn_at: Option<Instant>,
    /// Whether a line is on the screen now.
    shown: bool,
    /// Whether the line is dimmed (not under `NO_COLOR`).
    dim: bool,
}

impl Progress {
    /// A display that draws only when stderr is a terminal that is not `TERM=dumb`.
    pub fn for_stderr() -> Progress {
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Progress::new(std::io::stderr().is_terminal() && !dumb)
    }

    /// A display that draws (`enabled`) or never does.
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            drawn_at: None,
            shown: false,
            dim: !crate::render::no_color(),
        }
    }

    /// Shows `status()` now (a new stage).
    pub fn stage(&mut self, status: impl FnOnce() -> String) {
        if self.enabled {
            self.draw(&status());
        }
    }

    /// Shows `status()` if the line was last drawn long enough ago (a counter that
    /// changes often); `status` is not even called otherwise.
    pub fn tick(&mut self, status: impl FnOnce() -> String) {
        let due = self.drawn_at.is_none_or(|at| at.elapsed() >= REDRAW_EVERY);
        if self.enabled && due {
            self.draw(&status());
        }
    }

    /// Whether the display draws at all (stderr is a terminal).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Erases the line (before other output, and when the work is done).
    pub fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{}", erase_line());
            let _ = err.flush();
            self.shown = false;
        }
    }

    fn draw(&mut self, status: &str) {
        let mut err = std::io::stderr().lock();
        let line = match self.dim {
            true => format!("\x1b[2m{}\x1b[0m", status_line(status)),
            false => status_line(status),
        };
        let _ = write!(err, "{}{line}", erase_line());
        let _ = err.flush();
        self.drawn_at = Some(Instant::now());
        self.shown = true;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Back to the start of the line and erase it.
fn erase_line() -> &'static str {
    "\r\x1b[2K"
}

/// The status as drawn (before dimming): at most 78 characters, never a line break.
fn status_line(status: &str) -> String {
    status
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(78)
        .collect()
}

/// The status of a headless run: `running: frame 120/600`.
pub fn frame_status(completed: u64, frames: u64) -> String {
    format!("running: frame {completed}/{frames}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_display_never_draws() {
        let mut p = Progress::new(false);
        p.stage(|| unreachable!("not asked for when disabled"));
        p.tick(|| unreachable!("not asked for when disabled"));
        p.clear();
        assert!(!p.shown);
    }

    #[test]
    fn ticks_are_throttled() {
        let mut p = Progress::new(true);
        let mut asked = 0;
        p.tick(|| {
            asked += 1;
            "a".into()
        });
        p.tick(|| {
            asked += 1;
            "b".into()
        });
        // The second tick came within REDRAW_EVERY of the first.
        assert_eq!(asked, 1);
        assert!(p.shown);
        p.clear();
        assert!(!p.shown);
    }

    #[test]
    fn the_status_stays_on_one_short_line() {
        let line = status_line(&format!("{}\nnext", "x".repeat(100)));
        assert!(!line.contains('\n'));
        assert_eq!(line.chars().filter(|c| *c == 'x').count(), 78);
        assert_eq!(frame_status(120, 600), "running: frame 120/600");
    }
}
