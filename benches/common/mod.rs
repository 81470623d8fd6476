//! Shared by the benches: a minimal keep-alive HTTP/1.1 server on 127.0.0.1 answering
//! canned, real-shaped Mattermost JSON; the hand-written baseline client (the same ureq
//! agent configuration + serde_json, no crate); the fixtures.
//!
//! The server does as little as it can (parse the request head, read the body, write one
//! pre-built answer with the headers a real Mattermost sends), so its cost is small and
//! the same for both sides.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mattermost_status::transport::{HttpRequest, HttpResponse, Transport};
use mattermost_status::{
    GetStatus, GetStatusesByIds, Session, Status, StatusKind, Statuses, TransportError,
    UpdateStatus, UserId,
};
use serde::{Deserialize, Serialize};

pub const TOKEN: &str = "xd8u7tkpcfbbdgbwqisuwmkq7a";
pub const USER: &str = "4xp9fdt77pncbef59f4k1qe83o";
pub const SIZES: [usize; 3] = [1, 100, 10_000];
const JSON: &str = "application/json";
const LIMIT: u64 = mattermost_status::DEFAULT_MAX_RESPONSE_BYTES;

/// `n` distinct valid ids, in a shuffled (not sorted) order.
pub fn ids(n: usize) -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ n as u64;
    (0..n)
        .map(|i| {
            let mut id = String::with_capacity(26);
            for _ in 0..20 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                id.push(ALPHABET[(state >> 33) as usize % ALPHABET.len()] as char);
            }
            // six base-36 digits of i keep them distinct
            let mut k = i;
            for _ in 0..6 {
                id.push(ALPHABET[k % 36] as char);
                k /= 36;
            }
            id
        })
        .collect()
}

fn status_json(out: &mut String, i: usize, id: &str, kind: &str) {
    let manual = kind != "online";
    let dnd_end = if kind == "dnd" { 1_764_003_600 } else { 0 };
    out.push_str(&format!(
        r#"{{"user_id":"{id}","status":"{kind}","manual":{manual},"last_activity_at":{},"dnd_end_time":{dnd_end}}}"#,
        1_764_000_000_000u64 + i as u64
    ));
}

/// The server's answer to `POST /users/status/ids` for these ids: sorted, as the server
/// sorts them.
pub fn statuses_body(ids: &[String]) -> Vec<u8> {
    let mut sorted: Vec<&String> = ids.iter().collect();
    sorted.sort();
    sorted.dedup();
    let kinds = ["online", "away", "offline", "dnd"];
    let mut out = String::with_capacity(ids.len() * 110 + 2);
    out.push('[');
    for (i, id) in sorted.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        status_json(&mut out, i, id, kinds[i % 4]);
    }
    out.push(']');
    out.into_bytes()
}

pub fn status_body(kind: &str) -> Vec<u8> {
    let mut out = String::new();
    status_json(&mut out, 7, USER, kind);
    out.into_bytes()
}

fn http_answer(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\n\
         Content-Type: application/json\r\n\
         Date: Wed, 25 Nov 2026 12:00:00 GMT\r\n\
         Expires: 0\r\n\
         Vary: Accept-Encoding\r\n\
         X-Content-Type-Options: nosniff\r\n\
         X-Request-Id: 8kd3hx9f1pgqbyt6ujxw5nxy3c\r\n\
         X-Version-Id: 10.5.0.12345.d41d8cd98f00b204e9800998ecf8427e.false\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

type Fingerprint = (usize, Vec<u8>, Vec<u8>);

fn fingerprint(body: &[u8]) -> Fingerprint {
    let edge = body.len().min(40);
    (
        body.len(),
        body[..edge].to_vec(),
        body[body.len() - edge..].to_vec(),
    )
}

struct Answers {
    get: Vec<u8>,
    put: Vec<u8>,
    /// By a cheap fingerprint of the request body (length, first and last 40 bytes):
    /// the fixtures' lists; any other list is answered by parsing it.
    by_body: HashMap<Fingerprint, Vec<u8>>,
}

/// Starts the server on an ephemeral port; returns its base URL. One thread per
/// connection; each connection serves requests until the client closes it.
pub fn start_server(id_lists: &[Vec<String>]) -> String {
    start_server_counting(id_lists).0
}

/// [`start_server`], and the number of connections it has accepted so far.
pub fn start_server_counting(id_lists: &[Vec<String>]) -> (String, Arc<AtomicUsize>) {
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    let mut by_body = HashMap::new();
    for list in id_lists {
        let body = serde_json::to_vec(list).unwrap();
        by_body.insert(fingerprint(&body), http_answer(&statuses_body(list)));
    }
    let answers = Arc::new(Answers {
        get: http_answer(&status_body("online")),
        put: http_answer(&status_body("away")),
        by_body,
    });
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            counter.fetch_add(1, Ordering::Relaxed);
            let answers = Arc::clone(&answers);
            std::thread::spawn(move || serve(stream, &answers));
        }
    });
    (format!("http://{addr}"), accepted)
}

