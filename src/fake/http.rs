//! [`FakeHttpServer`]: the fake server on a real socket.
//!
//! HTTP/1.1 with keep-alive, one thread per connection. Requests are parsed by `httparse`;
//! bodies come with `Content-Length` or chunked, and `Expect: 100-continue` is honoured.
//! A websocket upgrade (`GET /api/v4/websocket` with `Upgrade: websocket`) is handed,
//! with what was already read of it, to the websocket handler on its thread.
//! The server keeps a handle on every connection it accepted, so stopping it closes the
//! idle kept-alive ones too: a client then sees a closed connection at once, as with a
//! real server going down, instead of waiting for its timeout.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use super::routes::{Answer, Request, MAX_BODY_BYTES};
use super::{FakeServer, Outcome};

/// The longest request line plus headers accepted.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most headers in one request.
const MAX_HEADERS: usize = 64;

/// A [`FakeServer`] listening for HTTP on a socket; from [`FakeServer::serve`].
///
/// Any HTTP client can talk to it: the crate's own [`UreqTransport`](crate::transport::UreqTransport),
/// curl, or the tool under test. Connections are kept alive (HTTP/1.1) until the client
/// closes them or the server stops. [`stop`](FakeHttpServer::stop), or dropping it, closes
/// the listening socket and every open connection and waits for all of its threads to
/// end. The state stays in the [`FakeServer`], which can be served again.
pub struct FakeHttpServer {
    addr: SocketAddr,
    url: String,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

/// What the accepting thread and [`FakeHttpServer::stop`] share.
struct Shared {
    stopping: AtomicBool,
    /// A second handle on each open connection, to shut it down from outside.
    open: Mutex<HashMap<u64, TcpStream>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Plain bookkeeping, complete at every step: a panicked holder leaves nothing half done.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl FakeHttpServer {
    pub(crate) fn start(fake: FakeServer, addr: impl ToSocketAddrs) -> io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stopping: AtomicBool::new(false),
            open: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("mattermost-status-fake".to_owned())
                .spawn(move || accept_loop(&listener, &fake, &shared))?
        };
        Ok(FakeHttpServer {
            addr,
            url: format!("http://{addr}"),
            shared,
            accept: Some(accept),
        })
    }

    /// The site address to give [`Session::builder`](crate::Session::builder):
    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes the listening socket and every connection, and waits for the threads.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the accepting thread with a connection of our own; it sees `stopping` and
        // ends, closing the listener.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        if TcpStream::connect_timeout(&wake, Duration::from_secs(5)).is_ok() {
            // The thread only ends by returning; nothing to report from it.
            let _ = accept.join();
        }
        // No connection is accepted any more: close them all, then wait for their threads.
        for stream in lock(&self.shared.open).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let threads = std::mem::take(&mut *lock(&self.shared.threads));
        for thread in threads {
            let _ = thread.join();
        }
    }
}

impl Drop for FakeHttpServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl fmt::Debug for FakeHttpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeHttpServer")
            .field("url", &self.url)
            .field("running", &self.accept.is_some())
            .finish()
    }
}

fn accept_loop(listener: &TcpListener, fake: &FakeServer, shared: &Arc<Shared>) {
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        // A failed accept (the peer gave up, too many open files) concerns that one only.
        let Ok(stream) = stream else { continue };
        let Ok(handle) = stream.try_clone() else {
            continue;
        };
        let id = next_id;
        next_id += 1;
        lock(&shared.open).insert(id, handle);
        let spawned = {
            let fake = fake.clone();
            let shared = Arc::clone(shared);
            std::thread::Builder::new()
                .name("mattermost-status-fake-conn".to_owned())
                .spawn(move || {
                    serve_connection(&fake, stream);
                    lock(&shared.open).remove(&id);
                })
        };
        match spawned {
            Ok(thread) => {
                let mut threads = lock(&shared.threads);
                threads.retain(|t| !t.is_finished());
                threads.push(thread);
            }
            Err(_) => {
                if let Some(s) = lock(&shared.open).remove(&id) {
                    let _ = s.shutdown(Shutdown::Both);
                }
            }
        }
    }
}

