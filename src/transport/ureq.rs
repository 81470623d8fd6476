//! [`UreqTransport`]: the default transport, on ureq 3 with rustls.

use std::io;
use std::time::Duration;

use ureq::http;
use ureq::Agent;

use super::{HttpRequest, HttpResponse, Method, Transport};
use crate::error::{TransportError, TransportErrorKind};

mod resolve;
mod steady;

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
        Self::with_call_timeout(connect_timeout, None, DEFAULT_IDLE_CONNECTIONS)
    }

    /// The session's transport: as [`new`](Self::new), and the agent's own global
    /// timeout set to [`AGENT_TIMEOUT_SLACK`] under the session's `timeout`, so that a
    /// first attempt (which gets almost all of the call's time) runs on the agent's
    /// configuration instead of a per-request copy of it (see `run_within`); and up to
    /// `idle_connections` kept-alive connections (see [`with_pool`]).
    pub(crate) fn with_call_timeout(
        connect_timeout: Duration,
        timeout: Option<Duration>,
        idle_connections: usize,
    ) -> Self {
        Self::with_lookup(
            connect_timeout,
            timeout,
            idle_connections,
            resolve::system_lookup(),
        )
    }

    /// [`with_call_timeout`](Self::with_call_timeout), resolving host names with
    /// `lookup`.
    fn with_lookup(
        connect_timeout: Duration,
        timeout: Option<Duration>,
        idle_connections: usize,
        lookup: resolve::Lookup,
    ) -> Self {
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
            .timeout_global(agent_timeout);
        let config = with_pool(config, idle_connections).build();
        UreqTransport {
            agent: agent_with_resolver(config, lookup),
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

/// How many idle connections a [`UreqTransport`] keeps by default, and a session unless
/// told otherwise: `SessionBuilder::max_idle_connections`.
pub(crate) const DEFAULT_IDLE_CONNECTIONS: usize = crate::DEFAULT_MAX_IDLE_CONNECTIONS;

/// Keeps up to `idle` idle connections to the server (ureq's default is 3 per host, so
/// a session shared by more threads than that closed and reopened connections all the
/// time: with `idle` at least the number of threads, each thread finds one).
fn with_pool(
    config: ureq::config::ConfigBuilder<ureq::typestate::AgentScope>,
    idle: usize,
) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    config
        .max_idle_connections_per_host(idle)
        .max_idle_connections(idle.max(10))
}

/// The agent, on ureq's own connectors, resolving names once per new connection and
/// never for an IP address (see `resolve`): no thread per request, and nothing at all
/// to resolve for a request on a kept-alive connection.
fn agent_with_resolver(config: ureq::config::Config, lookup: resolve::Lookup) -> Agent {
    Agent::with_parts(
        config,
        resolve::ResolvingConnector::new(lookup),
        resolve::DeferredResolver,
    )
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
        let body = response
            .body_mut()
            .with_config()
            .limit(request.max_response_bytes())
            .read_to_vec()
            .map_err(convert_error)?;
        let mut answer = HttpResponse::new(response.status().as_u16(), body);
        copy_wanted_headers(request, response.headers(), &mut answer);
        Ok(answer)
    }
}

