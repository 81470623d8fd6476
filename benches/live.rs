//! The live stream against a minimal hand-written tungstenite client, on the same fake
//! server over loopback, in one run: `cargo bench --bench live --features live,fake`.
//!
//! **Latency.** Each sample writes one `PUT /api/v4/users/me/status` by hand on a
//! kept-alive connection (the same few bytes for both sides), and times from just before
//! the request is written to the moment the `status_change` it causes leaves the
//! client: [`LiveStream::next_event`] for the crate, a `read()` loop with `serde_json`
//! for the hand-written side (what any program would write with tungstenite alone:
//! connect, upgrade with the token, read text frames, pick the event). The HTTP answer
//! is read after the clock stops. Each side has its own user (a `status_change` goes to
//! its user's connections only), so neither sees the other's events. Rounds alternate
//! which side goes first; the table shows the median per side and the median of the
//! per-round ratios, with their interquartile range.
//!
//! **Memory.** The heap a stream keeps once open (bytes allocated and not freed by the
//! thread that opened it), over 50 streams, for the crate and for tungstenite with its
//! default configuration (128 KiB read buffer).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mattermost_status::fake::{FakeServer, FakeUser};
use mattermost_status::live::{LiveEvent, LiveStream};
use mattermost_status::Session;
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

/// Net heap bytes of the thread being measured.
struct Counting;

static NET_BYTES: AtomicI64 = AtomicI64::new(0);
static COUNTED_THREAD: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static THREAD_TAG: u64 = {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        NEXT.fetch_add(1, Ordering::Relaxed)
    };
}

