//! Prints one user's status.
//!
//! ```sh
//! MM_URL=https://chat.example.com MM_TOKEN=... cargo run --example get_status [user_id]
//! ```
//!
//! Without a user id, prints the token's own status. Also the program whose stripped
//! release size `BENCHMARKS.md` records.

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
    let user = match std::env::args().nth(1) {
        Some(id) => UserId::parse(&id)?,
        None => UserId::me(),
    };
    let status = GetStatus::new(user).send(&session)?;
    println!("{} is {}", status.user_id, status.status);
    Ok(())
}