/// One parsed request.
struct Incoming {
    method: String,
    target: String,
    authorization: Option<String>,
    /// Every header, for the rate limiter's `VaryByHeader` and `If-None-Match`.
    headers: Vec<(String, String)>,
    keep_alive: bool,
    expect_continue: bool,
    /// `Upgrade: websocket`.
    upgrade_websocket: bool,
    body: BodyFraming,
}

enum BodyFraming {
    None,
    Length(u64),
    Chunked,
}

/// Why a request could not be read; each is answered, then the connection closes.
struct Refused(u16);

fn serve_connection(fake: &FakeServer, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let remote = stream
        .peer_addr()
        .map_or_else(|_| String::new(), |a| a.ip().to_string());
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    loop {
        let mut upgrade_head = None;
        let request = match read_head(&mut reader) {
            Ok(Some(head)) => {
                let parsed = parse_head(&head);
                upgrade_head = Some(head);
                parsed
            }
            Ok(None) => return, // the client closed the connection
            Err(HeadError::Io) => return,
            Err(HeadError::TooLarge) => Err(Refused(431)),
        };
        let request = match request {
            Ok(r) => r,
            Err(Refused(status)) => {
                let _ = write_plain(&mut writer, status);
                return;
            }
        };
        if super::live::is_upgrade(&request.method, &request.target, request.upgrade_websocket) {
            // The websocket: the handler parses the request again (with anything the
            // client sent after it), as tungstenite does on any stream.
            let mut head = upgrade_head.unwrap_or_default();
            head.extend_from_slice(reader.buffer());
            fake.core().serve_tcp(head, reader.into_inner());
            return;
        }
        if request.expect_continue && writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err() {
            return;
        }
        let body = match read_body(&mut reader, &request.body) {
            Ok(body) => body,
            Err(BodyError::Io) => return,
            Err(BodyError::Refused(status)) => {
                let _ = write_plain(&mut writer, status);
                return;
            }
        };
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let outcome = fake.answer(
            &Request {
                method: &request.method,
                target: &request.target,
                authorization: request.authorization.as_deref(),
                body: &body,
                remote_addr: &remote,
                header: &header,
            },
            None,
        );
        let answer = match outcome {
            Outcome::Answer(answer) => answer,
            // An injected fault: close without a word (dropping the halves closes it).
            Outcome::Dropped | Outcome::TimedOut => {
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        };
        if write_answer(&mut writer, &answer, request.keep_alive).is_err() || !request.keep_alive {
            return;
        }
    }
}

enum HeadError {
    Io,
    TooLarge,
}

/// Reads up to the blank line that ends the head; `None` at a clean end of stream.
fn read_head(reader: &mut BufReader<TcpStream>) -> Result<Option<Vec<u8>>, HeadError> {
    let mut head = Vec::with_capacity(512);
    loop {
        let start = head.len();
        let n = reader
            .by_ref()
            .take((MAX_HEAD_BYTES + 1 - start) as u64)
            .read_until(b'\n', &mut head)
            .map_err(|_| HeadError::Io)?;
        if n == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(HeadError::Io)
            };
        }
        if head.len() > MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
        let line = &head[start..];
        if line == b"\r\n" || line == b"\n" {
            if start == 0 {
                head.clear(); // blank lines before a request are allowed
                continue;
            }
            return Ok(Some(head));
        }
    }
}

