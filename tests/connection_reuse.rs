//! One session keeps its connection alive: N sequential requests, one TCP connection.

#![cfg(feature = "ureq")]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use mattermost_status::{GetStatus, Session, StatusKind, UpdateStatus, UserId};
use support::mock::*;
use support::*;

/// A keep-alive HTTP/1.1 server on loopback that counts connections and requests.
struct CountingServer {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl CountingServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (c, r) = (connections.clone(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                c.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                thread::spawn(move || serve(stream, &r));
            }
        });
        CountingServer {
            url,
            connections,
            requests,
        }
    }
}

fn serve(stream: std::net::TcpStream, requests: &AtomicUsize) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut content_length = 0usize;
        let mut line = String::new();
        // Request line, then headers up to the blank line.
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body).unwrap();
        requests.fetch_add(1, Ordering::SeqCst);
        let answer = status_json(ALICE, "online", false, 1, 0);
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn sequential_requests_share_one_connection() {
    let server = CountingServer::start();
    let session = Session::builder(&server.url).token(TOKEN).build().unwrap();
    const N: usize = 20;
    for i in 0..N {
        if i % 2 == 0 {
            GetStatus::new(UserId::me()).send(&session).unwrap();
        } else {
            UpdateStatus::new(id(ALICE))
                .status(StatusKind::Online)
                .send(&session)
                .unwrap();
        }
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), N);
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);

    // Clones of the session share the same pool.
    let clone = session.clone();
    thread::spawn(move || GetStatus::new(UserId::me()).send(&clone).unwrap())
        .join()
        .unwrap();
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}
