//! Socket timeouts that stay put across requests on a kept-alive connection.
//!
//! ureq's TCP transport sets `SO_SNDTIMEO` / `SO_RCVTIMEO` to what is left of the
//! request's deadline before each write and read whenever that differs from the value
//! already set, and with a deadline it always does (time passes): one `setsockopt` per
//! write and per read, 2 to 3 of a call's 10 to 12 system calls. [`SteadyTimeouts`]
//! wraps a connection and hands it, instead of what is left, the timeout it was last
//! given while that is at most [`EARLY`] shorter than what is left (so unchanged, and
//! nothing to set), else what is left less half of [`EARLY`]. A read or write may so time
//! out up to [`EARLY`] before the deadline, never after it. A timeout within [`EARLY`]
//! of its end is passed on as it is.
//!
//! Row "socket timeouts" of `WORKAROUNDS.md`.

use std::fmt;
use std::time::Duration;

use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{Buffers, NextTimeout, Transport};

/// How much earlier than its deadline an I/O operation may time out.
pub(crate) const EARLY: Duration = Duration::from_millis(1);

/// The timeout to hand on for `timeout`, given the one handed on last (`armed`), which
/// it updates.
fn steady(armed: &mut Option<Duration>, timeout: NextTimeout) -> NextTimeout {
    let UreqDuration::Exact(left) = timeout.after else {
        *armed = None;
        return timeout;
    };
    let after = match *armed {
        Some(a) if a <= left && left - a <= EARLY => a,
        _ if left > EARLY => left - EARLY / 2,
        _ => left,
    };
    *armed = Some(after);
    NextTimeout {
        after: UreqDuration::Exact(after),
        ..timeout
    }
}

/// A connection whose socket timeouts change only when they must (see the module).
pub(crate) struct SteadyTimeouts {
    inner: Box<dyn Transport>,
    write: Option<Duration>,
    read: Option<Duration>,
}

impl SteadyTimeouts {
    pub(crate) fn wrap(inner: Box<dyn Transport>) -> Box<dyn Transport> {
        Box::new(SteadyTimeouts {
            inner,
            write: None,
            read: None,
        })
    }
}

impl fmt::Debug for SteadyTimeouts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SteadyTimeouts").field(&self.inner).finish()
    }
}

impl Transport for SteadyTimeouts {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = steady(&mut self.write, timeout);
        self.inner.transmit_output(amount, timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = steady(&mut self.read, timeout);
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = steady(&mut self.read, timeout);
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(left: Duration) -> NextTimeout {
        NextTimeout {
            after: UreqDuration::Exact(left),
            ..NextTimeout::default()
        }
    }

    fn after(t: NextTimeout) -> Duration {
        *t.after
    }

    #[test]
    fn a_timeout_is_kept_while_never_late_and_at_most_1ms_early() {
        let us = Duration::from_micros;
        let mut armed = None;
        // First use: half the slack under what is left.
        let first = after(steady(&mut armed, next(us(30_000_000))));
        assert_eq!(first, us(29_999_500));
        // Time passes within the call, then a new call starts with almost the whole
        // timeout again: the same value, so no system call to change it.
        for left in [
            us(29_999_990),
            us(29_999_600),
            us(29_999_500),
            us(30_000_400),
        ] {
            assert_eq!(after(steady(&mut armed, next(left))), first, "{left:?}");
        }
        // Less left than what is set: it would be late, so it changes.
        assert_eq!(
            after(steady(&mut armed, next(us(29_999_000)))),
            us(29_998_500)
        );
        // More than 1 ms more left than what is set: it would be early by more.
        assert_eq!(
            after(steady(&mut armed, next(us(29_999_600)))),
            us(29_999_100)
        );
        // Close to the end: exactly what is left.
        assert_eq!(after(steady(&mut armed, next(us(900)))), us(900));
        assert_eq!(after(steady(&mut armed, next(us(300)))), us(300));
        // No timeout: none.
        let none = steady(&mut armed, NextTimeout::default());
        assert!(none.after.is_not_happening());
        assert_eq!(armed, None);
    }
}
