//! **Workaround** (fenced here): keeping the token out of tungstenite's TRACE log.
//!
//! tungstenite 0.30 logs the whole upgrade request it writes, headers included, at TRACE
//! (`trace!("Request: {:?}", ..)` in `generate_request`, `src/handshake/client.rs`), so
//! the `Authorization` header would reach any logger that lets `tungstenite` log at
//! TRACE. tungstenite is therefore given a placeholder of the same length (`*`s), and
//! [`Spliced`], the stream under it, puts the real value in its place as the request's
//! bytes leave for the transport, after they were logged. It is the same device the
//! ureq transport uses for ureq's wire log (`transport/ureq_wire.rs`).
//!
//! Retire it when tungstenite stops logging header values (no such change upstream as
//! of 0.30), or when the request is written by the crate itself.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::transport::Stream;

/// The byte a placeholder is made of.
const PLACEHOLDER: u8 = b'*';

/// A placeholder for a header value of `len` bytes.
pub(crate) fn placeholder(len: usize) -> String {
    char::from(PLACEHOLDER).to_string().repeat(len)
}

/// The transport's stream, which swaps the placeholder for the real header value in
/// the first write that holds it (the upgrade request), then passes bytes through.
pub(crate) struct Spliced {
    /// Shared with the upgrade, which reads the rest of a refusal's body from it after
    /// tungstenite gave the stream up (only the bytes that came with the head reach its
    /// error).
    inner: Arc<Mutex<Box<dyn Stream>>>,
    /// `Authorization: <placeholder>` and `Authorization: <value>`, until sent.
    pending: Option<(Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for Spliced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spliced")
            .field("stream", &self.inner)
            .field("spliced", &self.pending.is_none())
            .finish()
    }
}

impl Spliced {
    pub(crate) fn new(inner: Box<dyn Stream>, placeholder: &str, value: &str) -> Self {
        // tungstenite writes header names as the `http` crate keeps them: lower case.
        let line = |v: &str| format!("authorization: {v}\r\n").into_bytes();
        Spliced {
            inner: Arc::new(Mutex::new(inner)),
            pending: Some((line(placeholder), line(value))),
        }
    }

    /// The stream under it, for reading what tungstenite left after a failed upgrade.
    pub(crate) fn shared(&self) -> Arc<Mutex<Box<dyn Stream>>> {
        Arc::clone(&self.inner)
    }

    pub(crate) fn inner_mut(&mut self) -> MutexGuard<'_, Box<dyn Stream>> {
        lock(&self.inner)
    }

    pub(crate) fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner_mut().set_read_timeout(timeout)
    }

    pub(crate) fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner_mut().set_write_timeout(timeout)
    }

    pub(crate) fn shutdown(&mut self) -> io::Result<()> {
        self.inner_mut().shutdown()
    }

    /// `write`, splicing the real value in. The buffer holding the placeholder is
    /// written whole (tungstenite hands the whole request to its first write), so the
    /// placeholder is never cut between two writes.
    pub(crate) fn write_spliced(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some((placeholder, value)) = &self.pending else {
            return lock(&self.inner).write(buf);
        };
        let Some(at) = find(buf, placeholder) else {
            return lock(&self.inner).write(buf);
        };
        let mut out = Vec::with_capacity(buf.len() - placeholder.len() + value.len());
        out.extend_from_slice(&buf[..at]);
        out.extend_from_slice(value);
        out.extend_from_slice(&buf[at + placeholder.len()..]);
        lock(&self.inner).write_all(&out)?;
        self.pending = None;
        Ok(buf.len())
    }
}

/// The stream, whoever else held the lock (a panic there leaves no broken state: the
/// stream is only bytes).
pub(crate) fn lock(stream: &Mutex<Box<dyn Stream>>) -> MutexGuard<'_, Box<dyn Stream>> {
    stream.lock().unwrap_or_else(PoisonError::into_inner)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::sync::{Arc, Mutex};

    /// Writes at most `max` bytes per call, as a socket may.
    #[derive(Debug, Clone)]
    struct Sink(Arc<Mutex<Vec<u8>>>, usize);
    impl Read for Sink {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Ok(0)
        }
    }
    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len());
            self.0.lock().unwrap().extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Stream for Sink {
        fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
        fn set_write_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
        fn shutdown(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_real_value_replaces_the_placeholder_once_even_one_byte_at_a_time() {
        let value = "Bearer s3cr3t-token";
        let hidden = placeholder(value.len());
        let request = format!("GET / HTTP/1.1\r\nauthorization: {hidden}\r\nhost: a\r\n\r\n");
        for max in [1, 7, 4096] {
            let sink = Sink(Arc::default(), max);
            let mut spliced = Spliced::new(Box::new(sink.clone()), &hidden, value);
            // The whole buffer is taken at once: the placeholder is never cut.
            assert_eq!(
                spliced.write_spliced(request.as_bytes()).unwrap(),
                request.len()
            );
            let sent = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
            assert_eq!(
                sent,
                format!("GET / HTTP/1.1\r\nauthorization: {value}\r\nhost: a\r\n\r\n")
            );
            // Only once: later bytes pass as they are.
            sink.0.lock().unwrap().clear();
            let later = format!("authorization: {hidden}\r\n");
            let mut written = 0;
            while written < later.len() {
                written += spliced.write_spliced(&later.as_bytes()[written..]).unwrap();
            }
            assert_eq!(sink.0.lock().unwrap().as_slice(), later.as_bytes());
        }
    }
}
