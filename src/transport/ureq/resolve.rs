//! Name resolution for [`UreqTransport`](super::UreqTransport): once per new connection,
//! never for an IP address, and never on a thread of its own for a kept-alive one.
//!
//! ureq resolves the host before it looks in its connection pool, so with its default
//! resolver every request pays a lookup, and with a timeout set (the session always has
//! one) a new thread for it (`DefaultResolver` runs `getaddrinfo` on a spawned thread to
//! bound it), even when the request then goes out on a kept-alive connection to an IP
//! address. Here the resolution moves to where a connection is made:
//!
//! - [`DeferredResolver`], the agent's resolver, parses an IP address in place and
//!   leaves a host name unresolved (no addresses): nothing to do for a pooled request;
//! - [`ResolvingConnector`], first in the connector chain, which ureq runs only to open a
//!   new connection, resolves a host name then, within the connection's timeout (so a
//!   stalled resolver ends at the call's deadline), and hands the addresses on to ureq's
//!   own chain ([`DefaultConnector`]: proxies, TCP, TLS).
//!
//! Every new connection resolves again: a DNS change is seen by the next connection.
//!
//! Row "resolver" of `WORKAROUNDS.md`. [`ResolvingConnector`] builds ureq's
//! `unversioned` `ConnectionDetails` as a struct literal, so a field added to it in a
//! minor release breaks the build: the reason `Cargo.toml` bounds ureq to one minor.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{mpsc, Arc};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
#[cfg(doc)]
use ureq::unversioned::transport::DefaultConnector;
use ureq::unversioned::transport::{ConnectionDetails, Connector, NextTimeout, Transport};

/// Turns `host:port` into addresses: the system's resolver, or a test's.
pub(crate) type Lookup = Arc<dyn Fn(&str) -> io::Result<Vec<SocketAddr>> + Send + Sync>;

/// The system's resolver (`getaddrinfo`, through `ToSocketAddrs`).
pub(crate) fn system_lookup() -> Lookup {
    Arc::new(|host_port: &str| Ok(host_port.to_socket_addrs()?.collect()))
}

/// The address of a URI whose host is an IP address (`127.0.0.1`, `[::1]`), with the
/// scheme's port when none is given.
fn ip_literal(uri: &Uri) -> Option<SocketAddr> {
    let host = uri.host()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = host.parse().ok()?;
    let port = uri.port_u16().or_else(|| match uri.scheme_str()? {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    })?;
    Some(SocketAddr::new(ip, port))
}

/// At most 16 addresses of the family the configuration wants; none is an error.
fn keep(
    addrs: impl Iterator<Item = SocketAddr>,
    config: &Config,
    resolver: &dyn Resolver,
) -> Result<ResolvedSocketAddrs, ureq::Error> {
    let mut out = resolver.empty();
    for addr in config.ip_family().keep_wanted(addrs).take(16) {
        out.push(addr);
    }
    if out.is_empty() {
        Err(ureq::Error::HostNotFound)
    } else {
        Ok(out)
    }
}

/// The agent's resolver: an IP address in place, a host name later (see the module).
#[derive(Debug, Default)]
pub(crate) struct DeferredResolver;

impl Resolver for DeferredResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        match ip_literal(uri) {
            Some(addr) => keep(std::iter::once(addr), config, self),
            None => Ok(self.empty()),
        }
    }
}

/// Resolves for real, within the timeout it is given: what the connectors (and a
/// proxy's own host name) are resolved with.
pub(crate) struct LookupResolver {
    lookup: Lookup,
}

impl fmt::Debug for LookupResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LookupResolver")
    }
}

impl Resolver for LookupResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        if let Some(addr) = ip_literal(uri) {
            return keep(std::iter::once(addr), config, self);
        }
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(ureq::Error::HostNotFound);
        };
        let host_port =
            DefaultResolver::host_and_port(scheme, authority).ok_or(ureq::Error::HostNotFound)?;
        let addrs = if timeout.after.is_not_happening() {
            (self.lookup)(&host_port)?
        } else {
            // As ureq's DefaultResolver: getaddrinfo cannot be given a timeout, so it
            // runs on a thread of its own and is given up on at the deadline (the
            // thread ends when the lookup does). Once per new connection.
            let (tx, rx) = mpsc::sync_channel(1);
            let lookup = Arc::clone(&self.lookup);
            std::thread::Builder::new()
                .name("mattermost-status-resolve".into())
                .spawn(move || tx.send(lookup(&host_port)).ok())?;
            match rx.recv_timeout(*timeout.after) {
                Ok(addrs) => addrs?,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(ureq::Error::Timeout(timeout.reason))
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(ureq::Error::HostNotFound),
            }
        };
        keep(addrs.into_iter(), config, self)
    }
}

/// First in the connector chain (see the module): resolves a host name the agent's
/// [`DeferredResolver`] left, then runs the rest of the chain (ureq's
/// [`DefaultConnector`] and what follows it), and wraps the connection it makes in
/// [`SteadyTimeouts`](super::steady::SteadyTimeouts).
pub(crate) struct ResolvingConnector<C> {
    resolver: LookupResolver,
    inner: C,
}

impl<C> ResolvingConnector<C> {
    pub(crate) fn new(lookup: Lookup, inner: C) -> Self {
        ResolvingConnector {
            resolver: LookupResolver { lookup },
            inner,
        }
    }
}

impl<C> fmt::Debug for ResolvingConnector<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolvingConnector").finish_non_exhaustive()
    }
}

/// Whether ureq resolves the target itself for this connection (and so whether an empty
/// address list is one [`DeferredResolver`] left): as ureq decides, no proxy, a host
/// the proxy does not serve, or a proxy that wants resolved addresses (SOCKS4).
fn resolves_target(details: &ConnectionDetails<'_>) -> bool {
    match details.config.proxy() {
        None => true,
        Some(proxy) => proxy.resolve_target() || proxy.is_no_proxy(details.uri),
    }
}

impl<C: Connector> Connector for ResolvingConnector<C> {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails<'_>,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let addrs = if details.addrs.is_empty() && resolves_target(details) {
            self.resolver
                .resolve(details.uri, details.config, details.timeout)?
        } else {
            details.addrs.clone()
        };
        // The chain resolves anything else (a proxy's host name) for real, too.
        let resolved = ConnectionDetails {
            uri: details.uri,
            addrs,
            config: details.config,
            request_level: details.request_level,
            resolver: &self.resolver,
            now: details.now,
            timeout: details.timeout,
            current_time: Arc::clone(&details.current_time),
            run_connector: Arc::clone(&details.run_connector),
            register_shutdown: Arc::clone(&details.register_shutdown),
        };
        let transport = self.inner.connect(&resolved, chained)?;
        Ok(transport.map(|t| super::steady::SteadyTimeouts::wrap(Box::new(t))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_are_addresses_and_names_are_not() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(
            ip_literal(&uri("http://127.0.0.1:8065/api/v4")),
            Some("127.0.0.1:8065".parse().unwrap())
        );
        assert_eq!(
            ip_literal(&uri("https://[::1]/x")),
            Some("[::1]:443".parse().unwrap())
        );
        assert_eq!(
            ip_literal(&uri("http://10.0.0.7/")),
            Some("10.0.0.7:80".parse().unwrap())
        );
        assert_eq!(ip_literal(&uri("http://chat.example.com:8065/")), None);
        assert_eq!(ip_literal(&uri("http://127.0.0.1.nip.io/")), None);
    }
}