fn serve(stream: TcpStream, answers: &Answers) {
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let method = line.split(' ').next().unwrap_or("").to_owned();
        let mut content_length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        body.resize(content_length, 0);
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let dynamic;
        let answer: &[u8] = match method.as_str() {
            "GET" => &answers.get,
            "PUT" => &answers.put,
            _ => match answers.by_body.get(&fingerprint(&body)) {
                Some(a) => a,
                None => {
                    let list: Vec<String> = serde_json::from_slice(&body).unwrap();
                    dynamic = http_answer(&statuses_body(&list));
                    &dynamic
                }
            },
        };
        if writer.write_all(answer).is_err() {
            return;
        }
    }
}

/// A status as hand-written code would decode it: plain strings and numbers.
#[derive(Debug, Deserialize)]
pub struct RawStatus {
    pub user_id: String,
    pub status: String,
    #[serde(default)]
    pub manual: bool,
    #[serde(default)]
    pub last_activity_at: i64,
    #[serde(default)]
    pub dnd_end_time: i64,
    #[serde(default)]
    pub active_channel: Option<String>,
}

#[derive(Serialize)]
struct RawUpdate<'a> {
    user_id: &'a str,
    status: &'a str,
}

/// The baseline: the same requests written by hand with a ureq agent configured as the
/// crate's (no redirects, statuses as answers, same timeouts) and serde_json, sending
/// the same headers and reading the body with the same size limit.
pub struct Hand {
    agent: ureq::Agent,
    api: String,
    auth: String,
}

impl Hand {
    pub fn new(base: &str) -> Self {
        Self::with_timeouts(base, true)
    }

