//! Running the `mmstatus` binary in tests: the command with a site and a token, and what
//! it printed; the fake the CLI tests share.

#![allow(dead_code)] // each test binary uses its own part of it

use std::process::{Command, Output, Stdio};

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_mmstatus");

/// `mmstatus` for the site at `url` as the token's user, in UTC, with no input, and a
/// backtrace should it ever panic.
pub fn mmstatus(url: &str, token: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("MM_URL", url)
        .env("MM_TOKEN", token)
        .env("TZ", "UTC")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null());
    cmd
}

/// What the command printed on stdout.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What the command printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The command exited with `code`; both outputs shown otherwise.
#[track_caller]
pub fn assert_code(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(o),
        stderr(o)
    );
}

/// The fake served on 127.0.0.1 until dropped: alice (the token's user) and bob, away by
/// hand.
pub struct TestServer {
    pub fake: mattermost_status::fake::FakeServer,
    pub http: mattermost_status::fake::FakeHttpServer,
    pub me: mattermost_status::fake::FakeUser,
    pub bob: mattermost_status::fake::FakeUser,
}

/// A fresh [`TestServer`].
pub fn start_server() -> TestServer {
    use mattermost_status::{Status, StatusKind};
    let fake = mattermost_status::fake::FakeServer::new();
    let http = fake.serve().unwrap();
    let me = fake.user("alice").unwrap();
    let bob = fake.user("bob").unwrap();
    let mut away = Status::new(bob.id, StatusKind::Away);
    away.manual = true;
    fake.set_status(&away);
    TestServer {
        fake,
        http,
        me,
        bob,
    }
}
