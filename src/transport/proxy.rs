//! Proxies: the proxy URL (whose password never shows), `NO_PROXY` lists, and which proxy
//! a request takes; the rules are in [`ProxySetting`](super::ProxySetting)'s docs.

use std::fmt;
use std::net::IpAddr;

use crate::secret::Secret;

/// A proxy's address: `[scheme://][user[:password]@]host[:port]`.
///
/// The scheme is `http` (the default when none is given), `https` (TLS to the proxy),
/// or `socks4`, `socks4a`, `socks5`, `socks5h`; which of them a transport supports is
/// in its own documentation. Without a port, `http` and the SOCKS schemes use 1080 and
/// `https` 443, as curl does. User and password are percent-decoded.
///
/// `Debug` and `Display` show the password as `[redacted]`; error messages that name a
/// proxy use `Display`.
///
/// ```
/// use mattermost_status::transport::ProxyUrl;
///
/// let proxy = ProxyUrl::parse("http://alice:s3cret@proxy.example.com:3128")?;
/// assert_eq!(proxy.host(), "proxy.example.com");
/// assert_eq!(proxy.port(), 3128);
/// assert_eq!(proxy.to_string(), "http://alice:[redacted]@proxy.example.com:3128");
/// assert!(!format!("{proxy:?}").contains("s3cret"));
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    scheme: &'static str,
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<Secret>,
}

impl ProxyUrl {
    /// Parses a proxy address. The error never repeats the address (it may hold a
    /// password), only what is wrong with it.
    pub fn parse(url: &str) -> crate::Result<Self> {
        Self::parse_reason(url).map_err(|reason| crate::Error::invalid("proxy", reason))
    }

