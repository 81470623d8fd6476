//! `mmstatus` as people use it: closed pipes, usernames, the recent list, watching,
//! completions and the man page, against the embedded fake over HTTP on 127.0.0.1.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use mattermost_status::{Status, StatusKind, UserId};

mod common;
#[path = "../../tests/support/fault.rs"]
mod fault;
#[path = "../../tests/support/mod.rs"]
mod support;

use common::{assert_code, stderr, stdout, TestServer};

/// The common fixture, alice online (automatic) as after her client connected.
fn start_server() -> TestServer {
    let server = common::start_server();
    server.fake.record_activity(server.me.id);
    server
}

fn mmstatus(server: &TestServer) -> Command {
    common::mmstatus(server.http.url(), &server.me.token)
}

fn run(server: &TestServer, args: &[&str]) -> Output {
    mmstatus(server).args(args).output().unwrap()
}

/// The write end of a pipe whose read end is already closed: a reader that stopped
/// before the first byte (`mmstatus get | head -c 0`, or a reader that died).
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe(2)");
    // SAFETY: both descriptors were just created and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    Stdio::from(write)
}

// ---- 1. closed pipes -----------------------------------------------------------------

#[test]
fn every_command_exits_0_quietly_into_a_closed_pipe() {
    let server = start_server();
    server.fake.add_user("carol");
    let commands: &[&[&str]] = &[
        &["get"],
        &["get", "--json"],
        &["get", "me", "bob", "--json"],
        &["set", "away"],
        &["set", "dnd", "--for", "1h"],
        &["custom", "set", "Lunch", "--emoji", "hamburger"],
        &["custom", "recent"],
        &["custom", "forget-recent", "1"],
        &["custom", "clear"],
        &["watch", "bob", "--until", "away"],
        &["watch", "bob", "--until", "away", "--json"],
        &["completions", "bash"],
        &["completions", "zsh"],
        &["completions", "fish"],
        &["man"],
        &["--help"],
        &["get", "--help"],
        &["--version"],
    ];
    for args in commands {
        let o = mmstatus(&server)
            .args(*args)
            .stdout(closed_pipe())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        assert!(!err.contains("backtrace"), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_stderr_does_not_panic_either() {
    let server = start_server();
    let o = mmstatus(&server)
        .args(["get", "nobody"])
        .stderr(closed_pipe())
        .output()
        .unwrap();
    assert_code(&o, 1);
    // The plain-http warning comes first, for a host that is not loopback by name
    // (0.0.0.0 reaches this machine; port 1 refuses): it once panicked here.
    let o = mmstatus(&server)
        .args(["get", "--url", "http://0.0.0.0:1"])
        .stderr(closed_pipe())
        .output()
        .unwrap();
    assert_code(&o, 1);
}

#[test]
fn a_reader_that_stops_early_gets_what_it_read() {
    let server = start_server();
    let mut child = mmstatus(&server)
        .args(["get", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "[\n");
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn commands_run_by_dnd_get_the_default_sigpipe() {
    // A shell pipeline in the command: `yes` must die of SIGPIPE when `head` exits,
    // not print "Broken pipe" errors, as it would if SIGPIPE were left ignored.
    let server = start_server();
    let o = run(
        &server,
        &["dnd", "sh", "-c", "yes | head -n 1 > /dev/null; echo done"],
    );
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "done\n");
    assert!(!stderr(&o).contains("Broken pipe"), "{}", stderr(&o));
}

// ---- 2. the DND end only while DND ------------------------------------------------------

#[test]
fn a_dnd_end_left_by_hand_is_not_shown() {
    let server = start_server();
    assert_code(&run(&server, &["set", "dnd", "--for", "1h"]), 0);
    let o = run(&server, &["set", "online"]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "online\n", "no stale end time");
    let stored = server.fake.status(server.me.id).unwrap();
    assert!(
        stored.dnd_end_time.is_some(),
        "the server keeps the old end time (the point of this test)"
    );
    let o = run(&server, &["get"]);
    assert_code(&o, 0);
    let row = stdout(&o).lines().nth(1).unwrap().to_owned();
    assert!(row.ends_with(" -"), "no DND end for an online user: {row}");
    let o = run(&server, &["get", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json[0]["dnd_end_time"], 0, "{json}");
}

// ---- 3. users by username ---------------------------------------------------------------

#[test]
fn get_by_username_shows_the_username_beside_the_id() {
    let server = start_server();
    let o = run(&server, &["get", "@bob"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    let row = out.lines().nth(1).unwrap();
    assert!(row.starts_with(server.bob.id.as_str()), "{out}");
    assert!(row.contains(" @bob ") && row.contains(" away "), "{out}");
    assert_eq!(
        server.fake.requests(),
        [
            "POST /api/v4/users/usernames".to_owned(),
            format!("GET /api/v4/users/{}/status", server.bob.id),
        ]
    );
}

#[test]
fn get_many_mixes_names_ids_and_me_in_the_order_given() {
    let server = start_server();
    let bob = server.bob.id.to_string();
    let o = run(&server, &["get", "bob", "me", "alice", &bob, "--json"]);
    assert_code(&o, 0);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<(String, serde_json::Value)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["user_id"].as_str().unwrap().to_owned(),
                s["username"].clone(),
            )
        })
        .collect();
    let (a, b) = (server.me.id.to_string(), bob.clone());
    assert_eq!(
        got,
        [
            (b.clone(), "bob".into()),
            (a.clone(), "alice".into()),
            (a, "alice".into()),
            (b, "bob".into()),
        ]
    );
    assert_eq!(
        server.fake.requests(),
        [
            "POST /api/v4/users/usernames",
            "GET /api/v4/users/me/status",
            "POST /api/v4/users/status/ids",
            "POST /api/v4/users/ids",
        ],
        "one request for every name, one for the usernames of `me` and the id"
    );
}

#[test]
fn get_me_shows_the_token_users_username() {
    let server = start_server();
    let o = run(&server, &["get"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    let row = out.lines().nth(1).unwrap();
    assert!(row.starts_with(server.me.id.as_str()), "{out}");
    assert!(row.contains(" @alice "), "{out}");
    assert_eq!(
        server.fake.requests(),
        ["GET /api/v4/users/me/status", "POST /api/v4/users/ids"]
    );
}

#[test]
fn get_by_id_as_json_has_the_username() {
    let server = start_server();
    let o = run(&server, &["get", server.bob.id.as_str(), "--json"]);
    assert_code(&o, 0);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json[0]["user_id"], server.bob.id.as_str(), "{json}");
    assert_eq!(json[0]["username"], "bob", "{json}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(r#""username": "bob""#),
        "beside the id: {json}"
    );
}

#[test]
fn a_user_the_server_does_not_answer_keeps_no_username() {
    let server = start_server();
    // An id no user has: the server answers a status (offline) but no user.
    let nobody = "zzzzzzzzzzzzzzzzzzzzzzzzzz";
    let o = run(&server, &["get", nobody, "bob", "--json"]);
    assert_code(&o, 0);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json[0]["user_id"], nobody, "{json}");
    assert_eq!(json[0]["username"], serde_json::Value::Null, "{json}");
    assert_eq!(json[1]["username"], "bob", "{json}");
    let o = run(&server, &["get", nobody]);
    assert_code(&o, 0);
    let out = stdout(&o);
    let row = out.lines().nth(1).unwrap();
    assert!(row.starts_with(&format!("{nobody}  -  ")), "{out}");
}

#[test]
fn users_all_given_by_name_need_no_username_request() {
    let server = start_server();
    let o = run(&server, &["get", "alice", "bob"]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains(" @alice "), "{}", stdout(&o));
    assert_eq!(
        server.fake.requests(),
        [
            "POST /api/v4/users/usernames",
            "POST /api/v4/users/status/ids"
        ],
        "usernames and statuses: 2 requests"
    );
    let o = run(&server, &["get", "@bob"]);
    assert_code(&o, 0);
    assert_eq!(server.fake.request_count(), 4);
}

#[test]
fn an_unknown_username_is_named_and_exits_1() {
    let server = start_server();
    let o = run(&server, &["get", "alice", "zed", "ann"]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("no users named zed, ann"),
        "{}",
        stderr(&o)
    );
    assert_eq!(server.fake.requests(), ["POST /api/v4/users/usernames"]);
}

#[test]
fn a_bad_user_argument_is_a_usage_error_with_nothing_sent() {
    let server = start_server();
    for bad in ["no/such", "al ice", "@", "channel"] {
        let o = run(&server, &["get", bad]);
        assert_code(&o, 2);
        assert!(stderr(&o).contains("'[USER]...'"), "{}", stderr(&o));
    }
    assert!(server.fake.requests().is_empty());
}

// ---- 4. the recent list -----------------------------------------------------------------

#[test]
fn recent_lists_numbered_and_forget_recent_removes_by_number() {
    let server = start_server();
    let o = run(&server, &["custom", "recent"]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("no recent custom statuses"));

    for args in [
        &["custom", "set", "Lunch", "--emoji", "hamburger"][..],
        &["custom", "set", "Trip", "--until", "2999-06-01T12:00:00.5Z"][..],
        &[
            "custom",
            "set",
            "Focus",
            "--emoji",
            "headphones",
            "--for",
            "2h",
        ][..],
    ] {
        assert_code(&run(&server, args), 0);
    }
    let o = run(&server, &["custom", "recent"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("1. :headphones: Focus (until "),
        "{out}"
    );
    assert_eq!(
        lines[1],
        "2. :speech_balloon: Trip (until 2999-06-01 12:00:00 +00:00)"
    );
    assert_eq!(lines[2], "3. :hamburger: Lunch (does not expire)");

    let o = run(&server, &["custom", "forget-recent", "2"]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("Trip"), "{}", stdout(&o));
    let texts: Vec<String> = server
        .fake
        .recent_custom_statuses(server.me.id)
        .into_iter()
        .map(|cs| cs.text)
        .collect();
    assert_eq!(texts, ["Focus", "Lunch"]);

    let o = run(&server, &["custom", "forget-recent", "3"]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("there are 2"), "{}", stderr(&o));
    let o = run(&server, &["custom", "forget-recent", "0"]);
    assert_code(&o, 2);
}

// ---- 5. watching ------------------------------------------------------------------------
// The polling path (`--poll`, and the fallback when the websocket cannot be opened);
// over the websocket: tests/cli_watch.rs.

/// `mmstatus watch` with the poll interval allowed down to 50 ms.
fn watch(server: &TestServer, args: &[&str]) -> Command {
    let mut cmd = mmstatus(server);
    cmd.env("MMSTATUS_MIN_INTERVAL_MS", "50")
        .arg("watch")
        .args(args);
    cmd
}

#[test]
fn watch_until_exits_0_once_everyone_has_the_status() {
    let server = start_server();
    let fake = server.fake.clone();
    let bob = server.bob.id;
    let me = server.me.id;
    let changer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        fake.record_activity(bob); // bob's away is manual: activity does not change it
        let mut online = Status::new(bob, StatusKind::Online);
        online.last_activity_at = Some(SystemTime::now());
        fake.set_status(&online);
        let _ = me;
    });
    let started = Instant::now();
    let o = watch(
        &server,
        &[
            "bob",
            "me",
            "--until",
            "online",
            "--interval",
            "100ms",
            "--poll",
        ],
    )
    .output()
    .unwrap();
    changer.join().unwrap();
    assert_code(&o, 0);
    assert!(started.elapsed() < Duration::from_secs(20));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "both users first, then bob's change: {out}");
    assert!(lines[0].ends_with(" @bob away"), "{out}");
    assert!(lines[1].ends_with(" @alice online"), "{out}");
    assert!(lines[2].ends_with(" @bob online"), "{out}");
    let requests = server.fake.requests();
    assert_eq!(
        requests[..3],
        [
            "POST /api/v4/users/usernames",
            "GET /api/v4/users/me/status",
            "POST /api/v4/users/ids"
        ],
        "names, `me` and the username of `me`, once, before the first poll: {requests:?}"
    );
    assert!(requests.len() > 4, "{requests:?}");
    assert!(
        requests[3..]
            .iter()
            .all(|r| r == "POST /api/v4/users/status/ids"),
        "every poll is one request: {requests:?}"
    );
}

#[test]
fn watch_by_id_shows_the_username_looked_up_once() {
    let server = start_server();
    let bob = server.bob.id.to_string();
    let o = watch(&server, &[&bob, "--until", "away", "--json", "--poll"])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let line: serde_json::Value = serde_json::from_str(stdout(&o).trim_end()).unwrap();
    assert_eq!(line["user_id"], bob.as_str());
    assert_eq!(line["username"], "bob");
    assert_eq!(
        server.fake.requests(),
        ["POST /api/v4/users/ids", "POST /api/v4/users/status/ids"]
    );
}

#[test]
fn watch_json_prints_one_object_per_change() {
    let server = start_server();
    let o = watch(&server, &["alice", "--until", "online", "--json"])
        .output()
        .unwrap();
    assert_code(&o, 0);
    let out = stdout(&o);
    let line: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    assert_eq!(line["username"], "alice");
    assert_eq!(line["status"], "online");
    assert_eq!(line["user_id"], server.me.id.as_str());
    assert!(line["time"].as_str().unwrap().ends_with('Z'), "{line}");
}

#[test]
fn watch_refuses_fast_intervals_and_unknown_statuses() {
    let server = start_server();
    let o = run(&server, &["watch", "bob", "--interval", "1s"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("at least 5s"), "{}", stderr(&o));
    let o = run(&server, &["watch", "bob", "--until", "busy"]);
    assert_code(&o, 2);
    let o = run(&server, &["watch"]);
    assert_code(&o, 2);
    assert!(server.fake.requests().is_empty());
}

#[test]
fn watch_stops_cleanly_on_ctrl_c() {
    let server = start_server();
    let mut child = watch(&server, &["bob", "--interval", "100ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    assert!(first.ends_with(" @bob away\n"), "{first}");
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: plain kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 130);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn watch_keeps_going_while_the_server_is_away() {
    let server = start_server();
    let mut child = watch(
        &server,
        &["bob", "--until", "online", "--interval", "100ms", "--poll"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    assert!(first.ends_with(" @bob away\n"), "{first}");
    // The server goes away (connections refused), then comes back on the same port.
    let TestServer {
        fake, http, bob, ..
    } = server;
    let addr = http.addr();
    http.stop();
    std::thread::sleep(Duration::from_millis(1500));
    let http = fake.serve_on(addr).unwrap();
    fake.set_status(&Status::new(bob.id, StatusKind::Online));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_code(&o, 0);
    assert!(rest.ends_with(" @bob online\n"), "{rest}");
    assert!(
        stderr(&o).contains("trying again"),
        "the failures were reported: {}",
        stderr(&o)
    );
    http.stop();
}

/// A server that answers 429 until the session has spent its attempts: `watch` reports
/// it, waits what the server asked (`Retry-After: 1`), and goes on.
#[test]
fn watch_waits_out_a_rate_limit_as_the_server_asks() {
    use fault::server::{json, response, Fault};
    const BOB: &str = "o8c4ypcdd51zbr8wktm3xa3i10";
    let attempts = mattermost_status::RetryPolicy::new().attempts() as usize;
    let server = fault::start_server(move |n| {
        Fault::Reply(match n {
            // POST /users/ids: the username lookup, answered with nobody.
            0 => json(200, "[]"),
            n if n <= attempts => response(
                429,
                &[("Retry-After", "1"), ("Content-Type", "application/json")],
                br#"{"id":"api.context.rate_limited","message":"too many requests","status_code":429}"#,
            ),
            _ => json(
                200,
                &format!(
                    r#"[{{"user_id":"{BOB}","status":"online","manual":false,"last_activity_at":0,"dnd_end_time":0}}]"#
                ),
            ),
        })
    });
    let start = Instant::now();
    let o = common::mmstatus(&server.url(), "tok")
        .env("MMSTATUS_MIN_INTERVAL_MS", "50")
        .args([
            "watch",
            BOB,
            "--until",
            "online",
            "--interval",
            "100ms",
            "--poll",
        ])
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    assert_code(&o, 0);
    assert!(
        stdout(&o).ends_with(&format!(" {BOB} online\n")),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("(trying again in 1s)"),
        "the rate limit was reported with the server's wait: {}",
        stderr(&o)
    );
    // The session waited 1 s between its attempts, then watch 1 s more.
    let waits = attempts as u64;
    assert!(
        elapsed >= Duration::from_millis(waits * 1000 - 100),
        "Retry-After was not honoured: {elapsed:?}"
    );
    assert_eq!(server.attempts(), attempts + 2, "requests the server saw");
}

// ---- 6. conventions ---------------------------------------------------------------------

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    let server = start_server();
    for (shell, needle) in [
        ("bash", "_mmstatus()"),
        ("zsh", "#compdef mmstatus"),
        ("fish", "complete -c mmstatus"),
    ] {
        let o = run(&server, &["completions", shell]);
        assert_code(&o, 0);
        let text = stdout(&o);
        assert!(text.contains(needle), "{shell}: {text}");
        assert!(
            text.contains("forget-recent") && text.contains("watch"),
            "{shell}"
        );
    }
    let o = run(&server, &["man"]);
    assert_code(&o, 0);
    let man = stdout(&o);
    assert!(
        man.starts_with(".ie") || man.contains(".TH mmstatus"),
        "{man}"
    );
    assert!(
        man.contains("watch") && man.contains("completions"),
        "{man}"
    );
    assert_code(&run(&server, &["completions", "tcsh"]), 2);
    assert!(server.fake.requests().is_empty());
}

#[test]
fn typos_get_a_suggestion() {
    let server = start_server();
    let o = run(&server, &["wacth", "bob"]);
    assert_code(&o, 2);
    let err = stderr(&o);
    assert!(err.contains("similar subcommand exists: 'watch'"), "{err}");
    let o = run(&server, &["get", "--jsno"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("--json"), "{}", stderr(&o));
}

#[test]
fn dnd_takes_the_command_without_double_dash() {
    let server = start_server();
    let o = run(
        &server,
        &[
            "dnd",
            "--for",
            "1h",
            "sh",
            "-c",
            "echo $0 $1",
            "-x",
            "--for",
        ],
    );
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "-x --for\n",
        "options after the command are its own"
    );
    let o = run(&server, &["dnd", "--", "sh", "-c", "exit 4"]);
    assert_code(&o, 4);
}

#[test]
fn version_is_the_crate_version() {
    let server = start_server();
    let o = run(&server, &["--version"]);
    assert_code(&o, 0);
    assert_eq!(
        stdout(&o),
        format!("mmstatus {}\n", env!("CARGO_PKG_VERSION"))
    );
    let _: UserId = server.me.id;
}
