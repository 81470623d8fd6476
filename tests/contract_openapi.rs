//! The crate against Mattermost's own OpenAPI spec, served by Stoplight Prism (issue 4).
//!
//! `scripts/contract.sh` finds Mattermost's status.yaml at the pinned commit, assembles the
//! standalone document with contract/components.yaml (`scripts/assemble-openapi.sh`),
//! starts `prism mock` on it on 127.0.0.1 and runs this file's tests (`#[ignore]`d in a
//! plain `cargo test`) with `MM_PRISM_URL` and `MM_SPEC_FILE` set. Prism validates every
//! request against the spec: a request the spec rejects gets a 400 with an `sl-violations`
//! header saying why. Asked to run without those variables, a test fails.
//!
//! What the tests prove:
//! 1. Every request the crate can produce, over a grid of every builder option and the
//!    combinations that matter (both users, every status and end time, every duration and
//!    expiry, both recent-removal routes, id lists of every shape), is either refused by the
//!    crate before anything is sent, or passes Prism's validation and the answer Prism
//!    generates from the spec decodes. All seven operations of the spec are reached.
//! 2. The requests the spec rejects are ones the crate refuses or cannot express.
//! 3. Where the spec is looser than the real server, the crate follows the server.
//!
//! Spec vs real server, answers (the real server wins; also in docs/contract.md). The
//! transport below repairs exactly these two in Prism's answers, records each repair, and
//! the tests assert that no other repair was ever needed and that each one is needed:
//! - `Status.user_id` is any string in the spec, so Prism answers `"string"`; the server
//!   always sends the 26-character id of the user asked about, and the crate's `UserId`
//!   refuses anything else. Repair: the id the server would send.
//! - The three custom-status routes' 200 has no body in the spec (Prism sends none); the
//!   server sends `{"status":"OK"}` (`ReturnStatusOK`), which the crate checks. Repair:
//!   that body.
//!
//! Noted but needing no repair: the spec's `last_activity_at` and `dnd_end_time` are
//! int64 with no minimum (Prism answers -9007199254740991); the server's are never
//! negative. The crate decodes them anyway.
#![cfg(feature = "ureq")]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mattermost_status::transport::{HttpRequest, HttpResponse, Method, Transport};
use mattermost_status::{
    transport::UreqTransport, CustomStatus, CustomStatusDuration, Error, GetStatus,
    GetStatusesByIds, RemoveRecentCustomStatus, RemoveRecentMethod, Session, StatusKind,
    TransportError, UnsetCustomStatus, UpdateCustomStatus, UpdateStatus, UserId,
};
use serde_json::Value;

use support::contract::{future, future_plus, missing, past, Attempt, FUTURE_SECS, ME_ID};
use support::{id, ALICE, BOB, CAROL, TOKEN};

/// Prism's base URL; `test` fails without it.
fn prism_url(test: &str) -> String {
    match std::env::var("MM_PRISM_URL") {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => missing(
            test,
            "MM_PRISM_URL is not set (no Prism mock server of the OpenAPI spec)",
        ),
    }
}

/// A repair of Prism's answer where the spec and the real server disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Repair {
    /// `Status.user_id` was not a user id (the spec allows any string).
    StatusUserId,
    /// The custom-status 200 had no body (the spec defines none; the server sends one).
    StatusOkBody,
}

/// One request and Prism's answer, as sent and received.
#[derive(Debug, Clone)]
struct Exchange {
    method: Method,
    path: String,
    request_body: Option<String>,
    status: u16,
    violations: Option<String>,
    response_body: String,
    repairs: Vec<Repair>,
}

impl Exchange {
    /// Prism found nothing wrong with the request and answered with success.
    fn passed(&self) -> bool {
        (200..300).contains(&self.status) && self.violations.is_none()
    }
}

/// The built-in transport, recording every exchange with Prism and, when `repair` is on,
/// applying the [`Repair`]s to its answers.
#[derive(Debug)]
struct Prism {
    http: UreqTransport,
    repair: bool,
    log: Mutex<Vec<Exchange>>,
}

