//! The window thread: winit (X11, loaded at run time) and softbuffer (CPU
//! presentation). Presents the latest frame at an integer scale with letterboxing,
//! draws the overlays, and forwards keys, the pad and the mouse into atomics the console
//! latches once per frame. It never waits on the console: the frame is taken with
//! `try_lock` (the console holds the lock only to copy a finished frame in).

use std::num::NonZeroU32;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use prometeu_abi::hw::FRAME_BUDGET_CYCLES;
use prometeu_kernel::Cartridge;
use prometeu_kernel::gfx::{Pixels, SCREEN_HEIGHT, SCREEN_WIDTH};
use prometeu_kernel::screenshot::screenshot_png;
use winit::application::ApplicationHandler;
use winit::dpi::{PhysicalPosition, PhysicalSize};
use winit::event::{ElementState, MouseButton, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::keyboard::PhysicalKey;
use winit::window::{Fullscreen, Window, WindowId};

use crate::console::{Command, run_console};
use crate::keymap::{DevKey, button_for_key, dev_key};
use crate::overlay::{Overlay, StatsLine};
use crate::{Embedder, Shared, WindowOptions, WindowReport, WindowRun};

const WIDTH: u32 = SCREEN_WIDTH as u32;
const HEIGHT: u32 = SCREEN_HEIGHT as u32;
/// Room left around the window for decorations and panels when picking the scale.
const MONITOR_MARGIN: u32 = 80;

/// Why the window could not run.
#[derive(Debug)]
pub enum WindowError {
    /// No display to open a window on (the message says what was looked for).
    NoDisplay(String),
    /// The window system failed.
    Window(String),
}

impl std::fmt::Display for WindowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WindowError::NoDisplay(why) => write!(f, "no display: {why}"),
            WindowError::Window(why) => write!(f, "the window failed: {why}"),
        }
    }
}

impl std::error::Error for WindowError {}

/// The console thread asks the window to show a new frame (or to close).
#[derive(Debug, Clone, Copy)]
enum Wake {
    Frame,
}

/// Whether there is a display to open a window on, as far as the environment tells
/// (checked before building, so a machine without one learns it at once).
pub fn check_display() -> Result<(), WindowError> {
    match std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        true => Err(WindowError::NoDisplay(
            "DISPLAY is not set; the window needs X11 or XWayland".into(),
        )),
        false => Ok(()),
    }
}

/// Runs `cartridge` in a window until the run ends or the window closes.
pub fn run_window(
    cartridge: Cartridge,
    options: WindowOptions,
    embedder: &mut dyn Embedder,
) -> Result<WindowRun, WindowError> {
    check_display()?;
    let shared = Arc::new(Shared::new());
    let (commands, command_rx) = channel();
    let (ready, ready_rx) = channel::<Result<EventLoopProxy<Wake>, WindowError>>();
    let title = format!("{} — Prometeu", cartridge.manifest.title);
    let window_thread = {
        let shared = shared.clone();
        let options = options.clone();
        std::thread::Builder::new()
            .name("prometeu-window".into())
            .spawn(move || window_thread(title, options, shared, commands, ready))
            .map_err(|e| WindowError::Window(format!("cannot start the window thread: {e}")))?
    };
    let proxy = match ready_rx.recv() {
        Ok(Ok(proxy)) => proxy,
        Ok(Err(e)) => return Err(e),
        Err(_) => return Err(WindowError::Window("the window thread stopped".into())),
    };
    crate::gamepad::spawn(shared.clone());
    let (ended, console) = run_console(
        cartridge,
        &options,
        embedder,
        shared.clone(),
        command_rx,
        || {
            let _ = proxy.send_event(Wake::Frame);
        },
    );
    shared.quit.store(true, Ordering::Release);
    let _ = proxy.send_event(Wake::Frame);
    let window = window_thread
        .join()
        .map_err(|_| WindowError::Window("the window thread panicked".into()))??;
    Ok(WindowRun {
        ended,
        console,
        window,
    })
}

