//! The console's fixed-step clock: 60 logical ticks a second from the monotonic clock,
//! whatever the monitor's refresh rate, with no catch-up spiral after a stall.

use std::time::{Duration, Instant};

/// One console tick: 1/60 s.
pub const TICK: Duration = Duration::from_nanos(16_666_667);

/// How late a tick may start before the clock gives up on the lost time: after a stall
/// (the machine was busy, a debugger stopped the process) the next tick starts now
/// instead of running the missed ones back to back.
pub const MAX_LATENESS: Duration = Duration::from_millis(50);

/// Deadlines of a 60 Hz schedule and how closely ticks kept to them.
#[derive(Debug, Clone)]
pub struct FixedClock {
    next: Instant,
    /// Ticks started.
    pub ticks: u64,
    /// Sum and maximum of how late each tick started against its deadline.
    pub lateness_total: Duration,
    /// The latest a tick started.
    pub lateness_max: Duration,
    /// Times the schedule was reset after a stall.
    pub resets: u64,
}

impl FixedClock {
    /// A clock whose first tick is due now.
    pub fn new(now: Instant) -> FixedClock {
        FixedClock {
            next: now,
            ticks: 0,
            lateness_total: Duration::ZERO,
            lateness_max: Duration::ZERO,
            resets: 0,
        }
    }

    /// When the next tick is due.
    pub fn deadline(&self) -> Instant {
        self.next
    }

    /// Records that a tick starts at `now` (at or after [`FixedClock::deadline`]) and
    /// schedules the next one a [`TICK`] after this one's deadline, or after `now` when
    /// this tick started more than [`MAX_LATENESS`] late.
    pub fn start_tick(&mut self, now: Instant) {
        let late = now.saturating_duration_since(self.next);
        self.ticks += 1;
        self.lateness_total += late;
        self.lateness_max = self.lateness_max.max(late);
        if late > MAX_LATENESS {
            self.resets += 1;
            self.next = now + TICK;
        } else {
            self.next += TICK;
        }
    }

    /// Mean lateness of a tick's start.
    pub fn lateness_mean(&self) -> Duration {
        match self.ticks {
            0 => Duration::ZERO,
            n => self.lateness_total / u32::try_from(n).unwrap_or(u32::MAX),
        }
    }
}

/// Sleeps until `deadline`: the thread sleeps until about a millisecond before it (the
/// scheduler's granularity) and yields for the rest, so a tick starts within tens of
/// microseconds of its deadline without spinning a core for the whole wait.
pub fn sleep_until(deadline: Instant) {
    const SPIN: Duration = Duration::from_micros(1500);
    loop {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        let left = deadline - now;
        if left > SPIN {
            std::thread::sleep(left - SPIN);
        } else {
            std::thread::yield_now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_follow_deadlines_not_start_times() {
        let t0 = Instant::now();
        let mut clock = FixedClock::new(t0);
        // Started 2 ms late: the next deadline is still t0 + one tick.
        clock.start_tick(t0 + Duration::from_millis(2));
        assert_eq!(clock.deadline(), t0 + TICK);
        assert_eq!(clock.lateness_max, Duration::from_millis(2));
    }

    #[test]
    fn a_stall_resets_the_schedule_instead_of_catching_up() {
        let t0 = Instant::now();
        let mut clock = FixedClock::new(t0);
        clock.start_tick(t0);
        let after_stall = t0 + Duration::from_secs(1);
        clock.start_tick(after_stall);
        assert_eq!(clock.resets, 1);
        assert_eq!(clock.deadline(), after_stall + TICK);
    }
}
