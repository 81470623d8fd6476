//! The HTTP layer under a [`Session`](crate::Session): plain bytes and headers in and out.
//!
//! A [`Transport`] knows nothing of Mattermost. The crate ships [`UreqTransport`] (cargo
//! feature `ureq`, on by default); implement the trait yourself to use another HTTP
//! client, to record requests, or to answer them in process in tests.
//!
//! The connection settings every built-in transport shares (trusted roots, the
//! system's store, the proxy, the connect timeout) are one [`TransportOptions`], which
//! [`SessionBuilder`](crate::SessionBuilder) fills; proxies and `NO_PROXY` are read as
//! curl reads them ([`ProxySetting`]).
//!
//! ```
//! use mattermost_status::transport::{HttpRequest, HttpResponse, Transport};
//! use mattermost_status::{GetStatus, Session, StatusKind, TransportError, UserId};
//!
//! /// Answers every request with the same status, without any network.
//! #[derive(Debug)]
//! struct Canned;
//!
//! impl Transport for Canned {
//!     fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
//!         assert!(request.url().ends_with("/api/v4/users/me/status"));
//!         let body = br#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"away"}"#;
//!         Ok(HttpResponse::new(200, body.to_vec()))
//!     }
//! }
//!
//! let session = Session::builder("https://chat.example.com")
//!     .token("secret")
//!     .transport(Canned)
//!     .build()?;
//! let status = GetStatus::new(UserId::me()).send(&session)?;
//! assert_eq!(status.status, StatusKind::Away);
//! # Ok::<(), mattermost_status::Error>(())
//! ```
#![cfg_attr(
    feature = "ureq",
    doc = "[`UreqTransport`]: crate::transport::UreqTransport"
)]
#![cfg_attr(
    not(feature = "ureq"),
    doc = "[`UreqTransport`]: https://docs.rs/mattermost-status/0.1/mattermost_status/transport/struct.UreqTransport.html"
)]

use std::fmt;
use std::time::Duration;

use crate::error::TransportError;

#[cfg(feature = "curl")]
mod curl;
#[cfg(feature = "curl")]
pub use self::curl::CurlTransport;
#[cfg(feature = "live")]
mod dial;
#[cfg(feature = "ureq")]
mod forward;
mod options;
mod pem;
mod proxy;
mod stream;
#[cfg(any(feature = "ureq", feature = "curl"))]
mod system_roots;
#[cfg(feature = "ureq")]
mod ureq;

pub use self::options::{ProxySetting, RootCertificate, TransportOptions};
pub use self::proxy::ProxyUrl;

pub use self::stream::Stream;
#[cfg(feature = "ureq")]
mod ureq_wire;
#[cfg(feature = "ureq")]
pub use self::ureq::UreqTransport;

/// The only response headers a [`Session`](crate::Session) reads: every request it sends
/// [wants](HttpRequest::wants_response_header) these, and a transport may drop the rest.
pub const SESSION_RESPONSE_HEADERS: &[&str] = &[
    "Content-Type",
    "Location",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-Request-Id",
];

/// The HTTP methods the status endpoints use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One HTTP request, borrowed from the session for the time of the call.
///
/// *For transport authors.* The session builds it; a [`Transport`] reads it through the
/// accessors and sends it as it is: the method, the absolute URL, the headers in order,
/// and the body, if any, with a `Content-Length`. Headers may hold secrets
/// (`Authorization`): this type's `Debug` shows only header names.
///
/// ```
/// use std::time::Duration;
/// use mattermost_status::transport::{HttpRequest, Method};
///
/// let headers = [("Accept", "application/json")];
/// let request = HttpRequest::new(Method::Get, "https://chat.example.com/api/v4/users/me/status")
///     .with_headers(&headers)
///     .with_timeout(Duration::from_secs(5));
/// assert_eq!(request.header("accept"), Some("application/json"));
/// assert_eq!(request.body(), None);
/// assert!(request.wants_response_header("X-Anything")); // no list: keep every header
/// ```
#[derive(Clone, Copy)]
pub struct HttpRequest<'a> {
    method: Method,
    url: &'a str,
    headers: &'a [(&'a str, &'a str)],
    body: Option<&'a [u8]>,
    timeout: Duration,
    max_response_bytes: u64,
    response_headers: Option<&'a [&'a str]>,
}

/// The timeout of an [`HttpRequest`] that was not given one: 30 seconds.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The body limit of an [`HttpRequest`] that was not given one: 8 MiB.
const DEFAULT_REQUEST_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;

