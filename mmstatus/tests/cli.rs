//! The `mmstatus` binary, run as a user would, against the embedded fake server over HTTP
//! on 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mattermost_status::fake::{FakeHttpServer, FakeServer, FakeUser};
use mattermost_status::{CustomStatus, CustomStatusDuration, Status, StatusKind, UserId};

mod common;
#[path = "../../tests/support/mod.rs"]
mod support;

use common::{assert_code, stderr, stdout, BIN};

/// A fresh fake, served on 127.0.0.1 until dropped.
struct TestServer {
    fake: FakeServer,
    http: FakeHttpServer,
    /// alice, the token's user: online (automatic), as after her client connected.
    me: FakeUser,
    /// bob: away, set by hand.
    bob: UserId,
    /// carol: no status stored yet.
    carol: UserId,
}

fn start_server() -> TestServer {
    let fake = FakeServer::new();
    let http = fake.serve().unwrap();
    let me = fake.user("alice").unwrap();
    fake.record_activity(me.id);
    let bob = fake.user("bob").unwrap().id;
    let mut away = Status::new(bob, StatusKind::Away);
    away.manual = true;
    fake.set_status(&away);
    let carol = fake.add_user("carol").id;
    TestServer {
        fake,
        http,
        me,
        bob,
        carol,
    }
}

impl TestServer {
    /// The token's user's stored status.
    fn status(&self) -> Status {
        self.fake
            .status(self.me.id)
            .expect("the token's user has a status")
    }

    /// Stores the token's user's status, as if set earlier (a DND end in whole minutes,
    /// as the server keeps it).
    fn set_status(&self, kind: StatusKind, manual: bool, end: Option<SystemTime>) {
        let mut s = Status::new(self.me.id, kind);
        s.manual = manual;
        s.dnd_end_time = end.map(truncate_to_minute);
        self.fake.set_status(&s);
    }

    /// `METHOD /path` of every request the server answered.
    fn requests(&self) -> Vec<String> {
        self.fake.requests()
    }

    fn recent(&self) -> Vec<CustomStatus> {
        self.fake.recent_custom_statuses(self.me.id)
    }
}

fn truncate_to_minute(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    UNIX_EPOCH + Duration::from_secs(secs - secs % 60)
}

/// `mmstatus ARGS` with MM_URL and MM_TOKEN set for `server`, in UTC.
fn mmstatus(server: &TestServer) -> Command {
    common::mmstatus(server.http.url(), &server.me.token)
}

fn run(server: &TestServer, args: &[&str]) -> Output {
    mmstatus(server).args(args).output().unwrap()
}

#[test]
fn get_defaults_to_me_as_a_table() {
    let server = start_server();
    server.set_status(
        StatusKind::Dnd,
        true,
        Some(SystemTime::now() + Duration::from_secs(7200)),
    );
    let o = run(&server, &["get"]);
    assert_code(&o, 0);
    let out = stdout(&o);
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("USER") && header.contains("DND ENDS"),
        "{out}"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(server.me.id.as_str()) && row.contains(" dnd ") && row.contains("yes"),
        "{out}"
    );
    assert!(row.ends_with("+00:00"), "the DND end is shown: {out}");
    assert_eq!(
        server.requests(),
        ["GET /api/v4/users/me/status", "POST /api/v4/users/ids"]
    );
}

#[test]
fn get_many_as_json_keeps_the_order_asked() {
    let server = start_server();
    let (carol, bob) = (server.carol.to_string(), server.bob.to_string());
    let o = run(&server, &["get", &carol, "me", &bob, "--json"]);
    assert_code(&o, 0);
    let statuses: Vec<Status> = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<(String, StatusKind)> = statuses
        .iter()
        .map(|s| (s.user_id.to_string(), s.status.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (carol, StatusKind::Offline),
            (server.me.id.to_string(), StatusKind::Online),
            (bob, StatusKind::Away),
        ]
    );
    assert!(statuses[2].manual);
}

