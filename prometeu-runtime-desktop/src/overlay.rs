//! What the window draws over the console's picture, at the console's resolution with
//! the console's own font: the trap screen, a failed rebuild's error bar, the F1 help,
//! the F3 stats and the pause/record marks.

use prometeu_kernel::gfx::{Color, Framebuffer, Pixels, SCREEN_HEIGHT, SCREEN_WIDTH};

use crate::Banners;

/// A dark panel behind overlay text.
const PANEL: Color = Color(0x1082);
/// The trap screen's background.
const TRAP_RED: Color = Color(0x5800);
/// Characters a line of overlay text holds (8-pixel font, 4-pixel margins).
const COLUMNS: usize = ((SCREEN_WIDTH - 8) / 8) as usize;

/// The figures of the F3 overlay.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatsLine {
    /// Frames per second (last second).
    pub fps: f64,
    /// The last frame's cycles as a share of the 2,000,000 budget, in percent.
    pub cycles_percent: f64,
    /// Collector time in the last second, inside frames and in idle time (µs).
    pub gc_in_frame_us: u64,
    /// Collector time in idle time in the last second (µs).
    pub gc_idle_us: u64,
    /// Heap bytes in use.
    pub heap_bytes: u64,
    /// Audio ring fill (percent), `None` when muted.
    pub audio_fill: Option<u64>,
}

/// What to draw this frame.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// Banners set by the console thread.
    pub banners: Banners,
    /// F1 is on.
    pub help: bool,
    /// F3 is on, with its figures.
    pub stats: Option<StatsLine>,
}

impl Overlay {
    /// Whether anything is drawn.
    pub fn is_empty(&self) -> bool {
        self.banners == Banners::default() && !self.help && self.stats.is_none()
    }

    /// Draws the overlay over `picture`.
    pub fn draw(&self, picture: &mut Pixels) {
        if self.is_empty() {
            return;
        }
        let mut layer = Framebuffer::new();
        layer.clear(Color::TRANSPARENT);
        if let Some(trap) = &self.banners.trap {
            layer.fill_rect(0, 0, SCREEN_WIDTH, SCREEN_HEIGHT, TRAP_RED);
            let text = wrap(&format!("{trap}\n\nF5 restarts"), 21);
            layer.text(4, 4, &text, Color::WHITE);
        }
        if let Some(stats) = &self.stats {
            let audio = match stats.audio_fill {
                Some(fill) => format!("audio {fill}%"),
                None => "muted".to_owned(),
            };
            let text = format!(
                "{:.1} fps  cycles {:.1}%\ngc {}us in / {}us idle /s\nheap {} KB  {audio}",
                stats.fps,
                stats.cycles_percent,
                stats.gc_in_frame_us,
                stats.gc_idle_us,
                stats.heap_bytes / 1024,
            );
            layer.fill_rect(0, 0, SCREEN_WIDTH, 28, PANEL);
            layer.text(4, 2, &text, Color::GREEN);
        }
        if self.help {
            let lines = crate::keymap::HELP.lines().count() as i32;
            let top = 40;
            layer.fill_rect(0, top - 4, SCREEN_WIDTH, lines * 8 + 8, PANEL);
            layer.text(4, top, crate::keymap::HELP, Color::WHITE);
        }
        let mut marks = String::new();
        if self.banners.paused {
            marks.push_str(" PAUSED");
        }
        if self.banners.recording {
            marks.push_str(" REC");
        }
        if !marks.is_empty() {
            let width = marks.len() as i32 * 8 + 4;
            layer.fill_rect(SCREEN_WIDTH - width, 30, width, 10, PANEL);
            layer.text(SCREEN_WIDTH - width, 31, &marks, Color::YELLOW);
        }
        if let Some(error) = &self.banners.build_error {
            let text = wrap(error, 3);
            let lines = text.lines().count() as i32;
            let top = SCREEN_HEIGHT - lines * 8 - 4;
            layer.fill_rect(0, top - 2, SCREEN_WIDTH, lines * 8 + 6, Color::RED);
            layer.text(4, top, &text, Color::WHITE);
        }
        layer.present();
        for (out, &over) in picture.iter_mut().zip(layer.front().iter()) {
            if over != Color::TRANSPARENT.0 {
                *out = over;
            }
        }
    }
}

/// `text` broken into lines of at most [`COLUMNS`] characters, at most `max_lines`.
fn wrap(text: &str, max_lines: usize) -> String {
    let mut lines = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            lines.push(String::new());
        }
        for chunk in chars.chunks(COLUMNS) {
            lines.push(chunk.iter().collect::<String>());
        }
    }
    lines.truncate(max_lines);
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_bar_covers_the_bottom_and_leaves_the_rest() {
        let mut picture = crate::black();
        let overlay = Overlay {
            banners: Banners {
                build_error: Some("src/main.pbs:3: expected `;`".into()),
                ..Banners::default()
            },
            ..Overlay::default()
        };
        overlay.draw(&mut picture);
        let row = |y: i32| &picture[(y * SCREEN_WIDTH) as usize..((y + 1) * SCREEN_WIDTH) as usize];
        assert!(row(0).iter().all(|&p| p == 0));
        assert!(row(SCREEN_HEIGHT - 1).contains(&Color::RED.0));
    }

    #[test]
    fn long_lines_wrap_and_are_cut() {
        let text = "x".repeat(COLUMNS * 5);
        assert_eq!(wrap(&text, 3).lines().count(), 3);
        assert!(wrap(&text, 3).lines().all(|l| l.len() == COLUMNS));
    }
}
