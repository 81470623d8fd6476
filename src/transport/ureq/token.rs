//! The token spliced in after ureq's TRACE log: [`TokenSplicer`], the last link of
//! every connector chain the crate builds (row "token" of `WORKAROUNDS.md`).
//!
//! ureq writes each request's head through `ureq_proto`, which logs every byte it
//! writes, hex and text, at TRACE (target `ureq_proto::util`): the `Authorization`
//! header included. So the built-in transport never gives ureq the token: the request
//! goes out with a placeholder of the same length (`*`s), and
//! [`Guarded::transmit_output`], which sees the bytes after they were logged and before
//! they reach the socket (or TLS), puts the real value in its place. A TRACE logger sees
//! `authorization: ******...`; the server sees the token.
//!
//! The connector runs only when ureq opens a new connection, so it is also where a
//! fresh connection is told from a reused one (see [`stale`](super::stale)).
//!
//! The secret is per call, and ureq runs a call on the caller's thread: it is
//! thread-local, set by [`Call::start`] and cleared when the [`Call`] is dropped.

use std::cell::RefCell;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

thread_local! {
    /// The `Authorization` value of the call running on this thread, until it is sent.
    static SECRET: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The byte a placeholder is made of.
const PLACEHOLDER: u8 = b'*';

/// A placeholder for a header value of `len` bytes.
pub(crate) fn placeholder(len: usize) -> String {
    char::from(PLACEHOLDER).to_string().repeat(len)
}

/// One call on this thread; see the module docs.
pub(crate) struct Call(());

impl Call {
    /// Starts a call whose `Authorization` header ureq gets as a placeholder of
    /// `secret`'s length.
    pub(crate) fn start(secret: Option<&str>) -> Call {
        SECRET.with(|s| *s.borrow_mut() = secret.map(str::to_owned));
        super::stale::call_starts();
        Call(())
    }

    /// Whether the call opened a new connection (rather than reusing a pooled one).
    pub(crate) fn fresh_connection(&self) -> bool {
        super::stale::opened_in_this_call()
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        SECRET.with(|s| s.borrow_mut().take());
    }
}

/// The connector; see the module docs.
#[derive(Debug)]
pub(crate) struct TokenSplicer;

impl<In: Transport> Connector<In> for TokenSplicer {
    type Out = Guarded<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| {
            super::stale::connection_opened();
            Guarded(inner)
        }))
    }
}

/// A connection whose outgoing bytes get the real `Authorization` value.
#[derive(Debug)]
pub(crate) struct Guarded<T>(T);

impl<T: Transport> Transport for Guarded<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.0.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        SECRET.with(|secret| {
            let mut secret = secret.borrow_mut();
            if let Some(value) = secret.as_deref() {
                let output = self.0.buffers().output();
                let end = amount.min(output.len());
                if swap_in(&mut output[..end], value.as_bytes()) {
                    *secret = None;
                }
            }
        });
        self.0.transmit_output(amount, timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.0.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.0.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.0.is_open()
    }

    fn is_tls(&self) -> bool {
        self.0.is_tls()
    }
}

/// Finds the header line `authorization: <placeholder of value's length>` in `head`
/// and writes `value` over the placeholder; `false` when there is none. ureq writes a
/// header line whole into one buffer, so the line is never cut between two.
fn swap_in(head: &mut [u8], value: &[u8]) -> bool {
    const NAME: &[u8] = b"authorization:";
    let mut line = 0;
    while line < head.len() {
        let end = head[line..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(head.len(), |i| line + i);
        let text = &head[line..end];
        if text.len() > NAME.len() && text[..NAME.len()].eq_ignore_ascii_case(NAME) {
            let mut start = line + NAME.len();
            while head.get(start) == Some(&b' ') {
                start += 1;
            }
            let slot = start..end;
            if slot.len() == value.len() && head[slot.clone()].iter().all(|&b| b == PLACEHOLDER) {
                head[slot].copy_from_slice(value);
                return true;
            }
        }
        if end == head.len() || text.is_empty() {
            // The end of the buffer, or of the head (an empty line).
            return false;
        }
        line = end + 2;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_placeholder_of_the_authorization_line_only() {
        let value = "Bearer tok3n";
        let stars = placeholder(value.len());
        let mut head = format!(
            "GET / HTTP/1.1\r\nx-note: {stars}\r\nAUTHORIZATION: {stars}\r\naccept: */*\r\n\r\n{stars}"
        )
        .into_bytes();
        assert!(swap_in(&mut head, value.as_bytes()));
        let head = String::from_utf8(head).unwrap();
        assert_eq!(
            head,
            format!("GET / HTTP/1.1\r\nx-note: {stars}\r\nAUTHORIZATION: {value}\r\naccept: */*\r\n\r\n{stars}")
        );
        // Another length, or no such header, or one past the head: untouched.
        let mut other = format!("GET / HTTP/1.1\r\nauthorization: {stars}*\r\n\r\n").into_bytes();
        assert!(!swap_in(&mut other, value.as_bytes()));
        let mut body = format!("GET / HTTP/1.1\r\n\r\nauthorization: {stars}\r\n").into_bytes();
        assert!(!swap_in(&mut body, value.as_bytes()));
        // A line at the very start of a later buffer.
        let mut later = format!("authorization: {stars}\r\n\r\n").into_bytes();
        assert!(swap_in(&mut later, value.as_bytes()));
    }
}
