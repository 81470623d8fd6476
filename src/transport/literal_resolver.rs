//! ureq's resolver, minus its thread for addresses that need no lookup.
//!
//! With a timeout set (a session always sets one), ureq's `DefaultResolver` resolves
//! every host on a new thread, so that it can stop waiting for a slow DNS server; it
//! does so for `127.0.0.1` and `[::1]` too, where there is nothing to wait for. For a
//! one-shot program (`mmstatus get`) that thread (its stack, its malloc arena, two
//! context switches) is about a sixth of the CPU time of the whole run. An IP literal
//! is answered here directly, as `ToSocketAddrs` would answer it on that thread; every
//! other host goes to ureq's resolver unchanged.
//!
//! It relies on ureq's `unversioned` resolver API, as [`forward`](super::forward) does.

use std::net::{IpAddr, SocketAddr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// [`DefaultResolver`], with IP literals answered without a thread.
#[derive(Debug, Default)]
pub(crate) struct LiteralResolver {
    inner: DefaultResolver,
}

impl Resolver for LiteralResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        // An address of the family the configuration refuses goes to ureq's resolver,
        // which reports it as it always has.
        let wanted = literal(uri).filter(|addr| {
            config
                .ip_family()
                .keep_wanted(std::iter::once(*addr))
                .next()
                .is_some()
        });
        match wanted {
            Some(addr) => {
                let mut found = self.empty();
                found.push(addr);
                Ok(found)
            }
            None => self.inner.resolve(uri, config, timeout),
        }
    }
}

/// The socket address of `http://127.0.0.1:8065/...` or `https://[::1]/...` (default
/// ports 80 and 443); `None` for a host name or another scheme.
fn literal(uri: &Uri) -> Option<SocketAddr> {
    let host = uri.host()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = host.parse().ok()?;
    let port = match uri.port_u16() {
        Some(port) => port,
        None => match uri.scheme_str()? {
            "http" => 80,
            "https" => 443,
            _ => return None,
        },
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::Duration;
    use ureq::config::IpFamily;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn ip_literals_are_read_with_their_ports() {
        let cases = [
            ("http://127.0.0.1:8065/api", "127.0.0.1:8065"),
            ("http://127.0.0.1/", "127.0.0.1:80"),
            ("https://10.1.2.3/", "10.1.2.3:443"),
            ("http://[::1]:8065/", "[::1]:8065"),
            ("https://[fd00::1]/", "[fd00::1]:443"),
        ];
        for (u, addr) in cases {
            assert_eq!(literal(&uri(u)), Some(addr.parse().unwrap()), "{u}");
        }
        for u in [
            "http://localhost:8065/",
            "https://chat.example.com/",
            "ftp://127.0.0.1/",
        ] {
            assert_eq!(literal(&uri(u)), None, "{u}");
        }
    }

    fn with_timeout() -> NextTimeout {
        NextTimeout {
            after: Duration::from_secs(5).into(),
            reason: ureq::Timeout::Resolve,
            ..NextTimeout::default()
        }
    }

    #[test]
    fn a_literal_is_answered_as_ureq_answers_it() {
        let resolver = LiteralResolver::default();
        let config = Config::default();
        for u in ["http://127.0.0.1:8065/", "http://[::1]:8065/"] {
            let ours = resolver.resolve(&uri(u), &config, with_timeout()).unwrap();
            let ureqs = DefaultResolver::default()
                .resolve(&uri(u), &config, with_timeout())
                .unwrap();
            assert_eq!(&ours[..], &ureqs[..], "{u}");
        }
    }

    #[test]
    fn a_literal_needs_no_thread_and_so_no_time() {
        // ureq's resolver, given a deadline, waits for its lookup thread at most that
        // long: 1 ns is never enough for a thread to start. A literal needs none.
        let nearly_none = NextTimeout {
            after: Duration::from_nanos(1).into(),
            reason: ureq::Timeout::Resolve,
            ..NextTimeout::default()
        };
        let found = LiteralResolver::default()
            .resolve(
                &uri("http://127.0.0.1:8065/"),
                &Config::default(),
                nearly_none,
            )
            .unwrap();
        assert_eq!(
            &found[..],
            &["127.0.0.1:8065".parse::<SocketAddr>().unwrap()]
        );
    }

    #[test]
    fn a_literal_of_a_refused_family_is_refused_as_before() {
        let resolver = LiteralResolver::default();
        let v6_only = Config::builder().ip_family(IpFamily::Ipv6Only).build();
        let err = resolver
            .resolve(&uri("http://127.0.0.1:8065/"), &v6_only, with_timeout())
            .unwrap_err();
        assert!(matches!(err, ureq::Error::HostNotFound), "{err:?}");
        let v4_only = Config::builder().ip_family(IpFamily::Ipv4Only).build();
        let found = resolver
            .resolve(&uri("http://127.0.0.1:8065/"), &v4_only, with_timeout())
            .unwrap();
        assert_eq!(
            &found[..],
            &["127.0.0.1:8065".parse::<SocketAddr>().unwrap()]
        );
    }
}