#[test]
fn get_refuses_a_bad_id_naming_the_argument() {
    let server = start_server();
    // Not an id, not `me`, and not a username either (`not-an-id` would be one).
    let o = run(&server, &["get", "not an id"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("'[USER]...'"), "{}", stderr(&o));
    assert!(server.requests().is_empty());
}

#[test]
fn get_reports_server_errors_with_exit_1() {
    let server = start_server();
    // A real server answers a status for an id no user has (`offline`): not an error.
    // (The hand-written stub this test first ran against answered 404 here; the fake
    // follows the server's code.)
    let o = run(&server, &["get", "aaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains(" offline "), "{}", stdout(&o));
    // Its 404 for a status comes when user statuses are turned off.
    server.fake.set_enable_user_statuses(false);
    let o = run(&server, &["get", "aaaaaaaaaaaaaaaaaaaaaaaaaa"]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("404"), "{}", stderr(&o));
}

#[test]
fn set_each_status() {
    let server = start_server();
    for (arg, manual) in [
        ("away", true),
        ("offline", true),
        ("online", false),
        ("dnd", true),
    ] {
        let o = run(&server, &["set", arg]);
        assert_code(&o, 0);
        assert_eq!(stdout(&o).trim(), arg);
        let s = server.status();
        assert_eq!(s.status.as_str(), arg);
        assert_eq!(s.manual, manual, "{arg}");
        assert_eq!(s.dnd_end_time, None);
    }
}

#[test]
fn set_dnd_for_a_while() {
    let server = start_server();
    let before = SystemTime::now();
    let o = run(&server, &["set", "dnd", "--for", "1h30m"]);
    assert_code(&o, 0);
    assert!(stdout(&o).starts_with("dnd until "), "{}", stdout(&o));
    let end = server.status().dnd_end_time.unwrap();
    let after = SystemTime::now();
    assert!(end > before + Duration::from_secs(5400 - 61), "{end:?}");
    assert!(end <= after + Duration::from_secs(5400));
}

#[test]
fn set_dnd_until_an_instant() {
    let server = start_server();
    let o = run(
        &server,
        &["set", "dnd", "--until", "2999-01-01T10:00:00+02:00"],
    );
    assert_code(&o, 0);
    assert_eq!(stdout(&o).trim(), "dnd until 2999-01-01 08:00:00 +00:00");
}

#[test]
fn set_refuses_bad_combinations_before_sending() {
    let server = start_server();
    for (args, needle) in [
        (
            &["set", "away", "--for", "1h"][..],
            "--for and --until only go with `dnd`",
        ),
        (
            &["set", "dnd", "--for", "1h", "--until", "18:00"][..],
            "cannot be used with",
        ),
        (
            &["set", "dnd", "--until", "2001-01-01 10:00"][..],
            "'--until <TIME>'",
        ),
        (&["set", "dnd", "--for", "10"][..], "'--for <DURATION>'"),
        (&["set", "busy"][..], "'<STATUS>'"),
        (&["set", "dnd", "--tz", "Mars/Base"][..], "'--tz <ZONE>'"),
    ] {
        let o = run(&server, args);
        assert_code(&o, 2);
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    assert!(server.requests().is_empty());
}

#[test]
fn configuration_errors() {
    let server = start_server();
    let o = mmstatus(&server)
        .env_remove("MM_TOKEN")
        .arg("get")
        .output()
        .unwrap();
    assert_code(&o, 2);
    assert!(stderr(&o).contains("MM_TOKEN"), "{}", stderr(&o));

    let o = mmstatus(&server)
        .env_remove("MM_URL")
        .arg("get")
        .output()
        .unwrap();
    assert_code(&o, 2);
    assert!(stderr(&o).contains("MM_URL"), "{}", stderr(&o));

    let o = mmstatus(&server)
        .args(["--url", "ftp://x", "get"])
        .output()
        .unwrap();
    assert_code(&o, 2);
    assert!(stderr(&o).contains("--url"), "{}", stderr(&o));

    let o = mmstatus(&server)
        .env("MM_TOKEN", "wrong")
        .arg("get")
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert!(stderr(&o).contains("401"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("wrong"), "the token is never shown");

    let dir = std::env::temp_dir().join(format!("mmstatus-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, format!("{}\n", server.me.token)).unwrap();
    let o = mmstatus(&server)
        .env_remove("MM_TOKEN")
        .arg("--token-file")
        .arg(&file)
        .arg("get")
        .output()
        .unwrap();
    assert_code(&o, 0);
    let o = mmstatus(&server)
        .arg("--token-file")
        .arg(dir.join("missing"))
        .arg("get")
        .output()
        .unwrap();
    assert_code(&o, 2);
    assert!(stderr(&o).contains("--token-file"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

fn custom(server: &TestServer) -> Option<CustomStatus> {
    server.fake.custom_status(server.me.id)
}

#[test]
fn custom_set_with_a_menu_duration() {
    let server = start_server();
    let before = SystemTime::now();
    let o = run(
        &server,
        &[
            "custom",
            "set",
            "In a meeting",
            "--emoji",
            "calendar",
            "--duration",
            "one_hour",
        ],
    );
    assert_code(&o, 0);
    assert!(stdout(&o).starts_with("custom status set: :calendar: In a meeting (until "));
    let cs = custom(&server).unwrap();
    assert_eq!(
        (cs.emoji.as_str(), cs.text.as_str()),
        ("calendar", "In a meeting")
    );
    assert_eq!(cs.duration, Some(CustomStatusDuration::OneHour));
    let end = cs.expires_at.unwrap();
    let secs = end.duration_since(SystemTime::UNIX_EPOCH).unwrap();
    assert_eq!(secs.as_nanos() % 60_000_000_000, 0, "whole minutes");
    assert!(
        end > before + Duration::from_secs(3600 - 60)
            && end <= SystemTime::now() + Duration::from_secs(3600)
    );
    assert_eq!(server.recent().len(), 1);
}

#[test]
fn custom_set_this_week_ends_on_saturday_in_the_zone() {
    let server = start_server();
    let o = run(
        &server,
        &[
            "custom",
            "set",
            "Vacation",
            "--duration",
            "this_week",
            "--tz",
            "-05:00",
        ],
    );
    assert_code(&o, 0);
    let cs = custom(&server).unwrap();
    let end = jiff::Timestamp::try_from(cs.expires_at.unwrap()).unwrap();
    let local = end.to_zoned_datetime(jiff::tz::TimeZone::fixed(
        jiff::tz::Offset::from_hours(-5).unwrap(),
    ));
    assert_eq!(local.weekday(), jiff::civil::Weekday::Saturday);
    assert_eq!(local.time().to_string(), "23:59:59.999");
    assert_eq!(cs.emoji, "speech_balloon", "the apps' default emoji");
}

#[test]
fn custom_set_until_and_for_and_forever() {
    let server = start_server();
    let o = run(
        &server,
        &["custom", "set", "Flying", "--until", "2999-06-01T12:00:00Z"],
    );
    assert_code(&o, 0);
    let cs = custom(&server).unwrap();
    assert_eq!(cs.duration, Some(CustomStatusDuration::DateAndTime));
    assert_eq!(
        serde_json::to_value(&cs).unwrap()["expires_at"],
        "2999-06-01T12:00:00Z"
    );

    let o = run(&server, &["custom", "set", "Focus", "--for", "45m"]);
    assert_code(&o, 0);
    assert_eq!(
        custom(&server).unwrap().duration,
        Some(CustomStatusDuration::DateAndTime)
    );

    let o = run(&server, &["custom", "set", "Remote"]);
    assert_code(&o, 0);
    assert!(stdout(&o).contains("(does not expire)"));
    let cs = custom(&server).unwrap();
    assert_eq!((cs.duration, cs.expires_at), (None, None));
}

#[test]
fn custom_set_refuses_bad_input() {
    let server = start_server();
    for (args, needle) in [
        (
            &["custom", "set", "Late", "--until", "2001-01-01T00:00:00Z"][..],
            "'--until <TIME>'",
        ),
        (
            &["custom", "set", "x", "--duration", "date_and_time"][..],
            "--until",
        ),
        (
            &["custom", "set", "x", "--duration", "forever"][..],
            "'--duration <NAME>'",
        ),
        (
            &["custom", "set", "x", "--duration", "today", "--for", "1h"][..],
            "cannot be used with",
        ),
        (&["custom", "set", &"x".repeat(101)][..], "text"),
    ] {
        let o = run(&server, args);
        assert_code(&o, 2);
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    assert!(server.requests().is_empty());
}

#[test]
fn custom_clear() {
    let server = start_server();
    assert_code(&run(&server, &["custom", "set", "Lunch"]), 0);
    assert!(custom(&server).is_some());
    let o = run(&server, &["custom", "clear"]);
    assert_code(&o, 0);
    assert!(custom(&server).is_none());
    assert_eq!(server.recent().len(), 1, "recent statuses are kept");
}

#[test]
fn custom_forget_recent_removes_the_entry_exactly_as_stored() {
    let server = start_server();
    assert_code(
        &run(&server, &["custom", "set", "Lunch", "--emoji", "hamburger"]),
        0,
    );
    assert_code(
        &run(
            &server,
            &[
                "custom",
                "set",
                "Trip",
                "--until",
                "2999-06-01T14:00:00.5+02:00",
            ],
        ),
        0,
    );
    // Newest first: the trip (to the half second, date_and_time) is 1.
    let o = run(&server, &["custom", "forget-recent", "1"]);
    assert_code(&o, 0);
    assert_eq!(server.recent().len(), 1);
    assert_eq!(server.recent()[0].text, "Lunch");
    let o = run(&server, &["custom", "forget-recent", "1"]);
    assert_code(&o, 0);
    assert!(server.recent().is_empty());
}

// --- dnd -- COMMAND ---------------------------------------------------------------

#[test]
fn dnd_runs_the_command_in_dnd_then_restores() {
    let server = start_server();
    server.set_status(StatusKind::Away, true, None);
    // The command itself reads the status: it must see DND.
    let o = run(&server, &["dnd", "--for", "2h", "--", BIN, "get", "--json"]);
    assert_code(&o, 0);
    let during: Vec<Status> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(during[0].status, StatusKind::Dnd);
    assert!(during[0].dnd_end_time.is_some());
    let after = server.status();
    assert_eq!((after.status, after.manual), (StatusKind::Away, true));
}

#[test]
fn dnd_restores_after_a_failing_command_and_passes_its_code() {
    let server = start_server();
    let o = run(&server, &["dnd", "--", "sh", "-c", "exit 3"]);
    assert_code(&o, 3);
    let after = server.status();
    assert_eq!((after.status, after.manual), (StatusKind::Online, false));
    let puts = server
        .requests()
        .iter()
        .filter(|r| r.starts_with("PUT"))
        .count();
    assert_eq!(puts, 2, "set DND, then restore");
}

#[test]
fn dnd_restores_a_previous_dnd_with_its_end_time() {
    let server = start_server();
    let end = SystemTime::now() + Duration::from_secs(3 * 3600);
    server.set_status(StatusKind::Dnd, true, Some(end));
    let o = run(&server, &["dnd", "--for", "10m", "--", "true"]);
    assert_code(&o, 0);
    let after = server.status();
    assert_eq!(after.status, StatusKind::Dnd);
    assert_eq!(after.dnd_end_time, Some(truncate_to_minute(end)));
}

#[test]
fn dnd_leaves_a_status_changed_meanwhile_alone() {
    let server = start_server();
    server.set_status(StatusKind::Offline, true, None);
    let o = run(&server, &["dnd", "--", BIN, "set", "away"]);
    assert_code(&o, 0);
    assert_eq!(server.status().status, StatusKind::Away);
}

#[test]
fn dnd_with_a_missing_command_exits_127_and_restores() {
    let server = start_server();
    server.set_status(StatusKind::Away, true, None);
    let o = run(&server, &["dnd", "--", "/nonexistent/command"]);
    assert_code(&o, 127);
    assert!(stderr(&o).contains("cannot run"), "{}", stderr(&o));
    assert_eq!(server.status().status, StatusKind::Away);
}

#[test]
fn dnd_restores_when_interrupted() {
    let server = start_server();
    server.set_status(StatusKind::Away, true, None);
    let mut child = mmstatus(&server)
        .args(["dnd", "--", "sh", "-c", "echo started; exec sleep 60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "started");
    assert_eq!(
        server.status().status,
        StatusKind::Dnd,
        "DND during the command"
    );

    // SIGINT to mmstatus alone, as `kill -INT <pid>` does (not to its process group).
    let killed = Command::new("sh")
        .args(["-c", "kill -INT \"$1\"", "sh", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "128 + SIGINT: the command was interrupted"
    );
    let after = server.status();
    assert_eq!((after.status, after.manual), (StatusKind::Away, true));
}

/// Ctrl-C in a terminal: SIGINT to the whole foreground process group, the tool and the
/// command alike.
#[cfg(unix)]
#[test]
fn dnd_restores_after_ctrl_c_to_the_process_group() {
    use std::os::unix::process::CommandExt;

    let server = start_server();
    server.set_status(StatusKind::Offline, true, None);
    let mut child = mmstatus(&server)
        .args([
            "dnd",
            "--for",
            "1h",
            "--",
            "sh",
            "-c",
            "echo started; exec sleep 60",
        ])
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "started");
    let group = format!("-{}", child.id());
    let killed = Command::new("sh")
        .args(["-c", "kill -INT \"$1\"", "sh", &group])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let after = server.status();
    assert_eq!((after.status, after.manual), (StatusKind::Offline, true));
}

#[test]
fn dnd_needs_a_command() {
    let server = start_server();
    let o = run(&server, &["dnd", "--for", "1h"]);
    assert_code(&o, 2);
    assert!(stderr(&o).contains("<COMMAND>"), "{}", stderr(&o));
    assert!(server.requests().is_empty());
}

#[test]
fn help_and_version() {
    let server = start_server();
    let o = run(&server, &["--help"]);
    assert_code(&o, 0);
    let help = stdout(&o);
    for needle in ["EXIT STATUS", "MM_TOKEN", "get", "set", "custom", "dnd"] {
        assert!(help.contains(needle), "{needle}");
    }
    let o = run(&server, &["--version"]);
    assert_code(&o, 0);
    assert!(stdout(&o).starts_with("mmstatus "));
    assert_code(&run(&server, &[]), 2);
}
