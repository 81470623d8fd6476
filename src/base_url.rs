//! Checking the site address a session is built with.

use crate::error::{Error, Result};

const FIELD: &str = "base_url";

/// Checks a Mattermost site address and returns it normalized: scheme and host in lower
/// case, no trailing slash, path prefix kept (`https://example.com/chat`).
///
/// Refused: schemes other than http and https, a missing host, user info
/// (`user:pass@`, or any `@`), a query or fragment, a port that is not a number up to 65535,
/// whitespace or control characters, and an address that already ends in `/api/v4`.
///
/// No refusal shows user info: a message quotes the address as [`masked`] shows it.
pub(crate) fn normalize(input: &str) -> Result<String> {
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
        .ok_or_else(|| Error::invalid(FIELD, format!("{shown:?} has no valid host")))?;
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65_535).contains(&p));
        if !valid {
            return Err(Error::invalid(
                FIELD,
                format!("{shown:?} has an invalid port {port:?}"),
            ));
        }
    }
    let path = path.trim_end_matches('/');
    if path.ends_with("/api/v4") {
        return Err(Error::invalid(
            FIELD,
            format!("{shown:?} ends with /api/v4; give the site's address, the crate adds /api/v4"),
        ));
    }
    let mut normalized = String::with_capacity(url.len());
    normalized.push_str(scheme);
    normalized.push_str("://");
    normalized.push_str(&host.to_ascii_lowercase());
    if let Some(port) = port {
        normalized.push(':');
        normalized.push_str(port);
    }
    normalized.push_str(path);
    Ok(normalized)
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

/// Splits `host[:port]` or `[v6]:port`; `None` when the host is missing or malformed.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']')?;
        let host = &authority[..end + 2];
        match &v6[end + 1..] {
            "" => (host, None),
            rest => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'));
    host_ok.then_some((host, port))
}

#[cfg(test)]
mod tests {
    use super::normalize;

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
