//! [`RetryPolicy`]: when a failed call is tried again, and how long the crate waits first.
//!
//! The session asks the policy after every attempt ([`RetryPolicy::next_wait`], crate
//! private); the loop itself, and the whole-call deadline, live in `Session::round_trip`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::error::{TransportError, TransportErrorKind};
use crate::response::retry_after;
use crate::transport::HttpResponse;

/// The default number of attempts of one call, the first included: 3.
const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// The default wait before the first retry, before jitter: 250 ms.
const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(250);
/// The default longest single wait (backoff or `Retry-After`): 10 seconds.
const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(10);

/// When and how a failed call is tried again: exponential backoff with jitter, bounded by
/// the session's [`timeout`](crate::SessionBuilder::timeout), which covers the whole call,
/// retries and waits included.
///
/// A call is retried only when trying again cannot do harm:
///
/// | failure | retried for |
/// |---|---|
/// | could not connect ([`TransportErrorKind::Connect`]): nothing was sent | every request |
/// | 429 Too Many Requests: the server refused it before handling it | every request |
/// | 502, 503, 504 from the server or a proxy: it may have been handled | idempotent requests only |
/// | a reused kept-alive connection the server had closed, before any byte of the answer ([`TransportError::is_stale_connection`]) | idempotent requests: at once, on a new connection, without counting an attempt or waiting |
/// | anything else (4xx, 500, timeout, broken connection, bad body, redirect) | never |
///
/// Which requests are idempotent, that is, safe to send twice:
///
/// | request | HTTP | idempotent | why |
/// |---|---|---|---|
/// | [`GetStatus`](crate::GetStatus) | `GET .../status` | yes | a read |
/// | [`UpdateStatus`](crate::UpdateStatus) | `PUT .../status` | yes | sets a value; twice is the same value |
/// | [`GetStatusesByIds`](crate::GetStatusesByIds) | `POST .../status/ids` | yes | a read; `POST` only because the ids go in a body |
/// | [`UpdateCustomStatus`](crate::UpdateCustomStatus) | `PUT .../status/custom` | yes | sets a value; the recent list replaces the entry with the same text |
/// | [`UnsetCustomStatus`](crate::UnsetCustomStatus) | `DELETE .../status/custom` | yes | clearing twice answers 200 twice |
/// | [`RemoveRecentCustomStatus`](crate::RemoveRecentCustomStatus) | `POST .../recent/delete`, `DELETE .../recent` | **no** | if the first try was handled, the second finds nothing and the server answers 400: a false failure |
///
/// The wait before retry *n* (1, 2, ...) is drawn at random between half and all of
/// `base_delay × 2ⁿ⁻¹`, capped at `max_delay`. On a 429 (or a 502/503/504 of an
/// idempotent request) that says how long to wait, by `Retry-After` or else
/// `X-RateLimit-Reset` (both in seconds), the crate waits exactly that long; if that is
/// longer than `max_delay`, or than what is left of the call's timeout, it does not wait
/// at all and returns the error ([`Error::RateLimited`](crate::Error::RateLimited) carries
/// the wait the server asked for). No single wait is ever longer than `max_delay`.
///
/// ```
/// use std::time::Duration;
/// use mattermost_status::{RetryPolicy, Session};
///
/// // A cron job that may wait a little longer for a busy server:
/// let policy = RetryPolicy::new()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(500))
///     .max_delay(Duration::from_secs(30));
/// let builder = Session::builder("https://chat.example.com")
///     .token_from_env("MM_TOKEN")
///     .retry(policy)
///     .timeout(Duration::from_secs(120)); // the whole call, retries and waits included
///
/// // Or never retry:
/// let builder = builder.retry(RetryPolicy::none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use = "a policy does nothing until given to `SessionBuilder::retry`"]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// [`RetryPolicy::new`].
    fn default() -> Self {
        RetryPolicy::new()
    }
}

impl RetryPolicy {
    /// The default policy, for command-line tools and cron jobs: 3 attempts in all,
    /// backoff from 250 ms, no single wait over 10 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mattermost_status::RetryPolicy;
    ///
    /// let policy = RetryPolicy::new();
    /// assert_eq!(policy.attempts(), 3);
    /// assert_eq!(policy.longest_wait(), Duration::from_secs(10));
    /// ```
    pub const fn new() -> Self {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }

