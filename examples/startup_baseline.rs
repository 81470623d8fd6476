//! The baseline of `benches/startup.sh`: the least a program can do to print what
//! `mmstatus get` prints, written straight on ureq (no `mattermost_status`), to compare
//! `mmstatus get` with.
//!
//! ```sh
//! MM_URL=http://127.0.0.1:8065 MM_TOKEN=... cargo run --release --example startup_baseline
//! ```
//!
//! The same two requests on one connection: `GET /api/v4/users/me/status` with the
//! token, then `POST /api/v4/users/ids` with the id it answered (for the username);
//! both answers decoded with serde_json into the fields printed; `user_id @username
//! status` printed. What `mmstatus get` does, without its checks, its table and its
//! time zone.

use serde::Deserialize;

#[derive(Deserialize)]
struct Status {
    user_id: String,
    status: String,
}

#[derive(Deserialize)]
struct User {
    username: String,
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
    let api = format!("{}/api/v4", url.trim_end_matches('/'));
    let auth = format!("Bearer {token}");
    // The floor of ureq, not its defaults: the same buffer sizes as the crate's
    // transport (ureq zero-fills 128 KiB for each of its two buffers by default).
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .input_buffer_size(16 * 1024)
        .output_buffer_size(16 * 1024)
        .build()
        .into();
    let body = agent
        .get(format!("{api}/users/me/status"))
        .header("Authorization", &auth)
        .call()?
        .body_mut()
        .read_to_string()?;
    let status: Status = serde_json::from_str(&body)?;
    let body = agent
        .post(format!("{api}/users/ids"))
        .header("Authorization", &auth)
        .content_type("application/json")
        .send(format!("[\"{}\"]", status.user_id))?
        .body_mut()
        .read_to_string()?;
    let users: Vec<User> = serde_json::from_str(&body)?;
    let username = users.first().map_or("-", |u| u.username.as_str());
    println!("{} @{} {}", status.user_id, username, status.status);
    Ok(())
}
