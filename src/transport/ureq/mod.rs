//! [`UreqTransport`]: the default transport, on ureq 3 with rustls.
//!
//! Every workaround of ureq's behaviour lives in this folder, a file each, and
//! `src/transport/ureq/WORKAROUNDS.md` has a row for each: what ureq does, what the crate
//! does instead, what it gains, and the upstream change that would retire it.
//!
//! | file | works around |
//! |---|---|
//! | `resolve.rs` | a name lookup (on a thread of its own) before every request, pooled or not |
//! | `steady.rs` | a `setsockopt` before every read and write |
//! | `forward.rs` | `CONNECT` tunnels for `http://` sites through an HTTP proxy |
//! | `token.rs` | the token in ureq's TRACE log |
//! | `stale.rs` | no way to tell a reused connection the server closed from any I/O error |
//! | `deadline.rs` | the panic on `Duration::MAX`; a copy of the configuration per request timeout |
//! | `buffers.rs` | 128 KiB buffers zero-filled per connection |
//!
//! The code builds on ureq's `unversioned` API (connectors, resolvers, transports), which
//! has no semver promise: `Cargo.toml` bounds ureq to the minor it was written against.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use ureq::http;
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::unversioned::transport::{Connector, DefaultConnector, TcpConnector};
use ureq::Agent;

use self::forward::{AbsoluteFormConnector, ProxyResolver};
use self::token::TokenSplicer;
use super::options::{TransportOptions, TrustedRoots};
use super::proxy::{ProxyRoutes, ProxyUrl};
use super::{HttpRequest, HttpResponse, Method, Transport};
use crate::error::{Error, TransportError, TransportErrorKind};

mod buffers;
mod deadline;
mod forward;
mod resolve;
#[cfg(feature = "live")]
pub(crate) use self::resolve::Lookup;
mod stale;
mod steady;
mod token;

/// The default transport: ureq agents, so connections are kept alive and reused by every
/// request of every clone of the session.
///
/// It never follows redirects (the session reports them as
/// [`Error::Redirect`](crate::Error::Redirect)), returns 4xx and 5xx answers as answers,
/// sends no header of its own beyond `Host`, `Content-Length` and `Connection`-level
/// framing, and enforces each request's timeout and body limit. The timeout is ureq's
/// `timeout_global`, which ureq checks again before every read, so an answer trickled a
/// byte at a time still ends at the deadline; the body limit stops reading at the
/// limit, whatever `Content-Length` says, and nothing is allocated ahead of the bytes.
///
/// A request on a kept-alive connection resolves nothing and starts no thread: host
/// names are resolved once per new connection (so DNS changes reach the next one),
/// within the call's deadline, and IP addresses not at all. Socket timeouts are set
/// again only when they must, so a read or write may time out up to 1 ms before the
/// call's deadline, never after it. Up to
/// [`max_idle_connections`](TransportOptions::max_idle_connections) idle connections
/// are kept (default 16). An answer's head (status line and headers) of more than
/// 16,383 bytes is refused as an [`Io`](crate::TransportErrorKind::Io) error.
///
/// The system's CA bundle (with [`system_roots`](TransportOptions::system_roots), and
/// without the platform verifier) is read at the first request that can meet TLS (an
/// `https://` site, or an `https://` proxy), not when the transport is made: a
/// program that only talks to an `http://` site never reads it. A bundle that cannot
/// be read then fails that request (and the next ones) as a
/// [`Tls`](crate::TransportErrorKind::Tls) error that names the file.
///
/// Trust and proxies come from [`TransportOptions`] (see [`from_options`](Self::from_options)).
/// Proxies: `https://` sites go through a `CONNECT` tunnel; `http://` sites through an
/// `http://` proxy are sent as curl sends them, a plain request with the absolute URL
/// (ureq alone would tunnel them too, which proxies that allow `CONNECT` only to port
/// 443 refuse). `https://` proxies are supported (for `http://` sites, through a
/// tunnel); SOCKS proxies are not (the session is refused when built).
///
/// The token never reaches ureq's TRACE log (its `ureq_proto::util` target logs the
/// raw bytes of every request): ureq gets the `Authorization` header as a placeholder
/// of the same length, put back to the real value as the bytes leave for the socket.
/// This holds for every constructor but [`with_agent`](Self::with_agent). A kept-alive
/// connection that the server had closed while idle is reported as
/// [`stale`](crate::TransportError::is_stale_connection), and the session sends an
/// idempotent request again at once.
#[derive(Clone)]
pub struct UreqTransport {
    /// The agents of every request, or (with [`bundle`](Self::bundle)) of those that
    /// cannot meet TLS.
    agents: Agents,
    /// When trusting the system's store means reading its CA bundle file: the agents of
    /// the requests that can meet TLS, made at the first of them.
    bundle: Option<Arc<BundleAgents>>,
    /// Every agent is built on [`TokenSplicer`]: the token goes as a placeholder, reuse
    /// is known. Not so for [`with_agent`](Self::with_agent).
    guarded: bool,
    /// Opens the byte streams of [`open_stream`](Transport::open_stream), with the same
    /// options; `None` for [`with_agent`](Self::with_agent), whose settings are ureq's.
    #[cfg(feature = "live")]
    dialer: Option<Arc<super::dial::Dialer>>,
}

