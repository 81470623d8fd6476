//! The one place where text a server sent is made safe to print: [`Bounded`].
//!
//! Everything an error quotes of an answer (a message, an id, a request id, a body
//! excerpt, a content type, a `Location`, a JSON error) goes through [`Bounded`] when it
//! is displayed: control characters (C0, DEL, C1: ESC, BEL, CR, LF, ...) and the Unicode
//! characters that reorder or hide text (bidi overrides and isolates, marks, line and
//! paragraph separators) are escaped as `\u{..}` (`\n`, `\r`, `\t` for the usual three),
//! and a text longer than its limit is cut with a marker saying how much was left out.
//! The raw values stay in the errors' accessors.

use std::fmt;

/// The most characters shown of a long text (a message, an excerpt, a `Location`).
pub(crate) const LONG: usize = 300;
/// The most characters shown of a short one (an id, a request id, a content type).
pub(crate) const SHORT: usize = 80;

/// Displays `text` escaped, and cut after `max` characters with
/// `...[N more bytes]`.
#[derive(Clone, Copy)]
pub(crate) struct Bounded<'a> {
    text: &'a str,
    max: usize,
}

impl<'a> Bounded<'a> {
    /// At most [`LONG`] characters.
    pub(crate) fn long(text: &'a str) -> Self {
        Bounded { text, max: LONG }
    }

    /// At most [`SHORT`] characters.
    pub(crate) fn short(text: &'a str) -> Self {
        Bounded { text, max: SHORT }
    }
}

/// Whether `c` must not reach a terminal or a log line as it is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'              // Arabic letter mark
            | '\u{200B}'..='\u{200F}' // zero-width characters, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2069}' // word joiner, invisible operators, bidi isolates
            | '\u{FEFF}'              // byte order mark
        )
}

impl fmt::Display for Bounded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut start = 0; // start of the run of safe characters not yet written
        for (shown, (i, c)) in self.text.char_indices().enumerate() {
            if shown == self.max {
                f.write_str(&self.text[start..i])?;
                return write!(f, "...[{} more bytes]", self.text.len() - i);
            }
            if is_unsafe(c) {
                f.write_str(&self.text[start..i])?;
                match c {
                    '\n' => f.write_str("\\n")?,
                    '\r' => f.write_str("\\r")?,
                    '\t' => f.write_str("\\t")?,
                    c => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                }
                start = i + c.len_utf8();
            }
        }
        f.write_str(&self.text[start..])
    }
}

impl fmt::Debug for Bounded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        let shown =
            Bounded::long("a\u{1b}[31mb\u{7}c\r\nWARN d\u{9b}e\u{202e}f\u{2066}g\th").to_string();
        assert_eq!(
            shown,
            "a\\u{1b}[31mb\\u{7}c\\r\\nWARN d\\u{9b}e\\u{202e}f\\u{2066}g\\th"
        );
        assert_eq!(Bounded::short("plain é ✓").to_string(), "plain é ✓");
    }

    #[test]
    fn cuts_long_text_with_a_marker() {
        let long = "é".repeat(4 << 20);
        let shown = Bounded::long(&long).to_string();
        assert!(shown.starts_with(&"é".repeat(LONG)));
        assert!(
            shown.ends_with(&format!("...[{} more bytes]", long.len() - 2 * LONG)),
            "{}",
            &shown[shown.len() - 40..]
        );
        assert_eq!(
            shown.chars().count(),
            LONG + "...[".len() + 7 + " more bytes]".len()
        );
        assert_eq!(
            Bounded::short(&"x".repeat(SHORT)).to_string(),
            "x".repeat(SHORT)
        );
    }
}
