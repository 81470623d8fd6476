//! Keeping the token out of errors: [`Error::redact`].

use super::Error;

impl Error {
    /// Replaces the token (`secret`) in the error's text with `[redacted]`, and drops an
    /// underlying error whose text holds it. A hostile or careless server (or a proxy's
    /// debug page) may echo the request's headers back; what the crate quotes of an
    /// answer must not carry the token to a log. Run once per error, by the session.
    ///
    /// A token of [`SECRET_PIECE_MIN`] bytes or more is replaced wherever it appears,
    /// and so is any piece of it of that length, and a start of it cut by an excerpt
    /// (`...` at the end). A shorter token (a test's `"t"`) is too likely to be ordinary
    /// text: it is replaced only as a whole word, and only in what the server sent,
    /// never inside the crate's own words ("Connection refused" stays whole).
    pub(crate) fn redact(mut self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let long = secret.len() >= SECRET_PIECE_MIN;
        // What a server sent.
        let server = |s: &mut String| {
            if long {
                redact_text(s, secret)
            } else {
                redact_words(s, secret)
            }
        };
        let server_opt = |s: &mut Option<String>| {
            if let Some(s) = s {
                server(s);
            }
        };
        // The crate's own words (and the OS's): only a long token is looked for.
        let own = |s: &mut String| {
            if long {
                redact_text(s, secret)
            }
        };
        match &mut self {
            Error::InvalidInput { reason, .. } => own(reason),
            Error::Api(e) => {
                server_opt(&mut e.id);
                server(&mut e.message);
                server_opt(&mut e.detailed_error);
                server_opt(&mut e.request_id);
            }
            Error::RateLimited(e) => server_opt(&mut e.request_id),
            Error::Redirect { location, .. } => server_opt(location),
            Error::UnknownUsers { usernames } => {
                for name in usernames.iter_mut() {
                    server(name);
                }
            }
            Error::Transport(e) => {
                own(&mut e.message);
                if let Some(detail) = &mut e.detail {
                    own(detail);
                }
                if long && e.cause.as_ref().is_some_and(|s| mentions(&**s, secret)) {
                    e.cause = None;
                }
            }
            #[cfg(feature = "live")]
            Error::Live(e) => server(&mut e.message),
            Error::Decode(e) => {
                server(&mut e.excerpt);
                server_opt(&mut e.request_id);
                server_opt(&mut e.content_type);
                server_opt(&mut e.json_error);
            }
        }
        self
    }
}

/// Replaces `secret` where it stands as a whole word: not preceded or followed by an
/// ASCII letter or digit.
fn redact_words(s: &mut String, secret: &str) {
    if !s.contains(secret) {
        return;
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    let mut before: Option<char> = None;
    while let Some(i) = rest.find(secret) {
        let after = rest[i + secret.len()..].chars().next();
        let prev = rest[..i].chars().next_back().or(before);
        out.push_str(&rest[..i]);
        if is_word(prev) || is_word(after) {
            out.push_str(secret);
        } else {
            out.push_str(REDACTED);
        }
        before = secret.chars().next_back();
        rest = &rest[i + secret.len()..];
    }
    out.push_str(rest);
    *s = out;
}

/// Whether `error`'s text, or that of any error under it, holds `secret`.
fn mentions(error: &(dyn std::error::Error + 'static), secret: &str) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if holds(&e.to_string(), secret) || holds(&format!("{e:?}"), secret) {
            return true;
        }
        next = e.source();
    }
    false
}

/// The shortest piece of a secret that is redacted wherever it appears: a server may
/// echo the token cut short (a truncated page, a log line). Shorter pieces are too
/// likely to be ordinary text.
const SECRET_PIECE_MIN: usize = 8;

/// The shortest start of a secret that is redacted where an excerpt was cut (`...` at
/// the end).
const CUT_SECRET_MIN: usize = 4;

const REDACTED: &str = "[redacted]";

fn redact_text(s: &mut String, secret: &str) {
    if s.contains(secret) {
        *s = s.replace(secret, REDACTED);
    }
    redact_pieces(s, secret);
    // An excerpt cut inside the secret ends with a start of it, then `...`.
    if let Some(head) = s.strip_suffix("...") {
        let cut = (CUT_SECRET_MIN..secret.len())
            .rev()
            .find(|&n| secret.get(..n).is_some_and(|start| head.ends_with(start)));
        if let Some(n) = cut {
            let keep = head.len() - n;
            s.truncate(keep);
            s.push_str(REDACTED);
            s.push_str("...");
        }
    }
}