/// The window thread: the event loop until the run ends or the window closes.
fn window_thread(
    title: String,
    options: WindowOptions,
    shared: Arc<Shared>,
    commands: Sender<Command>,
    ready: Sender<Result<EventLoopProxy<Wake>, WindowError>>,
) -> Result<WindowReport, WindowError> {
    use winit::platform::x11::EventLoopBuilderExtX11;
    let event_loop = match EventLoop::<Wake>::with_user_event()
        .with_any_thread(true)
        .build()
    {
        Ok(event_loop) => event_loop,
        Err(e) => {
            let _ = ready.send(Err(WindowError::NoDisplay(e.to_string())));
            return Ok(WindowReport::default());
        }
    };
    event_loop.set_control_flow(ControlFlow::Wait);
    let _ = ready.send(Ok(event_loop.create_proxy()));
    let mut app = App {
        title,
        options,
        shared: shared.clone(),
        commands,
        window: None,
        error: None,
        picture: crate::black(),
        composed: crate::black(),
        frame_number: 0,
        help: false,
        stats: false,
        fullscreen: false,
        scale: 1,
        cursor: None,
        mouse_down: false,
        report: WindowReport::default(),
    };
    let result = event_loop.run_app(&mut app);
    shared.quit.store(true, Ordering::Release);
    let _ = app.commands.send(Command::Quit);
    if let Some(error) = app.error {
        return Err(error);
    }
    result.map_err(|e| WindowError::Window(e.to_string()))?;
    app.report.scale = app.scale;
    Ok(app.report)
}

struct Surface {
    window: Rc<Window>,
    surface: softbuffer::Surface<Rc<Window>, Rc<Window>>,
}

struct App {
    title: String,
    options: WindowOptions,
    shared: Arc<Shared>,
    commands: Sender<Command>,
    window: Option<Surface>,
    error: Option<WindowError>,
    /// The latest frame from the console.
    picture: Box<Pixels>,
    /// The frame with the overlays.
    composed: Box<Pixels>,
    frame_number: u64,
    help: bool,
    stats: bool,
    fullscreen: bool,
    scale: u32,
    /// The pointer in console coordinates (may be off the screen).
    cursor: Option<(i32, i32)>,
    mouse_down: bool,
    report: WindowReport,
}

impl App {
    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<Surface, String> {
        let monitor = event_loop
            .primary_monitor()
            .or_else(|| event_loop.available_monitors().next());
        let fits = monitor
            .map(|m| {
                let size = m.size();
                (size.width.saturating_sub(MONITOR_MARGIN) / WIDTH)
                    .min(size.height.saturating_sub(MONITOR_MARGIN) / HEIGHT)
            })
            .unwrap_or(3);
        self.scale = self.options.scale.unwrap_or(fits).max(1);
        let attributes = Window::default_attributes()
            .with_title(self.title.clone())
            .with_inner_size(PhysicalSize::new(WIDTH * self.scale, HEIGHT * self.scale))
            .with_min_inner_size(PhysicalSize::new(WIDTH, HEIGHT));
        let window = Rc::new(
            event_loop
                .create_window(attributes)
                .map_err(|e| e.to_string())?,
        );
        let context = softbuffer::Context::new(window.clone()).map_err(|e| e.to_string())?;
        let surface =
            softbuffer::Surface::new(&context, window.clone()).map_err(|e| e.to_string())?;
        Ok(Surface { window, surface })
    }

    /// Takes the console's latest frame if it is not being written right now.
    fn take_frame(&mut self) -> Option<u64> {
        let shared = self.shared.frame.try_lock().ok()?;
        if shared.number == self.frame_number && shared.input_stamp.is_none() {
            return None;
        }
        self.picture.copy_from_slice(&shared.pixels[..]);
        self.frame_number = shared.number;
        shared.input_stamp
    }

    fn overlay(&self) -> Overlay {
        let banners = self
            .shared
            .banners
            .try_lock()
            .map(|b| b.clone())
            .unwrap_or_default();
        let stats = self.stats.then(|| {
            let s = &self.shared.stats;
            StatsLine {
                fps: s.fps_x100.load(Ordering::Relaxed) as f64 / 100.0,
                cycles_percent: s.frame_cycles.load(Ordering::Relaxed) as f64 * 100.0
                    / FRAME_BUDGET_CYCLES as f64,
                gc_in_frame_us: s.gc_in_frame_us.load(Ordering::Relaxed),
                gc_idle_us: s.gc_idle_us.load(Ordering::Relaxed),
                heap_bytes: s.heap_bytes.load(Ordering::Relaxed),
                audio_fill: (!self.options.mute).then(|| s.audio_fill.load(Ordering::Relaxed)),
            }
        });
        Overlay {
            banners,
            help: self.help,
            stats,
        }
    }