/// The agents of one trust configuration: direct, and through the proxies.
#[derive(Clone)]
struct Agents {
    /// Requests that go direct.
    direct: Agent,
    /// Requests through a proxy; `None` when nothing goes through one.
    via: Option<Arc<Via>>,
}

/// Agents trusting the system's CA bundle, made when a request first needs them.
struct BundleAgents {
    options: TransportOptions,
    agent_timeout: Option<Duration>,
    lookup: resolve::Lookup,
    /// The agents, or why the bundle could not be read.
    made: std::sync::OnceLock<Result<Agents, String>>,
}

impl BundleAgents {
    fn get(&self) -> Result<&Agents, TransportError> {
        self.made
            .get_or_init(|| {
                let tls = tls_config(&self.options, true).map_err(|e| e.to_string())?;
                Agents::make(&self.options, self.agent_timeout, tls, &self.lookup)
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|reason| TransportError::new(TransportErrorKind::Tls, reason.clone()))
    }
}

/// An agent on ureq's own connectors, with [`TokenSplicer`] as the last link, resolving
/// names with `lookup` once per new connection and never for an IP address (see
/// `resolve`): no thread per request, nothing at all to resolve on a kept-alive
/// connection.
fn guarded_agent(config: ureq::config::Config, lookup: &resolve::Lookup) -> Agent {
    Agent::with_parts(
        config,
        resolve::ResolvingConnector::new(
            Arc::clone(lookup),
            DefaultConnector::new().chain(TokenSplicer),
        ),
        resolve::DeferredResolver,
    )
}

/// The proxied routes: which proxy, and an agent for each kind of site.
struct Via {
    routes: ProxyRoutes,
    /// `http://` sites through their proxy.
    http: Option<Agent>,
    /// `https://` sites through their proxy (`CONNECT`).
    https: Option<Agent>,
}

impl fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the agents: their configuration would print the proxy URL.
        let mut d = f.debug_struct("UreqTransport");
        d.field(
            "connect_timeout",
            &self.agents.direct.config().timeouts().connect,
        );
        if let Some(via) = &self.agents.via {
            d.field("http_proxy", &via.routes.http())
                .field("https_proxy", &via.routes.https())
                .field("no_proxy", via.routes.no_proxy());
        }
        d.finish()
    }
}

impl UreqTransport {
    /// A transport whose connections time out after `connect_timeout`, trusting
    /// Mozilla's roots, with the proxy from the environment (read as curl reads it; see
    /// [`ProxySetting::Environment`](super::ProxySetting::Environment)). A proxy variable that is not a proxy URL is
    /// ignored here; [`from_options`](Self::from_options) reports it.
    pub fn new(connect_timeout: Duration) -> Self {
        let options = TransportOptions {
            connect_timeout,
            ..TransportOptions::default()
        };
        Self::build(&options, None).unwrap_or_else(|_| {
            let tls = TlsConfig::builder().build();
            UreqTransport {
                agents: Agents {
                    direct: guarded_agent(
                        config(&options, None, tls, None),
                        &resolve::system_lookup(),
                    ),
                    via: None,
                },
                bundle: None,
                guarded: true,
                #[cfg(feature = "live")]
                dialer: None,
            }
        })
    }

    /// A transport with these trust, proxy and timeout settings. Refused (as
    /// [`Error::InvalidInput`] naming the setting) when a root certificate file or the
    /// system's bundle cannot be read, a proxy variable is not a proxy URL, or the proxy
    /// is SOCKS.
    pub fn from_options(options: &TransportOptions) -> Result<Self, Error> {
        Self::build(options, None)
    }

    /// The session's transport: as [`from_options`](Self::from_options), and the
    /// agents' own global timeout set just under the session's `timeout`, so that a
    /// first attempt (which gets almost all of the call's time) runs on the agent's
    /// configuration instead of a per-request copy of it (see [`deadline`]).
    pub(crate) fn build(
        options: &TransportOptions,
        timeout: Option<Duration>,
    ) -> Result<Self, Error> {
        Self::build_with_lookup(options, timeout, resolve::system_lookup())
    }

