//! [`Dialer`]: the byte streams of [`UreqTransport::open_stream`](super::UreqTransport)
//! (the live stream's websocket): TCP within the connect timeout, a `CONNECT` tunnel
//! through the proxy the transport's [`ProxyRoutes`] choose, and rustls with the trust
//! its [`TransportOptions`] describe.
//!
//! Each concern is the transport's own: the proxy rules (`proxy.rs`), the root
//! certificates (`pem.rs`, `system_roots.rs`, the table in `options.rs`), the host
//! lookup (the transport's resolver), the advice on a refused certificate (`ureq.rs`).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::{mpsc, Arc, OnceLock};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::options::{TransportOptions, TrustedRoots};
use super::proxy::{ProxyRoutes, ProxyUrl};
use super::Stream;
use crate::error::{Error, TransportError, TransportErrorKind};
use crate::session::MAX_TIMEOUT;

/// Turns `host:port` into addresses (the transport's resolver).
pub(crate) use super::ureq::Lookup;

/// The longest proxy answer head read for a `CONNECT`.
const MAX_PROXY_HEAD: usize = 16 * 1024;

/// Opens the byte streams of one transport.
pub(crate) struct Dialer {
    options: TransportOptions,
    routes: ProxyRoutes,
    lookup: Lookup,
    /// Built on the first `https` stream (reading the system's bundle takes time a
    /// session that never opens a stream need not spend).
    tls: OnceLock<Arc<ClientConfig>>,
}

impl fmt::Debug for Dialer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // ProxyUrl's Debug hides the password.
        f.debug_struct("Dialer")
            .field("connect_timeout", &self.options.connect_timeout)
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}

/// Where a stream goes: `http(s)://host:port`.
struct Target<'a> {
    tls: bool,
    /// As in the URL: an IPv6 address keeps its brackets.
    host: &'a str,
    port: u16,
}

impl<'a> Target<'a> {
    /// The origin of `url` (read by the crate's one URL parser); `None` for another
    /// scheme than http(s)/ws(s), user info, or no host.
    fn parse(url: &'a str) -> Option<Target<'a>> {
        let origin = crate::site_url::origin(url)?;
        let tls = match origin.scheme.to_ascii_lowercase().as_str() {
            "https" | "wss" => true,
            "http" | "ws" => false,
            _ => return None,
        };
        let authority = url.split_once("://")?.1.split(['/', '?', '#']).next()?;
        if authority.contains('@') {
            return None;
        }
        Some(Target {
            tls,
            host: origin.host,
            port: origin.port,
        })
    }

    /// The host without an IPv6 address's brackets.
    fn bare_host(&self) -> &'a str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(self.host)
    }
}

impl Dialer {
    pub(crate) fn new(options: &TransportOptions, routes: ProxyRoutes, lookup: Lookup) -> Self {
        Dialer {
            options: options.clone(),
            routes,
            lookup,
            tls: OnceLock::new(),
        }
    }

    /// A stream to the origin of `url`, set up (TCP, proxy, TLS) within `timeout` and
    /// the connect timeout, whichever ends first.
    pub(crate) fn open(
        &self,
        url: &str,
        timeout: Duration,
    ) -> Result<Box<dyn Stream>, TransportError> {
        let target = Target::parse(url).ok_or_else(|| {
            TransportError::new(
                TransportErrorKind::InvalidRequest,
                "a stream needs an absolute http(s):// or ws(s):// URL with a host",
            )
        })?;
        let budget = timeout.min(self.options.connect_timeout).min(MAX_TIMEOUT);
        let deadline = Instant::now() + budget;
        let origin = format!(
            "{}://{}:{}",
            if target.tls { "https" } else { "http" },
            target.host,
            target.port
        );
        let proxy = self.routes.for_url(&origin);
        let with_proxy = |mut e: TransportError| {
            if let Some(proxy) = proxy {
                e.message.push_str(&format!(" (through the proxy {proxy})"));
            }
            e
        };
        let mut tcp = match proxy {
            None => self.tcp(target.host, target.port, deadline)?,
            Some(proxy) => {
                if proxy.scheme() != "http" {
                    return Err(TransportError::new(
                        TransportErrorKind::InvalidRequest,
                        format!(
                            "streams (the live websocket) go through http:// proxies only, \
                             and {proxy} is not one; put the server's host in NO_PROXY, or \
                             use an http:// proxy"
                        ),
                    ));
                }
                let mut tcp = self
                    .tcp(proxy.host(), proxy.port(), deadline)
                    .map_err(with_proxy)?;
                tunnel(&mut tcp, &target, proxy, deadline)?;
                tcp
            }
        };
        if !target.tls {
            set_timeouts(&tcp, None).map_err(|e| io_error(e, "", deadline))?;
            return Ok(Box::new(tcp));
        }
        let config = self
            .tls_config()
            .map_err(|e| TransportError::new(TransportErrorKind::Tls, e.to_string()))?;
        let name = ServerName::try_from(target.bare_host().to_owned()).map_err(|_| {
            TransportError::new(
                TransportErrorKind::InvalidRequest,
                "the host is not a valid TLS server name",
            )
        })?;
        let mut conn = ClientConnection::new(config, name).map_err(|e| {
            TransportError::new(
                TransportErrorKind::Tls,
                format!("the TLS set-up failed: {e}"),
            )
        })?;
        while conn.is_handshaking() {
            set_timeouts(&tcp, Some(deadline)).map_err(|e| io_error(e, "", deadline))?;
            if let Err(e) = conn.complete_io(&mut tcp) {
                return Err(with_proxy(tls_error(e, deadline)));
            }
        }
        set_timeouts(&tcp, None).map_err(|e| io_error(e, "", deadline))?;
        Ok(Box::new(TlsStream(StreamOwned::new(conn, tcp))))
    }