impl Prism {
    fn new(repair: bool) -> Arc<Self> {
        Arc::new(Prism {
            http: UreqTransport::default(),
            repair,
            log: Mutex::new(Vec::new()),
        })
    }

    fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

/// The path of an absolute URL (`/api/v4/...`).
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or("/", |slash| &after_scheme[slash..])
}

impl Transport for Prism {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let mut response = self.http.send(request)?;
        let path = path_of(request.url()).to_owned();
        let violations = response.header("sl-violations").map(str::to_owned);
        let response_body = String::from_utf8_lossy(response.body()).into_owned();
        let mut exchange = Exchange {
            method: request.method(),
            path,
            request_body: request
                .body()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            status: response.status(),
            violations,
            response_body,
            repairs: Vec::new(),
        };
        if self.repair && exchange.passed() {
            exchange.repairs = repair(&exchange, &mut response);
        }
        self.log.lock().unwrap().push(exchange);
        Ok(response)
    }
}

/// Turns Prism's answer into what the real server sends, where the two differ (see the
/// file's comment). Returns what it changed.
fn repair(exchange: &Exchange, response: &mut HttpResponse) -> Vec<Repair> {
    if exchange.path.contains("/status/custom") {
        if response.body().is_empty() {
            *response = replace_body(response, br#"{"status":"OK"}"#.to_vec());
            return vec![Repair::StatusOkBody];
        }
        return Vec::new();
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(response.body()) else {
        return Vec::new();
    };
    // The ids the server would answer about: the path's user (`me` is the token's user),
    // or the requested list, sorted and without duplicates as the server does.
    let ids: Vec<String> = if exchange.path.ends_with("/users/status/ids") {
        let mut ids: Vec<String> = exchange
            .request_body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or_default();
        ids.sort();
        ids.dedup();
        ids
    } else {
        let user = exchange.path.split('/').nth(4).unwrap_or_default();
        vec![if user == "me" { ME_ID } else { user }.to_owned()]
    };
    if ids.is_empty() {
        return Vec::new();
    }
    let mut changed = false;
    let objects: Vec<&mut Value> = match &mut value {
        Value::Array(items) => items.iter_mut().collect(),
        other => vec![other],
    };
    for (i, object) in objects.into_iter().enumerate() {
        if let Some(user_id) = object.get_mut("user_id") {
            let valid = user_id
                .as_str()
                .and_then(|s| s.parse::<UserId>().ok())
                .is_some_and(|u| !u.is_me());
            if !valid {
                *user_id = Value::String(ids[i % ids.len()].clone());
                changed = true;
            }
        }
    }
    if !changed {
        return Vec::new();
    }
    *response = replace_body(response, serde_json::to_vec(&value).unwrap());
    vec![Repair::StatusUserId]
}

/// `response` with another body, its status and headers kept.
fn replace_body(response: &HttpResponse, body: Vec<u8>) -> HttpResponse {
    response
        .headers()
        .fold(HttpResponse::new(response.status(), body), |r, (n, v)| {
            r.with_header(n, v)
        })
}

fn session(url: &str, prism: &Arc<Prism>) -> Session {
    Session::builder(url)
        .token(TOKEN)
        .transport(Arc::clone(prism))
        .build()
        .unwrap()
}

/// One call of the crate: a builder and its `send`, the output dropped.
struct Case {
    label: String,
    run: Attempt,
}

fn case<T>(label: String, run: impl Fn(&Session) -> Result<T, Error> + 'static) -> Case {
    Case {
        label,
        run: Box::new(move |s| run(s).map(drop)),
    }
}

/// Every request the crate can produce, valid or not: each builder option, and the
/// combinations that change what is sent or whether it is sent.
fn grid() -> Vec<Case> {
    let mut cases = Vec::new();
    let statuses = [
        None,
        Some(StatusKind::Online),
        Some(StatusKind::Away),
        Some(StatusKind::Offline),
        Some(StatusKind::Dnd),
        Some(StatusKind::OutOfOffice),
        Some(StatusKind::Other("busy".into())),
    ];
    let untils = [
        None,
        Some(past()),
        Some(future()),
        Some(future_plus(0, 999)),
    ];
    let durations: Vec<Option<CustomStatusDuration>> = std::iter::once(None)
        .chain(CustomStatusDuration::ALL.into_iter().map(Some))
        .collect();
    let expiries = [
        None,
        Some(past()),
        Some(future()),
        Some(future_plus(59, 999)),
    ];
    let texts = [
        String::new(),
        "In a meeting".to_owned(),
        "é".repeat(100),
        "x".repeat(101),
    ];

    for user in [id(ALICE), UserId::me()] {
        cases.push(case(format!("GetStatus({user})"), move |s| {
            GetStatus::new(user).send(s)
        }));
        cases.push(case(format!("UnsetCustomStatus({user})"), move |s| {
            UnsetCustomStatus::new(user).send(s)
        }));
        for status in &statuses {
            for until in untils {
                let mut b = UpdateStatus::new(user);
                if let Some(status) = status {
                    b = b.status(status.clone());
                }
                if let Some(until) = until {
                    b = b.until(until);
                }
                cases.push(case(format!("{b:?}"), move |s| b.send(s)));
            }
        }
        for emoji in ["", "calendar"] {
            for text in &texts {
                for duration in &durations {
                    for expires_at in expiries {
                        let mut b = UpdateCustomStatus::new(user).emoji(emoji).text(text);
                        if let Some(d) = duration {
                            b = b.duration(*d);
                        }
                        if let Some(t) = expires_at {
                            b = b.expires_at(t);
                        }
                        cases.push(case(format!("{b:?}"), move |s| b.send(s)));
                    }
                }
            }
        }
        for method in [RemoveRecentMethod::Post, RemoveRecentMethod::Delete] {
            for emoji in ["", "bus"] {
                for text in ["", "Commuting", &"é".repeat(101)] {
                    for duration in [
                        None,
                        Some(CustomStatusDuration::OneHour),
                        Some(CustomStatusDuration::DateAndTime),
                    ] {
                        for expires_at in [None, Some(past()), Some(future_plus(0, 500))] {
                            let mut cs = CustomStatus::new(text).emoji(emoji);
                            if let Some(d) = duration {
                                cs = cs.duration(d);
                            }
                            if let Some(t) = expires_at {
                                cs = cs.expires_at(t);
                            }
                            let b = RemoveRecentCustomStatus::new(user, cs).method(method);
                            cases.push(case(format!("{b:?}"), move |s| b.send(s)));
                        }
                    }
                }
            }
        }
    }
    let many: Vec<UserId> = (0..500).map(|i| id(&format!("{i:026}"))).collect();
    for list in [
        vec![],
        vec![id(ALICE)],
        vec![UserId::me()],
        vec![id(ALICE), UserId::me()],
        vec![id(ALICE), id(BOB), id(CAROL)],
        vec![id(BOB), id(ALICE), id(BOB)],
        many,
    ] {
        let label = format!(
            "GetStatusesByIds({} ids, {:?})",
            list.len(),
            &list[..list.len().min(3)]
        );
        let b = GetStatusesByIds::new(list);
        cases.push(case(label, move |s| b.send(s)));
    }
    cases
}

/// The operations of the spec, `(METHOD, path template)`, read from Mattermost's
/// status.yaml (the `paths` entries: a path at two spaces, its methods at four).
fn spec_operations() -> Vec<(String, String)> {
    // scripts/contract.sh finds the file, checks its SHA-256 and passes its path.
    let file = std::env::var_os("MM_SPEC_FILE").map_or_else(
        || {
            missing(
                "contract_openapi",
                "MM_SPEC_FILE (Mattermost's status.yaml) is not set",
            )
        },
        std::path::PathBuf::from,
    );
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    let mut operations = Vec::new();
    let mut path: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(entry) = line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
            if let Some(p) = entry.strip_suffix(':') {
                path = Some(p.trim_matches(|c| c == '"' || c == '\'').to_owned());
            }
        } else if let Some(method) = line
            .strip_prefix("    ")
            .filter(|l| !l.starts_with(' '))
            .and_then(|l| l.strip_suffix(':'))
        {
            if ["get", "put", "post", "delete", "patch"].contains(&method) {
                let path = path
                    .clone()
                    .expect("a method before any path in status.yaml");
                operations.push((method.to_uppercase(), path));
            }
        }
    }
    operations
}

