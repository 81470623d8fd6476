//! The crate against the floor of its stack, on one kept-alive connection:
//! `bash benches/floor.sh` (starts nginx with canned answers, runs every mode below).
//!
//! Clients, each on its own kept-alive connection to the same server:
//! - `crate`: a `Session` with the built-in transport (a whole-call deadline, always);
//! - `crate_curl` (cargo feature `curl`): a `Session` on `CurlTransport`;
//! - `ureq_timeouts`: hand-written ureq + serde_json, the crate's agent configuration
//!   (connect 10 s, global 30 s);
//! - `ureq_floor`: the same without any timeout: the floor of this stack;
//! - `raw_tcp`: a `std::net::TcpStream` HTTP/1.1 keep-alive client written for these
//!   three answers (one write, a buffered read of the head, `Content-Length`, the body,
//!   serde_json): the gap to the wire.
//!
//! Adding a transport is one line in [`clients`].
//!
//! Modes (the server is `FLOOR_URL`, else an in-process `std::net` server):
//! - default: per-call wall clock, the clients called in turn call by call (the order
//!   rotating), medians per round, ratios to `ureq_floor` per round; `FLOOR_ROUNDS`
//!   rounds (default 15) of `FLOOR_PAIRS` turns (default 300), fresh clients each round;
//! - `--allocs`: heap allocations per call of each client (every thread of the process);
//! - `--calls CLIENT OP N`: one warm-up call, then N calls: for `strace -f -c`;
//! - `--threads`: one `Session` shared by 1, 2, 4, 8 threads, calls per second and the
//!   connections the server accepted (`FLOOR_ACCESS_LOG`: nginx's log of `$connection`
//!   per request; else the in-process server's accept count).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mattermost_status::{Session, UserId};

mod common;
use common::{Hand, RawStatus, TOKEN, USER};

// ---- counting allocator ----

struct Counting;
static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// ---- the server ----

struct Server {
    base: String,
    /// The in-process server's accept count, when it is the server.
    accepted: Option<Arc<AtomicUsize>>,
    ids: Vec<String>,
}

impl Server {
    fn new() -> Self {
        let ids = common::ids(100);
        match std::env::var("FLOOR_URL") {
            Ok(base) => Server {
                base,
                accepted: None,
                ids,
            },
            Err(_) => {
                let (base, accepted) = common::start_server_counting(std::slice::from_ref(&ids));
                Server {
                    base,
                    accepted: Some(accepted),
                    ids,
                }
            }
        }
    }

    /// Connections opened so far, as the server counts them.
    fn connections(&self) -> usize {
        if let Some(a) = &self.accepted {
            return a.load(Ordering::Relaxed);
        }
        let Ok(path) = std::env::var("FLOOR_ACCESS_LOG") else {
            return 0;
        };
        // nginx writes one line per request: its connection serial number.
        let log = std::fs::read_to_string(path).unwrap_or_default();
        log.lines().collect::<HashSet<_>>().len()
    }
}

// ---- the raw client ----

/// A keep-alive HTTP/1.1 client on one `TcpStream`, for these answers only: the floor
/// of any client in Rust (no timeouts, no pool, no header map).
struct Raw {
    addr: String,
    host: String,
    auth: String,
    conn: Mutex<Option<(BufReader<TcpStream>, Vec<u8>)>>,
}

impl Raw {
    fn new(base: &str) -> Self {
        let addr = base.trim_start_matches("http://").to_owned();
        Raw {
            host: addr.clone(),
            addr,
            auth: format!("Bearer {TOKEN}"),
            conn: Mutex::new(None),
        }
    }

    fn call<T: serde::de::DeserializeOwned>(&self, method: &str, path: &str, body: &[u8]) -> T {
        let mut guard = self.conn.lock().unwrap();
        let (reader, out) = guard.get_or_insert_with(|| {
            let stream = TcpStream::connect(&self.addr).unwrap();
            stream.set_nodelay(true).unwrap();
            (BufReader::with_capacity(16 * 1024, stream), Vec::new())
        });
        out.clear();
        write!(
            out,
            "{method} /api/v4{path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
             Accept: application/json\r\nUser-Agent: {}\r\nX-Requested-With: XMLHttpRequest\r\n",
            self.host,
            self.auth,
            mattermost_status::DEFAULT_USER_AGENT
        )
        .unwrap();
        if !body.is_empty() {
            write!(
                out,
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            )
            .unwrap();
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        reader.get_mut().write_all(out).unwrap();
        // The head: status line and headers, up to the empty line.
        let mut length = 0usize;
        let mut status_line = true;
        loop {
            out.clear();
            reader.read_until(b'\n', out).unwrap();
            if status_line {
                assert!(out.starts_with(b"HTTP/1.1 200"), "{out:?}");
                status_line = false;
                continue;
            }
            if out == b"\r\n" {
                break;
            }
            if out.len() > 15 && out[..15].eq_ignore_ascii_case(b"content-length:") {
                length = std::str::from_utf8(&out[15..])
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap();
            }
        }
        let mut answer = vec![0; length];
        reader.read_exact(&mut answer).unwrap();
        serde_json::from_slice(&answer).unwrap()
    }
}

// ---- the clients and operations ----

type Op<'a> = Box<dyn Fn() + Send + Sync + 'a>;

/// One client's three operations.
struct Client<'a> {
    name: &'static str,
    get: Op<'a>,
    update: Op<'a>,
    by_ids: Op<'a>,
}

