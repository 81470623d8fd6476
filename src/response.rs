//! Reading the server's answers: error statuses into [`Error`], bodies into types.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{ApiError, DecodeError, Error, RateLimited, Result};
use crate::transport::HttpResponse;

/// How many characters of an unexpected body an error quotes.
const EXCERPT_CHARS: usize = 200;

/// Mattermost's `AppError` JSON. Every field is optional: proxies and older servers
/// send less.
#[derive(Deserialize)]
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

/// Turns any answer that is not 2xx into the matching [`Error`].
pub(crate) fn check_status(response: HttpResponse) -> Result<HttpResponse> {
    match response.status {
        200..=299 => Ok(response),
        300..=399 => Err(Error::Redirect {
            status: response.status,
            location: response.header("Location").map(str::to_owned),
        }),
        429 => {
            let retry_after = seconds_header(&response, "Retry-After")
                .or_else(|| seconds_header(&response, "X-RateLimit-Reset"))
                .map(Duration::from_secs);
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
    match serde_json::from_slice::<AppErrorBody>(&response.body) {
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
            message: excerpt(&response.body),
            detailed_error: None,
            request_id: request_id_header(response),
        },
    }
}

pub(crate) fn decode_error(
    response: &HttpResponse,
    expected: &'static str,
    source: Option<serde_json::Error>,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: response.status,
        expected,
        excerpt: excerpt(&response.body),
        request_id: request_id_header(response),
        source,
    }))
}

/// Decodes a success body as `T`.
pub(crate) fn decode_json<T: DeserializeOwned>(
    response: &HttpResponse,
    expected: &'static str,
) -> Result<T> {
    serde_json::from_slice(&response.body).map_err(|e| decode_error(response, expected, Some(e)))
}

/// Checks the `{"status":"OK"}` answer of the custom-status endpoints.
pub(crate) fn expect_status_ok(response: &HttpResponse) -> Result<()> {
    #[derive(Deserialize)]
    struct StatusOk {
        status: String,
    }
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
}