    /// The scale and top-left offset of the picture in a window of `size`.
    fn layout(size: PhysicalSize<u32>) -> (u32, u32, u32) {
        let scale = (size.width / WIDTH).min(size.height / HEIGHT).max(1);
        let x = size.width.saturating_sub(WIDTH * scale) / 2;
        let y = size.height.saturating_sub(HEIGHT * scale) / 2;
        (scale, x, y)
    }

    fn redraw(&mut self) {
        let stamp = self.take_frame();
        self.composed.copy_from_slice(&self.picture[..]);
        self.overlay().draw(&mut self.composed);
        let Some(surface) = &mut self.window else {
            return;
        };
        let size = surface.window.inner_size();
        let (Some(w), Some(h)) = (NonZeroU32::new(size.width), NonZeroU32::new(size.height)) else {
            return;
        };
        if surface.surface.resize(w, h).is_err() {
            return;
        }
        let Ok(mut buffer) = surface.surface.buffer_mut() else {
            return;
        };
        let (scale, left, top) = App::layout(size);
        blit(
            &self.composed,
            &mut buffer,
            size.width as usize,
            size.height as usize,
            scale as usize,
            left as usize,
            top as usize,
        );
        if buffer.present().is_ok() {
            self.report.presented += 1;
            if let Some(stamp) = stamp {
                let latency = Duration::from_nanos(self.shared.now_ns().saturating_sub(stamp));
                self.report.input_events += 1;
                self.report.input_to_photon_max = self.report.input_to_photon_max.max(latency);
            }
        }
    }

    fn input_changed(&self) {
        self.shared
            .input_changed
            .store(self.shared.now_ns().max(1), Ordering::Release);
    }

    fn dev_key(&mut self, key: DevKey) {
        let command = match key {
            DevKey::Help => {
                self.help = !self.help;
                None
            }
            DevKey::Stats => {
                self.stats = !self.stats;
                None
            }
            DevKey::Restart => Some(Command::Restart),
            DevKey::Pause => Some(Command::Pause),
            DevKey::Step => Some(Command::Step),
            DevKey::Record => Some(Command::ToggleRecording),
            DevKey::Fullscreen => {
                self.fullscreen = !self.fullscreen;
                if let Some(surface) = &self.window {
                    surface
                        .window
                        .set_fullscreen(self.fullscreen.then_some(Fullscreen::Borderless(None)));
                }
                None
            }
            DevKey::Screenshot => {
                let path = std::path::PathBuf::from(format!("prometeu-{}.png", self.frame_number));
                match screenshot_png(&self.picture)
                    .map_err(|e| e.to_string())
                    .and_then(|png| std::fs::write(&path, png).map_err(|e| e.to_string()))
                {
                    Ok(()) => eprintln!("screenshot: {}", path.display()),
                    Err(e) => eprintln!("warning: cannot write {}: {e}", path.display()),
                }
                None
            }
        };
        if let Some(command) = command {
            let _ = self.commands.send(command);
        }
        self.redraw();
    }

    fn pointer(&mut self, position: PhysicalPosition<f64>) {
        let Some(surface) = &self.window else {
            return;
        };
        let (scale, left, top) = App::layout(surface.window.inner_size());
        let x = ((position.x - f64::from(left)) / f64::from(scale)).floor() as i32;
        let y = ((position.y - f64::from(top)) / f64::from(scale)).floor() as i32;
        self.cursor = Some((x.clamp(0, SCREEN_WIDTH - 1), y.clamp(0, SCREEN_HEIGHT - 1)));
        if self.mouse_down {
            self.shared.set_touch(self.cursor);
            self.input_changed();
        }
    }
}

