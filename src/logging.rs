//! One `log` line per request (cargo feature `log`): method, path, status, attempts,
//! elapsed time. Never the token, headers or bodies.
//!
//! Target `mattermost_status`; a success is logged at `debug`, a failure (an error status
//! or no answer) at `warn`:
//!
//! ```text
//! PUT /api/v4/users/4xp9fdt77pncbef59f4k1qe83o/status -> 200 (1 attempt, 12 ms)
//! GET /api/v4/users/me/status -> 401 api.context.session_expired.app_error (1 attempt, 8 ms)
//! GET /api/v4/users/me/status -> could not connect: ... (3 attempts, 2041 ms)
//! ```
//!
//! Without the feature these functions are empty and compile to nothing.

#[cfg(feature = "log")]
pub(crate) use enabled::*;

#[cfg(feature = "log")]
mod enabled {
    use std::time::Instant;

    use crate::error::Result;
    use crate::transport::{HttpResponse, Method};

    /// Logs the end of a request.
    pub(crate) fn finish(
        method: Method,
        url: &str,
        result: &Result<HttpResponse>,
        attempts: u32,
        started: Instant,
    ) {
        let level = match result {
            Ok(_) => log::Level::Debug,
            Err(_) => log::Level::Warn,
        };
        if !log::log_enabled!(target: "mattermost_status", level) {
            return;
        }
        let elapsed = started.elapsed().as_millis();
        let path = path_of(url);
        let plural = if attempts == 1 { "" } else { "s" };
        match result {
            Ok(response) => log::log!(
                target: "mattermost_status",
                level,
                "{} {path} -> {} ({attempts} attempt{plural}, {elapsed} ms)",
                method.as_str(),
                response.status()
            ),
            Err(error) => {
                let outcome = match (error.status(), error.api_id()) {
                    (Some(status), Some(id)) => format!("{status} {id}"),
                    (Some(status), None) => status.to_string(),
                    (None, _) => error.to_string(),
                };
                log::log!(
                    target: "mattermost_status",
                    level,
                    "{} {path} -> {outcome} ({attempts} attempt{plural}, {elapsed} ms)",
                    method.as_str()
                )
            }
        }
    }

    /// The path of `url` (no scheme, host or query string).
    fn path_of(url: &str) -> &str {
        let target = crate::site_url::request_target(url).unwrap_or(url);
        target.split(['?', '#']).next().unwrap_or(target)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn logs_the_path_only() {
            assert_eq!(
                super::path_of("https://chat.example.com/chat/api/v4/users/me/status?x=1"),
                "/chat/api/v4/users/me/status"
            );
            assert_eq!(super::path_of("http://127.0.0.1:8065"), "/");
        }
    }
}

#[cfg(not(feature = "log"))]
mod disabled {
    use std::time::Instant;

    use crate::error::Result;
    use crate::transport::{HttpResponse, Method};

    #[inline(always)]
    pub(crate) fn finish(
        _method: Method,
        _url: &str,
        _result: &Result<HttpResponse>,
        _attempts: u32,
        _started: Instant,
    ) {
    }
}

#[cfg(not(feature = "log"))]
pub(crate) use disabled::*;
