//! [`DecodeError`]: a success answer that is not what the server sends.

use std::fmt;

use super::display::Bounded;

/// A success answer whose body could not be read as what the endpoint returns.
///
/// Its `Display` says everything (what was expected, the JSON error, the start of the
/// body), bounded and escaped; it has no [`source`](std::error::Error::source) (see
/// [`Error`](crate::Error) on where causes live).
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) status: u16,
    pub(crate) expected: &'static str,
    pub(crate) excerpt: String,
    pub(crate) request_id: Option<String>,
    /// Set when the answer declared a content type other than JSON.
    pub(crate) content_type: Option<String>,
    /// The JSON error's text, when the body was read as JSON.
    pub(crate) json_error: Option<String>,
    pub(crate) line_column: Option<(usize, usize)>,
}

impl DecodeError {
    /// A decode error of an answer with `status`, which should have been `expected`;
    /// `excerpt` is the start of the body.
    pub(crate) fn new(
        status: u16,
        expected: &'static str,
        excerpt: String,
        request_id: Option<String>,
        json: Option<serde_json::Error>,
    ) -> Self {
        DecodeError {
            status,
            expected,
            excerpt,
            request_id,
            content_type: None,
            line_column: json.as_ref().map(|e| (e.line(), e.column())),
            json_error: json.map(|e| e.to_string()),
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// What the crate expected (`a Status object`, ...).
    pub fn expected(&self) -> &str {
        self.expected
    }

    /// The start of the body, cleaned for display.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }

    /// The answer's `Content-Type`, when it was not JSON: the server always answers
    /// JSON, so this means something else (a proxy, a login portal) answered.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// What the JSON parser said, when the body was read as JSON (it may quote the body).
    pub fn json_error(&self) -> Option<&str> {
        self.json_error.as_deref()
    }

    /// Line and column of the JSON error, when the body was read as JSON.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        self.line_column
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not read the server's {} answer as {}",
            self.status, self.expected
        )?;
        if let Some(content_type) = &self.content_type {
            write!(
                f,
                ": its content type is \"{}\", not JSON",
                Bounded::short(content_type)
            )?;
        }
        if let Some(json) = &self.json_error {
            write!(f, ": {}", Bounded::long(json))?;
        }
        if !self.excerpt.is_empty() {
            write!(f, " (body starts: \"{}\")", Bounded::long(&self.excerpt))?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}
