//! [`SiteUrl`]: the site address a session is built with, checked and split once. The
//! rest of the crate reads its parts (the session, the proxy rules, the transports, the
//! log line, the live stream) instead of splitting strings again.

use std::fmt;
use std::ops::Range;

use crate::error::{Error, Result};

const FIELD: &str = "base_url";

/// A Mattermost site's address, checked and normalized: scheme and host in lower case,
/// no trailing slash, the path prefix kept (`https://example.com/chat`).
///
/// [`Session::site_url`](crate::Session::site_url) gives the session's.
///
/// ```
/// use mattermost_status::SiteUrl;
///
/// let site = SiteUrl::parse("HTTPS://Chat.Example.com:8443/team-chat/")?;
/// assert_eq!(site.as_str(), "https://chat.example.com:8443/team-chat");
/// assert_eq!((site.scheme(), site.host(), site.port()), ("https", "chat.example.com", 8443));
/// assert_eq!(site.path_prefix(), "/team-chat");
/// assert!(!site.is_loopback());
/// assert!(SiteUrl::parse("http://[::1]/").unwrap().is_loopback());
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SiteUrl {
    /// The normalized address.
    text: String,
    host: Range<usize>,
    port: u16,
    /// Where the path prefix starts (`text.len()` when there is none).
    prefix: usize,
}

impl SiteUrl {
    /// Checks a site address and normalizes it.
    ///
    /// Refused, with [`Error::InvalidInput`] for the field `base_url`: schemes other than
    /// http and https, a missing host, user info (`user:pass@`, or any `@`), a query or
    /// fragment, a port that is not a number up to 65535, whitespace or control
    /// characters, and an address that already ends in `/api/v4`. No refusal shows user
    /// info.
    pub fn parse(input: &str) -> Result<SiteUrl> {
        let url = input.trim();
        let shown = masked(url);
        let shown = shown.as_ref();
        if url.is_empty() {
            return Err(Error::invalid(
                FIELD,
                "is empty; give the site's address, like https://chat.example.com",
            ));
        }
        if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid(
                FIELD,
                format!("{shown:?} contains the character {c:?}"),
            ));
        }
        let (scheme, rest) = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => ("https", rest),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => ("http", rest),
            Some((scheme, _)) => {
                return Err(Error::invalid(
                    FIELD,
                    format!(
                        "{shown:?} has the scheme {:?}; only http and https are supported",
                        masked(scheme)
                    ),
                ))
            }
            None => {
                return Err(Error::invalid(
                    FIELD,
                    format!("{shown:?} has no scheme; write it as https://{shown}"),
                ))
            }
        };
        if url.contains('?') {
            return Err(Error::invalid(
                FIELD,
                format!("{shown:?} has a query (?...); remove it"),
            ));
        }
        if url.contains('#') {
            return Err(Error::invalid(
                FIELD,
                format!("{shown:?} has a fragment (#...); remove it"),
            ));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        // Any `@`: a password may hold a `/`, which would end the authority early.
        if authority.contains('@') || rest.contains('@') {
            return Err(Error::invalid(
                FIELD,
                "contains user info (user@ or user:password@); give the token with .token(..) instead",
            ));
        }
        let (host, port) = split_host_port(authority)
            .filter(|(host, _)| host_is_valid(host))
            .ok_or_else(|| Error::invalid(FIELD, format!("{shown:?} has no valid host")))?;
        let port_number = match port {
            None => default_port(scheme),
            Some(port) => port_number(port).ok_or_else(|| {
                Error::invalid(FIELD, format!("{shown:?} has an invalid port {port:?}"))
            })?,
        };
        let path = path.trim_end_matches('/');
        if path.ends_with("/api/v4") {
            return Err(Error::invalid(
                FIELD,
                format!(
                    "{shown:?} ends with /api/v4; give the site's address, the crate adds /api/v4"
                ),
            ));
        }
        let mut text = String::with_capacity(url.len());
        text.push_str(scheme);
        text.push_str("://");
        let host_start = text.len();
        text.push_str(&host.to_ascii_lowercase());
        let host_end = text.len();
        if let Some(port) = port {
            text.push(':');
            text.push_str(port);
        }
        let prefix = text.len();
        text.push_str(path);
        Ok(SiteUrl {
            text,
            host: host_start..host_end,
            port: port_number,
            prefix,
        })
    }

    /// The normalized address (`https://chat.example.com/team-chat`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `"https"` or `"http"`.
    pub fn scheme(&self) -> &str {
        if self.is_https() {
            "https"
        } else {
            "http"
        }
    }

    /// Whether the site is reached over TLS.
    pub fn is_https(&self) -> bool {
        self.text.starts_with("https:")
    }

    /// The host, in lower case; an IPv6 address in brackets (`[::1]`).
    pub fn host(&self) -> &str {
        &self.text[self.host.clone()]
    }

    /// The port: the one given, else 443 for https and 80 for http.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path the site is served under, without a trailing slash (`/team-chat`), or
    /// `""` at the root.
    pub fn path_prefix(&self) -> &str {
        &self.text[self.prefix..]
    }

    /// Whether the host is this machine: `localhost`, 127.0.0.0/8 or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(self.host())
    }
}

