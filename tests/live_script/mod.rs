//! A scripted Mattermost websocket peer on 127.0.0.1, for the live stream's tests: each
//! connection runs the test's script on a thread of its own, with the request head
//! already read, so that a script can answer the upgrade properly, wrongly, or with
//! plain HTTP (the resync's requests come to the same address). Every thread is joined
//! when the [`Script`] is dropped; a script must end by itself (read timeouts, or
//! [`Script::stopping`]).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tungstenite::protocol::Role;

pub mod certs;
use tungstenite::{Message, WebSocket};

pub const TOKEN: &str = "xd8u7tkpcfbbdgbwqisuwmkq7a";
pub const ME: &str = "4xp9fdt77pncbef59f4k1qe83o";
pub const ALICE: &str = "9jd3wz5ssbrp8ny7hcyqfj3y7a";
pub const CONN_A: &str = "hzg47a5pmtnstk5yh3ymzr4rtc";
pub const CONN_B: &str = "q1w2e3r4t5y6u7i8o9p0asdfgh";

/// One request's head.
#[derive(Debug, Clone)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn is_upgrade(&self) -> bool {
        self.header("Upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    }
}

type Handler = dyn Fn(usize, Head, TcpStream, &Stop) + Send + Sync;

/// Set when the test is over: scripts that wait should end.
#[derive(Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// Sleeps `d`, or less if the test ends.
    pub fn sleep(&self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end && !self.is_set() {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

pub struct Script {
    addr: SocketAddr,
    stop: Stop,
    connections: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<Head>>>,
    acceptor: Option<JoinHandle<()>>,
    threads: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Script {
    /// Runs `handler(n, head, stream, stop)` for the n-th connection (from 0).
    pub fn start(
        handler: impl Fn(usize, Head, TcpStream, &Stop) + Send + Sync + 'static,
    ) -> Script {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Stop::default();
        let connections = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let threads: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let acceptor = {
            let (stop, connections, heads, threads) = (
                stop.clone(),
                connections.clone(),
                heads.clone(),
                threads.clone(),
            );
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.is_set() {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let n = connections.fetch_add(1, Ordering::SeqCst);
                    let (handler, heads, stop) = (handler.clone(), heads.clone(), stop.clone());
                    let thread = std::thread::spawn(move || {
                        stream
                            .set_read_timeout(Some(Duration::from_secs(5)))
                            .unwrap();
                        let Some(head) = read_head(&stream) else {
                            return;
                        };
                        heads.lock().unwrap().push(head.clone());
                        handler(n, head, stream, &stop);
                    });
                    threads.lock().unwrap().push(thread);
                }
            })
        };
        Script {
            addr,
            stop,
            connections,
            heads,
            acceptor: Some(acceptor),
            threads,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The request heads read so far, in order.
    pub fn heads(&self) -> Vec<Head> {
        self.heads.lock().unwrap().clone()
    }

    /// The upgrade requests' targets (path and query), in order.
    pub fn upgrade_targets(&self) -> Vec<String> {
        self.heads()
            .into_iter()
            .filter(Head::is_upgrade)
            .map(|h| h.target)
            .collect()
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        self.stop.0.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let threads = std::mem::take(&mut *self.threads.lock().unwrap());
        for thread in threads {
            let _ = thread.join();
        }
    }
}

/// Reads a request head (byte by byte: nothing after it is consumed).
pub fn read_head(stream: impl Read) -> Option<Head> {
    let mut reader = BufReader::with_capacity(1, stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    // A body, if any (the resync's POST), is read by the script.
    Some(Head {
        method,
        target,
        headers,
    })
}

/// Answers the upgrade with 101 (a correct `Sec-WebSocket-Accept`), then speaks
/// websocket as a server.
pub fn upgrade(mut stream: TcpStream, head: &Head) -> WebSocket<TcpStream> {
    let key = head.header("Sec-WebSocket-Key").unwrap_or_default();
    let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
    write!(
        stream,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    )
    .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    WebSocket::from_raw_socket(stream, Role::Server, None)
}

pub fn hello(ws: &mut WebSocket<TcpStream>, connection_id: &str) {
    send(
        ws,
        &format!(
            r#"{{"event":"hello","data":{{"connection_id":"{connection_id}","server_version":"10.5.0.0.x.true"}},"broadcast":{{"omit_users":null,"user_id":"{ME}","channel_id":"","team_id":""}},"seq":0}}"#
        ),
    );
}

pub fn status_change(ws: &mut WebSocket<TcpStream>, seq: i64, status: &str) {
    send(
        ws,
        &format!(
            r#"{{"event":"status_change","data":{{"status":"{status}","user_id":"{ME}"}},"broadcast":{{"omit_users":null,"user_id":"{ME}","channel_id":"","team_id":""}},"seq":{seq}}}"#
        ),
    );
}

pub fn send(ws: &mut WebSocket<TcpStream>, text: &str) {
    let _ = ws.send(Message::text(text.to_owned()));
}

/// Reads client messages until `until` passes or the client is gone, answering each
/// action as the server does (`ping`: OK with pong data; `get_statuses_by_ids`: every
/// id `answer(id)`), and returns the actions seen.
pub fn serve_actions(
    ws: &mut WebSocket<TcpStream>,
    stop: &Stop,
    until: Duration,
    answer: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let end = Instant::now() + until;
    let mut actions = Vec::new();
    while Instant::now() < end && !stop.is_set() {
        match ws.read() {
            Ok(Message::Text(text)) => {
                let value: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
                let seq = value["seq"].as_i64().unwrap();
                let action = value["action"].as_str().unwrap().to_owned();
                let reply = match action.as_str() {
                    "ping" => format!(
                        r#"{{"status":"OK","seq_reply":{seq},"data":{{"text":"pong","version":"10.5.0","server_time":1,"node_id":""}}}}"#
                    ),
                    "get_statuses_by_ids" => {
                        let ids = value["data"]["user_ids"].as_array().unwrap();
                        let map: serde_json::Map<String, serde_json::Value> = ids
                            .iter()
                            .map(|id| {
                                let id = id.as_str().unwrap();
                                (id.to_owned(), answer(id).into())
                            })
                            .collect();
                        format!(
                            r#"{{"status":"OK","seq_reply":{seq},"data":{}}}"#,
                            serde_json::Value::Object(map)
                        )
                    }
                    _ => format!(r#"{{"status":"FAIL","seq_reply":{seq}}}"#),
                };
                actions.push(action);
                send(ws, &reply);
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    actions
}

/// Reads and answers actions until one `ping` was answered (the client's first).
pub fn answer_first_ping(ws: &mut WebSocket<TcpStream>, stop: &Stop) {
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end && !stop.is_set() {
        if serve_actions_once(ws) == Some("ping".to_owned()) {
            return;
        }
    }
}

fn serve_actions_once(ws: &mut WebSocket<TcpStream>) -> Option<String> {
    match ws.read() {
        Ok(Message::Text(text)) => {
            let value: serde_json::Value = serde_json::from_str(text.as_str()).ok()?;
            let seq = value["seq"].as_i64()?;
            let action = value["action"].as_str()?.to_owned();
            if action == "ping" {
                send(
                    ws,
                    &format!(r#"{{"status":"OK","seq_reply":{seq},"data":{{"text":"pong"}}}}"#),
                );
            }
            Some(action)
        }
        _ => None,
    }
}

/// Writes a plain HTTP answer (head and body in one write) and closes.
pub fn http(mut stream: TcpStream, status: u16, headers: &[(&str, &str)], body: &str) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // One write, as Go's net/http writes a small answer.
    head.push_str(body);
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.flush();
}

/// Reads a request body of `Content-Length` bytes.
pub fn body(stream: &mut TcpStream, head: &Head) -> Vec<u8> {
    let len: usize = head
        .header("Content-Length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    let _ = stream.read_exact(&mut body);
    body
}

/// Keeps the connection open, reading nothing, until the test ends.
pub fn hold(stop: &Stop) {
    while !stop.is_set() {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A session for `url` as the test user: no proxy, short timeouts.
pub fn session(url: &str) -> mattermost_status::Session {
    mattermost_status::Session::builder(url)
        .token(TOKEN)
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// Options for tests: nothing waits long.
pub fn quick() -> mattermost_status::live::LiveOptions {
    mattermost_status::live::LiveOptions::new()
        .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(50))
        .reconnect_jitter(Duration::ZERO)
        .auth_timeout(Duration::from_secs(2))
}

/// The test user's id.
pub fn me() -> mattermost_status::UserId {
    ME.parse().unwrap()
}

/// The test user's own status, as pushed.
pub fn pushed(status: mattermost_status::StatusKind) -> mattermost_status::live::LiveEvent {
    use mattermost_status::live::{LiveEvent, StatusChange, StatusSource};
    LiveEvent::Status(StatusChange::new(me(), status, StatusSource::Pushed))
}
