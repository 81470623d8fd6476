//! Running the `mmstatus` binary in tests: the command with a site and a token, and what
//! it printed.

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
