//! Plain-`http://` sites through an HTTP proxy, the way curl and browsers send them: an
//! ordinary request whose target is the absolute URL (`GET http://host:port/path
//! HTTP/1.1`, RFC 9112 §3.2.2), not a `CONNECT` tunnel.
//!
//! ureq 3 only tunnels: it sends `CONNECT host:80` even for `http://` sites, which a proxy
//! that allows `CONNECT` only to port 443 (squid's and tinyproxy's shipped policy)
//! refuses with 403. This module plugs into ureq's connector chain instead: a resolver
//! that resolves the *proxy's* address, ureq's own TCP connector, and a transport that
//! rewrites the first line of each request into absolute form (and adds
//! `Proxy-Authorization` when the proxy URL has credentials). The answer is read by ureq
//! as usual; timeouts, body limits and connection reuse stay ureq's.
//!
//! It relies on ureq's `unversioned` connector API, whose shape may change in a minor
//! release of ureq: `Cargo.toml` bounds ureq to one minor, and `scripts/newest-deps.sh`
//! (in CI) builds against the newest release the bound admits. Row "absolute form" of
//! `WORKAROUNDS.md`.

use std::fmt;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport,
};

use crate::secret::Secret;
use crate::transport::pem::base64_encode;
use crate::transport::proxy::ProxyUrl;

/// Resolves every target to the proxy's addresses: the TCP connection goes to the proxy.
#[derive(Debug)]
pub(crate) struct ProxyResolver {
    proxy: Uri,
    inner: DefaultResolver,
}

impl ProxyResolver {
    pub(crate) fn new(proxy: &ProxyUrl) -> Result<Self, ureq::Error> {
        let proxy = format!("http://{}:{}/", proxy.host(), proxy.port())
            .parse::<Uri>()
            .map_err(|_| ureq::Error::InvalidProxyUrl)?;
        Ok(ProxyResolver {
            proxy,
            inner: DefaultResolver::default(),
        })
    }
}

impl Resolver for ProxyResolver {
    fn resolve(
        &self,
        _target: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.inner.resolve(&self.proxy, config, timeout)
    }
}

/// Wraps the TCP connection to the proxy in an [`AbsoluteForm`] transport.
pub(crate) struct AbsoluteFormConnector {
    /// `Basic ...`, when the proxy URL has a user.
    authorization: Option<Secret>,
}

impl AbsoluteFormConnector {
    pub(crate) fn new(proxy: &ProxyUrl) -> Self {
        let authorization = proxy.username().map(|user| {
            let pair = format!("{user}:{}", proxy.password().unwrap_or(""));
            Secret::new(format!("Basic {}", base64_encode(pair.as_bytes())))
        });
        AbsoluteFormConnector { authorization }
    }
}

impl fmt::Debug for AbsoluteFormConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbsoluteFormConnector")
            .field("authorization", &self.authorization)
            .finish()
    }
}

impl<In: Transport> Connector<In> for AbsoluteFormConnector {
    type Out = AbsoluteForm<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(inner) = chained else {
            return Ok(None);
        };
        let (Some(scheme), Some(authority)) = (details.uri.scheme_str(), details.uri.authority())
        else {
            return Err(ureq::Error::BadUri(
                "a request through a proxy needs an absolute URL".to_owned(),
            ));
        };
        Ok(Some(AbsoluteForm {
            inner,
            origin: format!("{scheme}://{}", authority.as_str()),
            authorization: self.authorization.clone(),
            buffers: LazyBuffers::new(
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            ),
            at_request_start: true,
        }))
    }
}

/// A connection to a proxy on which every request line carries the absolute URL.
pub(crate) struct AbsoluteForm<T> {
    inner: T,
    /// `http://host:port` of the site.
    origin: String,
    authorization: Option<Secret>,
    /// What ureq reads and writes; bytes are copied to and from `inner`'s buffers.
    buffers: LazyBuffers,
    /// The next bytes written start a request (nothing sent yet, or an answer was read
    /// since the last write).
    at_request_start: bool,
}

impl<T> fmt::Debug for AbsoluteForm<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbsoluteForm")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// `GET /path HTTP/1.1\r\n...` into `GET http://host:port/path HTTP/1.1\r\n` plus
/// `Proxy-Authorization` when given; `None` when `head` does not start a request.
pub(crate) fn rewrite(head: &[u8], origin: &str, authorization: Option<&str>) -> Option<Vec<u8>> {
    let space = head.iter().position(|&b| b == b' ')?;
    let (method, target) = (&head[..space], &head[space + 1..]);
    if method.is_empty()
        || !method.iter().all(u8::is_ascii_uppercase)
        || target.first() != Some(&b'/')
    {
        return None;
    }
    let line_end = target.windows(2).position(|w| w == b"\r\n")? + 2;
    let mut out = Vec::with_capacity(head.len() + origin.len() + 64);
    out.extend_from_slice(method);
    out.push(b' ');
    out.extend_from_slice(origin.as_bytes());
    out.extend_from_slice(&target[..line_end]);
    if let Some(value) = authorization {
        out.extend_from_slice(b"Proxy-Authorization: ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&target[line_end..]);
    Some(out)
}

impl<T: Transport> AbsoluteForm<T> {
    fn send(inner: &mut T, mut bytes: &[u8], timeout: NextTimeout) -> Result<(), ureq::Error> {
        while !bytes.is_empty() {
            let out = inner.buffers().output();
            let n = out.len().min(bytes.len());
            if n == 0 {
                return Err(ureq::Error::ConnectionFailed);
            }
            out[..n].copy_from_slice(&bytes[..n]);
            inner.transmit_output(n, timeout)?;
            bytes = &bytes[n..];
        }
        Ok(())
    }
}

impl<T: Transport> Transport for AbsoluteForm<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let data = &self.buffers.output()[..amount];
        if std::mem::take(&mut self.at_request_start) {
            let auth = self.authorization.as_ref().map(Secret::expose);
            if let Some(head) = rewrite(data, &self.origin, auth) {
                return Self::send(&mut self.inner, &head, timeout);
            }
        }
        Self::send(&mut self.inner, data, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.at_request_start = true;
        if self.inner.buffers().input().is_empty() && !self.inner.await_input(timeout)? {
            return Ok(false);
        }
        let source = self.inner.buffers();
        let available = source.input();
        let target = self.buffers.input_append_buf();
        let n = available.len().min(target.len());
        target[..n].copy_from_slice(&available[..n]);
        self.buffers.input_appended(n);
        source.input_consume(n);
        Ok(n > 0)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn request_lines_become_absolute_and_carry_the_proxy_credentials() {
        let head = b"GET /api/v4/users/me/status HTTP/1.1\r\nhost: chat:8065\r\n\r\n";
        let out = rewrite(head, "http://chat:8065", None).unwrap();
        assert_eq!(
            out,
            b"GET http://chat:8065/api/v4/users/me/status HTTP/1.1\r\nhost: chat:8065\r\n\r\n"
        );
        let out = rewrite(
            b"PUT /x HTTP/1.1\r\n\r\nbody",
            "http://h",
            Some("Basic dTpw"),
        )
        .unwrap();
        assert_eq!(
            out,
            b"PUT http://h/x HTTP/1.1\r\nProxy-Authorization: Basic dTpw\r\n\r\nbody"
        );
        assert_eq!(rewrite(b"{\"json\":1}", "http://h", None), None);
        assert_eq!(
            rewrite(b"GET http://h/ HTTP/1.1\r\n", "http://h", None),
            None
        );
    }
}
