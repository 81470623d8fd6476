//! [`FaultServer`]: an HTTP server on 127.0.0.1 that misbehaves on purpose.
//!
//! A plain `std::net::TcpListener` on a free loopback port, one thread per connection,
//! driven by a script that says, for the n-th request it reads (0 first), which
//! [`Fault`] to play. Every request whose head (and `Content-Length` body) was read
//! completely counts as an attempt and is recorded, so a test can assert how many
//! attempts reached the server and what they carried. Dropping the server stops every
//! thread it started.
//!
//! ```
//! use mattermost_status_conformance::server::{json, Fault, FaultServer};
//!
//! let server = FaultServer::start(|n| match n {
//!     0 => Fault::Reply(json(503, r#"{"message":"busy"}"#)),
//!     _ => Fault::Reply(json(200, r#"{"status":"OK"}"#)),
//! })?;
//! assert!(server.url().starts_with("http://127.0.0.1:"));
//! assert_eq!(server.attempts(), 0);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// What the server does with one request, once it has read it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Fault {
    /// Writes these bytes, then closes the connection normally.
    Reply(Vec<u8>),
    /// Writes these bytes (a whole answer with a `Content-Length`), then reads the next
    /// request on the same connection: a kept-alive connection.
    KeepAlive(Vec<u8>),
    /// Waits, then writes the bytes and closes the connection normally.
    Delay(Duration, Vec<u8>),
    /// Writes these bytes, then resets the connection (RST, `SO_LINGER` 0).
    ResetAfter(Vec<u8>),
    /// Never answers; holds the connection open until the server is dropped.
    Stall,
    /// Writes `prompt` at once, then `slow` one byte at a time, `interval` apart.
    Trickle {
        /// Sent at once (a head, or nothing).
        prompt: Vec<u8>,
        /// Sent a byte at a time.
        slow: Vec<u8>,
        /// The pause after each slow byte.
        interval: Duration,
    },
    /// Writes these bytes (a head), then zeros without end until the client leaves.
    Flood(Vec<u8>),
}

/// One request as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The request line and the headers, as text.
    pub head: String,
    /// The body (by `Content-Length`).
    pub body: Vec<u8>,
    /// Which connection it came on: 0 for the first the server accepted.
    pub connection: usize,
}

impl Recorded {
    /// The value of the first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<String> {
        self.header_values(name).into_iter().next()
    }

    /// The values of every header `name` (case-insensitive), in order.
    pub fn header_values(&self, name: &str) -> Vec<String> {
        self.head
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (n, v) = line.split_once(':')?;
                n.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_owned())
            })
            .collect()
    }

    /// The request line (`GET /api/v4/... HTTP/1.1`).
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    /// The request target (`/api/v4/...`), the second word of the request line.
    pub fn target(&self) -> &str {
        self.request_line().split(' ').nth(1).unwrap_or_default()
    }
}

type Script = dyn Fn(usize, &Recorded) -> Fault + Send + Sync;

/// The running server; see the module docs.
pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    requests: Mutex<Vec<Recorded>>,
    connections: Mutex<usize>,
    stop: AtomicBool,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FaultServer {
    /// Starts a server that plays `script(n)` for the n-th request (0 first).
    pub fn start(script: impl Fn(usize) -> Fault + Send + Sync + 'static) -> io::Result<Self> {
        FaultServer::start_with(move |n, _| script(n))
    }

    /// Starts a server that plays `script(n, request)` for the n-th request (0 first),
    /// so that the answer can depend on what was asked.
    pub fn start_with(
        script: impl Fn(usize, &Recorded) -> Fault + Send + Sync + 'static,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            requests: Mutex::new(Vec::new()),
            connections: Mutex::new(0),
            stop: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
        });
        let script: Arc<Script> = Arc::new(script);
        let accept = {
            let shared = shared.clone();
            thread::Builder::new()
                .name("fault-server".into())
                .spawn(move || accept_loop(&listener, &shared, &script))?
        };
        Ok(FaultServer {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// A server that answers every request with the same bytes, then closes.
    pub fn always(reply: Vec<u8>) -> io::Result<Self> {
        FaultServer::start(move |_| Fault::Reply(reply.clone()))
    }

    /// The base URL: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests the server read completely: the attempts that reached it.
    pub fn attempts(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> usize {
        *lock(&self.shared.connections)
    }

    /// The requests it read, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }
}

impl std::fmt::Debug for FaultServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultServer")
            .field("addr", &self.addr)
            .field("connections", &self.connections())
            .field("attempts", &self.attempts())
            .finish()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        let threads = std::mem::take(&mut *lock(&self.shared.threads));
        for handle in threads {
            let _ = handle.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, script: &Arc<Script>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let connection = {
                    let mut count = lock(&shared.connections);
                    *count += 1;
                    *count - 1
                };
                let (shared2, script) = (shared.clone(), script.clone());
                let spawned = thread::Builder::new()
                    .name("fault-connection".into())
                    .spawn(move || serve(stream, connection, &shared2, &*script));
                if let Ok(handle) = spawned {
                    lock(&shared.threads).push(handle);
                }
            }
            Err(_) => thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// A base URL where nothing listens: connecting is refused.
pub fn refused_url() -> io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    Ok(format!("http://{addr}"))
}

/// A complete HTTP/1.1 answer with `Content-Length` and `Connection: close`.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    answer(status, headers, body, true)
}