/// Whether `text` holds `secret`, or a piece of it of [`SECRET_PIECE_MIN`] bytes.
fn holds(text: &str, secret: &str) -> bool {
    if text.contains(secret) {
        return true;
    }
    let Some(last) = secret.len().checked_sub(SECRET_PIECE_MIN) else {
        return false;
    };
    (0..=last)
        .filter_map(|i| secret.get(i..i + SECRET_PIECE_MIN))
        .any(|piece| text.contains(piece))
}

/// Replaces every run of at least [`SECRET_PIECE_MIN`] bytes that is a piece of
/// `secret` (longest first).
fn redact_pieces(s: &mut String, secret: &str) {
    if secret.len() < SECRET_PIECE_MIN {
        return;
    }
    if !holds(s, secret) {
        return;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while !rest.is_empty() {
        let longest = (SECRET_PIECE_MIN..=rest.len().min(secret.len()))
            .rev()
            .find(|&n| rest.get(..n).is_some_and(|piece| secret.contains(piece)));
        match longest {
            Some(n) => {
                out.push_str(REDACTED);
                rest = &rest[n..];
            }
            None => {
                let step = rest.chars().next().map_or(1, char::len_utf8);
                out.push_str(&rest[..step]);
                rest = &rest[step..];
            }
        }
    }
    *s = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, DecodeError};

    #[test]
    fn redacts_whole_and_cut_secrets() {
        let secret = "tok3n-abcdefghijklmnop";
        let mut s = format!("echo {secret} and {secret}");
        redact_text(&mut s, secret);
        assert_eq!(s, "echo [redacted] and [redacted]");
        let mut cut = format!("Authorization: Bearer {}...", &secret[..9]);
        redact_text(&mut cut, secret);
        assert_eq!(cut, "Authorization: Bearer [redacted]...");
        let mut short = "ends with tok...".to_owned();
        redact_text(&mut short, secret);
        assert_eq!(short, "ends with tok...");
        let mut pieces = format!("a {} b {} c", &secret[..10], &secret[3..12]);
        redact_text(&mut pieces, secret);
        assert_eq!(pieces, "a [redacted] b [redacted] c");
        let mut seven = format!("é {} é", &secret[..7]);
        redact_text(&mut seven, secret);
        assert_eq!(seven, format!("é {} é", &secret[..7]));
        let api = Error::Api(Box::new(ApiError {
            status: 401,
            id: None,
            message: format!("bad token {secret}"),
            detailed_error: Some(secret.to_owned()),
            request_id: None,
        }))
        .redact(secret);
        assert!(!format!("{api} {api:?}").contains(secret));
        let decode = Error::Decode(Box::new(DecodeError::new(
            200,
            "x",
            String::new(),
            None,
            serde_json::from_str::<u8>(&format!("\"{secret}\"")).err(),
        )));
        assert!(format!("{decode}").contains(secret));
        let decode = decode.redact(secret);
        assert!(!format!("{decode} {decode:?}").contains(secret), "{decode}");
    }

    #[test]
    fn a_short_token_is_redacted_only_as_a_whole_word_in_what_the_server_sent() {
        let mut s = "bad token t, (t) at tea t".to_owned();
        redact_words(&mut s, "t");
        assert_eq!(s, "bad token [redacted], ([redacted]) at tea [redacted]");
        let mut s = "tt t".to_owned();
        redact_words(&mut s, "t");
        assert_eq!(s, "tt [redacted]");
        let refused =
            std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused");
        let e = Error::Transport(
            crate::TransportError::new(crate::TransportErrorKind::Connect, "").with_source(refused),
        )
        .redact("t")
        .redact("t");
        assert_eq!(e.to_string(), "could not connect: Connection refused");
        let Error::Transport(t) = &e else {
            unreachable!()
        };
        assert!(t.cause().is_some(), "the cause was dropped");
        let api = Error::Api(Box::new(ApiError {
            status: 401,
            id: Some("api.context.session_expired.app_error".into()),
            message: "Invalid token t".into(),
            detailed_error: None,
            request_id: None,
        }))
        .redact("t");
        assert_eq!(
            api.to_string(),
            "the server answered 401 (api.context.session_expired.app_error): Invalid token [redacted]"
        );
    }
}
