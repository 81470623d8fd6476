//! The embedded fake Mattermost as a standalone server, for curl or a tool in another
//! language:
//!
//! ```text
//! cargo run --example fake_server --features fake            # 127.0.0.1, a free port
//! cargo run --example fake_server --features fake -- 127.0.0.1:8065
//! ```
//!
//! It prints its URL and the users' tokens, how to follow statuses on its websocket
//! (`ws://.../api/v4/websocket`), then serves until stopped (Ctrl-C).

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
        let ws = server.url().replacen("http://", "ws://", 1);
        println!(
            "Live statuses (a websocket client such as websocat):\n  \
             websocat -H 'Authorization: Bearer {}' {ws}/api/v4/websocket\n\
             then send {{\"seq\":1,\"action\":\"get_statuses\"}}; a status set with\n  \
             curl -X PUT -H 'Authorization: Bearer {}' -d '{{\"user_id\":\"{}\",\"status\":\"dnd\"}}' {}/api/v4/users/me/status\n\
             arrives as a status_change event.",
            alice.token,
            alice.token,
            alice.id,
            server.url()
        );
    }
    println!("Serving until stopped (Ctrl-C).");
    loop {
        std::thread::park();
    }
}