impl<'a> HttpRequest<'a> {
    /// A request with no headers and no body, a timeout of 30 s and a response limit of
    /// 8 MiB; the `with_*` methods set the rest.
    #[must_use]
    pub fn new(method: Method, url: &'a str) -> Self {
        HttpRequest {
            method,
            url,
            headers: &[],
            body: None,
            timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_bytes: DEFAULT_REQUEST_MAX_RESPONSE_BYTES,
            response_headers: None,
        }
    }

    /// The header names and values to send, in order.
    #[must_use]
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// The body to send (with a `Content-Length`).
    #[must_use]
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self
    }

    /// The most time the whole exchange may take.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body to accept.
    #[must_use]
    pub fn with_max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The names of the only response headers the caller reads; a transport may leave
    /// every other header out of the [`HttpResponse`] (and so copy nothing it does not
    /// need). Without this, every header is wanted.
    #[must_use]
    pub fn with_response_headers(mut self, names: &'a [&'a str]) -> Self {
        self.response_headers = Some(names);
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The absolute URL (`https://host/prefix/api/v4/...`).
    pub fn url(&self) -> &'a str {
        self.url
    }

    /// Header names and values, in the order to send them.
    pub fn headers(&self) -> &'a [(&'a str, &'a str)] {
        self.headers
    }

    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The body; `None` sends none (no `Content-Length`).
    pub fn body(&self) -> Option<&'a [u8]> {
        self.body
    }

    /// The most time the whole exchange may take, connect to last body byte: what is
    /// left of the call's [`timeout`](crate::SessionBuilder::timeout) when this attempt
    /// starts. A transport that overruns it overruns the call's deadline.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The largest response body to accept; a larger one is a
    /// [`TransportErrorKind::BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge)
    /// error, and a transport stops reading at the limit.
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// The response headers the caller reads, when it said (see
    /// [`with_response_headers`](Self::with_response_headers)); `None`: all of them.
    pub fn response_headers(&self) -> Option<&'a [&'a str]> {
        self.response_headers
    }

    /// Whether the response header `name` must be kept in the [`HttpResponse`]
    /// (case-insensitive).
    pub fn wants_response_header(&self, name: &str) -> bool {
        self.response_headers
            .is_none_or(|names| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
    }
}

impl fmt::Debug for HttpRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| *n).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("header_names", &names)
            .field("body_len", &self.body.map(<[u8]>::len))
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// One HTTP response: any status (4xx and 5xx are answers, not transport errors).
///
/// *For transport authors.* Build it with [`new`](Self::new) and
/// [`with_header`](Self::with_header) for each header the request
/// [wants](HttpRequest::wants_response_header) (keeping more is harmless).
///
/// ```
/// use mattermost_status::transport::HttpResponse;
///
/// let response = HttpResponse::new(200, br#"{"status":"OK"}"#.to_vec())
///     .with_header("Content-Type", "application/json");
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.header("content-type"), Some("application/json"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    status: u16,
    /// Every header kept, in one buffer (one allocation for all of them, none when there
    /// are none): for each, the name's and the value's length in decimal, each followed
    /// by `,` then `:`, then the name and the value, e.g. `12,16:Content-Typeapplication/json`.
    headers: String,
    body: Vec<u8>,
}

/// Room for the headers a session keeps of a usual answer (`Content-Type`,
/// `X-Request-Id`), so that the buffer is allocated once.
const HEADER_BUFFER: usize = 96;

impl HttpResponse {
    /// A response with status `status`, no headers, and `body`.
    #[must_use]
    pub fn new(status: u16, body: Vec<u8>) -> Self {
        HttpResponse {
            status,
            headers: String::new(),
            body,
        }
    }

    /// Adds a header (names are matched case-insensitively; the first of a name wins).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.push_header(name, value);
        self
    }

    /// Adds a header, in place.
    pub fn push_header(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.push_header_str(&name.into(), &value.into());
    }

    /// Adds a header from borrowed text: for the crate's transports, which copy it
    /// straight into the one buffer.
    pub(crate) fn push_header_str(&mut self, name: &str, value: &str) {
        use std::fmt::Write;
        if self.headers.capacity() == 0 {
            self.headers
                .reserve(HEADER_BUFFER.max(name.len() + value.len() + 8));
        }
        // Writing to a String cannot fail.
        let _ = write!(self.headers, "{},{}:", name.len(), value.len());
        self.headers.push_str(name);
        self.headers.push_str(value);
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every header kept, in the order received.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut rest = self.headers.as_str();
        std::iter::from_fn(move || {
            let (name_len, after) = rest.split_once(',')?;
            let (value_len, after) = after.split_once(':')?;
            let name_len: usize = name_len.parse().ok()?;
            let end = name_len.checked_add(value_len.parse().ok()?)?;
            let name = after.get(..name_len)?;
            let value = after.get(name_len..end)?;
            rest = after.get(end..)?;
            Some((name, value))
        })
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, taken out of the response.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a HttpResponse);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.headers()).finish()
            }
        }
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &Headers(self))
            .field("body", &self.body)
            .finish()
    }
}

