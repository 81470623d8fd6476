//! A small in-memory Mattermost status server on 127.0.0.1 for the integration tests.
//!
//! It follows /work/shared/mattermost-status-server.md for the seven status routes (auth,
//! `me`, the body's user_id rule, DND end truncated to the minute, unknown ids answered
//! as offline, recent custom statuses matched by their exact JSON). It is a stand-in
//! for the crate's embedded server (feature `fake`, issue 3): when that lands,
//! [`start_server`] is the one function to switch.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use mattermost_status::{CustomStatus, Status, StatusKind, UserId};

pub const TOKEN: &str = "test-token-1234";
pub const ME: &str = "4xp9fdt77pncbef59f4k1qe83o";
pub const ALICE: &str = "9jd3wz5ssbrp8ny7hcyqfj3y7a";
pub const BOB: &str = "bq6czqbqcjrxmrm3q4t9m4sk1e";

pub fn id(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

/// Starts a fresh server: the token's user is [`ME`] (online), [`ALICE`] is away.
pub fn start_server() -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    {
        let mut s = state.lock().unwrap();
        s.statuses
            .insert(ME.into(), Status::new(id(ME), StatusKind::Online));
        let mut alice = Status::new(id(ALICE), StatusKind::Away);
        alice.manual = true;
        s.statuses.insert(ALICE.into(), alice);
    }
    let shared = Arc::clone(&state);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = Arc::clone(&shared);
            std::thread::spawn(move || serve(stream, &state));
        }
    });
    TestServer { url, state }
}

#[derive(Default)]
pub struct State {
    pub statuses: BTreeMap<String, Status>,
    pub custom: BTreeMap<String, CustomStatus>,
    pub recent: BTreeMap<String, Vec<CustomStatus>>,
    /// `METHOD /path` of every request, in order.
    pub requests: Vec<String>,
}

pub struct TestServer {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl TestServer {
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn status(&self, user: &str) -> Status {
        self.state().statuses[user].clone()
    }

    pub fn set_status(&self, user: &str, kind: StatusKind, manual: bool, end: Option<SystemTime>) {
        let mut s = Status::new(id(user), kind);
        s.manual = manual;
        s.dnd_end_time = end.map(truncate_to_minute);
        self.state().statuses.insert(user.into(), s);
    }