    /// The same client, without any timeout when `timeouts` is false: the floor of
    /// this stack (ureq resolves the host on the calling thread then, with no thread).
    pub fn with_timeouts(base: &str, timeouts: bool) -> Self {
        let (connect, global) = if timeouts {
            (Some(Duration::from_secs(10)), Some(Duration::from_secs(30)))
        } else {
            (None, None)
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent("")
            .accept("")
            .accept_encoding("")
            .timeout_connect(connect)
            .timeout_global(global)
            .build();
        Hand {
            agent: ureq::Agent::new_with_config(config),
            api: format!("{base}/api/v4"),
            auth: format!("Bearer {TOKEN}"),
        }
    }

    fn read<T: serde::de::DeserializeOwned>(mut response: ureq::http::Response<ureq::Body>) -> T {
        assert_eq!(response.status(), 200);
        let body = response
            .body_mut()
            .with_config()
            .limit(LIMIT)
            .read_to_vec()
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    pub fn get_status(&self, id: &str) -> RawStatus {
        let url = format!("{}/users/{id}/status", self.api);
        let response = self
            .agent
            .get(&url)
            .header("Authorization", &self.auth)
            .header("Accept", JSON)
            .header("User-Agent", mattermost_status::DEFAULT_USER_AGENT)
            .header("X-Requested-With", "XMLHttpRequest")
            .call()
            .unwrap();
        Self::read(response)
    }

    pub fn update_status(&self, id: &str, status: &str) -> RawStatus {
        let url = format!("{}/users/{id}/status", self.api);
        let body = serde_json::to_vec(&RawUpdate {
            user_id: id,
            status,
        })
        .unwrap();
        let response = self
            .agent
            .put(&url)
            .header("Authorization", &self.auth)
            .header("Accept", JSON)
            .header("User-Agent", mattermost_status::DEFAULT_USER_AGENT)
            .header("X-Requested-With", "XMLHttpRequest")
            .header("Content-Type", JSON)
            .send(&body[..])
            .unwrap();
        Self::read(response)
    }

    pub fn statuses_by_ids(&self, ids: &[String]) -> Vec<RawStatus> {
        let url = format!("{}/users/status/ids", self.api);
        let body = serde_json::to_vec(ids).unwrap();
        let response = self
            .agent
            .post(&url)
            .header("Authorization", &self.auth)
            .header("Accept", JSON)
            .header("User-Agent", mattermost_status::DEFAULT_USER_AGENT)
            .header("X-Requested-With", "XMLHttpRequest")
            .header("Content-Type", JSON)
            .send(&body[..])
            .unwrap();
        Self::read(response)
    }
}

/// Everything a bench needs, built once: the server, a crate session with the default
/// transport, the hand-written client, the id lists in both forms.
pub struct Net {
    pub session: Session,
    pub hand: Hand,
    pub user: UserId,
    pub lists: Vec<(Vec<String>, Vec<UserId>)>,
}

impl Net {
    pub fn new() -> Self {
        let lists: Vec<Vec<String>> = SIZES.iter().map(|&n| ids(n)).collect();
        let base = start_server(&lists);
        let session = Session::builder(&base).token(TOKEN).build().unwrap();
        Net {
            session,
            hand: Hand::new(&base),
            user: USER.parse().unwrap(),
            lists: lists
                .into_iter()
                .map(|l| {
                    let parsed = l.iter().map(|s| s.parse().unwrap()).collect();
                    (l, parsed)
                })
                .collect(),
        }
    }

    pub fn list(&self, n: usize) -> &(Vec<String>, Vec<UserId>) {
        self.lists.iter().find(|(l, _)| l.len() == n).unwrap()
    }
}

impl Default for Net {
    fn default() -> Self {
        Self::new()
    }
}

// ---- the operations, each side, as the benches time them ----

pub fn crate_get(session: &Session, user: UserId) -> Status {
    GetStatus::new(user).send(session).unwrap()
}

pub fn crate_update(session: &Session, user: UserId) -> Status {
    UpdateStatus::new(user)
        .status(StatusKind::Away)
        .send(session)
        .unwrap()
}

/// The ids are the caller's `Vec<UserId>`; the request takes its own copy, as a user's
/// code would (`new(ids.iter().copied())`), and that copy is part of the time.
pub fn crate_by_ids(session: &Session, ids: &[UserId]) -> Statuses {
    GetStatusesByIds::new(ids.iter().copied())
        .send(session)
        .unwrap()
}

// ---- in process: no network ----

/// A transport answering every request with a pre-built body, as the network would
/// (one copy of the body into a fresh `Vec`, like reading it from the socket).
#[derive(Debug)]
pub struct Canned {
    pub get: Vec<u8>,
    pub put: Vec<u8>,
    /// (request body length, answer); a short list, searched without hashing.
    pub by_len: Vec<(usize, Vec<u8>)>,
}

impl Transport for Canned {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let body = match (request.method(), request.body()) {
            (mattermost_status::transport::Method::Get, _) => &self.get,
            (mattermost_status::transport::Method::Put, _) => &self.put,
            (_, b) => {
                let len = b.map_or(0, <[u8]>::len);
                &self.by_len.iter().find(|(l, _)| *l == len).unwrap().1
            }
        };
        Ok(HttpResponse::new(200, body.to_vec()))
    }
}

/// In-process fixtures: a session on [`Canned`], and the canned bodies for the
/// hand-written side.
pub struct Local {
    pub session: Session,
    pub user: UserId,
    pub get: Vec<u8>,
    pub put: Vec<u8>,
    pub lists: Vec<(Vec<String>, Vec<UserId>, Vec<u8>)>,
}

impl Local {
    pub fn new() -> Self {
        let lists: Vec<(Vec<String>, Vec<UserId>, Vec<u8>)> = SIZES
            .iter()
            .map(|&n| {
                let l = ids(n);
                let parsed = l.iter().map(|s| s.parse().unwrap()).collect();
                let body = statuses_body(&l);
                (l, parsed, body)
            })
            .collect();
        let canned = Canned {
            get: status_body("online"),
            put: status_body("away"),
            by_len: lists
                .iter()
                .map(|(l, _, body)| (serde_json::to_vec(l).unwrap().len(), body.clone()))
                .collect(),
        };
        Local {
            get: canned.get.clone(),
            put: canned.put.clone(),
            session: Session::builder("https://chat.example.com")
                .token(TOKEN)
                .transport(canned)
                .build()
                .unwrap(),
            user: USER.parse().unwrap(),
            lists,
        }
    }

    pub fn list(&self, n: usize) -> &(Vec<String>, Vec<UserId>, Vec<u8>) {
        self.lists.iter().find(|(l, _, _)| l.len() == n).unwrap()
    }
}

impl Default for Local {
    fn default() -> Self {
        Self::new()
    }
}

/// The hand-written in-process work of one request: the URL, the body, one copy of the
/// answer (standing for the read from the socket), the decode.
pub fn hand_local_get(user: &str, answer: &[u8]) -> (String, RawStatus) {
    let url = format!("https://chat.example.com/api/v4/users/{user}/status");
    let copy = answer.to_vec();
    (url, serde_json::from_slice(&copy).unwrap())
}

pub fn hand_local_update(user: &str, answer: &[u8]) -> (String, Vec<u8>, RawStatus) {
    let url = format!("https://chat.example.com/api/v4/users/{user}/status");
    let body = serde_json::to_vec(&RawUpdate {
        user_id: user,
        status: "away",
    })
    .unwrap();
    let copy = answer.to_vec();
    (url, body, serde_json::from_slice(&copy).unwrap())
}

pub fn hand_local_by_ids(ids: &[String], answer: &[u8]) -> (String, Vec<u8>, Vec<RawStatus>) {
    let url = "https://chat.example.com/api/v4/users/status/ids".to_owned();
    let body = serde_json::to_vec(ids).unwrap();
    let copy = answer.to_vec();
    (url, body, serde_json::from_slice(&copy).unwrap())
}
