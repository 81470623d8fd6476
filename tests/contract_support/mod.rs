//! What tests/contract_openapi.rs and tests/contract_client.rs share: the loud skip, the
//! ids and the fixed times every case uses.
//!
//! Both suites need Node packages (Prism, the official client) that `scripts/contract.sh`
//! installs. Run by plain `cargo test` without them, a suite says so on stderr, which the
//! test harness does not capture, and passes; run by the script (which sets
//! `MM_CONTRACT_REQUIRED=1`), a missing piece is a failure instead.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mattermost_status::{Error, Session, UserId};

/// Set to `1` by scripts/contract.sh: a suite that cannot run fails rather than skips.
pub const REQUIRED_ENV: &str = "MM_CONTRACT_REQUIRED";

/// `true` when the contract script runs the suites.
pub fn required() -> bool {
    std::env::var(REQUIRED_ENV).is_ok_and(|v| v == "1")
}

/// Says loudly that `test` did not run and why, or panics when the run requires it.
pub fn skip(test: &str, why: &str) {
    assert!(
        !required(),
        "{test} cannot run although {REQUIRED_ENV}=1: {why}"
    );
    // Straight to the process's stderr: libtest captures print!/eprint!, not this.
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\n************************************************************************\n\
         SKIPPED {test}: {why}.\n\
         This is NOT a pass of the contract check; run `bash scripts/contract.sh`.\n\
         ************************************************************************"
    );
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Three user ids, and the one that stands for `me` (the token's user).
pub const ID_A: &str = "4xp9fdt77pncbef59f4k1qe83o";
pub const ID_B: &str = "9jd3wz5ssbrp8ny7hcyqfj3y7a";
pub const ID_C: &str = "bq7w1rjd6jgtxfoe8k3cmx5a4h";
pub const ME_ID: &str = "1dgxkn8zmpbz5e4hnu6ryc3t9o";

/// A checked id.
pub fn id(s: &str) -> UserId {
    s.parse().expect("a valid test id")
}

/// 2001-09-09T01:46:40Z: in the past for any clock this test runs on.
pub fn past() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_000_000_000)
}

/// 2100-01-01T00:00:00Z in Unix seconds: in the future for any clock this test runs on.
pub const FUTURE_SECS: u64 = 4_102_444_800;

/// 2100-01-01T00:00:00Z.
pub fn future() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(FUTURE_SECS)
}

/// `future()` plus `secs` seconds and `millis` milliseconds.
pub fn future_plus(secs: u64, millis: u64) -> SystemTime {
    future() + Duration::from_secs(secs) + Duration::from_millis(millis)
}

/// A call of the crate whose output does not matter to the test.
pub type Attempt = Box<dyn Fn(&Session) -> Result<(), Error>>;
