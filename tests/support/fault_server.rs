//! A fault-injection HTTP server for the tests: a plain `std::net::TcpListener` on
//! 127.0.0.1, one thread per connection, driven per test by a script that says, for
//! the n-th request it reads (0 first), which [`Fault`] to play.
//!
//! Every request whose head was read completely counts as an attempt and is recorded
//! (request line, headers, body), so a test can assert how many attempts reached the
//! server and what they carried. Dropping the server stops every thread it started.

#![allow(dead_code)] // each test binary uses its own part of it

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// What the server does with one request, once it has read it.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Writes these bytes, then closes the connection normally.
    Reply(Vec<u8>),
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
    /// Writes these bytes and keeps the connection open: the next request on it is
    /// read and played too (the bytes must not say `Connection: close`).
    KeepAlive(Vec<u8>),
    /// Waits this long, then writes these bytes and closes, as [`Fault::Reply`].
    Delay(Duration, Vec<u8>),
}

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The request line and the headers, as text.
    pub head: String,
    /// The body (by `Content-Length`).
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    /// The request line (`GET /api/v4/... HTTP/1.1`).
    pub fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }
}

type Script = dyn Fn(usize) -> Fault + Send + Sync;

/// The running server; see the module docs.
pub struct FaultServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: Option<JoinHandle<()>>,
}

impl FaultServer {
    /// Starts a server that plays `script(n)` for the n-th request (0 first).
    pub fn start(script: impl Fn(usize) -> Fault + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let threads = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let accept = {
            let (requests, connections, stop, threads) = (
                requests.clone(),
                connections.clone(),
                stop.clone(),
                threads.clone(),
            );
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            *connections.lock().unwrap() += 1;
                            let (requests, stop, script) =
                                (requests.clone(), stop.clone(), script.clone());
                            let handle = thread::spawn(move || {
                                serve(stream, &requests, &stop, &*script);
                            });
                            threads.lock().unwrap().push(handle);
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            thread::sleep(Duration::from_millis(2));
                        }
                        Err(_) => thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        FaultServer {
            addr,
            requests,
            connections,
            stop,
            threads,
            accept: Some(accept),
        }
    }

    /// A server that answers every request with the same bytes.
    pub fn always(reply: Vec<u8>) -> Self {
        FaultServer::start(move |_| Fault::Reply(reply.clone()))
    }

    /// The base URL: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests the server read completely: the attempts that reached it.
    pub fn attempts(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }

    /// The requests it read, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        let threads = std::mem::take(&mut *self.threads.lock().unwrap());
        for handle in threads {
            let _ = handle.join();
        }
    }
}

/// A base URL where nothing listens: connecting is refused.
pub fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}

/// A complete HTTP/1.1 answer with `Content-Length` and `Connection: close`.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Whatever\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A JSON answer that keeps the connection alive (no `Connection: close`), for
/// [`Fault::KeepAlive`].
pub fn json_keep_alive(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A JSON answer.
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

fn serve(
    mut stream: TcpStream,
    requests: &Mutex<Vec<Recorded>>,
    stop: &AtomicBool,
    script: &Script,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    // One request per connection, unless the script keeps it alive.
    let fault = loop {
        let Some(request) = read_request(&mut stream, &mut buf, stop) else {
            return;
        };
        let index = {
            let mut all = requests.lock().unwrap();
            all.push(request);
            all.len() - 1
        };
        match script(index) {
            Fault::KeepAlive(bytes) => {
                if stream.write_all(&bytes).is_err() {
                    return;
                }
                let _ = stream.flush();
            }
            other => break other,
        }
    };
    match fault {
        Fault::KeepAlive(_) => unreachable!("handled above"),
        Fault::Delay(wait, bytes) => {
            if !nap(wait, stop) {
                return;
            }
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let _ = nap(Duration::from_millis(100), stop);
        }
        Fault::Reply(bytes) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Write);
            // Let the client read everything before the socket goes away.
            let _ = nap(Duration::from_millis(100), stop);
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
}

/// Reads one request: the head up to the blank line, then `Content-Length` bytes.
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>, stop: &AtomicBool) -> Option<Recorded> {
    let mut chunk = [0u8; 4096];
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
    // What follows belongs to the next request on a kept-alive connection.
    buf.drain(..head_end + length);
    Some(Recorded { head, body })
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
