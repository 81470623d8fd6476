//! What `mmstatus watch` costs, on the websocket against the same watch with `--poll`,
//! measured side by side in one run (BENCHMARKS.md §7). Ignored: run by
//! `bash benches/live_cost.sh`, which prints the figures.
//!
//! - idle: `watch me` (pushed) and `watch me --poll` (every 5 s), each against its own
//!   fake over loopback, for `LIVE_COST_SECS` (default 60): CPU time and wake-ups
//!   (voluntary context switches) per minute, resident memory at the end;
//! - 1,000 users: `watch` of 1,000 users by socket polling and by HTTP polling, every
//!   5 s, each through a counting TCP relay: HTTP requests and bytes (both ways) per
//!   minute.
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mattermost_status::fake::FakeServer;

mod common;

fn secs() -> u64 {
    std::env::var("LIVE_COST_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60)
}

/// CPU time (ns, all threads), voluntary + involuntary context switches, VmRSS (kB).
fn proc_figures(pid: u32) -> (u64, u64, u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // Threads: the ctrlc thread sleeps in read(2) forever; sum over all of them.
    let _ = ticks;
    let mut voluntary = 0;
    let mut involuntary = 0;
    let mut cpu_ns = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let task = task.unwrap().path();
        // schedstat's first field: nanoseconds on a CPU (finer than the clock tick).
        cpu_ns += std::fs::read_to_string(task.join("schedstat"))
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let status = std::fs::read_to_string(task.join("status")).unwrap_or_default();
        for line in status.lines() {
            let n = |l: &str| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap();
            if line.starts_with("voluntary_ctxt_switches") {
                voluntary += n(line);
            } else if line.starts_with("nonvoluntary_ctxt_switches") {
                involuntary += n(line);
            }
        }
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap();
    (cpu_ns, voluntary, involuntary, rss)
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(url: &str, token: &str, args: &[&str]) -> Killed {
    Killed(
        common::mmstatus(url, token)
            .arg("watch")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// A TCP relay to `to` counting the bytes both ways.
fn counting_relay(to: SocketAddr, bytes: Arc<AtomicU64>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            let Ok(server) = TcpStream::connect(to) else {
                continue;
            };
            for (mut from, mut into) in [
                (client.try_clone().unwrap(), server.try_clone().unwrap()),
                (server, client),
            ] {
                let bytes = bytes.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16384];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || into.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        bytes.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    let _ = into.shutdown(std::net::Shutdown::Write);
                });
            }
        }
    });
    url
}

#[test]
#[ignore = "run by benches/live_cost.sh"]
fn idle_watch_and_1000_users_push_against_poll() {
    let secs = secs();
    let per_minute = |x: f64| x * 60.0 / secs as f64;
    // --- idle: watch me ---
    let push_fake = FakeServer::new();
    let poll_fake = FakeServer::new();
    let push_http = push_fake.serve().unwrap();
    let poll_http = poll_fake.serve().unwrap();
    let alice = push_fake.user("alice").unwrap();
    let alice_poll = poll_fake.user("alice").unwrap();
    // --- 1,000 users ---
    let (socket_fake, http_fake) = (FakeServer::new(), FakeServer::new());
    let mut socket_ids = Vec::new();
    let mut http_ids = Vec::new();
    for i in 0..1000 {
        socket_ids.push(socket_fake.add_user(&format!("u{i}")).id.to_string());
        http_ids.push(http_fake.add_user(&format!("u{i}")).id.to_string());
    }
    let (socket_bytes, http_bytes) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let socket_server = socket_fake.serve().unwrap();
    let http_server = http_fake.serve().unwrap();
    let socket_url = counting_relay(socket_server.addr(), socket_bytes.clone());
    let http_url = counting_relay(http_server.addr(), http_bytes.clone());
    let socket_token = socket_fake.user("alice").unwrap().token;
    let http_token = http_fake.user("alice").unwrap().token;
    let socket_args: Vec<&str> = socket_ids.iter().map(String::as_str).collect();
    let mut http_args: Vec<&str> = http_ids.iter().map(String::as_str).collect();
    http_args.push("--poll");

    let push = spawn(push_http.url(), &alice.token, &["me"]);
    let poll = spawn(poll_http.url(), &alice_poll.token, &["me", "--poll"]);
    let socket = spawn(&socket_url, &socket_token, &socket_args);
    let http = spawn(&http_url, &http_token, &http_args);
    // Start-up is not idle: figures from 5 s in.
    std::thread::sleep(Duration::from_secs(5));
    let start = [push.0.id(), poll.0.id()].map(proc_figures);
    let counts = (
        socket_fake.request_count(),
        http_fake.request_count(),
        socket_bytes.load(Ordering::Relaxed),
        http_bytes.load(Ordering::Relaxed),
    );
    let began = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let elapsed = began.elapsed().as_secs_f64();
    let end = [push.0.id(), poll.0.id()].map(proc_figures);
    let (sr, hr, sb, hb) = (
        socket_fake.request_count() - counts.0,
        http_fake.request_count() - counts.1,
        socket_bytes.load(Ordering::Relaxed) - counts.2,
        http_bytes.load(Ordering::Relaxed) - counts.3,
    );
    let scale = 60.0 / elapsed;
    for (name, (s, e)) in ["watch me (push)", "watch me --poll (5 s)"]
        .iter()
        .zip(start.iter().zip(end.iter()))
    {
        println!(
            "cost: {name}: CPU {:.1} ms/min, wake-ups {:.0}/min (voluntary {:.0}, involuntary {:.0}), RSS {} KiB",
            per_minute((e.0 - s.0) as f64 / 1e6),
            (e.1 + e.2 - s.1 - s.2) as f64 * scale,
            (e.1 - s.1) as f64 * scale,
            (e.2 - s.2) as f64 * scale,
            e.3
        );
    }
    println!(
        "cost: 1,000 users by socket polling (5 s): {:.1} HTTP requests/min, {:.1} KiB/min on the wire",
        sr as f64 * scale,
        sb as f64 * scale / 1024.0
    );
    println!(
        "cost: 1,000 users by HTTP polling (5 s): {:.1} HTTP requests/min, {:.1} KiB/min on the wire",
        hr as f64 * scale,
        hb as f64 * scale / 1024.0
    );
    drop((push, poll, socket, http));
    for s in [push_http, poll_http, socket_server, http_server] {
        s.stop();
    }
}
