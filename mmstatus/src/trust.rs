//! Whether the system's certificate store is worth reading for this run.
//!
//! Reading and parsing the system's CA bundle (some 150 certificates, 200 KB of PEM)
//! costs a one-shot command more than its whole request to a nearby server. It is only
//! needed when TLS can happen: an `https://` site, or a proxy reached over TLS.

/// The proxy settings a request may go through: `--proxy`, then the variables the
/// transport reads (as curl does). Any of them being `https://` counts, whichever
/// the site's scheme: over-reading the store is only slower, never wrong.
const PROXY_VARIABLES: [&str; 5] = [
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "all_proxy",
    "ALL_PROXY",
];

/// `false` only when no TLS can happen: the site is `http://` and no proxy setting
/// (`proxy` from `--proxy`, else `env(name)` for the proxy variables) is `https://`.
pub(crate) fn may_use_tls(
    url: &str,
    proxy: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> bool {
    let https = |s: &str| !has_scheme(s, "http://");
    if https(url) {
        return true;
    }
    match proxy {
        Some(p) => has_scheme(p, "https://"),
        None => PROXY_VARIABLES
            .iter()
            .filter_map(|name| env(name))
            .any(|value| has_scheme(value.trim(), "https://")),
    }
}

/// `s` starts with `scheme` (such as `http://`), in any case.
fn has_scheme(s: &str, scheme: &str) -> bool {
    s.get(..scheme.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn only_plain_http_without_a_tls_proxy_skips_the_store() {
        assert!(!may_use_tls("http://127.0.0.1:8065", None, no_env));
        assert!(!may_use_tls("HTTP://chat.local", None, no_env));
        assert!(!may_use_tls("http://x", Some("http://proxy:3128"), no_env));
        assert!(may_use_tls("https://chat.example.com", None, no_env));
        assert!(may_use_tls("HTTPS://chat.example.com", None, no_env));
        // Not clearly plain HTTP: the session decides, with the store at hand.
        assert!(may_use_tls("chat.example.com", None, no_env));
        assert!(may_use_tls("", None, no_env));
    }

    #[test]
    fn a_tls_proxy_needs_the_store() {
        assert!(may_use_tls("http://x", Some("https://proxy:443"), no_env));
        for name in PROXY_VARIABLES {
            let env = |n: &str| (n == name).then(|| " HTTPS://proxy:443".to_owned());
            assert!(may_use_tls("http://x", None, env), "{name}");
        }
        let plain = |_: &str| Some("http://proxy:3128".to_owned());
        assert!(!may_use_tls("http://x", None, plain));
        // --proxy stands instead of the variables.
        let tls_env = |_: &str| Some("https://proxy:443".to_owned());
        assert!(!may_use_tls("http://x", Some("http://proxy:3128"), tls_env));
    }
}