/// Sends one HTTP request and returns the answer: the crate's extension point.
///
/// *For transport authors.* A session holds an `Arc<dyn Transport>` and calls
/// [`send`](Transport::send) once per attempt; the retries, the call's deadline, the
/// headers, error statuses and decoding are the session's. An implementation must:
///
/// - return every HTTP answer, whatever its status (2xx to 5xx), as `Ok`; `Err` is for
///   when there is no usable answer, with the [`TransportErrorKind`](crate::TransportErrorKind)
///   that says why (the session retries [`Connect`](crate::TransportErrorKind::Connect)
///   failures, so use it only when the request was certainly not sent);
/// - never follow redirects (a 3xx is an answer);
/// - end the exchange within [`HttpRequest::timeout`], connect to last body byte, with
///   [`Timeout`](crate::TransportErrorKind::Timeout) (a server that trickles its answer
///   must not stretch it);
/// - stop reading at [`HttpRequest::max_response_bytes`] with
///   [`BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge), whatever
///   `Content-Length` says, allocating no more than it read;
/// - keep at least the response headers the request
///   [wants](HttpRequest::wants_response_header);
/// - never write the request's header values (they hold the token) to a log or an error;
/// - when a kept-alive connection it reused fails (closed, reset) before any byte of the
///   answer arrived, say so with
///   [`TransportError::stale_connection`](crate::TransportError::stale_connection): the
///   session then resends an idempotent request at once (optional; never for a fresh
///   connection);
/// - and should reuse connections across calls.
///
/// The trait is object-safe, and implemented for `Arc<T>` and `Box<T>`.
pub trait Transport: fmt::Debug + Send + Sync {
    /// Sends `request` and returns the answer, or why there is none.
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError>;

    /// Opens a byte stream to the origin (scheme, host, port) of the absolute URL `url`,
    /// through the transport's proxy and with its trust settings, within `timeout`
    /// (connect, proxy and TLS together): for a protocol the caller speaks itself over
    /// it, such as a websocket. The path of `url` is not requested: the caller writes
    /// its own request on the stream.
    ///
    /// *For transport authors.* Optional: the default says the transport opens no
    /// streams ([`TransportErrorKind::InvalidRequest`](crate::TransportErrorKind::InvalidRequest)),
    /// and everything but streams keeps working. Failures take the kinds `send` uses
    /// (`Connect` when nothing reached the server, `Timeout`, `Tls`).
    fn open_stream(&self, url: &str, timeout: Duration) -> Result<Box<dyn Stream>, TransportError> {
        let _ = (url, timeout);
        Err(TransportError::new(
            crate::TransportErrorKind::InvalidRequest,
            "this transport opens no byte streams (Transport::open_stream is not implemented)",
        ))
    }
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
    fn open_stream(&self, url: &str, timeout: Duration) -> Result<Box<dyn Stream>, TransportError> {
        (**self).open_stream(url, timeout)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
    fn open_stream(&self, url: &str, timeout: Duration) -> Result<Box<dyn Stream>, TransportError> {
        (**self).open_stream(url, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_headers_keep_any_text_in_order() {
        let names = [
            "Content-Type",
            "X-1,2:3",
            "",
            "Ünïcode",
            "12,3:",
            "Retry-After",
        ];
        let values = ["application/json", "a,b:c", "empty name", "välue", "", "7"];
        let mut response = HttpResponse::new(200, Vec::new());
        for (n, v) in names.iter().zip(values) {
            response.push_header(*n, v);
        }
        let kept: Vec<(&str, &str)> = response.headers().collect();
        let wanted: Vec<(&str, &str)> = names.iter().copied().zip(values).collect();
        assert_eq!(kept, wanted);
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.header("12,3:"), Some(""));
        assert_eq!(response.header("retry-after"), Some("7"));
        assert_eq!(response.header("Missing"), None);
        // The first of a name wins.
        let response = response.with_header("Retry-After", "9");
        assert_eq!(response.header("Retry-After"), Some("7"));
        let shown = format!("{response:?}");
        assert!(shown.contains(r#"("X-1,2:3", "a,b:c")"#), "{shown}");
        assert_eq!(HttpResponse::new(204, Vec::new()).headers().count(), 0);
    }
}