    pub(crate) fn parse_reason(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("is empty".to_owned());
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("contains a space or a control character".to_owned());
        }
        let (scheme, rest) = match url.split_once("://") {
            Some((scheme, rest)) => {
                let known = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"];
                let scheme = known
                    .into_iter()
                    .find(|k| k.eq_ignore_ascii_case(scheme))
                    .ok_or_else(|| {
                        format!(
                            "has the scheme {scheme:?}; a proxy is http://, https://, \
                             socks4://, socks4a://, socks5:// or socks5h://"
                        )
                    })?;
                (scheme, rest)
            }
            None => ("http", url),
        };
        let authority = match rest.find('/') {
            Some(i) if rest[i..].trim_end_matches('/').is_empty() => &rest[..i],
            Some(_) => {
                return Err(
                    "has a path; give only [scheme://][user:password@]host[:port]".to_owned(),
                )
            }
            None => rest,
        };
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (user, pass) = match info.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (info, None),
                };
                let user = percent_decode(user)
                    .ok_or("has a user name that is not valid percent-encoded UTF-8")?;
                let pass = pass
                    .map(|p| {
                        percent_decode(p)
                            .ok_or("has a password that is not valid percent-encoded UTF-8")
                    })
                    .transpose()?;
                (Some(user), pass.map(Secret::new))
            }
        };
        let (host, port) = crate::site_url::split_host_port(hostport).ok_or("has no valid host")?;
        let port = match port {
            None => {
                if scheme == "https" {
                    443
                } else {
                    1080
                }
            }
            Some(p) => match p.parse::<u16>() {
                Ok(p) if p > 0 => p,
                _ => return Err("has an invalid port".to_owned()),
            },
        };
        Ok(ProxyUrl {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            username,
            password,
        })
    }

    /// `http`, `https`, `socks4`, `socks4a`, `socks5` or `socks5h`, in lower case.
    pub fn scheme(&self) -> &str {
        self.scheme
    }

    /// The host, in lower case; an IPv6 address keeps its brackets (`[::1]`).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port (the scheme's default when the URL had none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user name, decoded.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The password, decoded. For transports: never log it.
    pub fn password(&self) -> Option<&str> {
        self.password.as_ref().map(Secret::expose)
    }

    /// The full URL with the credentials percent-encoded, for a transport's own proxy
    /// setting. Holds the password: never shown.
    #[cfg_attr(not(feature = "ureq"), allow(dead_code))]
    pub(crate) fn url_with_credentials(&self) -> String {
        let mut url = format!("{}://", self.scheme);
        if let Some(user) = &self.username {
            url.push_str(&percent_encode(user));
            if let Some(pass) = &self.password {
                url.push(':');
                url.push_str(&percent_encode(pass.expose()));
            }
            url.push('@');
        }
        url.push_str(&format!("{}:{}", self.host, self.port));
        url
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme)?;
        if let Some(user) = &self.username {
            f.write_str(&percent_encode(user))?;
            if self.password.is_some() {
                f.write_str(":[redacted]")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

/// A `NO_PROXY` list, matched as curl matches it (see
/// [`ProxySetting`](super::ProxySetting)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NoProxy {
    all: bool,
    names: Vec<String>,
    networks: Vec<(IpAddr, u8)>,
}

impl NoProxy {
    /// Parses a list; entries that are neither a name nor an address are ignored, as
    /// curl ignores them.
    pub fn parse(list: &str) -> Self {
        let mut out = NoProxy {
            all: list.trim() == "*",
            ..NoProxy::default()
        };
        for token in list.split(|c: char| c == ',' || c.is_whitespace()) {
            let token = token.trim();
            if token.is_empty() || token == "*" {
                continue;
            }
            let (addr, bits) = match token.split_once('/') {
                Some((a, b)) => (a, b.parse::<u8>().ok()),
                None => (token, None),
            };
            let addr = addr.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = addr.parse::<IpAddr>() {
                let max = if ip.is_ipv4() { 32 } else { 128 };
                out.networks.push((ip, bits.unwrap_or(max).min(max)));
                continue;
            }
            let name = token
                .trim_start_matches('.')
                .trim_end_matches('.')
                .to_ascii_lowercase();
            if !name.is_empty() {
                out.names.push(name);
            }
        }
        out
    }

    /// Whether requests to `host` (a name or an address; IPv6 with or without brackets)
    /// go direct.
    pub fn matches(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self
                .networks
                .iter()
                .any(|&(net, bits)| in_network(ip, net, bits));
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.names.iter().any(|name| {
            host == *name
                || (host.len() > name.len()
                    && host.ends_with(name.as_str())
                    && host.as_bytes()[host.len() - name.len() - 1] == b'.')
        })
    }

    /// Whether the list is empty (bypasses nothing).
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        !self.all && self.names.is_empty() && self.networks.is_empty()
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (a, b, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let bits = u32::from(bits);
    if bits == 0 {
        return true;
    }
    let shift = width - bits;
    (a >> shift) == (b >> shift)
}

/// Which proxy each request takes: read once, when the transport is made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ProxyRoutes {
    http: Option<ProxyUrl>,
    https: Option<ProxyUrl>,
    no_proxy: NoProxy,
}

impl ProxyRoutes {
    /// No proxy for anything.
    pub fn direct() -> Self {
        ProxyRoutes::default()
    }

    /// One proxy for every target, except those `no_proxy` covers.
    pub fn all_through(proxy: ProxyUrl, no_proxy: NoProxy) -> Self {
        ProxyRoutes {
            http: Some(proxy.clone()),
            https: Some(proxy),
            no_proxy,
        }
    }

    /// From the environment, as curl reads it (see [`ProxySetting`](super::ProxySetting)).
    /// A variable that is set but is not a proxy URL is an
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming it (not its value).
    pub fn from_env() -> crate::Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> crate::Result<Self> {
        let first = |names: &[&str]| -> crate::Result<Option<ProxyUrl>> {
            for name in names {
                let Some(value) = var(name).filter(|v| !v.trim().is_empty()) else {
                    continue;
                };
                return ProxyUrl::parse_reason(&value).map(Some).map_err(|reason| {
                    crate::Error::invalid(
                        "proxy",
                        format!("the environment variable {name} {reason}"),
                    )
                });
            }
            Ok(None)
        };
        let all = first(&["all_proxy", "ALL_PROXY"])?;
        let http = first(&["http_proxy"])?.or_else(|| all.clone());
        let https = first(&["https_proxy", "HTTPS_PROXY"])?.or(all);
        let no_proxy = ["no_proxy", "NO_PROXY"]
            .iter()
            .find_map(|name| var(name))
            .map(|list| NoProxy::parse(&list))
            .unwrap_or_default();
        Ok(ProxyRoutes {
            http,
            https,
            no_proxy,
        })
    }

    /// The `NO_PROXY` list from the environment (`no_proxy`, then `NO_PROXY`).
    pub(crate) fn no_proxy_from_env() -> NoProxy {
        ["no_proxy", "NO_PROXY"]
            .iter()
            .find_map(|name| std::env::var(name).ok())
            .map(|list| NoProxy::parse(&list))
            .unwrap_or_default()
    }

    /// The proxy for requests to `url`, or `None` to connect directly.
    pub fn for_url(&self, url: &str) -> Option<&ProxyUrl> {
        let crate::site_url::Origin { scheme, host, .. } = crate::site_url::origin(url)?;
        if self.no_proxy.matches(host) {
            return None;
        }
        if scheme.eq_ignore_ascii_case("https") {
            self.https.as_ref()
        } else if scheme.eq_ignore_ascii_case("http") {
            self.http.as_ref()
        } else {
            None
        }
    }

    /// The proxy for `http://` targets, before `NO_PROXY`.
    pub fn http(&self) -> Option<&ProxyUrl> {
        self.http.as_ref()
    }

    /// The proxy for `https://` targets, before `NO_PROXY`.
    pub fn https(&self) -> Option<&ProxyUrl> {
        self.https.as_ref()
    }

    /// The hosts that go direct.
    pub fn no_proxy(&self) -> &NoProxy {
        &self.no_proxy
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_lists_match_names_and_networks() {
        let list = NoProxy::parse("localhost, .corp.example.com 10.0.0.0/8");
        assert!(list.matches("chat.corp.example.com"));
        assert!(list.matches("corp.example.com"));
        assert!(!list.matches("notcorp.example.com"));
        assert!(list.matches("10.1.2.3"));
        assert!(!list.matches("127.0.0.1"));
    }

    #[test]
    fn parses_proxy_urls_as_curl_does() {
        let p = ProxyUrl::parse("proxy.example.com").unwrap();
        assert_eq!(
            (p.scheme(), p.host(), p.port()),
            ("http", "proxy.example.com", 1080)
        );
        let p = ProxyUrl::parse("HTTPS://Proxy:8443/").unwrap();
        assert_eq!((p.scheme(), p.host(), p.port()), ("https", "proxy", 8443));
        let p = ProxyUrl::parse("http://us%40er:p@ss%3Aw0rd@[::1]:3128").unwrap();
        assert_eq!(p.username(), Some("us@er"));
        assert_eq!(p.password(), Some("p@ss:w0rd"));
        assert_eq!(p.host(), "[::1]");
        assert_eq!(p.to_string(), "http://us%40er:[redacted]@[::1]:3128");
        assert_eq!(
            p.url_with_credentials(),
            "http://us%40er:p%40ss%3Aw0rd@[::1]:3128"
        );
        for (bad, says) in [
            ("", "empty"),
            ("ftp://x", "scheme"),
            ("http://x:0", "port"),
            ("http://x:99999", "port"),
            ("http://u:sekrit@:80", "no valid host"),
            ("http://x/path", "path"),
        ] {
            let err = ProxyUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
            assert!(!err.contains("sekrit"), "{err}");
        }
    }

    #[test]
    fn no_proxy_matches_as_curl_does() {
        let list = NoProxy::parse("example.com,.corp.local, 192.168.0.0/16 ::1 *.bad");
        assert!(list.matches("example.com"));
        assert!(list.matches("www.EXAMPLE.com."));
        assert!(!list.matches("badexample.com"));
        assert!(list.matches("corp.local"));
        assert!(list.matches("a.b.corp.local"));
        assert!(list.matches("192.168.4.5"));
        assert!(!list.matches("192.169.0.1"));
        assert!(list.matches("[::1]"));
        assert!(!list.matches("127.0.0.1"));
        assert!(!list.matches("localhost"));
        assert!(NoProxy::parse(" * ").matches("anything"));
        assert!(!NoProxy::parse("a,*").matches("b"));
        assert!(NoProxy::parse("").is_empty());
        assert!(NoProxy::parse("0.0.0.0/0").matches("8.8.8.8"));
    }

    #[test]
    fn environment_variables_mean_what_they_mean_for_curl() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        // HTTP_PROXY (upper case) is not read for http:// targets; HTTPS_PROXY does not
        // apply to them either.
        let routes = ProxyRoutes::from_vars(env(&[
            ("HTTP_PROXY", "http://upper:1"),
            ("HTTPS_PROXY", "http://secure:2"),
        ]))
        .unwrap();
        assert_eq!(routes.for_url("http://chat.example.com/api"), None);
        assert_eq!(
            routes
                .for_url("https://chat.example.com")
                .map(ProxyUrl::host),
            Some("secure")
        );
        let routes = ProxyRoutes::from_vars(env(&[
            ("http_proxy", "http://plain:1"),
            ("ALL_PROXY", "http://all:3"),
            ("NO_PROXY", "direct.example.com"),
        ]))
        .unwrap();
        assert_eq!(
            routes.for_url("http://a.example.com").map(ProxyUrl::host),
            Some("plain")
        );
        assert_eq!(
            routes.for_url("https://a.example.com").map(ProxyUrl::host),
            Some("all")
        );
        assert_eq!(routes.for_url("https://x.direct.example.com:8443/p"), None);
        // Lower case first, an empty value is unset.
        let routes = ProxyRoutes::from_vars(env(&[
            ("https_proxy", ""),
            ("HTTPS_PROXY", "http://upper:2"),
            ("no_proxy", ""),
            ("NO_PROXY", "*"),
        ]))
        .unwrap();
        assert_eq!(
            routes.for_url("https://a").map(ProxyUrl::host),
            Some("upper")
        );
        let err = ProxyRoutes::from_vars(env(&[("https_proxy", "ftp://u:sekrit@x")]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("https_proxy") && !err.contains("sekrit"),
            "{err}"
        );
    }
}
