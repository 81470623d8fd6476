//! The baseline of `benches/startup.sh`: the least a program can do to print a status,
//! written straight on ureq (no `mattermost_status`), to compare `mmstatus get` with.
//!
//! ```sh
//! MM_URL=http://127.0.0.1:8065 MM_TOKEN=... cargo run --release --example startup_baseline
//! ```
//!
//! One `GET /api/v4/users/me/status` with the token, the answer decoded with serde_json,
//! `user_id status` printed: what `mmstatus get` does, without its checks, its table
//! and its time zone.

use serde::Deserialize;

#[derive(Deserialize)]
struct Status {
    user_id: String,
    status: String,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("MM_URL")?;
    let token = std::env::var("MM_TOKEN")?;
    // The floor of ureq, not its defaults: the same buffer sizes as the crate's
    // transport (ureq zero-fills 128 KiB for each of its two buffers by default).
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .input_buffer_size(16 * 1024)
        .output_buffer_size(16 * 1024)
        .build()
        .into();
    let body = agent
        .get(format!(
            "{}/api/v4/users/me/status",
            url.trim_end_matches('/')
        ))
        .header("Authorization", format!("Bearer {token}"))
        .call()?
        .body_mut()
        .read_to_string()?;
    let status: Status = serde_json::from_str(&body)?;
    println!("{} {}", status.user_id, status.status);
    Ok(())
}
