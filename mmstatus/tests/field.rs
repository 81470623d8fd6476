//! The field cases (docs/field.md): the crate against nginx terminating TLS in front of
//! the fake Mattermost, and tinyproxy in front of that, all on loopback.
//!
//! `scripts/field.sh` starts nginx and tinyproxy, makes the certificates, and runs these
//! tests with `--ignored --test-threads=1`, passing ports and paths in `FIELD_*`
//! variables. Run alone they are ignored. Each test serves the fake itself on
//! `FIELD_FAKE_PORT` (nginx's upstream), so that it can stop it.
//!
//! Every case runs against every client of [`Client`]; a new transport is one more
//! variant and one more `field_cases!` line at the end.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use mattermost_status::fake::{FakeHttpServer, FakeServer};
use mattermost_status::{
    CustomStatus, Error, GetStatus, GetStatusesByIds, RemoveRecentCustomStatus, Session,
    StatusKind, TransportErrorKind, UpdateStatus, UserId,
};

/// What `scripts/field.sh` set up.
struct Field {
    ca: PathBuf,
    fake_port: u16,
    tls: u16,
    expired: u16,
    wronghost: u16,
    prefix: u16,
    idle: u16,
    http: u16,
    proxy: u16,
    dead: u16,
    access_log: PathBuf,
    proxy_log: PathBuf,
}

fn field() -> Field {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run the field suite with `bash scripts/field.sh`")
        })
    };
    let port = |name: &str| var(name).parse::<u16>().expect("a port number");
    Field {
        ca: var("FIELD_CA").into(),
        fake_port: port("FIELD_FAKE_PORT"),
        tls: port("FIELD_TLS_PORT"),
        expired: port("FIELD_EXPIRED_PORT"),
        wronghost: port("FIELD_WRONGHOST_PORT"),
        prefix: port("FIELD_PREFIX_PORT"),
        idle: port("FIELD_IDLE_PORT"),
        http: port("FIELD_HTTP_PORT"),
        proxy: port("FIELD_PROXY_PORT"),
        dead: port("FIELD_DEAD_PORT"),
        access_log: var("FIELD_ACCESS_LOG").into(),
        proxy_log: var("FIELD_PROXY_LOG").into(),
    }
}

/// The fake, served where nginx expects it; stopped when dropped.
struct Backend {
    fake: FakeServer,
    server: Option<FakeHttpServer>,
    token: String,
    alice: UserId,
}

fn backend(field: &Field) -> Backend {
    let fake = FakeServer::new();
    let alice = fake.user("alice").expect("FakeServer::new() has alice");
    // The previous test's fake may still be closing its socket.
    let mut tries = 0;
    let server = loop {
        match fake.serve_on(("127.0.0.1", field.fake_port)) {
            Ok(server) => break server,
            Err(e) if tries < 50 => {
                tries += 1;
                let _ = e;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("cannot serve the fake on {}: {e}", field.fake_port),
        }
    };
    Backend {
        fake,
        server: Some(server),
        token: alice.token,
        alice: alice.id,
    }
}

/// How many requests nginx logged, on `port`, whose request line starts with `prefix`
/// (`GET /api/v4/users/me/status`).
fn nginx_requests(field: &Field, port: u16, prefix: &str) -> usize {
    // nginx writes a request's line after the answer has left: the client can be faster.
    std::thread::sleep(Duration::from_millis(300));
    let log = std::fs::read_to_string(&field.access_log).unwrap_or_default();
    let start = format!("{port} \"{prefix}");
    log.lines().filter(|l| l.starts_with(&start)).count()
}

fn proxy_log(field: &Field) -> String {
    std::fs::read_to_string(&field.proxy_log).unwrap_or_default()
}

/// The clients every case runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    /// The library with its built-in ureq transport.
    Ureq,
    /// The `mmstatus` binary (ureq, and the system's trust store by default).
    Cli,
    /// The library on libcurl (`SessionBuilder::curl`).
    #[cfg(feature = "curl")]
    Curl,
    /// The `mmstatus` binary with `--transport curl`.
    #[cfg(feature = "curl")]
    CliCurl,
}

impl Client {
    /// The library (whose errors are typed), not the CLI.
    fn library(self) -> bool {
        match self {
            Client::Ureq => true,
            Client::Cli => false,
            #[cfg(feature = "curl")]
            Client::Curl => true,
            #[cfg(feature = "curl")]
            Client::CliCurl => false,
        }
    }

    /// What the server sees for one [`Op::GetMe`]: the CLI also looks up the username
    /// of `me` (`mmstatus get` shows it beside the id).
    fn get_me_requests(self) -> &'static [&'static str] {
        if self.library() {
            &["GET /api/v4/users/me/status"]
        } else {
            &["GET /api/v4/users/me/status", "POST /api/v4/users/ids"]
        }
    }

    fn curl(self) -> bool {
        match self {
            Client::Ureq | Client::Cli => false,
            #[cfg(feature = "curl")]
            Client::Curl | Client::CliCurl => true,
        }
    }
}