fn parse_head(head: &[u8]) -> Result<Incoming, Refused> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => return Err(Refused(431)),
        _ => return Err(Refused(400)),
    }
    let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version) else {
        return Err(Refused(400));
    };
    let headers: &[httparse::Header<'_>] = req.headers;
    let header = |name: &'static str| header_values(headers, name);
    let has_token = |name: &'static str, token: &str| {
        header(name).any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    let keep_alive = if version >= 1 {
        !has_token("Connection", "close")
    } else {
        has_token("Connection", "keep-alive")
    };
    let body = if has_token("Transfer-Encoding", "chunked") {
        BodyFraming::Chunked
    } else {
        let lengths: Vec<String> = header("Content-Length").collect();
        match lengths.as_slice() {
            [] => BodyFraming::None,
            [one] => match one.trim().parse::<u64>() {
                Ok(n) => BodyFraming::Length(n),
                Err(_) => return Err(Refused(400)),
            },
            _ => return Err(Refused(400)),
        }
    };
    let authorization = header("Authorization").next();
    let all = headers
        .iter()
        .map(|h| {
            (
                h.name.to_owned(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Ok(Incoming {
        method: method.to_owned(),
        target: target.to_owned(),
        authorization,
        headers: all,
        keep_alive,
        expect_continue: version >= 1 && has_token("Expect", "100-continue"),
        upgrade_websocket: has_token("Upgrade", "websocket"),
        body,
    })
}

/// The values of the headers named `name`.
fn header_values<'a>(
    headers: &'a [httparse::Header<'_>],
    name: &'a str,
) -> impl Iterator<Item = String> + 'a {
    headers
        .iter()
        .filter(move |h| h.name.eq_ignore_ascii_case(name))
        .map(|h| String::from_utf8_lossy(h.value).into_owned())
}

enum BodyError {
    Io,
    Refused(u16),
}

fn read_body(
    reader: &mut BufReader<TcpStream>,
    framing: &BodyFraming,
) -> Result<Vec<u8>, BodyError> {
    match *framing {
        BodyFraming::None => Ok(Vec::new()),
        BodyFraming::Length(n) if n > MAX_BODY_BYTES => Err(BodyError::Refused(413)),
        BodyFraming::Length(n) => {
            let mut body = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
            reader
                .by_ref()
                .take(n)
                .read_to_end(&mut body)
                .map_err(|_| BodyError::Io)?;
            if body.len() as u64 == n {
                Ok(body)
            } else {
                Err(BodyError::Io)
            }
        }
        BodyFraming::Chunked => read_chunked(reader),
    }
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        reader
            .by_ref()
            .take(1024)
            .read_until(b'\n', &mut line)
            .map_err(|_| BodyError::Io)?;
        let text = std::str::from_utf8(&line).map_err(|_| BodyError::Refused(400))?;
        let size = text.split(';').next().unwrap_or_default().trim();
        let size = u64::from_str_radix(size, 16).map_err(|_| BodyError::Refused(400))?;
        if size == 0 {
            // Trailer fields, up to the blank line.
            loop {
                line.clear();
                let n = reader
                    .by_ref()
                    .take(8 * 1024)
                    .read_until(b'\n', &mut line)
                    .map_err(|_| BodyError::Io)?;
                if n == 0 || line == b"\r\n" || line == b"\n" {
                    return Ok(body);
                }
            }
        }
        if body.len() as u64 + size > MAX_BODY_BYTES {
            return Err(BodyError::Refused(413));
        }
        let before = body.len();
        reader
            .by_ref()
            .take(size)
            .read_to_end(&mut body)
            .map_err(|_| BodyError::Io)?;
        if (body.len() - before) as u64 != size {
            return Err(BodyError::Io);
        }
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf).map_err(|_| BodyError::Io)?;
        if &crlf != b"\r\n" {
            return Err(BodyError::Refused(400));
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn write_answer(writer: &mut TcpStream, answer: &Answer, keep_alive: bool) -> io::Result<()> {
    let mut out = Vec::with_capacity(256 + answer.body.len());
    out.extend_from_slice(
        format!("HTTP/1.1 {} {}\r\n", answer.status, reason(answer.status)).as_bytes(),
    );
    for (name, value) in &answer.headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n", answer.body.len()).as_bytes());
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&answer.body);
    writer.write_all(&out)?;
    writer.flush()
}

/// An answer to a request that could not be read; the connection closes after it.
fn write_plain(writer: &mut TcpStream, status: u16) -> io::Result<()> {
    let answer = Answer {
        status,
        headers: vec![("Content-Type".to_owned(), "text/plain".to_owned())],
        body: reason(status).as_bytes().to_vec(),
    };
    write_answer(writer, &answer, false)
}