    /// The rustls configuration for the transport's trust (the table in `options.rs`).
    fn tls_config(&self) -> Result<Arc<ClientConfig>, Error> {
        if let Some(config) = self.tls.get() {
            return Ok(Arc::clone(config));
        }
        let config = Arc::new(client_config(&self.options)?);
        Ok(Arc::clone(self.tls.get_or_init(|| config)))
    }

    /// A TCP connection to `host:port` by `deadline`: each address in turn.
    fn tcp(&self, host: &str, port: u16, deadline: Instant) -> Result<TcpStream, TransportError> {
        let addrs = self.resolve(host, port, deadline)?;
        let mut last = None;
        for addr in addrs {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match TcpStream::connect_timeout(&addr, left) {
                Ok(tcp) => {
                    let _ = tcp.set_nodelay(true);
                    return Ok(tcp);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) => {
                let kind = if is_timeout(&e) {
                    TransportErrorKind::Timeout
                } else {
                    TransportErrorKind::Connect
                };
                TransportError::new(kind, format!("{host}:{port}")).with_source(e)
            }
            None => TransportError::new(
                TransportErrorKind::Timeout,
                format!("the connect timeout passed before {host}:{port} was reached"),
            ),
        })
    }

    /// The addresses of `host` (an IP address as it is), within `deadline`: the lookup
    /// runs on a thread of its own, given up on at the deadline (as the ureq transport
    /// resolves, `ureq/resolve.rs`: `getaddrinfo` takes no timeout).
    fn resolve(
        &self,
        host: &str,
        port: u16,
        deadline: Instant,
    ) -> Result<Vec<SocketAddr>, TransportError> {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let host_port = format!("{host}:{port}");
        let (tx, rx) = mpsc::sync_channel(1);
        let lookup = Arc::clone(&self.lookup);
        let asked = host_port.clone();
        std::thread::Builder::new()
            .name("mattermost-status-resolve".into())
            .spawn(move || tx.send(lookup(&asked)).ok())
            .map_err(|e| TransportError::new(TransportErrorKind::Connect, "").with_source(e))?;
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
            Ok(Ok(_)) => Err(TransportError::new(
                TransportErrorKind::Connect,
                format!("no address found for {host_port}"),
            )),
            Ok(Err(e)) => Err(TransportError::new(
                TransportErrorKind::Connect,
                format!("could not resolve {host_port}"),
            )
            .with_source(e)),
            Err(_) => Err(TransportError::new(
                TransportErrorKind::Timeout,
                format!("resolving {host_port} took longer than the connect timeout"),
            )),
        }
    }
}

/// The roots to trust, as the table in [`options`](super::options) says (the same
/// choice as the ureq transport's `tls_config`, built for rustls itself).
fn client_config(options: &TransportOptions) -> Result<ClientConfig, Error> {
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::invalid("root_certificate", format!("TLS set-up: {e}")))?;
    let store = |certs: Vec<Vec<u8>>| {
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(
            certs
                .into_iter()
                .map(rustls::pki_types::CertificateDer::from),
        );
        store
    };
    let config = match options.trusted_roots(true)? {
        TrustedRoots::Compiled => builder.with_root_certificates(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }),
        TrustedRoots::Certificates(certs) => builder.with_root_certificates(store(certs)),
        #[cfg(feature = "platform-verifier")]
        TrustedRoots::Platform => {
            let verifier = rustls_platform_verifier::Verifier::new(provider).map_err(|e| {
                Error::invalid("root_certificate", format!("the platform verifier: {e}"))
            })?;
            builder
                .dangerous() // not dangerous: the operating system verifies
                .with_custom_certificate_verifier(Arc::new(verifier))
        }
    };
    Ok(config.with_no_client_auth())
}