/// One call's settings.
#[derive(Default, Clone)]
struct Call {
    url: String,
    ca_file: Option<PathBuf>,
    proxy: Option<String>,
    /// Environment variables for the call (proxy variables, `SSL_CERT_FILE`, ...).
    env: Vec<(&'static str, String)>,
}

/// What a call does.
#[derive(Debug, Clone)]
enum Op {
    /// `GET /users/me/status` (idempotent).
    GetMe,
    /// `POST /users/me/status/custom/recent/delete`: not idempotent (a second removal
    /// answers 400), so never retried once it may have reached the server.
    ForgetRecent,
    /// `POST /users/status/ids` with this many ids.
    GetMany(usize),
    /// Two calls on one session with a pause between (the CLI: `dnd -- sleep`).
    TwoCallsApart(Duration),
}

/// A call's result, as each client shows it.
#[derive(Debug)]
struct Outcome {
    ok: bool,
    /// The error's `Display` (library), or stderr (CLI).
    text: String,
    /// The transport error kind (library only).
    kind: Option<TransportErrorKind>,
    /// The answer's status in the error (library only).
    status: Option<u16>,
    /// The error's `Debug` too (library only).
    debug: String,
}

/// The tests run one at a time (`--test-threads=1`), but environment changes are
/// guarded all the same.
static ENV: Mutex<()> = Mutex::new(());

const PROXY_VARS: &[&str] = &[
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
    "SSL_CERT_FILE",
    // Read by the curl transport, as by the curl command (CURL_CA_BUNDLE first).
    "CURL_CA_BUNDLE",
    "SSL_CERT_DIR",
];

fn run(client: Client, backend: &Backend, call: &Call, op: &Op) -> Outcome {
    if client.library() {
        run_library(backend, call, op, client.curl())
    } else {
        run_cli(backend, call, op, client.curl())
    }
}

fn run_library(backend: &Backend, call: &Call, op: &Op, curl: bool) -> Outcome {
    let _guard = ENV.lock().unwrap_or_else(|e| e.into_inner());
    for name in PROXY_VARS {
        std::env::remove_var(name);
    }
    for (name, value) in &call.env {
        std::env::set_var(name, value);
    }
    let result = (|| -> Result<(), Error> {
        let mut builder = Session::builder(&call.url)
            .token(&backend.token)
            .timeout(Duration::from_secs(20));
        if let Some(ca) = &call.ca_file {
            builder = builder.add_root_certificate_file(ca);
        }
        if let Some(proxy) = &call.proxy {
            builder = builder.proxy(proxy);
        }
        #[cfg(feature = "curl")]
        if curl {
            builder = builder.curl();
        }
        #[cfg(not(feature = "curl"))]
        let _ = curl;
        let session = builder.build()?;
        match op {
            Op::GetMe => {
                GetStatus::new(UserId::me()).send(&session)?;
            }
            Op::ForgetRecent => {
                let entry = CustomStatus::new("In a meeting").emoji("calendar");
                RemoveRecentCustomStatus::new(UserId::me(), entry).send(&session)?;
            }
            Op::GetMany(n) => {
                let ids = (0..*n).map(|_| backend.alice);
                GetStatusesByIds::new(ids).send(&session)?;
            }
            Op::TwoCallsApart(pause) => {
                GetStatus::new(UserId::me()).send(&session)?;
                std::thread::sleep(*pause);
                UpdateStatus::new(backend.alice)
                    .status(StatusKind::Away)
                    .send(&session)?;
                GetStatus::new(UserId::me()).send(&session)?;
            }
        }
        Ok(())
    })();
    for (name, _) in &call.env {
        std::env::remove_var(name);
    }
    match result {
        Ok(()) => Outcome {
            ok: true,
            text: String::new(),
            kind: None,
            status: None,
            debug: String::new(),
        },
        Err(e) => Outcome {
            ok: false,
            text: e.to_string(),
            kind: match &e {
                Error::Transport(t) => Some(t.kind()),
                _ => None,
            },
            status: e.status(),
            debug: format!("{e:?}"),
        },
    }
}

fn run_cli(backend: &Backend, call: &Call, op: &Op, curl: bool) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mmstatus"));
    for name in PROXY_VARS {
        cmd.env_remove(name);
    }
    cmd.env_remove("MM_CA_FILE")
        .env_remove("MM_TRANSPORT")
        .env("MM_URL", &call.url)
        .env("MM_TOKEN", &backend.token)
        .env("TZ", "UTC");
    for (name, value) in &call.env {
        cmd.env(name, value);
    }
    if let Some(ca) = &call.ca_file {
        cmd.arg("--ca-file").arg(ca);
    }
    if let Some(proxy) = &call.proxy {
        cmd.arg("--proxy").arg(proxy);
    }
    if curl {
        cmd.args(["--transport", "curl"]);
    }
    match op {
        Op::GetMe => cmd.args(["get"]),
        // The CLI removes the n-th entry of the list it reads first (issue 13).
        Op::ForgetRecent => cmd.args(["custom", "forget-recent", "1"]),
        Op::GetMany(n) => {
            cmd.arg("get");
            for _ in 0..*n {
                cmd.arg(backend.alice.as_str());
            }
            &mut cmd
        }
        Op::TwoCallsApart(pause) => cmd
            .args(["dnd", "--", "sleep"])
            .arg(format!("{}", pause.as_secs_f64())),
    };
    let out = cmd.output().expect("mmstatus runs");
    Outcome {
        ok: out.status.success(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ),
        kind: None,
        status: None,
        debug: String::new(),
    }
}