    /// [`build`](Self::build), resolving host names with `lookup`.
    fn build_with_lookup(
        options: &TransportOptions,
        timeout: Option<Duration>,
        lookup: resolve::Lookup,
    ) -> Result<Self, Error> {
        let agent_timeout = deadline::agent_timeout(timeout);
        let bundle = if reads_bundle(options) {
            // Its absence is a setting to fix, said now; reading it waits for TLS.
            super::system_roots::path()?;
            Some(Arc::new(BundleAgents {
                options: options.clone(),
                agent_timeout,
                lookup: Arc::clone(&lookup),
                made: std::sync::OnceLock::new(),
            }))
        } else {
            None
        };
        let tls = tls_config(options, false)?;
        Ok(UreqTransport {
            agents: Agents::make(options, agent_timeout, tls, &lookup)?,
            bundle,
            guarded: true,
            #[cfg(feature = "live")]
            dialer: Some(Arc::new(super::dial::Dialer::new(
                options,
                options.proxy.routes()?,
                lookup,
            ))),
        })
    }

    /// Wraps an agent you configured yourself (proxy, TLS roots, ...). Keep
    /// `http_status_as_error(false)` and `max_redirects(0)` on it: the session expects
    /// every answer back as it came. Every request goes through this agent, with its own
    /// proxy settings.
    ///
    /// Such a transport gives ureq the `Authorization` header as it is, so a logger that
    /// lets `ureq_proto` log at TRACE writes the token (see the crate's "Logging"
    /// section), and it cannot tell reused connections from fresh ones.
    pub fn with_agent(agent: Agent) -> Self {
        UreqTransport {
            agents: Agents {
                direct: agent,
                via: None,
            },
            bundle: None,
            guarded: false,
            #[cfg(feature = "live")]
            dialer: None,
        }
    }

    /// The agent for `url`, and the proxy it goes through.
    fn agent_for(&self, url: &str) -> Result<(&Agent, Option<&ProxyUrl>), TransportError> {
        let (agent, proxy) = self.agents.agent_for(url);
        let Some(bundle) = &self.bundle else {
            return Ok((agent, proxy));
        };
        let tls = url.starts_with("https:") || proxy.is_some_and(|p| p.scheme() == "https");
        if !tls {
            return Ok((agent, proxy));
        }
        Ok(bundle.get()?.agent_for(url))
    }

    fn run(
        &self,
        agent: &Agent,
        request: &HttpRequest<'_>,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let method = match request.method() {
            Method::Get => http::Method::GET,
            Method::Put => http::Method::PUT,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
        };
        let mut builder = http::Request::builder().method(method).uri(request.url());
        for (name, value) in request.headers() {
            if self.guarded && name.eq_ignore_ascii_case("Authorization") {
                builder = builder.header(*name, token::placeholder(value.len()));
            } else {
                builder = builder.header(*name, *value);
            }
        }
        match request.body() {
            Some(body) => deadline::run_within(agent, builder.body(body)?, request.timeout()),
            None => deadline::run_within(agent, builder.body(())?, request.timeout()),
        }
    }
}

/// SOCKS proxies need a ureq feature the crate does not enable.
fn checked(proxy: &ProxyUrl) -> Result<&ProxyUrl, Error> {
    if proxy.scheme().starts_with("socks") {
        return Err(Error::invalid(
            "proxy",
            format!(
                "{proxy} is a SOCKS proxy, which the ureq transport does not support; \
                 use an http:// or https:// proxy"
            ),
        ));
    }
    Ok(proxy)
}