    pub fn session(&self) -> mattermost_status::Session {
        mattermost_status::Session::builder(&self.url)
            .token(TOKEN)
            .build()
            .unwrap()
    }
}

pub fn truncate_to_minute(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    UNIX_EPOCH + std::time::Duration::from_secs(secs - secs % 60)
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = match (parts.next(), parts.next()) {
            (Some(m), Some(p)) => (m.to_owned(), p.to_owned()),
            _ => return,
        };
        let mut length = 0usize;
        let mut auth = String::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "authorization" => auth = value.trim().to_owned(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (code, answer) = {
            let mut state = state.lock().unwrap();
            state.requests.push(format!("{method} {path}"));
            handle(&mut state, &method, &path, &auth, &body)
        };
        let reason = match code {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            404 => "Not Found",
            _ => "Error",
        };
        let response = format!(
            "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn app_error(code: u16, id: &str, message: &str) -> (u16, String) {
    (
        code,
        serde_json::json!({"id": id, "message": message, "status_code": code}).to_string(),
    )
}

const OK: &str = r#"{"status":"OK"}"#;

fn handle(state: &mut State, method: &str, path: &str, auth: &str, body: &[u8]) -> (u16, String) {
    if auth != format!("Bearer {TOKEN}") {
        return app_error(
            401,
            "api.context.session_expired.app_error",
            "Invalid or expired session, please login again.",
        );
    }
    let Some(rest) = path.strip_prefix("/api/v4/users/") else {
        return app_error(
            404,
            "api.context.404.app_error",
            "Sorry, we could not find the page.",
        );
    };
    if rest == "status/ids" && method == "POST" {
        let Ok(mut ids) = serde_json::from_slice::<Vec<String>>(body) else {
            return app_error(400, "api.payload.parse.error", "bad body");
        };
        if ids.is_empty() || ids.iter().any(|i| i.len() != 26) {
            return app_error(
                400,
                "api.context.invalid_body_param.app_error",
                "Invalid user_ids",
            );
        }
        ids.sort();
        ids.dedup();
        let list: Vec<Status> = ids
            .iter()
            .map(|i| {
                state
                    .statuses
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| Status::new(id(i), StatusKind::Offline))
            })
            .collect();
        return (200, serde_json::to_string(&list).unwrap());
    }
    let (user, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let user = if user == "me" { ME } else { user };
    if UserId::parse(user).is_err() {
        return app_error(
            400,
            "api.context.invalid_url_param.app_error",
            "Invalid user_id",
        );
    }
    match (method, tail) {
        ("GET", "status") => match state.statuses.get(user) {
            Some(s) => (200, serde_json::to_string(s).unwrap()),
            None => app_error(404, "api.status.user_not_found.app_error", "no status"),
        },
        ("PUT", "status") => {
            #[derive(serde::Deserialize)]
            struct Body {
                user_id: String,
                status: String,
                #[serde(default)]
                dnd_end_time: i64,
            }
            let Ok(b) = serde_json::from_slice::<Body>(body) else {
                return app_error(
                    400,
                    "api.context.invalid_body_param.app_error",
                    "Invalid status",
                );
            };
            if b.user_id != user {
                return app_error(
                    400,
                    "api.context.invalid_body_param.app_error",
                    "Invalid user_id",
                );
            }
            let kind = StatusKind::from(b.status.as_str());
            if !kind.is_settable() {
                return app_error(
                    400,
                    "api.context.invalid_body_param.app_error",
                    "Invalid status",
                );
            }
            let mut s = Status::new(id(user), kind.clone());
            s.manual = kind != StatusKind::Online;
            if kind == StatusKind::Dnd && b.dnd_end_time > 0 {
                let secs = b.dnd_end_time - b.dnd_end_time % 60;
                s.dnd_end_time = Some(UNIX_EPOCH + std::time::Duration::from_secs(secs as u64));
            }
            state.statuses.insert(user.into(), s.clone());
            (200, serde_json::to_string(&s).unwrap())
        }
        ("PUT", "status/custom") => {
            let Ok(cs) = serde_json::from_slice::<CustomStatus>(body) else {
                return app_error(
                    400,
                    "api.context.invalid_body_param.app_error",
                    "Invalid custom_status",
                );
            };
            let past = cs.expires_at.is_some_and(|t| t < SystemTime::now());
            if (cs.emoji.is_empty() && cs.text.is_empty())
                || past
                || (cs.duration.is_some() && cs.expires_at.is_none())
            {
                return app_error(
                    400,
                    "api.context.invalid_body_param.app_error",
                    "Invalid custom_status",
                );
            }
            let recent = state.recent.entry(user.into()).or_default();
            recent.retain(|r| r.text != cs.text);
            recent.insert(0, cs.clone());
            recent.truncate(5);
            state.custom.insert(user.into(), cs);
            (200, OK.into())
        }
        ("DELETE", "status/custom") => {
            state.custom.remove(user);
            (200, OK.into())
        }
        ("POST", "status/custom/recent/delete") | ("DELETE", "status/custom/recent") => {
            let Ok(cs) = serde_json::from_slice::<CustomStatus>(body) else {
                return app_error(
                    400,
                    "api.context.invalid_body_param.app_error",
                    "Invalid recent_custom_status",
                );
            };
            let wanted = serde_json::to_string(&cs).unwrap();
            let recent = state.recent.entry(user.into()).or_default();
            match recent
                .iter()
                .position(|r| serde_json::to_string(r).unwrap() == wanted)
            {
                Some(i) => {
                    recent.remove(i);
                    (200, OK.into())
                }
                None => app_error(
                    400,
                    "api.custom_status.recent_custom_statuses.delete.app_error",
                    "not found",
                ),
            }
        }
        _ => app_error(
            404,
            "api.context.404.app_error",
            "Sorry, we could not find the page.",
        ),
    }
}
