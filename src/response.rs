//! Reading the server's answers: error statuses into [`Error`], bodies into types.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{ApiError, DecodeError, Error, RateLimited, Result};
use crate::transport::HttpResponse;

/// How many characters of an unexpected body an error quotes.
const EXCERPT_CHARS: usize = 200;

/// Mattermost's `AppError` JSON. Every field is optional: proxies and older servers
/// send less. Only an object is one (see [`object_only`](crate::model::object_only)).
#[derive(Deserialize)]
#[serde(remote = "Self")]
struct AppErrorBody {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    detailed_error: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
}

crate::model::object_only!(AppErrorBody, "an AppError object");

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

fn request_id_header(response: &HttpResponse) -> Option<String> {
    non_empty(response.header("X-Request-Id").map(str::to_owned))
}

/// The start of a body, as text for people: invalid UTF-8 replaced, whitespace runs
/// folded into one space, cut at [`EXCERPT_CHARS`] characters.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut out = String::with_capacity(text.len().min(EXCERPT_CHARS + 3));
    let mut count = 0;
    for word in text.split_whitespace() {
        if count > 0 {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= EXCERPT_CHARS {
                out.push_str("...");
                return out;
            }
            out.push(if c.is_control() { '\u{fffd}' } else { c });
            count += 1;
        }
    }
    out
}

/// A header holding a whole number of seconds.
fn seconds_header(response: &HttpResponse, name: &str) -> Option<u64> {
    response.header(name)?.trim().parse().ok()
}

/// `X-RateLimit-Reset` values above this are Unix times, not a number of seconds: some
/// proxies and API gateways send the moment of the reset rather than the wait.
const RESET_IS_A_UNIX_TIME_ABOVE: u64 = 1_000_000_000;

/// How long the server asked the client to wait: `Retry-After` in seconds, or else
/// `X-RateLimit-Reset` (Mattermost sends the seconds until the reset; a value that is a
/// Unix time is read as one, against `now`). An HTTP-date `Retry-After` is not read.
pub(crate) fn retry_after(response: &HttpResponse, now: SystemTime) -> Option<Duration> {
    if let Some(secs) = seconds_header(response, "Retry-After") {
        return Some(Duration::from_secs(secs));
    }
    let reset = seconds_header(response, "X-RateLimit-Reset")?;
    if reset > RESET_IS_A_UNIX_TIME_ABOVE {
        let at = UNIX_EPOCH.checked_add(Duration::from_secs(reset))?;
        Some(at.duration_since(now).unwrap_or(Duration::ZERO))
    } else {
        Some(Duration::from_secs(reset))
    }
}

/// Turns any answer that is not 2xx into the matching [`Error`].
pub(crate) fn check_status(response: HttpResponse) -> Result<HttpResponse> {
    match response.status() {
        200..=299 => Ok(response),
        300..=399 => Err(Error::Redirect {
            status: response.status(),
            location: response.header("Location").map(str::to_owned),
        }),
        429 => {
            let retry_after = retry_after(&response, SystemTime::now());
            Err(Error::RateLimited(Box::new(RateLimited {
                retry_after,
                limit: seconds_header(&response, "X-RateLimit-Limit"),
                remaining: seconds_header(&response, "X-RateLimit-Remaining"),
                request_id: request_id_header(&response),
            })))
        }
        status => Err(Error::Api(Box::new(api_error(status, &response)))),
    }
}

fn api_error(status: u16, response: &HttpResponse) -> ApiError {
    match serde_json::from_slice::<AppErrorBody>(response.body()) {
        Ok(body)
            if body.id.as_deref().is_some_and(|id| !id.is_empty()) || body.message.is_some() =>
        {
            ApiError {
                status,
                id: non_empty(body.id),
                message: body.message.unwrap_or_default(),
                detailed_error: non_empty(body.detailed_error),
                request_id: non_empty(body.request_id).or_else(|| request_id_header(response)),
            }
        }
        _ => ApiError {
            status,
            id: None,
            message: match not_mattermost_hint(status) {
                Some(hint) if response.body().is_empty() => hint.to_owned(),
                Some(hint) => format!("{hint} (body starts: {})", excerpt(response.body())),
                None => excerpt(response.body()),
            },
            detailed_error: None,
            request_id: request_id_header(response),
        },
    }
}

