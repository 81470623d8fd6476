//! The embedded fake Mattermost as a standalone server, for curl or a tool in another
//! language:
//!
//! ```text
//! cargo run --example fake_server --features fake            # 127.0.0.1, a free port
//! cargo run --example fake_server --features fake -- 127.0.0.1:8065
//! ```
//!
//! It prints its URL and the users' tokens, then serves until stopped (Ctrl-C).

use std::error::Error;

use mattermost_status::fake::FakeServer;

fn main() -> Result<(), Box<dyn Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let fake = FakeServer::new();
    let server = fake.serve_on(addr.as_str())?;
    println!("MM_URL={}", server.url());
    for user in fake.users() {
        let role = if user.is_admin {
            "system admin"
        } else {
            "user"
        };
        println!(
            "{:<10} {:<12} id {}  token {}",
            user.username, role, user.id, user.token
        );
    }
    if let Some(alice) = fake.user("alice") {
        println!(
            "\nTry: curl -H 'Authorization: Bearer {}' {}/api/v4/users/me/status",
            alice.token,
            server.url()
        );
    }
    println!("Serving until stopped (Ctrl-C).");
    loop {
        std::thread::park();
    }
}
