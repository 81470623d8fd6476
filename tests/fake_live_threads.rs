//! Every thread the fake's websocket starts ends when the connection closes or the fake
//! and its HTTP server go. Alone in its own test binary, so that the thread count of the
//! process is this test's alone (Linux: `/proc/self/task`).
#![cfg(all(feature = "fake", target_os = "linux"))]

use std::net::TcpStream;
use std::time::{Duration, Instant};

use mattermost_status::fake::{FakeServer, LiveTimings};
use mattermost_status::transport::{Stream, Transport};
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count)
}

fn wait_threads(n: usize, what: &str) {
    let end = Instant::now() + Duration::from_secs(10);
    while threads() != n {
        assert!(
            Instant::now() < end,
            "{what}: {} threads, expected {n}",
            threads()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn upgrade(stream: Box<dyn Stream>, token: &str) -> WebSocket<Box<dyn Stream>> {
    let mut req = "ws://fake-mattermost.invalid/api/v4/websocket"
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tungstenite::client::client_with_config(req, stream, None)
        .map_err(|e| e.to_string())
        .unwrap();
    ws.get_mut()
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let hello = ws.read().unwrap();
    assert!(matches!(hello, Message::Text(_)));
    ws
}

#[test]
fn every_websocket_thread_ends() {
    let base = threads();
    let fake = FakeServer::new();
    let mut t = LiveTimings::default();
    t.ping_interval = Duration::from_millis(50);
    fake.set_live_timings(t);
    let token = fake.user("alice").unwrap().token;
    let http = fake.serve().unwrap();
    let open = |n: usize| -> Vec<WebSocket<Box<dyn Stream>>> {
        (0..n)
            .map(|i| {
                let stream: Box<dyn Stream> = if i % 2 == 0 {
                    fake.open_stream("http://fake-mattermost.invalid", Duration::from_secs(5))
                        .unwrap()
                } else {
                    Box::new(TcpStream::connect(http.addr()).unwrap())
                };
                upgrade(stream, &token)
            })
            .collect()
    };

    // Connections closed by the client: their threads end.
    let with_server = threads();
    let conns = open(4);
    assert!(threads() > with_server);
    drop(conns);
    wait_threads(with_server, "after the clients closed");

    // Cut by the fake (and a socket that never upgrades): the same.
    let conns = open(4);
    let idle = fake
        .open_stream("http://fake-mattermost.invalid", Duration::from_secs(5))
        .unwrap();
    fake.drop_live_connections();
    drop(conns);
    drop(idle);
    wait_threads(with_server, "after drop_live_connections");

    // Left open: the HTTP server's stop and the fake's drop end them.
    let conns = open(6);
    http.stop();
    drop(fake);
    wait_threads(base, "after the fake and its server went");
    drop(conns);
}