fn https(port: u16) -> String {
    format!("https://127.0.0.1:{port}")
}

fn with_ca(field: &Field, url: String) -> Call {
    Call {
        url,
        ca_file: Some(field.ca.clone()),
        ..Call::default()
    }
}

// --- the cases ---------------------------------------------------------------------

/// Default trust (the library: Mozilla's roots; the CLI: the system's store) refuses the
/// test CA with a Tls error that says what to do, and nothing reaches nginx or the fake.
fn default_trust_refuses_the_test_ca(client: Client) {
    let field = field();
    let backend = backend(&field);
    let before = nginx_requests(&field, field.tls, "");
    let call = Call {
        url: https(field.tls),
        ..Call::default()
    };
    let out = run(client, &backend, &call, &Op::GetMe);
    assert!(!out.ok, "{client:?}: {out:?}");
    assert!(out.text.contains("TLS failed"), "{client:?}: {}", out.text);
    assert!(
        out.text
            .contains("signed by a CA this client does not trust")
            && out.text.contains("--ca-file"),
        "{client:?}: {}",
        out.text
    );
    if client.library() {
        assert_eq!(out.kind, Some(TransportErrorKind::Tls));
    }
    assert_eq!(
        nginx_requests(&field, field.tls, ""),
        before,
        "a request reached nginx"
    );
    assert_eq!(
        backend.fake.request_count(),
        0,
        "the token reached the server"
    );
}

/// The test CA given as a file makes it work (the CLI: also through `MM_CA_FILE`, and
/// `SSL_CERT_FILE` as for curl).
fn ca_file_makes_it_work(client: Client) {
    let field = field();
    let backend = backend(&field);
    let out = run(
        client,
        &backend,
        &with_ca(&field, https(field.tls)),
        &Op::GetMe,
    );
    assert!(out.ok, "{client:?}: {out:?}");
    assert_eq!(backend.fake.requests(), client.get_me_requests());
    if !client.library() {
        let env = Call {
            url: https(field.tls),
            env: vec![("MM_CA_FILE", field.ca.display().to_string())],
            ..Call::default()
        };
        let out = run(client, &backend, &env, &Op::GetMe);
        assert!(out.ok, "MM_CA_FILE: {out:?}");
        let env = Call {
            url: https(field.tls),
            env: vec![("SSL_CERT_FILE", field.ca.display().to_string())],
            ..Call::default()
        };
        let out = run(client, &backend, &env, &Op::GetMe);
        assert!(out.ok, "SSL_CERT_FILE: {out:?}");
    }
}

fn wrong_host_name_is_refused(client: Client) {
    let field = field();
    let backend = backend(&field);
    let out = run(
        client,
        &backend,
        &with_ca(&field, https(field.wronghost)),
        &Op::GetMe,
    );
    assert!(!out.ok, "{client:?}: {out:?}");
    assert!(
        out.text.contains("TLS failed")
            && out.text.contains("not valid for the host name in the URL"),
        "{client:?}: {}",
        out.text
    );
    assert_eq!(backend.fake.request_count(), 0);
}

fn expired_certificate_is_refused(client: Client) {
    let field = field();
    let backend = backend(&field);
    let out = run(
        client,
        &backend,
        &with_ca(&field, https(field.expired)),
        &Op::GetMe,
    );
    assert!(!out.ok, "{client:?}: {out:?}");
    assert!(
        out.text.contains("TLS failed") && out.text.contains("has expired"),
        "{client:?}: {}",
        out.text
    );
    assert_eq!(backend.fake.request_count(), 0);
}

/// `https_proxy` sends the call through tinyproxy (CONNECT to nginx's TLS port);
/// `NO_PROXY` naming the host sends it direct.
fn through_the_proxy_and_no_proxy_bypasses_it(client: Client) {
    let field = field();
    let backend = backend(&field);
    let proxy = format!("http://127.0.0.1:{}", field.proxy);
    let connect = format!("CONNECT 127.0.0.1:{}", field.tls);
    let tunnels = |log: &str| log.matches(connect.as_str()).count();
    let before = tunnels(&proxy_log(&field));
    let mut call = with_ca(&field, https(field.tls));
    call.env = vec![("https_proxy", proxy.clone())];
    let out = run(client, &backend, &call, &Op::GetMe);
    assert!(out.ok, "{client:?} through the proxy: {out:?}");
    let after = tunnels(&proxy_log(&field));
    assert!(
        after > before,
        "no CONNECT in tinyproxy's log:\n{}",
        proxy_log(&field)
    );
    call.env.push(("NO_PROXY", "127.0.0.1".to_owned()));
    let out = run(client, &backend, &call, &Op::GetMe);
    assert!(out.ok, "{client:?} with NO_PROXY: {out:?}");
    assert_eq!(
        tunnels(&proxy_log(&field)),
        after,
        "NO_PROXY did not bypass the proxy"
    );
    assert_eq!(
        backend.fake.request_count(),
        2 * client.get_me_requests().len() as u64
    );
}

