//! An in-memory duplex byte pipe: the in-process stand-in for a TCP connection between a
//! client's [`Stream`] and the fake's websocket handler.
//!
//! Each direction is a bounded byte queue behind a mutex and a condition variable. A read
//! that waits longer than the read timeout fails with `WouldBlock` (as a socket read
//! timeout does on Unix) and leaves the pipe usable; a write that finds the queue full waits
//! for room (up to the write timeout, then `TimedOut`), so a side that never reads holds at
//! most [`CAPACITY`] bytes. [`shutdown`](PipeEnd::shutdown), or dropping the last handle on
//! an end, closes both directions: the other side reads what was already sent, then end of
//! stream, and its writes fail with `BrokenPipe`.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::transport::Stream;

/// The most bytes one direction holds before a writer waits (a socket's buffers are of
/// this order too).
pub(crate) const CAPACITY: usize = 256 * 1024;

/// One direction of the pipe.
#[derive(Default)]
struct Direction {
    queue: Mutex<Queue>,
    changed: Condvar,
}

#[derive(Default)]
struct Queue {
    bytes: VecDeque<u8>,
    /// The writing side shut down: a reader gets the rest, then end of stream.
    writer_gone: bool,
    /// The reading side shut down: writes fail.
    reader_gone: bool,
}

impl Direction {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Plain bytes and two flags, complete at every step.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the handles on one end share; dropping the last one shuts the end down.
struct EndCore {
    incoming: Arc<Direction>,
    outgoing: Arc<Direction>,
}

impl EndCore {
    fn shutdown(&self) {
        {
            let mut q = self.incoming.lock();
            q.reader_gone = true;
        }
        self.incoming.changed.notify_all();
        {
            let mut q = self.outgoing.lock();
            q.writer_gone = true;
        }
        self.outgoing.changed.notify_all();
    }
}

impl Drop for EndCore {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// One end of a [`pipe`].
pub(crate) struct PipeEnd {
    core: Arc<EndCore>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

/// A connected pair of ends.
pub(crate) fn pipe() -> (PipeEnd, PipeEnd) {
    let a_to_b = Arc::new(Direction::default());
    let b_to_a = Arc::new(Direction::default());
    let a = PipeEnd {
        core: Arc::new(EndCore {
            incoming: Arc::clone(&b_to_a),
            outgoing: Arc::clone(&a_to_b),
        }),
        read_timeout: None,
        write_timeout: None,
    };
    let b = PipeEnd {
        core: Arc::new(EndCore {
            incoming: a_to_b,
            outgoing: b_to_a,
        }),
        read_timeout: None,
        write_timeout: None,
    };
    (a, b)
}

impl PipeEnd {
    /// A second handle on this end (its own timeouts), as `TcpStream::try_clone` gives.
    pub(crate) fn handle(&self) -> PipeEnd {
        PipeEnd {
            core: Arc::clone(&self.core),
            read_timeout: None,
            write_timeout: None,
        }
    }
}

/// Waits on `dir` until `ready` or the deadline; `false` when the deadline passed.
fn wait_until<'a>(
    dir: &'a Direction,
    mut q: MutexGuard<'a, Queue>,
    deadline: Option<Instant>,
) -> (MutexGuard<'a, Queue>, bool) {
    match deadline {
        None => (dir.changed.wait(q).unwrap_or_else(|e| e.into_inner()), true),
        Some(deadline) => {
            let now = Instant::now();
            if now >= deadline {
                return (q, false);
            }
            q = dir
                .changed
                .wait_timeout(q, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            (q, true)
        }
    }
}

impl Read for PipeEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let dir = &*self.core.incoming;
        let deadline = self.read_timeout.map(|t| Instant::now() + t);
        let mut q = dir.lock();
        loop {
            if !q.bytes.is_empty() {
                let n = buf.len().min(q.bytes.len());
                for (slot, byte) in buf.iter_mut().zip(q.bytes.drain(..n)) {
                    *slot = byte;
                }
                drop(q);
                dir.changed.notify_all();
                return Ok(n);
            }
            if q.writer_gone || q.reader_gone {
                return Ok(0);
            }
            let (next, in_time) = wait_until(dir, q, deadline);
            q = next;
            if !in_time {
                return Err(io::Error::new(
                    io::ErrorKind::WouldBlock,
                    "read timed out on the in-process pipe",
                ));
            }
        }
    }
}

impl Write for PipeEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let dir = &*self.core.outgoing;
        let deadline = self.write_timeout.map(|t| Instant::now() + t);
        let mut q = dir.lock();
        loop {
            if q.writer_gone || q.reader_gone {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the in-process pipe is closed",
                ));
            }
            let room = CAPACITY.saturating_sub(q.bytes.len());
            if room > 0 {
                let n = room.min(buf.len());
                q.bytes.extend(&buf[..n]);
                drop(q);
                dir.changed.notify_all();
                return Ok(n);
            }
            let (next, in_time) = wait_until(dir, q, deadline);
            q = next;
            if !in_time {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "write timed out on the in-process pipe (the other side does not read)",
                ));
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Stream for PipeEnd {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        if timeout == Some(Duration::ZERO) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a zero timeout is not allowed (as for TcpStream)",
            ));
        }
        self.read_timeout = timeout;
        Ok(())
    }

    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        if timeout == Some(Duration::ZERO) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a zero timeout is not allowed (as for TcpStream)",
            ));
        }
        self.write_timeout = timeout;
        Ok(())
    }

    fn shutdown(&mut self) -> io::Result<()> {
        self.core.shutdown();
        Ok(())
    }
}

impl fmt::Debug for PipeEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeEnd")
            .field("read_timeout", &self.read_timeout)
            .field("write_timeout", &self.write_timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_cross_and_a_read_timeout_is_would_block() {
        let (mut a, mut b) = pipe();
        a.write_all(b"hello").unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(b.read(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        b.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let err = b.read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        a.write_all(b"x").unwrap();
        assert_eq!(b.read(&mut buf).unwrap(), 1, "still usable after a timeout");
    }

    #[test]
    fn shutdown_and_drop_end_the_other_side() {
        let (mut a, mut b) = pipe();
        a.write_all(b"last").unwrap();
        drop(a);
        let mut buf = [0u8; 8];
        assert_eq!(b.read(&mut buf).unwrap(), 4, "sent bytes are still read");
        assert_eq!(b.read(&mut buf).unwrap(), 0);
        assert_eq!(b.write(b"x").unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        let (mut c, mut d) = pipe();
        let h = c.handle();
        Stream::shutdown(&mut c).unwrap();
        assert_eq!(d.read(&mut buf).unwrap(), 0);
        drop(h);
    }

    #[test]
    fn a_side_that_never_reads_holds_at_most_the_capacity() {
        let (mut a, _b) = pipe();
        a.set_write_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let chunk = vec![0u8; 64 * 1024];
        let mut sent = 0;
        let err = loop {
            match a.write(&chunk) {
                Ok(n) => sent += n,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(sent, CAPACITY);
    }
}
