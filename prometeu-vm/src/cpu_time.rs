//! The calling thread's CPU time, so a collector pause can be told apart from the time
//! the thread was preempted during it (wall time counts both, CPU time only the work).
//!
//! The crate's only `unsafe`: one `clock_gettime` call into the C library.
#![allow(unsafe_code)]

use std::time::Duration;

/// CPU time the calling thread has used, where the platform has a per-thread CPU
/// clock (Linux, Android, macOS, the BSDs); `None` elsewhere or if the call fails.
pub(crate) fn thread_cpu_time() -> Option<Duration> {
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable `timespec` for the whole call, which is all
        // `clock_gettime` requires; it touches no other memory.
        let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        if r != 0 {
            return None;
        }
        Some(Duration::new(
            u64::try_from(ts.tv_sec).ok()?,
            u32::try_from(ts.tv_nsec).ok()?,
        ))
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    )))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_thread_clock_advances_with_work_and_not_with_sleep() {
        let start = thread_cpu_time().expect("Linux has a thread CPU clock");
        std::thread::sleep(Duration::from_millis(30));
        let slept = thread_cpu_time().unwrap() - start;
        assert!(slept < Duration::from_millis(20), "sleeping used {slept:?}");
        let mut x = 1u64;
        let spin = std::time::Instant::now();
        while spin.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let busy = thread_cpu_time().unwrap() - start - slept;
        assert!(busy > Duration::ZERO, "{x}");
    }
}