/// The spec operation a request hits, if any.
fn operation_of<'a>(
    operations: &'a [(String, String)],
    method: Method,
    path: &str,
) -> Option<&'a (String, String)> {
    let segments: Vec<&str> = path.split('/').collect();
    operations.iter().find(|(m, template)| {
        let t: Vec<&str> = template.split('/').collect();
        m == method.as_str()
            && t.len() == segments.len()
            && t.iter()
                .zip(&segments)
                .all(|(t, s)| (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s)
    })
}

#[test]
#[ignore = "needs Prism serving the OpenAPI spec: run scripts/contract.sh"]
fn every_request_the_crate_can_make_passes_the_spec_or_is_refused_before_sending() {
    let url = prism_url("contract_openapi::every_request_the_crate_can_make");
    let operations = spec_operations();
    assert_eq!(
        operations.len(),
        7,
        "status.yaml has 7 operations: {operations:?}"
    );

    let mut hits: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut repairs: BTreeMap<Repair, usize> = BTreeMap::new();
    let (mut sent, mut refused) = (0, 0);
    let mut refused_fields: BTreeMap<&'static str, usize> = BTreeMap::new();
    let cases = grid();
    for case in &cases {
        let prism = Prism::new(true);
        let result = (case.run)(&session(&url, &prism));
        let log = prism.take();
        match result {
            Err(Error::InvalidInput { field, .. }) => {
                assert!(
                    log.is_empty(),
                    "{}: refused ({field}) but sent {log:#?}",
                    case.label
                );
                refused += 1;
                *refused_fields.entry(field).or_default() += 1;
            }
            Ok(()) => {
                assert!(
                    !log.is_empty(),
                    "{}: succeeded without a request",
                    case.label
                );
                for exchange in &log {
                    assert!(
                        exchange.passed(),
                        "{}: the spec rejects the crate's request: {exchange:#?}",
                        case.label
                    );
                    let op = operation_of(&operations, exchange.method, &exchange.path)
                        .unwrap_or_else(|| {
                            panic!("{}: no spec operation for {exchange:#?}", case.label)
                        });
                    *hits.entry(op.clone()).or_default() += 1;
                    for r in &exchange.repairs {
                        *repairs.entry(*r).or_default() += 1;
                    }
                }
                sent += 1;
            }
            Err(other) => panic!(
                "{}: neither refused nor accepted: {other}\nexchanges: {log:#?}",
                case.label
            ),
        }
    }
    for op in &operations {
        assert!(
            hits.contains_key(op),
            "no request reached {op:?}; hits: {hits:?}"
        );
    }
    // Not vacuous: both outcomes happened, for the reasons the crate documents.
    assert!(
        sent > 100 && refused > 100,
        "sent {sent}, refused {refused}"
    );
    for field in ["status", "until", "text", "expires_at", "user_ids"] {
        assert!(refused_fields.contains_key(field), "{refused_fields:?}");
    }
    // Only the two documented repairs, and both were needed.
    assert_eq!(
        repairs.keys().copied().collect::<Vec<_>>(),
        [Repair::StatusUserId, Repair::StatusOkBody],
        "{repairs:?}"
    );
    println!(
        "{} cases: {sent} sent and valid by the spec, {refused} refused before sending \
         {refused_fields:?}; operations hit {hits:?}; repairs {repairs:?}",
        cases.len()
    );
}