impl Agents {
    /// The agents for these options, trusting `tls`.
    fn make(
        options: &TransportOptions,
        agent_timeout: Option<Duration>,
        tls: TlsConfig,
        lookup: &resolve::Lookup,
    ) -> Result<Self, Error> {
        let routes = options.proxy.routes()?;
        let direct = guarded_agent(config(options, agent_timeout, tls.clone(), None), lookup);
        let tunnel = |proxy: &ProxyUrl| -> Result<Agent, Error> {
            let ureq_proxy = ureq::Proxy::new(&proxy.url_with_credentials())
                .map_err(|_| Error::invalid("proxy", format!("{proxy} is not usable by ureq")))?;
            Ok(guarded_agent(
                config(options, agent_timeout, tls.clone(), Some(ureq_proxy)),
                lookup,
            ))
        };
        let http = match routes.http() {
            None => None,
            Some(proxy) if proxy.scheme() == "http" => {
                let resolver = ProxyResolver::new(proxy).map_err(|_| {
                    Error::invalid("proxy", format!("{proxy} has an unusable host"))
                })?;
                let connector =
                    ().chain(TcpConnector::default())
                        .chain(AbsoluteFormConnector::new(proxy))
                        .chain(TokenSplicer);
                Some(Agent::with_parts(
                    config(options, agent_timeout, tls.clone(), None),
                    connector,
                    resolver,
                ))
            }
            Some(proxy) => Some(tunnel(checked(proxy)?)?),
        };
        let https = routes.https().map(|p| tunnel(checked(p)?)).transpose()?;
        let via = (http.is_some() || https.is_some()).then(|| {
            Arc::new(Via {
                routes,
                http,
                https,
            })
        });
        Ok(Agents { direct, via })
    }

    /// The agent for `url`, and the proxy it goes through.
    fn agent_for(&self, url: &str) -> (&Agent, Option<&ProxyUrl>) {
        let Some(via) = &self.via else {
            return (&self.direct, None);
        };
        let Some(proxy) = via.routes.for_url(url) else {
            return (&self.direct, None);
        };
        let agent = if url.starts_with("https:") {
            via.https.as_ref()
        } else {
            via.http.as_ref()
        };
        match agent {
            Some(agent) => (agent, Some(proxy)),
            None => (&self.direct, None),
        }
    }
}

/// An agent's configuration: the session's rules (no redirects, answers as answers, no
/// header of ureq's own), the timeouts, the trust, and the proxy (`None` also stops ureq
/// from reading the environment itself).
fn config(
    options: &TransportOptions,
    agent_timeout: Option<Duration>,
    tls: TlsConfig,
    proxy: Option<ureq::Proxy>,
) -> ureq::config::Config {
    let config = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent("")
        .accept("")
        .accept_encoding("")
        .timeout_connect(Some(deadline::capped(options.connect_timeout)))
        .timeout_global(agent_timeout)
        .tls_config(tls)
        .proxy(proxy);
    with_pool(buffers::sized(config), options.max_idle_connections).build()
}

/// Whether trusting the system's store means reading its CA bundle file (rather than
/// asking the platform's verifier).
fn reads_bundle(options: &TransportOptions) -> bool {
    options.reads_system_bundle()
}

/// The roots to trust, as the table in [`options`](super::options) says; the system's
/// CA bundle only `with_bundle` (without it, a transport that [reads
/// it](reads_bundle) trusts the other roots until a request can meet TLS).
fn tls_config(options: &TransportOptions, with_bundle: bool) -> Result<TlsConfig, Error> {
    let roots = match options.trusted_roots(with_bundle)? {
        TrustedRoots::Compiled => RootCerts::WebPki,
        TrustedRoots::Certificates(certs) => RootCerts::from(
            certs
                .iter()
                .map(|der| Certificate::from_der(der).to_owned())
                .collect::<Vec<_>>(),
        ),
        #[cfg(feature = "platform-verifier")]
        TrustedRoots::Platform => RootCerts::PlatformVerifier,
    };
    Ok(TlsConfig::builder().root_certs(roots).build())
}

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

impl Default for UreqTransport {
    /// Connect timeout: 10 seconds.
    fn default() -> Self {
        UreqTransport::new(Duration::from_secs(10))
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let (agent, proxy) = self.agent_for(request.url())?;
        let call = self
            .guarded
            .then(|| token::Call::start(request.header("Authorization")));
        let mut response = self.run(agent, request).map_err(|e| {
            // The answer's head never came: on a reused connection, closed or reset
            // by the server, that is a stale kept-alive connection.
            let stale = stale::is_stale(call.as_ref(), &e);
            let e = convert_error(e, proxy);
            if stale {
                e.stale_connection()
            } else {
                e
            }
        })?;
        drop(call);
        let body = response
            .body_mut()
            .with_config()
            .limit(request.max_response_bytes())
            .read_to_vec()
            .map_err(|e| convert_error(e, proxy))?;
        let mut answer = HttpResponse::new(response.status().as_u16(), body);
        copy_wanted_headers(request, response.headers(), &mut answer);
        Ok(answer)
    }