/// A plain-http site through a proxy that allows CONNECT only to the TLS port: sent as
/// curl sends it (absolute-form GET), not tunnelled (which the proxy refuses with 403).
fn plain_http_through_a_connect_restricted_proxy(client: Client) {
    let field = field();
    let backend = backend(&field);
    let call = Call {
        url: format!("http://127.0.0.1:{}", field.http),
        env: vec![("http_proxy", format!("http://127.0.0.1:{}", field.proxy))],
        ..Call::default()
    };
    let before = nginx_requests(&field, field.http, "GET /api/v4/users/me/status");
    let out = run(client, &backend, &call, &Op::GetMe);
    assert!(out.ok, "{client:?}: {out:?}");
    let absolute = format!("GET http://127.0.0.1:{}/api/v4/users/me/status", field.http);
    assert!(
        proxy_log(&field).contains(&absolute),
        "the proxy did not see {absolute}:\n{}",
        proxy_log(&field)
    );
    let after = nginx_requests(&field, field.http, "GET /api/v4/users/me/status");
    assert_eq!(after, before + 1, "nginx did not see the request once");
    assert_eq!(backend.fake.requests(), client.get_me_requests());
}

/// A proxy password never shows: not in the error, not in `Debug`, not on stderr.
fn proxy_password_never_shows(client: Client) {
    let field = field();
    let backend = backend(&field);
    let secret = "hunter2-proxy-pass";
    let mut call = with_ca(&field, https(field.tls));
    call.proxy = Some(format!("http://mm:{secret}@127.0.0.1:{}", field.dead));
    let out = run(client, &backend, &call, &Op::GetMe);
    assert!(
        !out.ok,
        "{client:?}: nothing listens on the proxy port: {out:?}"
    );
    assert!(out.text.contains("127.0.0.1"), "{client:?}: {}", out.text);
    assert!(
        !out.text.contains(secret) && !out.debug.contains(secret),
        "{client:?}: {out:?}"
    );
    if client.library() {
        assert_eq!(out.kind, Some(TransportErrorKind::Connect));
        let builder = Session::builder(https(field.tls))
            .token("t")
            .proxy(&format!("http://mm:{secret}@127.0.0.1:{}", field.dead));
        assert!(!format!("{builder:?}").contains(secret));
        let session = builder.build().expect("builds");
        assert!(!format!("{session:?}").contains(secret), "{session:?}");
    }
    assert_eq!(backend.fake.request_count(), 0);
}

/// nginx's 502 while the fake is stopped: retried for the GET (three attempts in
/// nginx's log), then a typed error that says what is wrong; a request that is not
/// idempotent is sent once (library only: the CLI never sends one without a GET first).
fn bad_gateway_is_retried_when_idempotent_then_typed(client: Client) {
    let field = field();
    let mut backend = backend(&field);
    if let Some(server) = backend.server.take() {
        server.stop();
    }
    let get = "GET /api/v4/users/me/status";
    let before = nginx_requests(&field, field.tls, get);
    let out = run(
        client,
        &backend,
        &with_ca(&field, https(field.tls)),
        &Op::GetMe,
    );
    assert!(!out.ok, "{client:?}: {out:?}");
    assert!(
        out.text.contains("502") && out.text.contains("could not get an answer from Mattermost"),
        "{client:?}: {}",
        out.text
    );
    if client.library() {
        assert_eq!(out.status, Some(502));
    }
    assert_eq!(
        nginx_requests(&field, field.tls, get) - before,
        3,
        "GET attempts"
    );
    let post = "POST /api/v4/users/me/status/custom/recent/delete";
    let before = nginx_requests(&field, field.tls, post);
    let out = run(
        client,
        &backend,
        &with_ca(&field, https(field.tls)),
        &Op::ForgetRecent,
    );
    assert!(!out.ok && out.text.contains("502"), "{client:?}: {out:?}");
    // The CLI's `custom forget-recent N` reads the recent list first, so its 502 comes
    // from that read (retried) and the removal is never sent; the library sends the
    // removal itself, once.
    let expected = usize::from(client.library());
    assert_eq!(
        nginx_requests(&field, field.tls, post) - before,
        expected,
        "POST attempts"
    );
}

/// nginx's 413 (client_max_body_size) is a typed error that names the limit.
fn payload_too_large_names_the_limit(client: Client) {
    let field = field();
    let backend = backend(&field);
    let out = run(
        client,
        &backend,
        &with_ca(&field, https(field.tls)),
        &Op::GetMany(60),
    );
    assert!(!out.ok, "{client:?}: {out:?}");
    assert!(
        out.text.contains("413") && out.text.contains("client_max_body_size"),
        "{client:?}: {}",
        out.text
    );
    if client.library() {
        assert_eq!(out.status, Some(413));
    }
    assert_eq!(backend.fake.request_count(), 0);
}