fn counted() -> bool {
    let wanted = COUNTED_THREAD.load(Ordering::Relaxed);
    wanted != 0 && THREAD_TAG.try_with(|t| *t == wanted).unwrap_or(false)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            NET_BYTES.fetch_add(layout.size() as i64, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counted() {
            NET_BYTES.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counted() {
            NET_BYTES.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A kept-alive connection that sets its user's status, written by hand.
struct Trigger {
    stream: BufReader<TcpStream>,
    host: String,
    token: String,
    user: String,
}

impl Trigger {
    fn new(addr: std::net::SocketAddr, user: &FakeUser) -> Trigger {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        Trigger {
            stream: BufReader::new(stream),
            host: addr.to_string(),
            token: user.token.clone(),
            user: user.id.to_string(),
        }
    }

    fn send(&mut self, status: &str) {
        let body = format!(r#"{{"user_id":"{}","status":"{status}"}}"#, self.user);
        let request = format!(
            "PUT /api/v4/users/me/status HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            self.token,
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).unwrap();
    }

    fn read_answer(&mut self) {
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            self.stream.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).unwrap();
    }
}

/// The hand-written client: tungstenite over a TcpStream, the token on the upgrade.
fn hand_connect(addr: std::net::SocketAddr, user: &FakeUser) -> WebSocket<TcpStream> {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut request = format!("ws://{addr}/api/v4/websocket")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", user.token).parse().unwrap(),
    );
    let (mut ws, _) = tungstenite::client(request, stream).unwrap();
    // Until the hello.
    loop {
        if let Message::Text(text) = ws.read().unwrap() {
            if text.as_str().contains("\"hello\"") {
                break;
            }
        }
    }
    ws
}

/// The hand-written side's "next status_change": read text frames, parse, pick.
fn hand_next_status(ws: &mut WebSocket<TcpStream>) -> String {
    loop {
        if let Message::Text(text) = ws.read().unwrap() {
            let value: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            if value["event"] == "status_change" {
                return value["data"]["status"].as_str().unwrap().to_owned();
            }
        }
    }
}

fn crate_next_status(live: &mut LiveStream) -> String {
    loop {
        if let LiveEvent::Status(change) = live.next_event().unwrap() {
            return change.status.to_string();
        }
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

const STATUSES: [&str; 2] = ["away", "dnd"];

/// Times `n` status changes, each from the request to the event; the median.
fn batch(trigger: &mut Trigger, n: usize, next: &mut dyn FnMut() -> String) -> f64 {
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let status = STATUSES[i % 2];
        let start = Instant::now();
        trigger.send(status);
        let got = next();
        samples.push(start.elapsed().as_secs_f64());
        assert_eq!(got, status);
        trigger.read_answer();
    }
    median(&mut samples)
}

fn main() {
    let fake = FakeServer::new();
    let server = fake.serve().unwrap();
    let addr = server.addr();
    let alice = fake.user("alice").unwrap();
    let bob = fake.user("bob").unwrap();
    let session = Session::builder(server.url())
        .token(alice.token.clone())
        .no_proxy()
        .build()
        .unwrap();
    let mut live = session.live().unwrap();
    let mut hand = hand_connect(addr, &bob);
    let mut crate_trigger = Trigger::new(addr, &alice);
    let mut hand_trigger = Trigger::new(addr, &bob);
    // Settle: the online from connecting, and a first change each.
    std::thread::sleep(Duration::from_millis(200));
    while live
        .next_timeout(Duration::from_millis(50))
        .unwrap()
        .is_some()
    {}
    let _ = hand
        .get_mut()
        .set_read_timeout(Some(Duration::from_millis(50)));
    while hand.read().is_ok() {}
    let _ = hand.get_mut().set_read_timeout(None);
    batch(&mut crate_trigger, 20, &mut || crate_next_status(&mut live));
    batch(&mut hand_trigger, 20, &mut || hand_next_status(&mut hand));

    let rounds = 15;
    let per_round = 100;
    let (mut crate_t, mut hand_t, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (c, h) = if round % 2 == 0 {
            let c = batch(&mut crate_trigger, per_round, &mut || {
                crate_next_status(&mut live)
            });
            let h = batch(&mut hand_trigger, per_round, &mut || {
                hand_next_status(&mut hand)
            });
            (c, h)
        } else {
            let h = batch(&mut hand_trigger, per_round, &mut || {
                hand_next_status(&mut hand)
            });
            let c = batch(&mut crate_trigger, per_round, &mut || {
                crate_next_status(&mut live)
            });
            (c, h)
        };
        crate_t.push(c);
        hand_t.push(h);
        ratios.push(c / h);
    }
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    println!("live: HTTP status change -> event out of the client, over loopback ({rounds} rounds x {per_round})");
    println!("| side | median per event |");
    println!("|---|---|");
    println!(
        "| crate (LiveStream::next_event) | {:.1} µs |",
        median(&mut crate_t) * 1e6
    );
    println!(
        "| hand-written tungstenite | {:.1} µs |",
        median(&mut hand_t) * 1e6
    );
    println!(
        "ratio crate / hand: median {:.3}, IQR {:.3}-{:.3}",
        median(&mut ratios),
        quantile(&sorted, 0.25),
        quantile(&sorted, 0.75)
    );
    live.close().unwrap();
    drop(hand);

    // Memory per open stream, on this thread.
    let k = 50;
    COUNTED_THREAD.store(THREAD_TAG.with(|t| *t), Ordering::Relaxed);
    NET_BYTES.store(0, Ordering::Relaxed);
    let streams: Vec<LiveStream> = (0..k).map(|_| session.live().unwrap()).collect();
    let crate_bytes = NET_BYTES.load(Ordering::Relaxed);
    NET_BYTES.store(0, Ordering::Relaxed);
    let hands: Vec<WebSocket<TcpStream>> = (0..k).map(|_| hand_connect(addr, &alice)).collect();
    let hand_bytes = NET_BYTES.load(Ordering::Relaxed);
    COUNTED_THREAD.store(0, Ordering::Relaxed);
    println!(
        "heap kept per open stream ({k} streams): crate {:.1} KiB, tungstenite defaults {:.1} KiB",
        crate_bytes as f64 / k as f64 / 1024.0,
        hand_bytes as f64 / k as f64 / 1024.0
    );
    for stream in streams {
        let _ = stream.close();
    }
    drop(hands);
}
