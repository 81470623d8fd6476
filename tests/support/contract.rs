//! What tests/contract_openapi.rs and tests/contract_client.rs share: their missing-input
//! failure, the id that stands for `me`, and the fixed times every case uses.
//!
//! Both suites need things a plain `cargo test` does not have (Prism serving the OpenAPI
//! spec, the official client's Node packages), so their tests are `#[ignore]`d and a plain
//! run lists them as ignored. `scripts/contract.sh` provides the inputs and runs them with
//! `--ignored`; run that way, a missing input is a failure, never a silent pass.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mattermost_status::{Error, Session};

/// Fails `test`: it was asked to run without an input it needs.
pub fn missing(test: &str, why: &str) -> ! {
    panic!("{test} cannot run: {why}. Run it with `bash scripts/contract.sh`.")
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The user id that stands for `me` (the token's user).
pub const ME_ID: &str = "1dgxkn8zmpbz5e4hnu6ryc3t9o";

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