/// nginx's HTML 404 for a base URL without the site's path prefix: a typed error that
/// says to check the base URL; with the prefix, it works.
fn html_404_for_a_wrong_base_path_points_at_the_base_url(client: Client) {
    let field = field();
    let backend = backend(&field);
    let out = run(
        client,
        &backend,
        &with_ca(&field, https(field.prefix)),
        &Op::GetMe,
    );
    assert!(!out.ok, "{client:?}: {out:?}");
    assert!(
        out.text.contains("404") && out.text.contains("check the base URL"),
        "{client:?}: {}",
        out.text
    );
    if client.library() {
        assert_eq!(out.status, Some(404));
    }
    let right = with_ca(&field, format!("{}/chat", https(field.prefix)));
    let out = run(client, &backend, &right, &Op::GetMe);
    assert!(out.ok, "{client:?} with /chat: {out:?}");
}

/// nginx closing idle kept-alive connections (keepalive_timeout 1s) fails no call.
fn idle_connections_closed_by_nginx_fail_no_call(client: Client) {
    let field = field();
    let backend = backend(&field);
    let call = with_ca(&field, https(field.idle));
    let out = run(
        client,
        &backend,
        &call,
        &Op::TwoCallsApart(Duration::from_millis(2500)),
    );
    assert!(out.ok, "{client:?}: {out:?}");
}

