//! The two signals a command-line tool must get right (`toolchain.md` §2):
//!
//! * **SIGPIPE** is restored to its default, so output to a closed pipe
//!   (`prometeu check x.pbs 2>&1 | head -1`) ends the command quietly, as it ends `cat`
//!   or `grep`, instead of a failed write turning into a panic (Rust ignores SIGPIPE
//!   unless told otherwise).
//! * **SIGINT** (Ctrl-C) during a run is caught, so the run loop can stop between two
//!   ticks and print where the cartridge was; a second Ctrl-C kills the process as
//!   usual (the handler is reset once it fires).

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the SIGINT handler; read by the run loop between ticks.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The exit code of a run stopped by Ctrl-C: 128 + SIGINT, as shells report it.
pub const INTERRUPTED_EXIT: u8 = 130;

/// Makes a write to a closed pipe end the process quietly (the default action of
/// SIGPIPE), as Unix tools do.
pub fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to its default has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Catches the next SIGINT: from now on [`interrupted`] tells whether Ctrl-C was
/// pressed instead of the process being killed.
pub fn catch_interrupt() {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe, and
    // the `sigaction` structure is fully initialised (zeroed, then set).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

/// Whether Ctrl-C was pressed since [`catch_interrupt`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

#[cfg(unix)]
extern "C" fn on_interrupt(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}