impl ApplicationHandler<Wake> for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.window.is_some() {
            return;
        }
        match self.open(event_loop) {
            Ok(surface) => self.window = Some(surface),
            Err(e) => {
                self.error = Some(WindowError::Window(e));
                self.shared.quit.store(true, Ordering::Release);
                event_loop.exit();
            }
        }
    }

    fn user_event(&mut self, event_loop: &ActiveEventLoop, _event: Wake) {
        if self.shared.quit.load(Ordering::Acquire) {
            event_loop.exit();
            return;
        }
        self.redraw();
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => {
                self.shared.quit.store(true, Ordering::Release);
                let _ = self.commands.send(Command::Quit);
                event_loop.exit();
            }
            WindowEvent::RedrawRequested | WindowEvent::Resized(_) => self.redraw(),
            WindowEvent::KeyboardInput { event, .. } => {
                let PhysicalKey::Code(code) = event.physical_key else {
                    return;
                };
                let down = event.state == ElementState::Pressed;
                if let Some(button) = button_for_key(code) {
                    let bit = button.bit();
                    if down {
                        self.shared.taps.fetch_or(bit, Ordering::AcqRel);
                        self.shared.keys.fetch_or(bit, Ordering::AcqRel);
                    } else {
                        self.shared.keys.fetch_and(!bit, Ordering::AcqRel);
                    }
                    if !event.repeat {
                        self.input_changed();
                    }
                } else if let Some(key) = dev_key(code).filter(|_| down && !event.repeat) {
                    self.dev_key(key);
                }
            }
            WindowEvent::CursorMoved { position, .. } => self.pointer(position),
            WindowEvent::MouseInput {
                state,
                button: MouseButton::Left,
                ..
            } => {
                self.mouse_down = state == ElementState::Pressed;
                self.shared
                    .set_touch(self.cursor.filter(|_| self.mouse_down));
                self.input_changed();
            }
            WindowEvent::Focused(false) => {
                // Keys released while another window has focus never arrive here.
                self.shared.keys.store(0, Ordering::Release);
            }
            _ => {}
        }
    }
}

/// RGB565 → softbuffer's `0RGB` (each channel widened by repeating its top bits).
fn rgb(pixel: u16) -> u32 {
    let r = u32::from(pixel >> 11) & 0x1F;
    let g = u32::from(pixel >> 5) & 0x3F;
    let b = u32::from(pixel) & 0x1F;
    ((r << 3 | r >> 2) << 16) | ((g << 2 | g >> 4) << 8) | (b << 3 | b >> 2)
}

/// Draws `picture` at `scale` with its top left at (`left`, `top`) into a `width` ×
/// `height` buffer of softbuffer's `0RGB` pixels, black around it (letterboxing).
pub fn blit(
    picture: &Pixels,
    buffer: &mut [u32],
    width: usize,
    height: usize,
    scale: usize,
    left: usize,
    top: usize,
) {
    buffer.fill(0);
    let mut row = vec![0u32; WIDTH as usize * scale];
    for y in 0..HEIGHT as usize {
        let source = &picture[y * WIDTH as usize..(y + 1) * WIDTH as usize];
        for (x, &p) in source.iter().enumerate() {
            row[x * scale..(x + 1) * scale].fill(rgb(p));
        }
        let visible = row.len().min(width.saturating_sub(left));
        for dy in 0..scale {
            let out_y = top + y * scale + dy;
            if out_y >= height {
                return;
            }
            let start = out_y * width + left;
            buffer[start..start + visible].copy_from_slice(&row[..visible]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb565_widens_to_full_range() {
        assert_eq!(rgb(0xFFFF), 0x00FF_FFFF);
        assert_eq!(rgb(0x0000), 0);
        assert_eq!(rgb(0xF800), 0x00FF_0000);
    }

    #[test]
    fn layout_keeps_the_aspect_and_centres() {
        assert_eq!(App::layout(PhysicalSize::new(960, 540)), (3, 0, 0));
        assert_eq!(App::layout(PhysicalSize::new(1000, 700)), (3, 20, 80));
        assert_eq!(App::layout(PhysicalSize::new(300, 100)), (1, 0, 0));
    }

    #[test]
    fn blit_letterboxes() {
        let mut picture = crate::black();
        picture.fill(0xFFFF);
        let (w, h) = (700, 400);
        let mut buffer = vec![7u32; w * h];
        blit(&picture, &mut buffer, w, h, 2, 30, 20);
        assert_eq!(buffer[0], 0);
        assert_eq!(buffer[20 * w + 30], 0x00FF_FFFF);
        assert_eq!(buffer[(20 + 359) * w + 30 + 639], 0x00FF_FFFF);
        assert_eq!(buffer[(20 + 360) * w + 30], 0);
    }
}
