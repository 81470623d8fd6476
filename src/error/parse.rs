//! [`ParseError`]: text that is not a valid value of one of the crate's types.

use std::fmt;

use super::Error;

/// Text that could not be read as a [`UserId`](crate::UserId), a
/// [`CustomStatusDuration`](crate::CustomStatusDuration) or a
/// [`UtcOffset`](crate::expiry::UtcOffset): what `parse()` and `FromStr` return.
///
/// It names the field (`user_id`, `duration`, `utc_offset`) and says what is wrong; with
/// `?` it becomes [`Error::InvalidInput`] with the same field and reason.
///
/// ```
/// use mattermost_status::{ParseError, UserId};
///
/// let err: ParseError = "alice".parse::<UserId>().unwrap_err();
/// assert_eq!(err.field(), "user_id");
/// assert_eq!(
///     err.to_string(),
///     "invalid user_id: \"alice\" is 5 characters long; a Mattermost id has exactly 26 (or use `me`)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    field: &'static str,
    reason: String,
}

impl ParseError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        ParseError {
            field,
            reason: reason.into(),
        }
    }

    /// The field the text was meant for: `user_id`, `duration`, `utc_offset`, ...
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// What is wrong with the text, in plain words.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.reason)
    }
}

impl std::error::Error for ParseError {}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::InvalidInput {
            field: e.field,
            reason: e.reason,
        }
    }
}

/// How many characters of a refused text a message quotes.
const QUOTE_CHARS: usize = 64;

/// `text` quoted for a message (as `{:?}` does, so control characters are escaped),
/// cut at [`QUOTE_CHARS`] characters with `...` after the closing quote.
pub(crate) fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{:?}...", &text[..cut]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_escaped_and_bounded() {
        assert_eq!(quoted("a\u{1b}[31m"), "\"a\\u{1b}[31m\"");
        let long = "x".repeat(10_000);
        let q = quoted(&long);
        assert_eq!(q.len(), QUOTE_CHARS + 2 + 3);
        assert!(q.ends_with("\"..."));
    }

    #[test]
    fn becomes_invalid_input() {
        let e: Error = ParseError::new("user_id", "bad").into();
        assert!(matches!(
            e,
            Error::InvalidInput {
                field: "user_id",
                ..
            }
        ));
        assert_eq!(e.to_string(), "invalid user_id: bad");
    }
}