impl fmt::Display for SiteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for SiteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl std::str::FromStr for SiteUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<SiteUrl> {
        SiteUrl::parse(s)
    }
}

/// The scheme, host and port of an absolute URL, as the crate's transports connect to
/// it (user info skipped; the port defaulted by the scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Origin<'a> {
    pub(crate) scheme: &'a str,
    /// As written: IPv6 addresses keep their brackets.
    pub(crate) host: &'a str,
    pub(crate) port: u16,
}

/// The [`Origin`] of `url` (`scheme://[user@]host[:port]/...`); `None` when it has no
/// scheme, no host, or a port that is not a number.
pub(crate) fn origin(url: &str) -> Option<Origin<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let hostport = authority.rsplit('@').next()?;
    let (host, port) = split_host_port(hostport)?;
    let port = match port {
        Some(port) => port_number(port)?,
        None => default_port(scheme),
    };
    Some(Origin { scheme, host, port })
}

/// Whether `host` (as in a URL: IPv6 in brackets) is this machine.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn default_port(scheme: &str) -> u16 {
    if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("wss") {
        443
    } else {
        80
    }
}

/// A port as a URL writes it: 1 to 65535, digits only.
fn port_number(port: &str) -> Option<u16> {
    if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    port.parse::<u16>().ok().filter(|p| *p != 0)
}

/// `url` with any user info (`user:password@`) replaced by `***@`, for messages and
/// `Debug`: everything up to the last `@` after the scheme goes, whatever comes between
/// (a password may hold `/`, `?` or `#`). An `@` elsewhere in a base URL is rare; masking
/// too much there costs nothing but a shorter message.
pub(crate) fn masked(url: &str) -> std::borrow::Cow<'_, str> {
    let Some(at) = url.rfind('@') else {
        return url.into();
    };
    let start = url.find("://").map_or(0, |i| i + 3);
    if at < start {
        // `user:pw@host` without a scheme: `://` may only come after the `@`.
        return format!("***{}", &url[at..]).into();
    }
    format!("{}***{}", &url[..start], &url[at..]).into()
}

/// The request target of an absolute URL the crate built: its path and query
/// (`/chat/api/v4/users/me/status?x=1`), `/` when it has no path; `None` without a scheme.
#[cfg(any(feature = "log", feature = "fake"))]
pub(crate) fn request_target(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    Some(rest.find('/').map_or("/", |i| &rest[i..]))
}

/// Splits `host[:port]` or `[v6][:port]` (the host keeps its brackets); `None` when the
/// host is missing or the brackets are unclosed.
pub(crate) fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let host = &authority[..=end];
        match &authority[end + 1..] {
            "" => (host, None),
            rest => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    (!host.is_empty()).then_some((host, port))
}