/// What to check when an error answer carries no Mattermost error: it came from
/// something in front of the server (nginx, a load balancer, a proxy).
fn not_mattermost_hint(status: u16) -> Option<&'static str> {
    Some(match status {
        404 => {
            "not an answer of Mattermost's API (no Mattermost error in it): check the \
                base URL, its host and its path prefix (a site served under /chat needs \
                https://host/chat)"
        }
        413 => {
            "the request body is larger than a proxy in front of the server accepts \
                (nginx: client_max_body_size); send less per call, or ask the \
                administrator to raise the limit"
        }
        502..=504 => {
            "a proxy in front of the server could not get an answer from \
                      Mattermost: the server may be down or restarting"
        }
        _ => return None,
    })
}

pub(crate) fn decode_error(
    response: &HttpResponse,
    expected: &'static str,
    source: Option<serde_json::Error>,
) -> Error {
    Error::Decode(Box::new(DecodeError::new(
        response.status(),
        expected,
        excerpt(response.body()),
        request_id_header(response),
        source,
    )))
}

/// `true` for `application/json` and `application/<anything>+json`, parameters aside.
fn is_json(content_type: &str) -> bool {
    // Compared in place, case-insensitively: no lower-cased copy on every answer.
    let mime = content_type.split(';').next().unwrap_or_default().trim();
    let starts = |p: &str| {
        mime.get(..p.len())
            .is_some_and(|m| m.eq_ignore_ascii_case(p))
    };
    let ends = |s: &str| {
        mime.len() >= s.len()
            && mime
                .get(mime.len() - s.len()..)
                .is_some_and(|m| m.eq_ignore_ascii_case(s))
    };
    mime.eq_ignore_ascii_case("application/json") || (starts("application/") && ends("+json"))
}

/// Decodes a success body as `T`.
///
/// The server always answers JSON; a success answer that declares another content type
/// (a proxy's or a login portal's HTML page) is not the server's, and is a decode error
/// even if its body happens to parse. An answer without a `Content-Type` is read.
pub(crate) fn decode_json<T: DeserializeOwned>(
    response: &HttpResponse,
    expected: &'static str,
) -> Result<T> {
    if let Some(content_type) = response.header("Content-Type") {
        if !is_json(content_type) {
            let mut error = decode_error(response, expected, None);
            if let Error::Decode(decode) = &mut error {
                decode.content_type = Some(excerpt(content_type.as_bytes()));
            }
            return Err(error);
        }
    }
    serde_json::from_slice(response.body()).map_err(|e| decode_error(response, expected, Some(e)))
}

/// Checks the `{"status":"OK"}` answer of the custom-status endpoints.
pub(crate) fn expect_status_ok(response: &HttpResponse) -> Result<()> {
    #[derive(Deserialize)]
    #[serde(remote = "Self")]
    struct StatusOk {
        status: String,
    }
    crate::model::object_only!(StatusOk, "an object");
    const EXPECTED: &str = r#"{"status":"OK"}"#;
    let ok: StatusOk = decode_json(response, EXPECTED)?;
    if ok.status == "OK" {
        Ok(())
    } else {
        Err(decode_error(response, EXPECTED, None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_folds_and_cuts() {
        assert_eq!(
            excerpt(b"<html>\n  <b>502</b>\t Bad\r\nGateway</html>"),
            "<html> <b>502</b> Bad Gateway</html>"
        );
        assert_eq!(excerpt(b"a\xffb"), "a\u{fffd}b");
        let long = "x".repeat(1000);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), EXCERPT_CHARS + 3);
    }

    #[test]
    fn json_content_types() {
        for yes in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/problem+json",
        ] {
            assert!(is_json(yes), "{yes}");
        }
        for no in [
            "text/html",
            "text/plain; charset=utf-8",
            "",
            "application/jsonx",
            "+json",
        ] {
            assert!(!is_json(no), "{no}");
        }
    }

    #[test]
    fn reads_the_wait_in_seconds_or_as_a_reset_time() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let with = |headers: &[(&str, &str)]| {
            let response = headers
                .iter()
                .fold(HttpResponse::new(429, Vec::new()), |r, (n, v)| {
                    r.with_header(*n, *v)
                });
            retry_after(&response, now)
        };
        assert_eq!(
            with(&[("retry-after", " 7 ")]),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            with(&[("X-RateLimit-Reset", "12")]),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            with(&[("X-RateLimit-Reset", "1700000030")]),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            with(&[("X-RateLimit-Reset", "1600000000")]),
            Some(Duration::ZERO)
        );
        assert_eq!(with(&[("Retry-After", "-1")]), None);
        assert_eq!(with(&[]), None);
    }
}
