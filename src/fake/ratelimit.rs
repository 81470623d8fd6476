//! The server's rate limiter (`app/ratelimit.go`): `RateLimitSettings`, the request key,
//! and the GCRA of `github.com/throttled/throttled` that the server runs, on the fake's
//! clock (so a test moves past a limit with [`FakeServer::advance`](super::FakeServer::advance),
//! not by sleeping).

use std::collections::HashMap;

/// The server's `RateLimitSettings`, with its defaults (off; 10 per second, bursts of
/// 100, by remote address).
///
/// ```
/// use mattermost_status::fake::{FakeServer, RateLimitSettings};
///
/// let fake = FakeServer::new();
/// let mut limits = RateLimitSettings::default();
/// limits.enable = true;
/// limits.per_sec = 1;
/// limits.max_burst = 2;
/// fake.set_rate_limit(limits)?;
/// # Ok::<(), mattermost_status::fake::InvalidSetting>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitSettings {
    /// `Enable` (default false).
    pub enable: bool,
    /// `PerSec`: requests a second (default 10; at least 1).
    pub per_sec: u32,
    /// `MaxBurst`: requests beyond the rate a key may send at once (default 100; at least 1).
    pub max_burst: u32,
    /// `MemoryStoreSize` (default 10000; at least 1). The fake keeps every key.
    pub memory_store_size: u32,
    /// `VaryByRemoteAddr` (default true): one budget per client address.
    pub vary_by_remote_addr: bool,
    /// `VaryByUser` (default false): one budget per token, and another per user once the
    /// token is read.
    pub vary_by_user: bool,
    /// `VaryByHeader` (default empty): the value of this request header is part of the key.
    pub vary_by_header: String,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            enable: false,
            per_sec: 10,
            max_burst: 100,
            memory_store_size: 10_000,
            vary_by_remote_addr: true,
            vary_by_user: false,
            vary_by_header: String::new(),
        }
    }
}

impl RateLimitSettings {
    /// `RateLimitSettings.isValid`: the error id the server answers a config with these.
    pub(crate) fn invalid(&self) -> Option<&'static str> {
        if self.memory_store_size == 0 {
            Some("model.config.is_valid.rate_mem.app_error")
        } else if self.per_sec == 0 {
            Some("model.config.is_valid.rate_sec.app_error")
        } else if self.max_burst == 0 {
            Some("model.config.is_valid.max_burst.app_error")
        } else {
            None
        }
    }
}

/// The limiter's store: each key's theoretical arrival time, Unix nanoseconds.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    tat: HashMap<String, i128>,
}

/// What `RateLimitWriter` decided.
pub(crate) struct Verdict {
    pub(crate) limited: bool,
    /// `setRateLimitHeaders`: added to the answer whatever the outcome.
    pub(crate) headers: Vec<(String, String)>,
}

const NANOS: i128 = 1_000_000_000;

impl Limiter {
    pub(crate) fn clear(&mut self) {
        self.tat.clear();
    }

    /// `GCRARateLimiter.RateLimit(key, 1)` at `now` (Unix ns).
    pub(crate) fn check(&mut self, settings: &RateLimitSettings, key: &str, now: i128) -> Verdict {
        // throttled.PerSec(n): a period of time.Second / n.
        let period = NANOS / i128::from(settings.per_sec.max(1));
        let tolerance = period * (i128::from(settings.max_burst) + 1);
        let limit = i128::from(settings.max_burst) + 1;
        let tat = self.tat.get(key).copied().filter(|&t| t > now);
        let base = tat.unwrap_or(now);
        let new_tat = base.max(now) + period;
        let allow_at = new_tat - tolerance;
        let diff = now - allow_at;
        let (limited, ttl, retry_after) = if diff < 0 {
            (true, base - now, Some(-diff))
        } else {
            self.tat.insert(key.to_owned(), new_tat);
            (false, new_tat - now, None)
        };
        let next = tolerance - ttl;
        let remaining = if next > -period { next / period } else { 0 };
        let ceil_secs = |ns: i128| (ns + NANOS - 1).div_euclid(NANOS);
        let mut headers = vec![
            ("X-RateLimit-Limit".to_owned(), limit.to_string()),
            (
                "X-RateLimit-Remaining".to_owned(),
                remaining.max(0).to_string(),
            ),
            ("X-RateLimit-Reset".to_owned(), ceil_secs(ttl).to_string()),
        ];
        if let Some(retry) = retry_after {
            headers.push(("Retry-After".to_owned(), ceil_secs(retry).to_string()));
        }
        Verdict { limited, headers }
    }
}

/// `RateLimiter.GenerateKey`: the token (when varying by user and one was sent), else the
/// remote address (when varying by it), then the lowercased value of `VaryByHeader`.
pub(crate) fn request_key(
    settings: &RateLimitSettings,
    token: Option<&str>,
    remote_addr: &str,
    header: impl Fn(&str) -> Option<String>,
) -> String {
    let mut key = String::new();
    if settings.vary_by_user {
        match token {
            Some(token) => key.push_str(token),
            None if settings.vary_by_remote_addr => key.push_str(remote_addr),
            None => {}
        }
    } else if settings.vary_by_remote_addr {
        key.push_str(remote_addr);
    }
    if !settings.vary_by_header.is_empty() {
        key.push_str(
            &header(&settings.vary_by_header)
                .unwrap_or_default()
                .to_lowercase(),
        );
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_period_as_throttled_allows() {
        let settings = RateLimitSettings {
            enable: true,
            per_sec: 1,
            max_burst: 2,
            ..RateLimitSettings::default()
        };
        let mut l = Limiter::default();
        let t0 = 1_000 * NANOS;
        let remaining: Vec<String> = (0..3)
            .map(|_| {
                let v = l.check(&settings, "k", t0);
                assert!(!v.limited);
                v.headers[1].1.clone()
            })
            .collect();
        assert_eq!(remaining, ["2", "1", "0"]);
        let v = l.check(&settings, "k", t0);
        assert!(v.limited);
        assert_eq!(v.headers[3], ("Retry-After".to_owned(), "1".to_owned()));
        assert!(!l.check(&settings, "k", t0 + NANOS).limited);
        assert!(!l.check(&settings, "other", t0).limited);
    }
}