    /// The off switch: every call is sent once, whatever happens.
    ///
    /// ```
    /// use mattermost_status::RetryPolicy;
    ///
    /// assert_eq!(RetryPolicy::none(), RetryPolicy::new().max_attempts(1));
    /// ```
    pub const fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::new()
        }
    }

    /// How many attempts one call may make, the first included (default 3). `1` turns
    /// retries off; `0` is taken as `1`.
    ///
    /// ```
    /// use mattermost_status::RetryPolicy;
    ///
    /// assert_eq!(RetryPolicy::new().max_attempts(0).attempts(), 1);
    /// ```
    pub const fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// The wait before the first retry, before jitter (default 250 ms); it doubles for
    /// each retry after that.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mattermost_status::RetryPolicy;
    ///
    /// let policy = RetryPolicy::new().base_delay(Duration::from_millis(100));
    /// assert_eq!(policy.backoff_ceiling(3), Duration::from_millis(400));
    /// ```
    pub const fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest single wait, backoff or server-requested (default 10 s). A server
    /// that asks for a longer wait gets no retry: the call returns its error at once.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mattermost_status::RetryPolicy;
    ///
    /// let policy = RetryPolicy::new().max_delay(Duration::from_secs(1));
    /// assert_eq!(policy.backoff_ceiling(20), Duration::from_secs(1));
    /// ```
    pub const fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The number of attempts one call may make, the first included.
    pub const fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the first retry, before jitter.
    pub const fn first_wait(&self) -> Duration {
        self.base_delay
    }

    /// The longest single wait.
    pub const fn longest_wait(&self) -> Duration {
        self.max_delay
    }

    /// The most the crate waits before retry `retry` (1 for the first retry):
    /// `base_delay × 2^(retry-1)`, capped at `max_delay`. The actual wait is drawn
    /// between half of it and all of it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mattermost_status::RetryPolicy;
    ///
    /// let policy = RetryPolicy::new(); // 250 ms base, 10 s cap
    /// assert_eq!(policy.backoff_ceiling(1), Duration::from_millis(250));
    /// assert_eq!(policy.backoff_ceiling(2), Duration::from_millis(500));
    /// assert_eq!(policy.backoff_ceiling(7), Duration::from_secs(10));
    /// ```
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// The jittered backoff before retry `retry`, from the random number `random`.
    fn backoff(&self, retry: u32, random: u64) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let half = ceiling / 2;
        let spread = u64::try_from((ceiling - half).as_nanos()).unwrap_or(u64::MAX);
        let extra = if spread == 0 {
            0
        } else {
            random % (spread + 1)
        };
        half + Duration::from_nanos(extra)
    }

    /// After attempt number `attempt` (1 for the first) ended in `outcome`: how long to
    /// wait before the next attempt, or `None` when the outcome is final (a success, a
    /// failure not worth retrying, the attempts spent, or a server-requested wait longer
    /// than `max_delay`). The caller still checks the wait against its deadline.
    pub(crate) fn next_wait(
        &self,
        attempt: u32,
        outcome: &Result<HttpResponse, TransportError>,
        idempotent: bool,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let backoff = || self.backoff(attempt, random_u64());
        match outcome {
            Err(e) if e.kind() == TransportErrorKind::Connect => Some(backoff()),
            Err(_) => None,
            Ok(response) => {
                let retryable = match response.status() {
                    429 => true,
                    502..=504 => idempotent,
                    _ => false,
                };
                if !retryable {
                    return None;
                }
                match retry_after(response, SystemTime::now()) {
                    Some(wait) if wait > self.max_delay => None,
                    Some(wait) if !wait.is_zero() => Some(wait),
                    _ => Some(backoff()),
                }
            }
        }
    }
}