#[derive(serde::Serialize)]
struct RawUpdate<'a> {
    user_id: &'a str,
    status: &'a str,
}

fn crate_client<'a>(name: &'static str, session: Session, s: &'a Server) -> Client<'a> {
    let session = Arc::new(session);
    let user: UserId = USER.parse().unwrap();
    let ids: Vec<UserId> = s.ids.iter().map(|i| i.parse().unwrap()).collect();
    let (a, b) = (Arc::clone(&session), Arc::clone(&session));
    Client {
        name,
        get: Box::new(move || {
            black_box(common::crate_get(&a, black_box(user)));
        }),
        update: Box::new(move || {
            black_box(common::crate_update(&b, black_box(user)));
        }),
        by_ids: Box::new(move || {
            black_box(common::crate_by_ids(&session, black_box(&ids)));
        }),
    }
}

fn hand_client<'a>(name: &'static str, hand: Hand, s: &'a Server) -> Client<'a> {
    let hand = Arc::new(hand);
    let (a, b) = (Arc::clone(&hand), Arc::clone(&hand));
    Client {
        name,
        get: Box::new(move || {
            black_box(a.get_status(black_box(USER)));
        }),
        update: Box::new(move || {
            black_box(b.update_status(black_box(USER), "away"));
        }),
        by_ids: Box::new(move || {
            black_box(hand.statuses_by_ids(black_box(&s.ids)));
        }),
    }
}

fn raw_client(s: &Server) -> Client<'_> {
    let raw = Arc::new(Raw::new(&s.base));
    let (a, b) = (Arc::clone(&raw), Arc::clone(&raw));
    let get_path = format!("/users/{USER}/status");
    let put_path = get_path.clone();
    Client {
        name: "raw_tcp",
        get: Box::new(move || {
            black_box(a.call::<RawStatus>("GET", &get_path, b""));
        }),
        update: Box::new(move || {
            let body = serde_json::to_vec(&RawUpdate {
                user_id: USER,
                status: "away",
            })
            .unwrap();
            black_box(b.call::<RawStatus>("PUT", &put_path, &body));
        }),
        by_ids: Box::new(move || {
            let body = serde_json::to_vec(&s.ids).unwrap();
            black_box(raw.call::<Vec<RawStatus>>("POST", "/users/status/ids", &body));
        }),
    }
}

fn session(base: &str) -> Session {
    Session::builder(base).token(TOKEN).build().unwrap()
}

/// The crate on its libcurl transport (cargo feature `curl`).
#[cfg(feature = "curl")]
fn curl_session(base: &str) -> Session {
    Session::builder(base)
        .token(TOKEN)
        .no_proxy()
        .curl()
        .build()
        .unwrap()
}

/// Every client, fresh (new connections). The first is the crate; `ureq_floor` is the
/// reference of the ratios. A new transport is one more line here.
fn clients(s: &Server) -> Vec<Client<'_>> {
    vec![
        crate_client("crate", session(&s.base), s),
        #[cfg(feature = "curl")]
        crate_client("crate_curl", curl_session(&s.base), s),
        hand_client("ureq_timeouts", Hand::with_timeouts(&s.base, true), s),
        hand_client("ureq_floor", Hand::with_timeouts(&s.base, false), s),
        raw_client(s),
    ]
}

const OPS: [&str; 3] = ["get_status", "update_status", "by_ids_100"];
const FLOOR: &str = "ureq_floor";

fn op<'c>(client: &'c Client<'_>, name: &str) -> &'c (dyn Fn() + Send + Sync) {
    match name {
        "get_status" => &*client.get,
        "update_status" => &*client.update,
        "by_ids_100" => &*client.by_ids,
        other => panic!("no operation {other}: one of {OPS:?}"),
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--write-bodies") {
        write_bodies(std::path::Path::new(&args[i + 1]));
        return;
    }
    if args.iter().any(|a| a == "--free-port") {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        println!("{}", listener.local_addr().unwrap().port());
        return;
    }
    let server = Server::new();
    if let Some(i) = args.iter().position(|a| a == "--calls") {
        let (who, what) = (&args[i + 1], &args[i + 2]);
        let n: usize = args[i + 3].parse().unwrap();
        let all = clients(&server);
        let client = all.iter().find(|c| c.name == who).unwrap();
        let f = op(client, what);
        f();
        for _ in 0..n {
            f();
        }
        return;
    }
    if args.iter().any(|a| a == "--allocs") {
        allocs(&server);
        return;
    }
    if args.iter().any(|a| a == "--threads") {
        threads(&server);
        return;
    }
    timings(&server);
}

