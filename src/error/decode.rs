//! [`DecodeError`]: a success answer that is not what the server sends.

use std::fmt;

/// A success answer whose body could not be read as what the endpoint returns.
#[derive(Debug)]
pub struct DecodeError {
    pub(crate) status: u16,
    pub(crate) expected: &'static str,
    pub(crate) excerpt: String,
    pub(crate) request_id: Option<String>,
    /// Set when the answer declared a content type other than JSON.
    pub(crate) content_type: Option<String>,
    pub(crate) source: Option<serde_json::Error>,
}

impl DecodeError {
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

    /// Line and column of the JSON error, when the body was read as JSON.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        self.source.as_ref().map(|e| (e.line(), e.column()))
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
            write!(f, ": its content type is {content_type:?}, not JSON")?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        if !self.excerpt.is_empty() {
            write!(f, " (body starts: {:?})", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}