/// Without the repairs, Prism's answers fail to decode exactly where the spec and the real
/// server disagree: so each repair is needed, and the crate's checks are real.
#[test]
#[ignore = "needs Prism serving the OpenAPI spec: run scripts/contract.sh"]
fn the_spec_answers_differ_from_the_server_only_where_recorded() {
    let url = prism_url("contract_openapi::the_spec_answers_differ");
    let prism = Prism::new(false);
    let s = session(&url, &prism);
    let cs = CustomStatus::new("Commuting").emoji("bus");

    // Status.user_id: Prism's "string" is no user id.
    for err in [
        GetStatus::new(id(ALICE)).send(&s).map(drop).unwrap_err(),
        GetStatusesByIds::new([id(ALICE)])
            .send(&s)
            .map(drop)
            .unwrap_err(),
        UpdateStatus::new(id(ALICE))
            .status(StatusKind::Away)
            .send(&s)
            .map(drop)
            .unwrap_err(),
    ] {
        assert!(matches!(err, Error::Decode(_)), "{err}");
        assert!(
            err.to_string().contains(r#"invalid user_id: "string""#),
            "{err}"
        );
    }
    // The custom-status routes: the spec's 200 has no body.
    for err in [
        UpdateCustomStatus::new(UserId::me())
            .text("x")
            .send(&s)
            .unwrap_err(),
        UnsetCustomStatus::new(UserId::me()).send(&s).unwrap_err(),
        RemoveRecentCustomStatus::new(UserId::me(), cs.clone())
            .send(&s)
            .unwrap_err(),
        RemoveRecentCustomStatus::new(UserId::me(), cs)
            .method(RemoveRecentMethod::Delete)
            .send(&s)
            .unwrap_err(),
    ] {
        assert!(matches!(err, Error::Decode(_)), "{err}");
        assert!(err.to_string().contains(r#"{"status":"OK"}"#), "{err}");
    }
    let log = prism.take();
    assert_eq!(log.len(), 7);
    for exchange in &log {
        assert!(exchange.passed(), "{exchange:#?}");
        assert!(exchange.repairs.is_empty());
    }
    // Everything else in Prism's Status decodes: the grid test decodes it after the one
    // repair of user_id, and here the raw answer is exactly the spec's five fields.
    let status: Value = serde_json::from_str(&log[0].response_body).unwrap();
    let mut keys: Vec<&str> = status
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "dnd_end_time",
            "last_activity_at",
            "manual",
            "status",
            "user_id"
        ]
    );
    assert!(log[3..].iter().all(|e| e.response_body.is_empty()));
}

/// A raw request, to show what Prism (the spec) says about a request the crate never
/// sends.
fn raw(url: &str, method: Method, path: &str, body: Option<&str>, json: bool) -> Exchange {
    let prism = Prism::new(false);
    let auth = format!("Bearer {TOKEN}");
    let mut headers = vec![
        ("Authorization", auth.as_str()),
        ("Accept", "application/json"),
    ];
    if body.is_some() {
        headers.push((
            "Content-Type",
            if json {
                "application/json"
            } else {
                "text/plain"
            },
        ));
    }
    let full = format!("{url}{path}");
    let mut request = HttpRequest::new(method, &full)
        .with_headers(&headers)
        .with_timeout(Duration::from_secs(30))
        .with_max_response_bytes(1 << 20);
    if let Some(body) = body {
        request = request.with_body(body.as_bytes());
    }
    prism.send(&request).unwrap();
    prism.take().remove(0)
}

/// Runs `attempt` on a recording session: it must be refused with nothing sent.
fn assert_refused_before_sending(
    url: &str,
    what: &str,
    attempt: &dyn Fn(&Session) -> Result<(), Error>,
) {
    let prism = Prism::new(true);
    let result = attempt(&session(url, &prism));
    assert!(
        matches!(result, Err(Error::InvalidInput { .. })),
        "{what}: the crate did not refuse it: {result:?}"
    );
    assert!(prism.take().is_empty(), "{what}: something was sent");
}

/// How the crate avoids a request.
enum Crate {
    /// Its builder refuses the input that would make it: `Error::InvalidInput`, nothing sent.
    Refuses(Attempt),
    /// Its types cannot express it; the grid test shows every request it does send passes.
    CannotSend(&'static str),
}

fn refuses<T>(f: impl Fn(&Session) -> Result<T, Error> + 'static) -> Crate {
    Crate::Refuses(Box::new(move |s| f(s).map(drop)))
}

#[test]
#[ignore = "needs Prism serving the OpenAPI spec: run scripts/contract.sh"]
fn requests_the_spec_rejects_are_ones_the_crate_refuses_or_cannot_send() {
    let url = prism_url("contract_openapi::requests_the_spec_rejects");
    let me_status = "/api/v4/users/me/status";
    let a_status = format!("/api/v4/users/{ALICE}/status");
    let recent_delete = "/api/v4/users/me/status/custom/recent/delete";
    // (what, method, path, body, sent as JSON, what Prism says, how the crate avoids it)
    type Row = (
        &'static str,
        Method,
        String,
        Option<String>,
        bool,
        &'static str,
        Crate,
    );
    let rows: Vec<Row> = vec![
        (
            "status update without a status",
            Method::Put,
            a_status.clone(),
            Some(format!(r#"{{"user_id":"{ALICE}"}}"#)),
            true,
            "required property 'status'",
            refuses(|s| UpdateStatus::new(id(ALICE)).send(s)),
        ),
        (
            "status update without a user_id",
            Method::Put,
            me_status.to_owned(),
            Some(r#"{"status":"away"}"#.to_owned()),
            true,
            "required property 'user_id'",
            Crate::CannotSend(
                "the body always carries user_id; `me` is resolved to the real id first",
            ),
        ),
        (
            "status update without a body",
            Method::Put,
            me_status.to_owned(),
            None,
            true,
            "Body parameter is required",
            Crate::CannotSend("UpdateStatus always sends its body"),
        ),
        (
            "dnd_end_time that is not an integer",
            Method::Put,
            a_status.clone(),
            Some(format!(
                r#"{{"user_id":"{ALICE}","status":"dnd","dnd_end_time":"{FUTURE_SECS}"}}"#
            )),
            true,
            "dnd_end_time must be integer",
            Crate::CannotSend("until(SystemTime) is written as whole Unix seconds"),
        ),
        (
            "a body that is not JSON",
            Method::Put,
            me_status.to_owned(),
            Some(r#"{"user_id":"x","status":"away"}"#.to_owned()),
            false,
            "Supported content types: application/json",
            Crate::CannotSend("every body goes with Content-Type: application/json"),
        ),
        (
            "statuses by ids, not an array",
            Method::Post,
            "/api/v4/users/status/ids".to_owned(),
            Some(format!(r#"{{"user_ids":["{ALICE}"]}}"#)),
            true,
            "must be array",
            Crate::CannotSend("GetStatusesByIds writes a JSON array of ids"),
        ),
        (
            "statuses by ids, not strings",
            Method::Post,
            "/api/v4/users/status/ids".to_owned(),
            Some("[1, 2]".to_owned()),
            true,
            "must be string",
            Crate::CannotSend("UserId is written as a string"),
        ),
        (
            "custom status without a text",
            Method::Put,
            "/api/v4/users/me/status/custom".to_owned(),
            Some(r#"{"emoji":"bus"}"#.to_owned()),
            true,
            "required property 'text'",
            Crate::CannotSend("CustomStatus always writes emoji, text, duration and expires_at"),
        ),
        (
            "custom status without an emoji",
            Method::Put,
            "/api/v4/users/me/status/custom".to_owned(),
            Some(r#"{"text":"Commuting"}"#.to_owned()),
            true,
            "required property 'emoji'",
            Crate::CannotSend("CustomStatus always writes emoji, text, duration and expires_at"),
        ),
        (
            "recent removal without duration and expires_at (POST)",
            Method::Post,
            recent_delete.to_owned(),
            Some(r#"{"emoji":"bus","text":"Commuting"}"#.to_owned()),
            true,
            "required property 'duration'",
            Crate::CannotSend("CustomStatus always writes all four fields"),
        ),
        (
            "recent removal without expires_at (DELETE)",
            Method::Delete,
            "/api/v4/users/me/status/custom/recent".to_owned(),
            Some(r#"{"emoji":"bus","text":"Commuting","duration":""}"#.to_owned()),
            true,
            "required property 'expires_at'",
            Crate::CannotSend("CustomStatus always writes all four fields"),
        ),
        (
            "recent removal without a body (DELETE)",
            Method::Delete,
            "/api/v4/users/me/status/custom/recent".to_owned(),
            None,
            true,
            "Body parameter is required",
            Crate::CannotSend("RemoveRecentCustomStatus sends its body on both routes"),
        ),
    ];
    for (what, method, path, body, json, says, crate_side) in rows {
        let exchange = raw(&url, method, &path, body.as_deref(), json);
        assert!(
            !exchange.passed(),
            "{what}: the spec accepts it: {exchange:#?}"
        );
        let violations = exchange.violations.clone().unwrap_or_default();
        assert!(violations.contains(says), "{what}: {violations}");
        match crate_side {
            Crate::Refuses(attempt) => assert_refused_before_sending(&url, what, &*attempt),
            Crate::CannotSend(why) => assert!(!why.is_empty()),
        }
    }
}

/// Requests the real server refuses (or mangles) but the spec accepts: the crate follows
/// the server. Each row is a spec-vs-server disagreement (docs/contract.md).
#[test]
#[ignore = "needs Prism serving the OpenAPI spec: run scripts/contract.sh"]
fn where_the_spec_is_looser_than_the_server_the_crate_follows_the_server() {
    let url = prism_url("contract_openapi::where_the_spec_is_looser");
    let status_of = |user: &str, status: &str, end: Option<u64>| {
        let mut v = serde_json::json!({"user_id": user, "status": status});
        if let Some(end) = end {
            v["dnd_end_time"] = end.into();
        }
        v.to_string()
    };
    let custom = |emoji: &str, text: &str, duration: &str, expires_at: &str| {
        serde_json::json!({"emoji": emoji, "text": text, "duration": duration, "expires_at": expires_at})
            .to_string()
    };
    let a_status = format!("/api/v4/users/{ALICE}/status");
    let me_custom = "/api/v4/users/me/status/custom".to_owned();
    let ids = "/api/v4/users/status/ids".to_owned();
    let past_rfc = "2001-09-09T01:46:40Z";
    let future_rfc = "2100-01-01T00:00:00Z";
    let rows: Vec<(&str, Method, String, String, Attempt)> = vec![
        (
            "status `ooo` (server: 400 status; only online, away, offline, dnd)",
            Method::Put,
            a_status.clone(),
            status_of(ALICE, "ooo", None),
            Box::new(|s| UpdateStatus::new(id(ALICE)).status(StatusKind::OutOfOffice).send(s).map(drop)),
        ),
        (
            "status `busy` (server: 400 status)",
            Method::Put,
            a_status.clone(),
            status_of(ALICE, "busy", None),
            Box::new(|s| UpdateStatus::new(id(ALICE)).status("busy".into()).send(s).map(drop)),
        ),
        (
            "an end time with `away` (server: ignored silently; the crate refuses on purpose)",
            Method::Put,
            a_status.clone(),
            status_of(ALICE, "away", Some(FUTURE_SECS)),
            Box::new(|s| {
                UpdateStatus::new(id(ALICE)).status(StatusKind::Away).until(future()).send(s).map(drop)
            }),
        ),
        (
            "a past DND end time (server: accepted, DND ends within a minute; the crate refuses on purpose)",
            Method::Put,
            a_status.clone(),
            status_of(ALICE, "dnd", Some(1_000_000_000)),
            Box::new(|s| UpdateStatus::new(id(ALICE)).status(StatusKind::Dnd).until(past()).send(s).map(drop)),
        ),
        (
            "`me` in the id list (server: 400 user_ids, not 26 characters)",
            Method::Post,
            ids.clone(),
            r#"["me"]"#.to_owned(),
            Box::new(|s| GetStatusesByIds::new([UserId::me()]).send(s).map(drop)),
        ),
        (
            "an empty id list (server: 400 user_ids)",
            Method::Post,
            ids.clone(),
            "[]".to_owned(),
            Box::new(|s| GetStatusesByIds::new([]).send(s).map(drop)),
        ),
        (
            "an id that is not 26 characters (server: 400 user_ids)",
            Method::Post,
            ids.clone(),
            r#"["short"]"#.to_owned(),
            Box::new(|s| GetStatusesByIds::new([UserId::parse("short")?]).send(s).map(drop)),
        ),
        (
            "a path user id that is not an id (server: 400 invalid_url_param)",
            Method::Get,
            "/api/v4/users/not-an-id/status".to_owned(),
            String::new(),
            Box::new(|s| GetStatus::new(UserId::parse("not-an-id")?).send(s).map(drop)),
        ),
        (
            "custom status with empty emoji and text (server: 400 custom_status)",
            Method::Put,
            me_custom.clone(),
            custom("", "", "", "0001-01-01T00:00:00Z"),
            Box::new(|s| UpdateCustomStatus::new(UserId::me()).send(s)),
        ),
        (
            "a duration without an end time (server: 400 custom_status)",
            Method::Put,
            me_custom.clone(),
            custom("bus", "Commuting", "one_hour", "0001-01-01T00:00:00Z"),
            Box::new(|s| {
                UpdateCustomStatus::new(UserId::me())
                    .text("Commuting")
                    .duration(CustomStatusDuration::OneHour)
                    .send(s)
            }),
        ),
        (
            "an unknown duration (server: 400 custom_status)",
            Method::Put,
            me_custom.clone(),
            custom("bus", "Commuting", "forever", future_rfc),
            Box::new(|s| {
                let d: CustomStatusDuration = "forever".parse()?;
                UpdateCustomStatus::new(UserId::me()).text("x").duration(d).expires_at(future()).send(s)
            }),
        ),
        (
            "a past expires_at (server: 400 custom_status)",
            Method::Put,
            me_custom.clone(),
            custom("bus", "Commuting", "date_and_time", past_rfc),
            Box::new(|s| UpdateCustomStatus::new(UserId::me()).text("x").expires_at(past()).send(s)),
        ),
        (
            "a text of 101 characters (server: cut to 100 silently; the crate refuses on purpose)",
            Method::Put,
            me_custom.clone(),
            custom("bus", &"x".repeat(101), "", "0001-01-01T00:00:00Z"),
            Box::new(|s| UpdateCustomStatus::new(UserId::me()).text("x".repeat(101)).send(s)),
        ),
    ];
    for (what, method, path, body, attempt) in rows {
        let body = (!body.is_empty()).then_some(body.as_str());
        let exchange = raw(&url, method, &path, body, true);
        assert!(
            exchange.passed(),
            "{what}: the spec now rejects it; update docs/contract.md: {exchange:#?}"
        );
        assert_refused_before_sending(&url, what, &*attempt);
    }
    // expires_at that is not RFC 3339: the spec accepts it (server: 400 custom_status, the
    // JSON does not decode). The crate cannot send it: its expires_at is a SystemTime, and
    // such a text reaches a CustomStatus only by decoding, which refuses it.
    let not_rfc = custom("bus", "Commuting", "", "tomorrow");
    let exchange = raw(&url, Method::Put, &me_custom, Some(&not_rfc), true);
    assert!(
        exchange.passed(),
        "expires_at that is not RFC 3339: the spec now rejects it; update docs/contract.md: \
         {exchange:#?}"
    );
    assert!(serde_json::from_str::<CustomStatus>(&not_rfc).is_err());
    // `me` in a status update's body: the spec accepts it, the server refuses it (the
    // body's user_id must equal the path's id after `me` is resolved). The crate does not
    // refuse `me` here: it resolves it, with two requests the spec accepts.
    let exchange = raw(
        &url,
        Method::Put,
        "/api/v4/users/me/status",
        Some(&status_of("me", "away", None)),
        true,
    );
    assert!(
        exchange.passed(),
        "the spec now rejects `me` in the body: {exchange:#?}"
    );
    let prism = Prism::new(true);
    let s = session(&url, &prism);
    UpdateStatus::new(UserId::me())
        .status(StatusKind::Dnd)
        .until(future())
        .send(&s)
        .unwrap();
    let log = prism.take();
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].method, log[0].path.as_str()),
        (Method::Get, "/api/v4/users/me/status")
    );
    assert_eq!(log[1].path, format!("/api/v4/users/{ME_ID}/status"));
    let body: Value = serde_json::from_str(log[1].request_body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"user_id": ME_ID, "status": "dnd", "dnd_end_time": FUTURE_SECS})
    );
}