/// The answers nginx serves (`benches/floor.sh`), the same bytes as the in-process
/// server's.
fn write_bodies(dir: &std::path::Path) {
    std::fs::write(dir.join("get.json"), common::status_body("online")).unwrap();
    std::fs::write(dir.join("put.json"), common::status_body("away")).unwrap();
    std::fs::write(
        dir.join("ids.json"),
        common::statuses_body(&common::ids(100)),
    )
    .unwrap();
}

fn allocs(server: &Server) {
    let all = clients(server);
    print!("| allocations per call |");
    for c in &all {
        print!(" {} |", c.name);
    }
    println!();
    println!("|---|{}", "---:|".repeat(all.len()));
    for name in OPS {
        print!("| {name} |");
        for c in &all {
            let f = op(c, name);
            f();
            let n = 200;
            ALLOCS.store(0, Ordering::Relaxed);
            COUNTING.store(true, Ordering::Relaxed);
            for _ in 0..n {
                f();
            }
            COUNTING.store(false, Ordering::Relaxed);
            print!(" {:.1} |", ALLOCS.load(Ordering::Relaxed) as f64 / n as f64);
        }
        println!();
    }
    if server.accepted.is_some() {
        println!("\n(in-process server: its threads' allocations are counted too, the same for every client)");
    }
}

fn timings(server: &Server) {
    let rounds = env_or("FLOOR_ROUNDS", 15);
    let pairs = env_or("FLOOR_PAIRS", 300);
    let names: Vec<&str> = clients(server).iter().map(|c| c.name).collect();
    let floor = names.iter().position(|n| *n == FLOOR).unwrap();
    // [op][client] -> per-round medians; [op][client] -> per-round ratio to the floor.
    let mut medians = vec![vec![Vec::new(); names.len()]; OPS.len()];
    let mut ratios = vec![vec![Vec::new(); names.len()]; OPS.len()];
    for round in 0..rounds {
        let all = clients(server);
        for (o, name) in OPS.iter().enumerate() {
            let fs: Vec<&(dyn Fn() + Send + Sync)> = all.iter().map(|c| op(c, name)).collect();
            for f in &fs {
                f();
                f();
            }
            let mut times = vec![Vec::with_capacity(pairs); fs.len()];
            for p in 0..pairs {
                // Each turn calls every client once, starting from a rotating one.
                for k in 0..fs.len() {
                    let c = (p + round + k) % fs.len();
                    let start = Instant::now();
                    fs[c]();
                    times[c].push(start.elapsed().as_secs_f64());
                }
            }
            let meds: Vec<f64> = times.iter_mut().map(|t| median(t)).collect();
            for c in 0..fs.len() {
                medians[o][c].push(meds[c]);
                ratios[o][c].push(meds[c] / meds[floor]);
            }
        }
    }
    println!("| per call (median, µs) | {} |", OPS.join(" | "));
    println!("|---|{}", "---:|".repeat(OPS.len()));
    for (c, name) in names.iter().enumerate() {
        let cells: Vec<String> = (0..OPS.len())
            .map(|o| {
                let t = median(&mut medians[o][c]) * 1e6;
                let r = &mut ratios[o][c];
                let m = median(r);
                let (q1, q3) = (r[(r.len() - 1) / 4], r[(r.len() - 1) * 3 / 4]);
                format!("{t:.1} µs ({m:.3}× floor, IQR {q1:.3}–{q3:.3})")
            })
            .collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    println!(
        "\n{rounds} rounds × {pairs} turns; each turn calls every client once (order rotating); \
         per round the median per client and its ratio to {FLOOR}; shown: the median over \
         rounds and the ratios' interquartile range. Server: {}.",
        if server.accepted.is_some() {
            "in-process std::net server"
        } else {
            "FLOOR_URL"
        }
    );
}

fn threads(server: &Server) {
    let total = env_or("FLOOR_THREAD_CALLS", 4000);
    println!("| client | threads | calls | calls/s | connections opened |");
    println!("|---|---:|---:|---:|---:|");
    let names: Vec<&str> = clients(server).iter().map(|c| c.name).collect();
    for who in ["crate", "crate_curl", "ureq_timeouts"] {
        if !names.contains(&who) {
            continue;
        }
        for n in [1usize, 2, 4, 8] {
            let all = clients(server);
            let client = all.iter().find(|c| c.name == who).unwrap();
            let f = op(client, "get_status");
            let before = server.connections();
            let start = Instant::now();
            std::thread::scope(|scope| {
                for _ in 0..n {
                    scope.spawn(|| {
                        for _ in 0..total / n {
                            f();
                        }
                    });
                }
            });
            let elapsed = start.elapsed();
            // nginx logs a request after answering it: give it a moment.
            std::thread::sleep(Duration::from_millis(50));
            let opened = server.connections() - before;
            let calls = total / n * n;
            println!(
                "| {who} | {n} | {calls} | {:.0} | {opened} |",
                calls as f64 / elapsed.as_secs_f64()
            );
        }
    }
}