/// A random number for jitter, without a dependency: `RandomState` is seeded from the
/// OS once per thread and its keys change with every `new`; a counter and the clock make
/// each draw differ even so.
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(now) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        hasher.write_u128(now.as_nanos());
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Result<HttpResponse, TransportError> {
        Ok(headers
            .iter()
            .fold(HttpResponse::new(status, Vec::new()), |r, (n, v)| {
                r.with_header(*n, *v)
            }))
    }

    fn failure(kind: TransportErrorKind) -> Result<HttpResponse, TransportError> {
        Err(TransportError::new(kind, "test"))
    }

    #[test]
    fn backoff_doubles_is_capped_and_jitters_within_half_to_full() {
        let policy = RetryPolicy::new()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(700));
        let ceilings: Vec<u128> = (1..=5)
            .map(|n| policy.backoff_ceiling(n).as_millis())
            .collect();
        assert_eq!(ceilings, [100, 200, 400, 700, 700]);
        assert_eq!(policy.backoff_ceiling(u32::MAX), Duration::from_millis(700));
        for retry in 1..=5 {
            let ceiling = policy.backoff_ceiling(retry);
            assert_eq!(policy.backoff(retry, 0), ceiling / 2);
            assert!(policy.backoff(retry, u64::MAX) <= ceiling);
            for _ in 0..100 {
                let wait = policy.backoff(retry, random_u64());
                assert!(wait >= ceiling / 2 && wait <= ceiling, "{wait:?}");
            }
        }
        let draws: std::collections::HashSet<u64> = (0..50).map(|_| random_u64()).collect();
        assert!(draws.len() > 45, "jitter is not random: {draws:?}");
    }

    #[test]
    fn retries_only_what_is_safe() {
        let policy = RetryPolicy::new();
        let connect = failure(TransportErrorKind::Connect);
        assert!(policy.next_wait(1, &connect, false).is_some());
        for kind in [
            TransportErrorKind::Timeout,
            TransportErrorKind::Io,
            TransportErrorKind::Tls,
            TransportErrorKind::BodyTooLarge,
            TransportErrorKind::Other,
        ] {
            assert_eq!(policy.next_wait(1, &failure(kind), true), None, "{kind:?}");
        }
        for status in [502, 503, 504] {
            assert!(policy.next_wait(1, &answer(status, &[]), true).is_some());
            assert_eq!(policy.next_wait(1, &answer(status, &[]), false), None);
        }
        assert!(policy.next_wait(1, &answer(429, &[]), false).is_some());
        for status in [200, 301, 400, 401, 403, 404, 500, 501] {
            assert_eq!(policy.next_wait(1, &answer(status, &[]), true), None);
        }
        // The attempts are spent.
        assert_eq!(policy.next_wait(3, &connect, true), None);
        assert_eq!(RetryPolicy::none().next_wait(1, &connect, true), None);
    }

    #[test]
    fn honours_the_servers_wait_up_to_the_cap() {
        let policy = RetryPolicy::new().max_delay(Duration::from_secs(5));
        let wait = |headers: &[(&str, &str)]| policy.next_wait(1, &answer(429, headers), false);
        assert_eq!(wait(&[("Retry-After", "3")]), Some(Duration::from_secs(3)));
        assert_eq!(
            wait(&[("X-RateLimit-Reset", "2")]),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            wait(&[("Retry-After", "1"), ("X-RateLimit-Reset", "4")]),
            Some(Duration::from_secs(1))
        );
        // Longer than the cap: no retry at all, rather than a retry too early.
        assert_eq!(wait(&[("Retry-After", "6")]), None);
        // Never a wait over the cap, whatever the server says.
        for cap_ms in [0u64, 1, 999, 1000, 5000] {
            let policy = RetryPolicy::new().max_delay(Duration::from_millis(cap_ms));
            for secs in 0..8u64 {
                for status in [429, 502, 503, 504] {
                    let value = secs.to_string();
                    let answer = answer(status, &[("Retry-After", value.as_str())]);
                    if let Some(wait) = policy.next_wait(1, &answer, true) {
                        assert!(wait <= Duration::from_millis(cap_ms), "{wait:?}");
                    }
                }
            }
        }
        // Zero or unreadable: the usual backoff.
        for value in ["0", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let got = wait(&[("Retry-After", value)]).unwrap_or_default();
            assert!(
                got <= policy.backoff_ceiling(1) && !got.is_zero(),
                "{value}"
            );
        }
    }
}