/// A complete HTTP/1.1 answer with `Content-Length` that keeps the connection open (for
/// [`Fault::KeepAlive`]).
pub fn keep_alive_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    answer(status, headers, body, false)
}

fn answer(status: u16, headers: &[(&str, &str)], body: &[u8], close: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Whatever\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    if close {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A JSON answer that keeps the connection alive (no `Connection: close`), for
/// [`Fault::KeepAlive`].
pub fn json_keep_alive(status: u16, body: &str) -> Vec<u8> {
    keep_alive_response(
        status,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

/// A JSON answer (`Content-Type: application/json`), closing the connection.
pub fn json(status: u16, body: &str) -> Vec<u8> {
    response(
        status,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

/// Sleeps `total` in small steps, returning early (false) when the server stops.
fn nap(total: Duration, stop: &AtomicBool) -> bool {
    let end = Instant::now() + total;
    while Instant::now() < end {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        thread::sleep(Duration::from_millis(10).min(end - Instant::now()));
    }
    !stop.load(Ordering::SeqCst)
}

fn serve(mut stream: TcpStream, connection: usize, shared: &Shared, script: &Script) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let _ = stream.set_nodelay(true);
    let stop = &shared.stop;
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buf, connection, stop) else {
            return;
        };
        let index = {
            let mut all = lock(&shared.requests);
            all.push(request.clone());
            all.len() - 1
        };
        match script(index, &request) {
            Fault::KeepAlive(bytes) => {
                if stream.write_all(&bytes).is_err() {
                    return;
                }
                continue;
            }
            Fault::Reply(bytes) => reply_and_close(&mut stream, &bytes, stop),
            Fault::Delay(wait, bytes) => {
                if nap(wait, stop) {
                    reply_and_close(&mut stream, &bytes, stop);
                }
            }
            Fault::ResetAfter(bytes) => {
                let _ = stream.write_all(&bytes);
                let _ = stream.flush();
                let _ = nap(Duration::from_millis(50), stop);
                let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                drop(stream); // with linger 0: RST
            }
            Fault::Stall => while nap(Duration::from_millis(50), stop) {},
            Fault::Trickle {
                prompt,
                slow,
                interval,
            } => {
                if stream.write_all(&prompt).is_err() {
                    return;
                }
                for byte in slow {
                    if stream.write_all(&[byte]).is_err() || !nap(interval, stop) {
                        return;
                    }
                }
            }
            Fault::Flood(head) => {
                if stream.write_all(&head).is_err() {
                    return;
                }
                let zeros = vec![0u8; 64 * 1024];
                while !stop.load(Ordering::SeqCst) {
                    if stream.write_all(&zeros).is_err() {
                        return;
                    }
                }
            }
        }
        return;
    }
}

fn reply_and_close(stream: &mut TcpStream, bytes: &[u8], stop: &AtomicBool) {
    let _ = stream.write_all(bytes);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Let the client read everything before the socket goes away.
    let _ = nap(Duration::from_millis(100), stop);
}

/// Reads one request: the head up to the blank line, then `Content-Length` bytes; what
/// follows stays in `buf` for the next request on the connection.
fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    connection: usize,
    stop: &AtomicBool,
) -> Option<Recorded> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if !read_some(stream, buf, &mut chunk, stop)? {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        if !read_some(stream, buf, &mut chunk, stop)? {
            return None;
        }
    }
    let body = buf[head_end..head_end + length].to_vec();
    buf.drain(..head_end + length);
    Some(Recorded {
        head,
        body,
        connection,
    })
}

/// One read: `Some(true)` when bytes came, `Some(false)` at end of stream, `None` when
/// the server stops or the read fails.
fn read_some(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    chunk: &mut [u8],
    stop: &AtomicBool,
) -> Option<bool> {
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        match stream.read(chunk) {
            Ok(0) => return Some(false),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Some(true);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return None,
        }
    }
}
