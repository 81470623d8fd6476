//! [`Stream`]: a byte stream to the server, for a protocol the caller speaks itself over
//! it (the live status stream's websocket).

use std::fmt;
use std::io::{Read, Write};
use std::time::Duration;

/// A connected byte stream to a server's origin (TLS already set up for `https`), as
/// [`Transport::open_stream`](super::Transport::open_stream) returns it.
///
/// *For transport authors.* The caller speaks a protocol of its own over it: it writes
/// the HTTP upgrade request itself, then frames. A read that waits longer than the read
/// timeout fails with [`WouldBlock`](std::io::ErrorKind::WouldBlock) or
/// [`TimedOut`](std::io::ErrorKind::TimedOut), keeping the stream usable; end of stream
/// is a read of 0 bytes. Dropping the stream closes it.
pub trait Stream: Read + Write + Send + fmt::Debug {
    /// How long one read may wait for a byte; `None`: as long as it takes.
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> std::io::Result<()>;
    /// How long one write may wait for room; `None`: as long as it takes.
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> std::io::Result<()>;
    /// Closes both directions now: a read blocked on the other side's end returns.
    fn shutdown(&mut self) -> std::io::Result<()>;
}

impl Stream for std::net::TcpStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> std::io::Result<()> {
        std::net::TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> std::io::Result<()> {
        std::net::TcpStream::set_write_timeout(self, timeout)
    }
    fn shutdown(&mut self) -> std::io::Result<()> {
        std::net::TcpStream::shutdown(self, std::net::Shutdown::Both)
    }
}
