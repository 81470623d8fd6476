//! The embedded fake Mattermost as a standalone server, for curl or a tool in another
//! language:
//!
//! ```text
//! cargo run --example fake_server --features fake            # 127.0.0.1, a free port
//! cargo run --example fake_server --features fake -- 127.0.0.1:8065
//! ```
//!
//! It prints its URL, the users' tokens, how to set it up through the real server's
//! admin routes (the same requests set up a real Mattermost) and how to follow statuses
//! on its websocket (`ws://.../api/v4/websocket`), then serves until stopped (Ctrl-C).

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
            "{:<10} {:<12} id {}  token {}  password {}",
            user.username, role, user.id, user.token, user.password
        );
    }
    if let (Some(alice), Some(admin)) = (fake.user("alice"), fake.user("sysadmin")) {
        let url = server.url();
        let user = format!("-H 'Authorization: Bearer {}'", alice.token);
        let admin = format!("-H 'Authorization: Bearer {}'", admin.token);
        println!("\nTry: curl {user} {url}/api/v4/users/me/status");
        println!("\nSet-up through the admin routes (as on a real server; sysadmin's token):");
        for (what, method, path, body) in [
            (
                "privacy, bots, rate limiter",
                "PUT",
                "/api/v4/config/patch",
                r#"{"PrivacySettings":{"ShowEmailAddress":false,"ShowFullName":false},"ServiceSettings":{"EnableBotAccountCreation":true},"RateLimitSettings":{"Enable":true,"PerSec":10,"MaxBurst":100}}"#,
            ),
            (
                "a user",
                "POST",
                "/api/v4/users",
                r#"{"username":"carol","email":"carol@example.com","password":"carol-password","first_name":"Carol","last_name":"Jones"}"#,
            ),
            (
                "names, nickname, position",
                "PUT",
                &format!("/api/v4/users/{}/patch", alice.id),
                r#"{"first_name":"Alice","last_name":"Liddell","nickname":"al","position":"QA"}"#,
            ),
            (
                "log in as the new user: the session token is in the Token header (curl -i)",
                "POST",
                "/api/v4/users/login",
                r#"{"login_id":"carol","password":"carol-password"}"#,
            ),
            (
                "a bot (after EnableBotAccountCreation)",
                "POST",
                "/api/v4/bots",
                r#"{"username":"buildbot","display_name":"Build","description":"Builds things"}"#,
            ),
            (
                "a token for the bot (BOT_ID from the answer above; bots need no EnableUserAccessTokens)",
                "POST",
                "/api/v4/users/BOT_ID/tokens",
                r#"{"description":"ci"}"#,
            ),
            (
                "deactivate a user",
                "PUT",
                &format!("/api/v4/users/{}/active", alice.id),
                r#"{"active":false}"#,
            ),
            (
                "a fault for the next request (fake only)",
                "POST",
                "/_fake/faults",
                r#"{"kind":"app_error","status":500,"id":"app.status.get.app_error","method":"GET","path":"/api/v4/users/me/status","times":1}"#,
            ),
        ] {
            println!("  # {what}\n  curl -X {method} {admin} -d '{body}' {url}{path}");
        }
        println!(
            "  # a guest, or a user added without a password: only in Rust \
             (FakeServer::add_guest, add_channel_members)"
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