/// Copies into `answer` the headers the request wants, and only those, into its one
/// buffer (no `String` per header).
fn copy_wanted_headers(
    request: &HttpRequest<'_>,
    headers: &http::HeaderMap,
    answer: &mut HttpResponse,
) {
    for (name, value) in headers {
        if request.wants_response_header(name.as_str()) {
            match value.to_str() {
                Ok(ascii) => answer.push_header_str(name.as_str(), ascii),
                Err(_) => answer
                    .push_header_str(name.as_str(), &String::from_utf8_lossy(value.as_bytes())),
            }
        }
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
        let transport = UreqTransport::with_call_timeout(ms(10_000), Some(session), 16);
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
        let tiny = UreqTransport::with_call_timeout(ms(10_000), Some(ms(1)), 16);
        assert_eq!(tiny.agent.config().timeouts().global, None);
    }

    // ---- name resolution (see `resolve`) ----

    use std::io::{BufRead, BufReader, Write};
    use std::net::{SocketAddr, TcpListener};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    /// A server on 127.0.0.1 answering `{"server":"<tag>"}` to any GET, closing each
    /// connection after `per_connection` answers; returns its address and its count of
    /// accepted connections.
    fn tagged_server(tag: &'static str, per_connection: usize) -> (SocketAddr, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                for served in 1..=per_connection {
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            break;
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    if line != "\r\n" {
                        break;
                    }
                    let body = format!(r#"{{"server":"{tag}"}}"#);
                    let close = if served == per_connection {
                        "Connection: close\r\n"
                    } else {
                        ""
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{close}\
                         Content-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                }
            }
        });
        (addr, accepted)
    }

    fn get(transport: &UreqTransport, url: &str) -> Result<String, TransportError> {
        let request = HttpRequest::new(Method::Get, url).with_timeout(Duration::from_secs(10));
        let response = transport.send(&request)?;
        Ok(String::from_utf8(response.into_body()).unwrap())
    }

    #[test]
    fn a_host_name_is_resolved_once_per_connection_and_again_for_the_next() {
        let (a, a_accepted) = tagged_server("a", 2);
        let (b, b_accepted) = tagged_server("b", 100);
        let answer = Arc::new(Mutex::new(a));
        let lookups = Arc::new(AtomicUsize::new(0));
        let lookup: resolve::Lookup = {
            let (answer, lookups) = (Arc::clone(&answer), Arc::clone(&lookups));
            Arc::new(move |host_port: &str| {
                assert_eq!(host_port, "mm.test:8065");
                lookups.fetch_add(1, Ordering::SeqCst);
                Ok(vec![*answer.lock().unwrap()])
            })
        };
        let transport = UreqTransport::with_lookup(
            Duration::from_secs(5),
            Some(Duration::from_secs(30)),
            16,
            lookup,
        );
        let url = "http://mm.test:8065/api/v4/users/me/status";
        assert_eq!(get(&transport, url).unwrap(), r#"{"server":"a"}"#);
        assert_eq!(lookups.load(Ordering::SeqCst), 1);
        // Kept alive: no lookup at all (with ureq's resolver: one per request, on a
        // thread of its own).
        assert_eq!(get(&transport, url).unwrap(), r#"{"server":"a"}"#);
        assert_eq!(lookups.load(Ordering::SeqCst), 1);
        assert_eq!(a_accepted.load(Ordering::SeqCst), 1);
        // The name now points elsewhere; `a` closed its connection after two answers,
        // so the next call connects anew, resolves anew, and goes to `b`.
        *answer.lock().unwrap() = b;
        assert_eq!(get(&transport, url).unwrap(), r#"{"server":"b"}"#);
        assert_eq!(lookups.load(Ordering::SeqCst), 2);
        assert_eq!(get(&transport, url).unwrap(), r#"{"server":"b"}"#);
        assert_eq!(lookups.load(Ordering::SeqCst), 2);
        assert_eq!(b_accepted.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn an_ip_address_is_never_looked_up() {
        let (a, _) = tagged_server("a", 100);
        let lookups = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&lookups);
        let lookup: resolve::Lookup = Arc::new(move |_: &str| {
            counted.fetch_add(1, Ordering::SeqCst);
            Err(io::Error::other("no lookup expected"))
        });
        let transport = UreqTransport::with_lookup(
            Duration::from_secs(5),
            Some(Duration::from_secs(30)),
            16,
            lookup,
        );
        let url = format!("http://{a}/api/v4/users/me/status");
        for _ in 0..3 {
            assert_eq!(get(&transport, &url).unwrap(), r#"{"server":"a"}"#);
        }
        assert_eq!(lookups.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_stalled_resolver_ends_at_the_calls_deadline() {
        let lookup: resolve::Lookup = Arc::new(|_: &str| {
            std::thread::sleep(Duration::from_secs(5));
            Err(io::Error::other("too late"))
        });
        let timeout = Duration::from_millis(400);
        let transport =
            UreqTransport::with_lookup(Duration::from_secs(10), Some(timeout), 16, lookup);
        let session = crate::Session::builder("http://stalled.test:8065")
            .token("t")
            .timeout(timeout)
            .transport(transport)
            .build()
            .unwrap();
        let start = Instant::now();
        let error = crate::GetStatus::new(crate::UserId::me())
            .send(&session)
            .unwrap_err();
        let elapsed = start.elapsed();
        match &error {
            crate::Error::Transport(e) => assert_eq!(e.kind(), TransportErrorKind::Timeout),
            other => panic!("not a timeout: {other:?}"),
        }
        assert!(elapsed >= timeout - Duration::from_millis(5), "{elapsed:?}");
        assert!(
            elapsed < timeout + Duration::from_millis(300),
            "{elapsed:?}"
        );
    }
}