/// A host a site address may have: a bracketed IPv6 address, or letters, digits, `-`,
/// `.` and `_`.
fn host_is_valid(host: &str) -> bool {
    host.starts_with('[')
        || host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::{origin, SiteUrl};

    fn normalize(s: &str) -> crate::Result<String> {
        SiteUrl::parse(s).map(|u| u.as_str().to_owned())
    }

    #[test]
    fn parts_are_read_once() {
        let site = SiteUrl::parse("http://[::1]:8065/x/").unwrap();
        assert_eq!(site.host(), "[::1]");
        assert_eq!(site.port(), 8065);
        assert_eq!(site.path_prefix(), "/x");
        assert!(site.is_loopback() && !site.is_https());
        let site = SiteUrl::parse("https://chat.example.com").unwrap();
        assert_eq!((site.port(), site.path_prefix()), (443, ""));
        assert!(!SiteUrl::parse("http://LocalHost.evil")
            .unwrap()
            .is_loopback());
        assert!(SiteUrl::parse("http://LOCALHOST").unwrap().is_loopback());
        assert!(SiteUrl::parse("http://127.9.9.9").unwrap().is_loopback());
    }

    #[test]
    fn origins_of_request_urls() {
        let o = origin("https://u:p@Host.example:8443/a?b#c").unwrap();
        assert_eq!((o.scheme, o.host, o.port), ("https", "Host.example", 8443));
        let o = origin("wss://[::1]/api/v4/websocket").unwrap();
        assert_eq!((o.host, o.port), ("[::1]", 443));
        assert_eq!(origin("http://h").unwrap().port, 80);
        assert_eq!(origin("http://h:0/"), None);
        assert_eq!(origin("http://h:x/"), None);
        assert_eq!(origin("no-scheme"), None);
    }

    #[test]
    fn keeps_prefix_and_drops_trailing_slashes() {
        assert_eq!(
            normalize("https://chat.example.com").unwrap(),
            "https://chat.example.com"
        );
        assert_eq!(
            normalize("HTTPS://Chat.Example.com/").unwrap(),
            "https://chat.example.com"
        );
        assert_eq!(
            normalize("https://example.com/mattermost//").unwrap(),
            "https://example.com/mattermost"
        );
        assert_eq!(
            normalize("http://127.0.0.1:8065").unwrap(),
            "http://127.0.0.1:8065"
        );
        assert_eq!(
            normalize("http://[::1]:8065/x/").unwrap(),
            "http://[::1]:8065/x"
        );
        assert_eq!(normalize(" https://a.b \n").unwrap(), "https://a.b");
    }

    #[test]
    fn refuses_what_cannot_be_a_site_address() {
        for (bad, says) in [
            ("", "empty"),
            ("chat.example.com", "no scheme"),
            ("ftp://chat.example.com", "only http and https"),
            ("https://user:pw@chat.example.com", "user info"),
            ("https://chat.example.com/?a=b", "query"),
            ("https://chat.example.com/#top", "fragment"),
            ("https://", "no valid host"),
            ("https://:80", "no valid host"),
            ("https://host:99999", "invalid port"),
            ("https://host:", "invalid port"),
            ("https://host:8a", "invalid port"),
            ("https://ho st", "contains the character"),
            ("https://host/api/v4/", "ends with /api/v4"),
        ] {
            let err = normalize(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid base_url: "), "{err}");
            assert!(err.contains(says), "{bad:?}: {err}");
        }
    }

    #[test]
    fn never_shows_user_info() {
        for bad in [
            "https://user:s3cretpw@chat.example.com/?a=b",
            "https://user:s3cretpw@chat.example.com/#top",
            "ftp://user:s3cretpw@chat.example.com",
            "https://user:s3cretpw@ho st",
            "user:s3cretpw@chat.example.com",
            "https://user:s3c/ret#pw?@chat.example.com",
            "https://s3cretpw@chat.example.com",
            "https://user:s3cretpw@chat.example.com:99999",
            "https://user:s3cretpw@chat.example.com/api/v4",
            "s3cretpw@://",
        ] {
            let err = normalize(bad).unwrap_err().to_string();
            for piece in ["s3cret", "s3c/ret", "user:s3"] {
                assert!(!err.contains(piece), "{bad:?}: {err}");
            }
        }
        assert_eq!(super::masked("https://u:p@h/x"), "https://***@h/x");
        assert_eq!(super::masked("u:p@h"), "***@h");
        assert_eq!(super::masked("https://h/x"), "https://h/x");
    }
}
