//! The HTTP layer under a [`Session`](crate::Session): plain bytes and headers in and out.
//!
//! A [`Transport`] knows nothing of Mattermost. The crate ships [`UreqTransport`] (cargo
//! feature `ureq`, on by default); implement the trait yourself to use another HTTP
//! client, to record requests, or to answer them in process in tests.
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
//!         assert!(request.url.ends_with("/api/v4/users/me/status"));
//!         let body = br#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"away"}"#;
//!         Ok(HttpResponse::new(200, Vec::new(), body.to_vec()))
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
#![cfg_attr(feature = "ureq", doc = "[`UreqTransport`]: crate::UreqTransport")]
#![cfg_attr(
    not(feature = "ureq"),
    doc = "[`UreqTransport`]: https://docs.rs/mattermost-status/0.1/mattermost_status/struct.UreqTransport.html"
)]

use std::fmt;
use std::time::Duration;

use crate::error::TransportError;

#[cfg(feature = "ureq")]
mod ureq;
#[cfg(feature = "ureq")]
pub use self::ureq::UreqTransport;

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
/// Headers may hold secrets (`Authorization`): this type's `Debug` shows only header
/// names.
#[non_exhaustive]
pub struct HttpRequest<'a> {
    /// The method.
    pub method: Method,
    /// The absolute URL (`https://host/prefix/api/v4/...`).
    pub url: &'a str,
    /// Header names and values.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body; `None` sends none (no `Content-Length`).
    pub body: Option<&'a [u8]>,
    /// The most time the whole exchange may take, connect to last body byte: what is
    /// left of the call's [`timeout`](crate::SessionBuilder::timeout) when this attempt
    /// starts. A transport that overruns it overruns the call's deadline.
    pub timeout: Duration,
    /// The largest response body to accept; larger ones are a
    /// [`TransportErrorKind::BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge) error.
    pub max_response_bytes: u64,
}

impl<'a> HttpRequest<'a> {
    /// A request; used by the session, and by tests of custom transports.
    pub fn new(
        method: Method,
        url: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: Option<&'a [u8]>,
        timeout: Duration,
        max_response_bytes: u64,
    ) -> Self {
        HttpRequest {
            method,
            url,
            headers,
            body,
            timeout,
            max_response_bytes,
        }
    }

    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
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
            .finish()
    }
}

/// One HTTP response: any status (4xx and 5xx are answers, not transport errors).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values, as received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        HttpResponse {
            status,
            headers,
            body,
        }
    }

    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP request and returns the answer.
///
/// Implementations must return every HTTP answer, whatever its status, as `Ok`; `Err` is
/// for when there is no answer. They must not follow redirects, must respect
/// [`HttpRequest::timeout`] and [`HttpRequest::max_response_bytes`], and should reuse
/// connections. The trait is object-safe: a session holds an `Arc<dyn Transport>`.
pub trait Transport: fmt::Debug + Send + Sync {
    /// Sends `request`.
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError>;
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        (**self).send(request)
    }
}
