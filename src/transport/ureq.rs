//! [`UreqTransport`]: the default transport, on ureq 3 with rustls.

use std::io;
use std::time::Duration;

use ureq::http;
use ureq::Agent;

use super::{HttpRequest, HttpResponse, Method, Transport};
use crate::error::{TransportError, TransportErrorKind};

/// The default transport: one ureq [`Agent`], so its connections are kept alive and
/// reused by every request of every clone of the session.
///
/// It never follows redirects (the session reports them as
/// [`Error::Redirect`](crate::Error::Redirect)), returns 4xx and 5xx answers as answers,
/// sends no header of its own beyond `Host`, `Content-Length` and `Connection`-level
/// framing, and enforces each request's timeout and body limit. The timeout is ureq's
/// `timeout_global`, which ureq checks again before every read, so an answer trickled a
/// byte at a time still ends at the deadline; the body limit stops reading at the
/// limit, whatever `Content-Length` says, and nothing is allocated ahead of the bytes.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: Agent,
}

impl UreqTransport {
    /// A transport whose connections time out after `connect_timeout`.
    pub fn new(connect_timeout: Duration) -> Self {
        Self::with_call_timeout(connect_timeout, None)
    }

    /// The session's transport: as [`new`](Self::new), and the agent's own global
    /// timeout set to [`AGENT_TIMEOUT_SLACK`] under the session's `timeout`, so that a
    /// first attempt (which gets almost all of the call's time) runs on the agent's
    /// configuration instead of a per-request copy of it (see `run_within`).
    pub(crate) fn with_call_timeout(connect_timeout: Duration, timeout: Option<Duration>) -> Self {
        let agent_timeout = timeout
            .and_then(|t| t.checked_sub(AGENT_TIMEOUT_SLACK))
            .filter(|t| !t.is_zero());
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent("")
            .accept("")
            .accept_encoding("")
            .timeout_connect(Some(connect_timeout))
            .timeout_global(agent_timeout)
            .build();
        UreqTransport {
            agent: Agent::new_with_config(config),
        }
    }

    /// Wraps an agent you configured yourself (proxy, TLS roots, ...). Keep
    /// `http_status_as_error(false)` and `max_redirects(0)` on it: the session expects
    /// every answer back as it came.
    pub fn with_agent(agent: Agent) -> Self {
        UreqTransport { agent }
    }

    fn run(&self, request: &HttpRequest<'_>) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let method = match request.method() {
            Method::Get => http::Method::GET,
            Method::Put => http::Method::PUT,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        };
        let mut builder = http::Request::builder().method(method).uri(request.url());
        for (name, value) in request.headers() {
            builder = builder.header(*name, *value);
        }
        match request.body() {
            Some(body) => self.run_within(builder.body(body)?, request.timeout()),
            None => self.run_within(builder.body(())?, request.timeout()),
        }
    }

    /// Runs `req` so that it ends within `timeout`.
    ///
    /// ureq changes a timeout per request by cloning the agent's whole configuration
    /// into the request (a map and a copy on every call). When the agent's own global
    /// timeout is no longer than `timeout` and at most [`AGENT_TIMEOUT_SLACK`] shorter,
    /// the agent's configuration serves as it is: the request may end up to that much
    /// *earlier* than asked, never later. That is the case of a session's first attempt.
    fn run_within<B: ureq::AsSendBody>(
        &self,
        req: http::Request<B>,
        timeout: Duration,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        if agent_timeout_fits(self.agent.config().timeouts().global, timeout) {
            return self.agent.run(req);
        }
        let req = self
            .agent
            .configure_request(req)
            .timeout_global(Some(timeout))
            .build();
        self.agent.run(req)
    }
}

/// How much earlier than asked a request may time out so that it can run on the agent's
/// own configuration (see `UreqTransport::run_within`).
const AGENT_TIMEOUT_SLACK: Duration = Duration::from_millis(1);

/// Whether the agent's own global timeout `own` may stand for a request's `timeout`:
/// never longer, and at most [`AGENT_TIMEOUT_SLACK`] shorter.
fn agent_timeout_fits(own: Option<Duration>, timeout: Duration) -> bool {
    own.is_some_and(|own| own <= timeout && timeout - own <= AGENT_TIMEOUT_SLACK)
}

impl Default for UreqTransport {
    /// Connect timeout: 10 seconds.
    fn default() -> Self {
        UreqTransport::new(Duration::from_secs(10))
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let mut response = self.run(request).map_err(convert_error)?;
        let mut headers = Vec::new();
        for (name, value) in response.headers() {
            if request.wants_response_header(name.as_str()) {
                let value = match value.to_str() {
                    Ok(ascii) => ascii.to_owned(),
                    Err(_) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
                };
                headers.push((name.as_str().to_owned(), value));
            }
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(request.max_response_bytes())
            .read_to_vec()
            .map_err(convert_error)?;
        let mut answer = HttpResponse::new(response.status().as_u16(), body);
        for (name, value) in headers {
            answer.push_header(name, value);
        }
        Ok(answer)
    }
}

fn convert_error(error: ureq::Error) -> TransportError {
    use TransportErrorKind as K;
    let kind = match &error {
        ureq::Error::Timeout(_) => K::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => K::Connect,
        ureq::Error::BodyExceedsLimit(_) => K::BodyTooLarge,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => K::Tls,
        ureq::Error::Http(_) | ureq::Error::BadUri(_) => K::InvalidRequest,
        ureq::Error::Protocol(_) => K::Io,
        ureq::Error::Io(e) => match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => K::Timeout,
            io::ErrorKind::ConnectionRefused
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable => K::Connect,
            _ => K::Io,
        },
        _ => K::Other,
    };
    TransportError::new(kind, error.to_string()).with_source(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_timeout_stands_in_only_when_never_later_and_at_most_1ms_earlier() {
        let ms = Duration::from_millis;
        let session = ms(30_000);
        let transport = UreqTransport::with_call_timeout(ms(10_000), Some(session));
        let own = transport.agent.config().timeouts().global;
        assert_eq!(own, Some(session - AGENT_TIMEOUT_SLACK));
        // A first attempt: what is left, microseconds under the session timeout.
        assert!(agent_timeout_fits(own, session - Duration::from_micros(3)));
        assert!(agent_timeout_fits(own, session));
        // A retry, with less left than the agent's own: the request's own timeout.
        assert!(!agent_timeout_fits(own, session - ms(2)));
        // Longer than the agent's by more than the slack: likewise.
        assert!(!agent_timeout_fits(own, session + ms(5)));
        // A plain transport (or a custom agent without a global timeout).
        assert!(!agent_timeout_fits(None, session));
        let plain = UreqTransport::new(ms(10_000));
        assert_eq!(plain.agent.config().timeouts().global, None);
        // A session timeout of 1 ms or less leaves the agent without one.
        let tiny = UreqTransport::with_call_timeout(ms(10_000), Some(ms(1)));
        assert_eq!(tiny.agent.config().timeouts().global, None);
    }
}