/// Sets both socket timeouts to what is left until `deadline` (`None`: no timeout).
fn set_timeouts(tcp: &TcpStream, deadline: Option<Instant>) -> io::Result<()> {
    let left = deadline.map(|d| {
        d.saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    });
    tcp.set_read_timeout(left)?;
    tcp.set_write_timeout(left)
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn io_error(e: io::Error, message: &str, deadline: Instant) -> TransportError {
    let kind = if is_timeout(&e) || Instant::now() >= deadline {
        TransportErrorKind::Timeout
    } else {
        TransportErrorKind::Io
    };
    TransportError::new(kind, message).with_source(e)
}

/// A TLS failure, with the advice the HTTP side gives for a refused certificate.
fn tls_error(e: io::Error, deadline: Instant) -> TransportError {
    let rustls_error = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::InvalidCertificate(cert)) => TransportError::new(
            TransportErrorKind::Tls,
            super::ureq::certificate_advice(cert),
        ),
        Some(other) => TransportError::new(
            TransportErrorKind::Tls,
            format!("the TLS handshake failed: {other}"),
        ),
        None if is_timeout(&e) => io_error(e, "the TLS handshake did not end in time", deadline),
        None => {
            TransportError::new(TransportErrorKind::Tls, "the TLS handshake failed").with_source(e)
        }
    }
}

/// Asks `proxy` for a tunnel to `target` (`CONNECT host:port`), with the proxy's
/// credentials as `Proxy-Authorization: Basic`, and reads its answer's head.
fn tunnel(
    tcp: &mut TcpStream,
    target: &Target<'_>,
    proxy: &ProxyUrl,
    deadline: Instant,
) -> Result<(), TransportError> {
    let authority = format!("{}:{}", target.host, target.port);
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(user) = proxy.username() {
        let credentials = format!("{user}:{}", proxy.password().unwrap_or_default());
        request.push_str("Proxy-Authorization: Basic ");
        request.push_str(&super::pem::base64_encode(credentials.as_bytes()));
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let failed = |e: io::Error| {
        let mut e = io_error(e, "the proxy's tunnel (CONNECT) failed", deadline);
        e.message.push_str(&format!(" (through the proxy {proxy})"));
        e
    };
    set_timeouts(tcp, Some(deadline)).map_err(failed)?;
    tcp.write_all(request.as_bytes()).map_err(failed)?;
    drop(request);
    // Byte by byte up to the blank line: nothing of what follows (the server's bytes)
    // is read here.
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_PROXY_HEAD {
            return Err(TransportError::new(
                TransportErrorKind::Connect,
                format!("the proxy's answer to CONNECT is longer than {MAX_PROXY_HEAD} bytes (through the proxy {proxy})"),
            ));
        }
        set_timeouts(tcp, Some(deadline)).map_err(failed)?;
        match tcp.read(&mut byte) {
            Ok(0) => {
                return Err(TransportError::new(
                    TransportErrorKind::Connect,
                    format!("the proxy closed the connection instead of answering CONNECT (through the proxy {proxy})"),
                ))
            }
            Ok(_) => head.push(byte[0]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(failed(e)),
        }
    }
    let status_line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let status_line = crate::response::excerpt(status_line);
    let status: Option<u16> = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok());
    match status {
        Some(200..=299) if status_line.starts_with("HTTP/1.") => Ok(()),
        Some(407) => Err(TransportError::new(
            TransportErrorKind::Connect,
            format!(
                "the proxy wants credentials ({status_line}); give them in the proxy URL \
                 (http://user:password@host:port) (through the proxy {proxy})"
            ),
        )),
        _ => Err(TransportError::new(
            TransportErrorKind::Connect,
            format!(
                "the proxy refused to open a tunnel (CONNECT) to the server: {status_line}; \
                 check that the proxy allows CONNECT to the server's port, or that the \
                 server's host belongs in NO_PROXY (through the proxy {proxy})"
            ),
        )),
    }
}

/// A TLS stream over TCP.
struct TlsStream(StreamOwned<ClientConnection, TcpStream>);

impl fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TlsStream").field(&self.0.sock).finish()
    }
}

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Stream for TlsStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.0.sock.set_read_timeout(timeout)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.0.sock.set_write_timeout(timeout)
    }
    fn shutdown(&mut self) -> io::Result<()> {
        self.0.conn.send_close_notify();
        let _ = self.0.flush();
        self.0.sock.shutdown(std::net::Shutdown::Both)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_as_urls_are() {
        let t = Target::parse("https://chat.example.com/chat/api/v4/websocket?x=1").unwrap();
        assert_eq!((t.tls, t.host, t.port), (true, "chat.example.com", 443));
        let t = Target::parse("ws://[::1]:8065/x").unwrap();
        assert_eq!(
            (t.tls, t.host, t.bare_host(), t.port),
            (false, "[::1]", "::1", 8065)
        );
        let t = Target::parse("http://127.0.0.1").unwrap();
        assert_eq!(t.port, 80);
        for bad in ["ftp://a", "http://", "http://a:0", "http://u:p@a", "nope"] {
            assert!(Target::parse(bad).is_none(), "{bad}");
        }
    }
}