    /// TCP within the connect timeout, a `CONNECT` tunnel through the proxy the
    /// transport's proxy rules choose for `url` (`http://` proxies), and rustls with the
    /// transport's trust for `https` (see `dial.rs`).
    #[cfg(feature = "live")]
    fn open_stream(
        &self,
        url: &str,
        timeout: Duration,
    ) -> Result<Box<dyn super::Stream>, TransportError> {
        match &self.dialer {
            Some(dialer) => dialer.open(url, timeout),
            None => Err(TransportError::new(
                TransportErrorKind::InvalidRequest,
                "a UreqTransport made with with_agent opens no byte streams (its agent's \
                 proxy and TLS settings cannot be read); use UreqTransport::from_options",
            )),
        }
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

fn convert_error(error: ureq::Error, proxy: Option<&ProxyUrl>) -> TransportError {
    use TransportErrorKind as K;
    let kind = match &error {
        ureq::Error::Timeout(_) => K::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => K::Connect,
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => K::Connect,
        ureq::Error::BodyExceedsLimit(_) => K::BodyTooLarge,
        ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::TlsRequired => K::Tls,
        ureq::Error::Http(_) | ureq::Error::BadUri(_) => K::InvalidRequest,
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => K::Io,
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
    // rustls's errors arrive as such, or inside an I/O error from the TLS stream.
    let tls = match &error {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(e) => e.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()),
        _ => None,
    };
    let kind = if tls.is_some() { K::Tls } else { kind };
    let mut message = match (&error, tls) {
        (_, Some(rustls::Error::InvalidCertificate(cert))) => certificate_advice(cert),
        (_, Some(other)) => format!("the TLS handshake failed: {other}"),
        (ureq::Error::LargeResponseHeader(..), _) => buffers::head_too_large(),
        (ureq::Error::ConnectProxyFailed(why), _) => format!(
            "the proxy refused to open a tunnel (CONNECT) to the server: {why}; \
             check that the proxy allows CONNECT to the server's port, or that the \
             server's host belongs in NO_PROXY"
        ),
        _ => error.to_string(),
    };
    if let Some(proxy) = proxy {
        message.push_str(&format!(" (through the proxy {proxy})"));
    }
    // ureq's own text could name the proxy with its password: such a cause is dropped.
    let password_shown = proxy.and_then(ProxyUrl::password).is_some_and(|p| {
        !p.is_empty() && (message.contains(p) || format!("{error} {error:?}").contains(p))
    });
    if password_shown {
        return TransportError::new(kind, message.replace(proxy_password(proxy), "[redacted]"));
    }
    TransportError::new(kind, message).with_source(error)
}

fn proxy_password(proxy: Option<&ProxyUrl>) -> &str {
    proxy.and_then(ProxyUrl::password).unwrap_or("\u{0}")
}

/// What a person can do about a certificate the server sent.
pub(super) fn certificate_advice(error: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match error {
        C::UnknownIssuer => "the server's certificate is signed by a CA this client does not \
            trust; if it is your organisation's CA, pass its certificate with --ca-file \
            (MM_CA_FILE) or SessionBuilder::add_root_certificate_file, or trust the \
            system's store (SessionBuilder::system_roots)"
            .to_owned(),
        C::NotValidForName | C::NotValidForNameContext { .. } => format!(
            "the server's certificate is not valid for the host name in the URL ({}); \
             use the name the certificate was issued for in the base URL",
            short(error)
        ),
        C::Expired | C::ExpiredContext { .. } => format!(
            "the server's certificate has expired ({}); its administrator must renew it \
             (or check this machine's clock)",
            short(error)
        ),
        C::NotValidYet | C::NotValidYetContext { .. } => format!(
            "the server's certificate is not valid yet ({}); check this machine's clock",
            short(error)
        ),
        C::Revoked => "the server's certificate has been revoked by its CA".to_owned(),
        C::BadSignature => "the server's certificate has a bad signature".to_owned(),
        _ => format!("the server's certificate was refused: {}", short(error)),
    }
}

/// rustls's own description, bounded.
fn short(error: &rustls::CertificateError) -> String {
    let text = format!("{error}");
    crate::response::excerpt(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Options without a proxy (whatever the environment says).
    fn direct(connect_secs: u64) -> TransportOptions {
        TransportOptions {
            connect_timeout: Duration::from_secs(connect_secs),
            proxy: super::super::ProxySetting::None,
            ..TransportOptions::default()
        }
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
        let transport =
            UreqTransport::build_with_lookup(&direct(5), Some(Duration::from_secs(30)), lookup)
                .unwrap();
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
        let transport =
            UreqTransport::build_with_lookup(&direct(5), Some(Duration::from_secs(30)), lookup)
                .unwrap();
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
            UreqTransport::build_with_lookup(&direct(10), Some(timeout), lookup).unwrap();
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