macro_rules! field_cases {
    ($module:ident, $client:expr) => {
        mod $module {
            use super::*;

            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn default_trust_refuses_the_test_ca() {
                super::default_trust_refuses_the_test_ca($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn ca_file_makes_it_work() {
                super::ca_file_makes_it_work($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn wrong_host_name_is_refused() {
                super::wrong_host_name_is_refused($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn expired_certificate_is_refused() {
                super::expired_certificate_is_refused($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn through_the_proxy_and_no_proxy_bypasses_it() {
                super::through_the_proxy_and_no_proxy_bypasses_it($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn plain_http_through_a_connect_restricted_proxy() {
                super::plain_http_through_a_connect_restricted_proxy($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn proxy_password_never_shows() {
                super::proxy_password_never_shows($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn bad_gateway_is_retried_when_idempotent_then_typed() {
                super::bad_gateway_is_retried_when_idempotent_then_typed($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn payload_too_large_names_the_limit() {
                super::payload_too_large_names_the_limit($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn html_404_for_a_wrong_base_path_points_at_the_base_url() {
                super::html_404_for_a_wrong_base_path_points_at_the_base_url($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn idle_connections_closed_by_nginx_fail_no_call() {
                super::idle_connections_closed_by_nginx_fail_no_call($client);
            }
        }
    };
}

field_cases!(ureq, Client::Ureq);
field_cases!(cli, Client::Cli);
#[cfg(feature = "curl")]
field_cases!(curl, Client::Curl);
#[cfg(feature = "curl")]
field_cases!(cli_curl, Client::CliCurl);

// --- the live stream (issue 20): the websocket through nginx and tinyproxy ------------
//
// The library with its ureq transport, and `mmstatus watch`; the curl transport opens
// no websocket (`watch --transport curl` polls and says so: its own case).

/// Ports of the servers added for the stream, and nginx's restart.
struct LiveField {
    nows: u16,
    short: u16,
    restart: PathBuf,
}

fn live_field() -> LiveField {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run the field suite with `bash scripts/field.sh`")
        })
    };
    LiveField {
        nows: var("FIELD_NOWS_PORT").parse().expect("a port"),
        short: var("FIELD_SHORT_PORT").parse().expect("a port"),
        restart: var("FIELD_RESTART_NGINX").into(),
    }
}

fn manual(id: UserId, status: StatusKind) -> mattermost_status::Status {
    let mut s = mattermost_status::Status::new(id, status);
    s.manual = true;
    s
}

/// Test timings for the stream: pings every `ping` ms, a silent peer gone after twice
/// that, reconnects after 50-200 ms.
fn quick_live(ping: u64) -> mattermost_status::live::LiveOptions {
    mattermost_status::live::LiveOptions::new()
        .ping_interval(Duration::from_millis(ping))
        .stale_after(Duration::from_millis(2 * ping))
        .reconnect_backoff(Duration::from_millis(50), Duration::from_millis(200))
        .reconnect_jitter(Duration::ZERO)
}

fn live_session(backend: &Backend, url: String, ca: Option<&PathBuf>) -> Session {
    let mut b = Session::builder(url)
        .token(&backend.token)
        .no_proxy()
        .timeout(Duration::from_secs(10));
    if let Some(ca) = ca {
        b = b.add_root_certificate_file(ca);
    }
    b.build().expect("builds")
}

/// `mmstatus watch ARGS` at `url` with the test CA, quick stream timings.
fn watch_cmd(backend: &Backend, url: &str, ca: Option<&PathBuf>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mmstatus"));
    for name in PROXY_VARS {
        cmd.env_remove(name);
    }
    cmd.env_remove("MM_CA_FILE")
        .env_remove("MM_TRANSPORT")
        .env("MM_URL", url)
        .env("MM_TOKEN", &backend.token)
        .env("TZ", "UTC")
        .env("MMSTATUS_LIVE_TIMINGS_MS", "3000,6000,50,200")
        .stdin(std::process::Stdio::null());
    if let Some(ca) = ca {
        cmd.arg("--ca-file").arg(ca);
    }
    cmd.arg("watch").args(args);
    cmd
}

/// A running `watch`, its lines on a channel with when each came; killed when dropped.
struct Watching {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<(std::time::Instant, String)>,
    err: std::sync::mpsc::Receiver<String>,
}

impl Watching {
    fn start(mut cmd: Command) -> Watching {
        use std::io::BufRead;
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("mmstatus runs");
        let out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let errs = std::io::BufReader::new(child.stderr.take().expect("stderr"));
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send((std::time::Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        let (etx, err) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in errs.lines().map_while(Result::ok) {
                if etx.send(line).is_err() {
                    break;
                }
            }
        });
        Watching { child, lines, err }
    }

    fn line(&self) -> (std::time::Instant, String) {
        self.lines
            .recv_timeout(Duration::from_secs(10))
            .expect("a line within 10 s")
    }

    fn stderr(&self) -> String {
        self.err.try_iter().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nginx with the websocket location of Mattermost's guide, TLS with the test CA: the
/// stream works and a pushed change arrives within a second; without the CA the TLS
/// handshake fails before anything (the token) is sent.
fn live_through_nginx_tls(client: Client) {
    let field = field();
    let backend = backend(&field);
    let url = https(field.tls);
    if client.library() {
        let err = live_session(&backend, url.clone(), None)
            .live()
            .expect_err("the test CA is not trusted by default");
        assert!(
            matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::Tls),
            "{err:?}"
        );
        assert!(err.to_string().contains("--ca-file"), "{err}");
        assert_eq!(
            backend.fake.request_count(),
            0,
            "the token reached the server"
        );
        let mut live = live_session(&backend, url, Some(&field.ca))
            .live()
            .expect("the stream opens through nginx");
        std::thread::sleep(Duration::from_millis(200));
        while live
            .next_timeout(Duration::from_millis(100))
            .expect("ok")
            .is_some()
        {}
        let sent = std::time::Instant::now();
        backend
            .fake
            .set_status(&manual(backend.alice, StatusKind::Dnd));
        let event = live
            .next_timeout(Duration::from_secs(5))
            .expect("ok")
            .expect("an event");
        let took = sent.elapsed();
        assert!(
            matches!(&event, mattermost_status::live::LiveEvent::Status(s) if s.status == StatusKind::Dnd),
            "{event:?}"
        );
        assert!(took < Duration::from_secs(1), "{took:?}");
        eprintln!("field: pushed change through nginx+TLS in {took:?}");
        let _ = live.close();
    } else {
        let o = watch_cmd(&backend, &url, None, &["me"])
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("TLS failed") && err.contains("--ca-file"),
            "{err}"
        );
        assert_eq!(
            backend.fake.request_count(),
            0,
            "the token reached the server"
        );
        let w = Watching::start(watch_cmd(&backend, &url, Some(&field.ca), &["me"]));
        let (_, first) = w.line();
        assert!(first.ends_with(" @alice online"), "{first}");
        std::thread::sleep(Duration::from_millis(500));
        let sent = std::time::Instant::now();
        backend
            .fake
            .set_status(&manual(backend.alice, StatusKind::Dnd));
        let (at, line) = w.line();
        assert!(line.ends_with(" @alice dnd"), "{line}");
        let took = at - sent;
        assert!(took < Duration::from_secs(1), "{took:?}");
        eprintln!("field: watch printed a pushed change through nginx+TLS in {took:?}");
        assert_eq!(w.stderr(), "");
    }
    assert!(
        nginx_requests(&field, field.tls, "GET /api/v4/websocket") >= 1,
        "no websocket in nginx's log"
    );
}

/// nginx without the websocket location: the upgrade reaches the server as a plain GET.
/// The library's error names the proxy configuration; `watch` says so once and polls.
fn live_without_upgrade_headers(client: Client) {
    let field = field();
    let live_field = live_field();
    let backend = backend(&field);
    let url = https(live_field.nows);
    if client.library() {
        let err = live_session(&backend, url, Some(&field.ca))
            .live()
            .expect_err("no upgrade through this nginx");
        let text = err.to_string();
        assert!(
            matches!(&err, Error::Live(l) if matches!(l.kind(), mattermost_status::LiveErrorKind::UpgradeRefused { .. })),
            "{err:?}"
        );
        assert!(
            text.contains("reverse proxy")
                && text.contains("proxy_set_header Upgrade $http_upgrade")
                && text.contains("Connection \"upgrade\""),
            "{text}"
        );
        eprintln!("field: {text}");
    } else {
        backend
            .fake
            .set_status(&manual(backend.alice, StatusKind::Online));
        let o = watch_cmd(
            &backend,
            &url,
            Some(&field.ca),
            &["alice", "--until", "online"],
        )
        .output()
        .expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert_eq!(err.lines().count(), 1, "said once: {err}");
        assert!(
            err.contains("could not be opened")
                && err.contains("proxy_set_header Upgrade")
                && err.contains("watching by HTTP polling"),
            "{err}"
        );
        assert!(String::from_utf8_lossy(&o.stdout).ends_with(" @alice online\n"));
    }
}

/// `proxy_read_timeout 1s`, shorter than the pings (3 s): nginx cuts the idle stream
/// every second; then nginx is restarted mid-stream. The stream comes back each time and
/// no change is lost or repeated: resumed (said so), as the fake keeps the queue.
fn live_survives_short_read_timeout_and_restart(client: Client) {
    let field = field();
    let live_field = live_field();
    let backend = backend(&field);
    let url = https(live_field.short);
    let statuses = [
        StatusKind::Dnd,
        StatusKind::Away,
        StatusKind::Online,
        StatusKind::Dnd,
        StatusKind::Away,
        StatusKind::Online,
    ];
    backend
        .fake
        .set_status(&manual(backend.alice, StatusKind::Online));
    let change = |i: usize| {
        // Two cuts (1 s idle), then nginx restarted before the fifth change.
        std::thread::sleep(Duration::from_millis(if i == 0 { 300 } else { 1300 }));
        if i == 4 {
            let ok = Command::new(&live_field.restart)
                .status()
                .expect("restart nginx");
            assert!(ok.success(), "nginx did not come back");
        }
        backend
            .fake
            .set_status(&manual(backend.alice, statuses[i].clone()));
    };
    if client.library() {
        use mattermost_status::live::{LiveEvent, Reconnect};
        let mut live = quick_live(3000)
            .open(&live_session(&backend, url, Some(&field.ca)))
            .expect("opens");
        let mut seen = Vec::new();
        let mut reconnects = Vec::new();
        std::thread::scope(|s| {
            s.spawn(|| (0..statuses.len()).for_each(change));
            let start = std::time::Instant::now();
            while seen.len() < statuses.len() && start.elapsed() < Duration::from_secs(20) {
                match live.next_timeout(Duration::from_millis(200)) {
                    Ok(Some(LiveEvent::Status(s))) => seen.push(s.status),
                    Ok(Some(LiveEvent::Reconnected(r))) => reconnects.push(r),
                    Ok(_) => {}
                    Err(e) => panic!("{e:?}"),
                }
            }
        });
        assert_eq!(seen, statuses, "every change once, in order");
        assert!(
            reconnects.len() >= 2 && reconnects.iter().all(|r| *r == Reconnect::Resumed),
            "{reconnects:?}"
        );
        eprintln!("field: {} reconnects, all resumed", reconnects.len());
        let _ = live.close();
    } else {
        let w = Watching::start(watch_cmd(&backend, &url, Some(&field.ca), &["me"]));
        let (_, first) = w.line();
        assert!(first.ends_with(" @alice online"), "{first}");
        std::thread::scope(|s| {
            s.spawn(|| (0..statuses.len()).for_each(change));
            for status in &statuses {
                let (_, line) = w.line();
                assert!(line.ends_with(&format!(" @alice {status}")), "{line}");
            }
        });
        assert!(
            w.lines.recv_timeout(Duration::from_millis(500)).is_err(),
            "a line printed twice"
        );
        let err = w.stderr();
        assert!(err.matches("resumed").count() >= 2, "{err}");
        assert!(!err.contains("could not be opened"), "{err}");
    }
}

/// Through tinyproxy, which allows CONNECT only to nginx's TLS port: the stream works
/// (a CONNECT in its log); NO_PROXY bypasses it; the proxy password shows nowhere.
fn live_through_tinyproxy(client: Client) {
    let field = field();
    let backend = backend(&field);
    let secret = "hunter2-live-proxy";
    let connect = format!("CONNECT 127.0.0.1:{}", field.tls);
    let tunnels = || proxy_log(&field).matches(connect.as_str()).count();
    let proxy = format!("http://mm:{secret}@127.0.0.1:{}", field.proxy);
    for (bypass, status) in [(false, StatusKind::Away), (true, StatusKind::Dnd)] {
        let before = tunnels();
        if client.library() {
            let _guard = ENV.lock().unwrap_or_else(|e| e.into_inner());
            for name in PROXY_VARS {
                std::env::remove_var(name);
            }
            std::env::set_var("https_proxy", &proxy);
            if bypass {
                std::env::set_var("NO_PROXY", "127.0.0.1");
            }
            let session = Session::builder(https(field.tls))
                .token(&backend.token)
                .add_root_certificate_file(&field.ca)
                .build()
                .expect("builds");
            std::env::remove_var("https_proxy");
            std::env::remove_var("NO_PROXY");
            assert!(!format!("{session:?}").contains(secret));
            let mut live = session.live().expect("the stream opens");
            assert!(!format!("{live:?}").contains(secret));
            backend
                .fake
                .set_status(&manual(backend.alice, status.clone()));
            // Connecting set alice online first (from offline): that change comes too.
            let start = std::time::Instant::now();
            loop {
                assert!(start.elapsed() < Duration::from_secs(5), "no {status}");
                let event = live.next_timeout(Duration::from_secs(1)).expect("ok");
                if matches!(&event, Some(mattermost_status::live::LiveEvent::Status(s)) if s.status == status)
                {
                    break;
                }
            }
            let _ = live.close();
            // Nothing listens there: the error names the proxy without its password.
            let session = Session::builder(https(field.tls))
                .token(&backend.token)
                .add_root_certificate_file(&field.ca)
                .proxy(&format!("http://mm:{secret}@127.0.0.1:{}", field.dead))
                .build()
                .expect("builds");
            let err = session.live().expect_err("no proxy there");
            assert!(!format!("{err} {err:?}").contains(secret), "{err:?}");
        } else {
            let mut cmd = watch_cmd(&backend, &https(field.tls), Some(&field.ca), &["me"]);
            cmd.env("https_proxy", &proxy);
            if bypass {
                cmd.env("NO_PROXY", "127.0.0.1");
            }
            let w = Watching::start(cmd);
            let _ = w.line();
            std::thread::sleep(Duration::from_millis(300));
            backend
                .fake
                .set_status(&manual(backend.alice, status.clone()));
            let (_, line) = w.line();
            assert!(line.ends_with(&format!(" @alice {status}")), "{line}");
            assert!(!w.stderr().contains(secret));
            drop(w);
            let o = watch_cmd(&backend, &https(field.tls), Some(&field.ca), &["me"])
                .arg("--proxy")
                .arg(format!("http://mm:{secret}@127.0.0.1:{}", field.dead))
                .output()
                .expect("runs");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stderr),
                String::from_utf8_lossy(&o.stdout)
            );
            assert!(!o.status.success() && !text.contains(secret), "{text}");
        }
        let after = tunnels();
        if bypass {
            assert_eq!(after, before, "NO_PROXY did not bypass the proxy");
        } else {
            assert!(after > before, "no CONNECT in tinyproxy's log");
        }
    }
    assert!(!proxy_log(&field).contains(secret));
}

/// `watch --transport curl`: libcurl opens no websocket; watch says so once and polls.
#[cfg(feature = "curl")]
fn watch_on_curl_polls_and_says_so() {
    let field = field();
    let backend = backend(&field);
    backend
        .fake
        .set_status(&manual(backend.alice, StatusKind::Online));
    let before = nginx_requests(&field, field.tls, "GET /api/v4/websocket");
    let o = watch_cmd(
        &backend,
        &https(field.tls),
        Some(&field.ca),
        &["alice", "--until", "online"],
    )
    .args(["--transport", "curl"])
    .output()
    .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--transport curl opens no websocket"), "{err}");
    assert_eq!(
        nginx_requests(&field, field.tls, "GET /api/v4/websocket"),
        before
    );
}

macro_rules! live_cases {
    ($module:ident, $client:expr) => {
        mod $module {
            use super::*;

            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn live_through_nginx_tls() {
                super::live_through_nginx_tls($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn live_without_upgrade_headers() {
                super::live_without_upgrade_headers($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn live_survives_short_read_timeout_and_restart() {
                super::live_survives_short_read_timeout_and_restart($client);
            }
            #[test]
            #[ignore = "run by scripts/field.sh"]
            fn live_through_tinyproxy() {
                super::live_through_tinyproxy($client);
            }
        }
    };
}

live_cases!(live_ureq, Client::Ureq);
live_cases!(live_cli, Client::Cli);

#[cfg(feature = "curl")]
#[test]
#[ignore = "run by scripts/field.sh"]
fn live_cli_curl_watch_polls_and_says_so() {
    watch_on_curl_polls_and_says_so();
}

/// BENCHMARKS.md §7: a status change (set on the fake) to the event out of the library's
/// stream, through nginx with TLS against straight to the fake over loopback, in the same
/// run, alternating, 40 changes each; medians printed (`field: latency ...`).
#[test]
#[ignore = "run by benches/live_latency.sh"]
fn live_latency_through_nginx_tls_against_loopback() {
    use mattermost_status::live::LiveEvent;
    let field = field();
    let backend = backend(&field);
    let direct = live_session(
        &backend,
        format!("http://127.0.0.1:{}", field.fake_port),
        None,
    );
    let nginx = live_session(&backend, https(field.tls), Some(&field.ca));
    // Two users' streams: each sees only its own pushes; bob through nginx.
    let bob = backend.fake.user("bob").expect("bob");
    let bob_session = Session::builder(https(field.tls))
        .token(&bob.token)
        .no_proxy()
        .add_root_certificate_file(&field.ca)
        .build()
        .expect("builds");
    drop(nginx);
    let mut streams = [
        (backend.alice, direct.live().expect("opens"), Vec::new()),
        (bob.id, bob_session.live().expect("opens"), Vec::new()),
    ];
    std::thread::sleep(Duration::from_millis(300));
    let statuses = [StatusKind::Dnd, StatusKind::Away];
    for round in 0..40 {
        for (id, live, times) in &mut streams {
            while live
                .next_timeout(Duration::from_millis(5))
                .expect("ok")
                .is_some()
            {}
            let status = statuses[round % 2].clone();
            let sent = std::time::Instant::now();
            backend.fake.set_status(&manual(*id, status.clone()));
            loop {
                match live.next_timeout(Duration::from_secs(5)).expect("ok") {
                    Some(LiveEvent::Status(s)) if s.status == status => break,
                    Some(_) => {}
                    None => panic!("no event"),
                }
            }
            times.push(sent.elapsed());
        }
    }
    for (name, (_, _, times)) in ["loopback (ws://)", "nginx + TLS (wss://)"]
        .iter()
        .zip(streams.iter_mut())
    {
        times.sort();
        println!(
            "field: latency {name}: median {:?}, p90 {:?}, max {:?}",
            times[times.len() / 2],
            times[times.len() * 9 / 10],
            times[times.len() - 1]
        );
    }
}
