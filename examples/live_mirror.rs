//! Mirrors your own status to stdout as the server pushes it: one line per change, with
//! the end of a Do Not Disturb read over HTTP (the pushed event carries none), and a
//! line when the stream reconnected.
//!
//! ```sh
//! MM_URL=https://chat.example.com MM_TOKEN=... cargo run --example live_mirror --features live
//! ```
//!
//! Stops at the first error the stream does not recover from (a refused token, an
//! upgrade a proxy does not pass on), or quietly when stdout is closed
//! (`live_mirror | head -3`).

use std::io::Write;

use mattermost_status::live::{LiveEvent, Reconnect, StatusChange};
use mattermost_status::{GetStatus, Session, UserId};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), mattermost_status::Error> {
    let url = std::env::var("MM_URL").unwrap_or_else(|_| "http://localhost:8065".to_owned());
    let session = Session::builder(url).token_from_env("MM_TOKEN").build()?;
    let mut live = session.live()?;
    // Where it stands now: the stream yields changes only.
    let now = GetStatus::new(UserId::me()).send(&session)?;
    let mut out = std::io::stdout().lock();
    if print(&mut out, &describe(&session, now.status.as_str())).is_err() {
        return Ok(());
    }
    let mut shown = now.status;
    for event in &mut live {
        let line = match event? {
            // Connecting sets you online: that change may come after the first read.
            LiveEvent::Status(StatusChange { status, .. }) if status == shown => continue,
            LiveEvent::Status(StatusChange { status, .. }) => {
                shown = status;
                describe(&session, shown.as_str())
            }
            LiveEvent::CustomStatus(_) => continue, // everyone's; this mirrors the status
            LiveEvent::Reconnected(Reconnect::Resumed) => "(reconnected, nothing missed)".into(),
            LiveEvent::Reconnected(Reconnect::Resynced) => "(reconnected, read again)".into(),
            _ => continue,
        };
        if print(&mut out, &line).is_err() {
            break; // stdout closed
        }
    }
    Ok(())
}

/// `dnd until <Unix time>` for a timed DND, else the status.
fn describe(session: &Session, status: &str) -> String {
    if status != "dnd" {
        return status.to_owned();
    }
    match GetStatus::new(UserId::me())
        .send(session)
        .ok()
        .and_then(|s| s.dnd_end())
    {
        Some(end) => {
            let secs = end
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            format!("dnd until {secs} (Unix time)")
        }
        None => "dnd".to_owned(),
    }
}

fn print(out: &mut impl Write, line: &str) -> std::io::Result<()> {
    writeln!(out, "{line}")?;
    out.flush()
}
