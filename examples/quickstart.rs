//! The crate's first command: all seven status endpoints, one after the other.
//!
//! ```text
//! cargo run --example quickstart --features fake
//! ```
//!
//! With no `MM_URL` it starts the embedded fake Mattermost (`mattermost_status::fake`) on
//! 127.0.0.1 and talks to it over HTTP with the crate's real transport.
//!
//! With `MM_URL` (the site address, `https://chat.example.com`) and `MM_TOKEN` (a personal
//! access token) it runs against that server as the token's user. It first reads what it
//! is about to change (the status, the custom status, the recent custom statuses) and puts
//! it all back at the end, also when a step failed. Two things it cannot put back exactly:
//! a status that followed activity comes back as `online` (the server's "automatic"
//! again), and an expired custom status or `ooo` cannot be set through the API.
//!
//! Options: `MM_TIMEOUT_SECS` (default 30).

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use mattermost_status::fake::FakeServer;
use mattermost_status::transport::{HttpRequest, Method, Transport};
use mattermost_status::{
    transport::UreqTransport, CustomStatus, CustomStatusDuration, GetStatus, GetStatusesByIds,
    RemoveRecentCustomStatus, RemoveRecentMethod, Session, Status, StatusKind, UnsetCustomStatus,
    UpdateCustomStatus, UpdateStatus, UserId,
};

type BoxResult<T> = Result<T, Box<dyn Error>>;

fn main() -> ExitCode {
    let started = Instant::now();
    let result = match std::env::var("MM_URL") {
        Ok(url) if !url.trim().is_empty() => against_a_real_server(url.trim()),
        _ => against_the_embedded_server(),
    };
    match result {
        Ok(()) => {
            println!("\nDone in {:.2} s.", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\nquickstart failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where to connect and as whom.
struct Site {
    url: String,
    token: String,
    timeout: Duration,
}

fn timeout() -> Duration {
    std::env::var("MM_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .map_or(Duration::from_secs(30), Duration::from_secs)
}

fn against_the_embedded_server() -> BoxResult<()> {
    let fake = FakeServer::new();
    let server = fake.serve()?;
    let alice = fake.user("alice").ok_or("the fake has no alice")?;
    let bob = fake.user("bob").ok_or("the fake has no bob")?;
    println!(
        "No MM_URL set: started the embedded fake Mattermost at {}",
        server.url()
    );
    println!(
        "(set MM_URL and MM_TOKEN to run this against your own server instead)\n\
         Logged in as alice ({}). Setting the scene: alice is online, with a custom status.\n",
        alice.id
    );
    fake.record_activity(alice.id);
    UpdateStatus::new(bob.id)
        .status(StatusKind::Away)
        .send(&fake.session(&bob)?)?;
    UpdateCustomStatus::new(alice.id)
        .emoji("house")
        .text("Working from home")
        .send(&fake.session(&alice)?)?;

    let site = Site {
        url: server.url().to_owned(),
        token: alice.token.clone(),
        timeout: timeout(),
    };
    let snapshot = |fake: &FakeServer| {
        let status = fake.status(alice.id).map(|s| (s.status, s.manual));
        let custom = fake.custom_status(alice.id);
        let recent = fake.recent_custom_statuses(alice.id);
        (status, custom, recent)
    };
    let before = snapshot(&fake);
    run(&site, &[bob.id])?;
    let after = snapshot(&fake);

    println!("\nThe fake holds what it held before the walk: {after:?}");
    server.stop();
    if after != before {
        return Err(format!("the walk left a change behind: {before:?} became {after:?}").into());
    }
    Ok(())
}

fn against_a_real_server(url: &str) -> BoxResult<()> {
    let token = std::env::var("MM_TOKEN")
        .map_err(|_| "MM_URL is set but MM_TOKEN is not: give a personal access token")?;
    println!("Running against {url} (MM_URL). Everything changed is put back at the end.\n");
    let site = Site {
        url: url.to_owned(),
        token: token.trim().to_owned(),
        timeout: timeout(),
    };
    run(&site, &[])
}

/// What the user had before: read first, put back last.
struct Original {
    me: UserId,
    status: Status,
    custom_status: Option<CustomStatus>,
    /// `None` when the server has no recent list for the user yet.
    recent: Option<Vec<CustomStatus>>,
}

fn run(site: &Site, others: &[UserId]) -> BoxResult<()> {
    let session = Session::builder(site.url.as_str())
        .token(site.token.as_str())
        .timeout(site.timeout)
        .build()?;

    // 1. GET /users/me/status: also tells us our real id.
    let status = GetStatus::new(UserId::me()).send(&session)?;
    step(1, "GET /users/me/status");
    show_status(&status);
    let original = Original {
        me: status.user_id,
        custom_status: read_custom_status(site, status.user_id)?,
        recent: read_recent(site, status.user_id)?,
        status,
    };
    println!(
        "   (read to restore later: custom status {}, {} recent custom status(es))",
        original
            .custom_status
            .as_ref()
            .map_or_else(|| "none".to_owned(), describe),
        original.recent.as_ref().map_or(0, Vec::len)
    );

    let walked = walk(&session, &original, others);
    println!("\nPutting back what was there:");
    let restored = restore(&session, &original);
    walked?;
    restored
}

fn walk(session: &Session, original: &Original, others: &[UserId]) -> BoxResult<()> {
    let me = original.me;
    let end = SystemTime::now() + Duration::from_secs(30 * 60);

    // 2. PUT /users/{id}/status
    let dnd = UpdateStatus::new(UserId::me())
        .status(StatusKind::Dnd)
        .until(end)
        .send(session)?;
    step(2, "PUT /users/me/status  (dnd for 30 minutes)");
    show_status(&dnd);

    // 3. POST /users/status/ids
    let mut ids = vec![me];
    ids.extend_from_slice(others);
    let statuses = GetStatusesByIds::new(ids.iter().copied()).send(session)?;
    step(3, "POST /users/status/ids");
    for (id, status) in statuses.in_order_of(&ids) {
        match status {
            Some(s) => println!("   {id}: {}", s.status),
            None => println!("   {id}: (not in the answer)"),
        }
    }

    // 4. PUT /users/{id}/status/custom. Its text is the newest recent one's, when there is
    // one: the server then replaces that entry instead of pushing the oldest out of the
    // list of five, and the entry is put back at the end.
    let newest = original.recent.as_ref().and_then(|r| r.first());
    let text = newest.map_or_else(
        || "Trying mattermost-status".to_owned(),
        |cs| cs.text.clone(),
    );
    let demo = CustomStatus::new(text)
        .emoji("rocket")
        .duration(CustomStatusDuration::ThirtyMinutes)
        .expires_at(end);
    let set = UpdateCustomStatus::new(UserId::me())
        .custom_status(demo.clone())
        .send(session);
    step(4, "PUT /users/me/status/custom");
    if let Err(e) = &set {
        if e.status() == Some(501) {
            println!("   501: custom statuses are turned off on this server; skipping 5 to 7");
            return Ok(());
        }
    }
    set?;
    println!("   OK: {}", describe(&demo));
    if newest.is_some() {
        println!("   (the text of your newest recent one: it replaces that entry for a moment)");
    }

    // 5. DELETE /users/{id}/status/custom
    UnsetCustomStatus::new(UserId::me()).send(session)?;
    step(5, "DELETE /users/me/status/custom");
    println!("   OK: no custom status now (the recent list keeps it)");

    // 6. POST /users/{id}/status/custom/recent/delete
    RemoveRecentCustomStatus::new(UserId::me(), demo)
        .method(RemoveRecentMethod::Post)
        .send(session)?;
    step(6, "POST /users/me/status/custom/recent/delete");
    println!("   OK: the quickstart's entry is gone from the recent list");

    // 7. DELETE /users/{id}/status/custom/recent: the same handler. The entry is found by
    // comparing bytes, so one that is not in the list is an error: ask for one that is
    // not, and show the server's answer.
    let absent = CustomStatus::new("mattermost-status quickstart: not in your list");
    let answer = RemoveRecentCustomStatus::new(UserId::me(), absent)
        .method(RemoveRecentMethod::Delete)
        .send(session);
    step(
        7,
        "DELETE /users/me/status/custom/recent  (an entry that is not there)",
    );
    match answer {
        Ok(()) => println!("   OK (unexpected: it was in the list)"),
        Err(e) if e.status() == Some(400) => println!("   400 as expected: {e}"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Puts back the recent list's newest entry, the custom status and the status; carries on
/// after a failure and reports the first.
fn restore(session: &Session, original: &Original) -> BoxResult<()> {
    let mut first_error: Option<Box<dyn Error>> = None;
    let mut note = |what: &str, result: BoxResult<()>| match result {
        Ok(()) => println!("   {what}: done"),
        Err(e) if is_501(&*e) => println!("   {what}: nothing to do (custom statuses are off)"),
        Err(e) => {
            println!("   {what}: FAILED: {e}");
            first_error.get_or_insert(e);
        }
    };

    // The recent list: the quickstart's entry replaced the newest one; setting that one
    // again puts it back first.
    if let Some(newest) = original.recent.as_ref().and_then(|r| r.first()) {
        let is_current = original.custom_status.as_ref() == Some(newest);
        if !is_current {
            note(
                "recent custom status",
                set_custom_status(session, newest)
                    .and_then(|()| Ok(UnsetCustomStatus::new(UserId::me()).send(session)?)),
            );
        }
    }

    match &original.custom_status {
        Some(cs) => note("custom status", set_custom_status(session, cs)),
        None => note(
            "custom status (none)",
            UnsetCustomStatus::new(UserId::me())
                .send(session)
                .map_err(Into::into),
        ),
    }

    note("status", restore_status(session, &original.status));
    match first_error {
        None => Ok(()),
        Some(e) => Err(format!("could not put everything back: {e}").into()),
    }
}

fn is_501(e: &(dyn Error + 'static)) -> bool {
    e.downcast_ref::<mattermost_status::Error>()
        .is_some_and(|e| e.status() == Some(501))
}

fn set_custom_status(session: &Session, cs: &CustomStatus) -> BoxResult<()> {
    if cs.expires_at.is_some_and(|t| t <= SystemTime::now()) {
        return Err(format!("{} has expired; the server refuses to set it", describe(cs)).into());
    }
    UpdateCustomStatus::new(UserId::me())
        .custom_status(cs.clone())
        .send(session)?;
    Ok(())
}

fn restore_status(session: &Session, original: &Status) -> BoxResult<()> {
    let update = UpdateStatus::new(UserId::me());
    let update = match (&original.status, original.manual) {
        // Activity decided it: `online` hands it back to activity tracking.
        (_, false) => update.status(StatusKind::Online),
        (StatusKind::Dnd, true) => match original.dnd_end_time {
            Some(end) if end > SystemTime::now() => update.status(StatusKind::Dnd).until(end),
            Some(_) => return Err("the original DND has ended meanwhile".into()),
            None => update.status(StatusKind::Dnd),
        },
        (kind, true) if kind.is_settable() => update.status(kind.clone()),
        (kind, true) => return Err(format!("{kind} cannot be set through the API").into()),
    };
    let now = update.send(session)?;
    println!("   status is now {} (manual: {})", now.status, now.manual);
    Ok(())
}

// ---- reading what the seven endpoints do not return (two plain GETs) ----

fn get_json(site: &Site, path: &str) -> BoxResult<(u16, serde_json::Value)> {
    let url = format!("{}/api/v4{path}", site.url.trim_end_matches('/'));
    let auth = format!("Bearer {}", site.token);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Accept", "application/json"),
        ("X-Requested-With", "XMLHttpRequest"),
    ];
    let request = HttpRequest::new(Method::Get, &url)
        .with_headers(&headers)
        .with_timeout(site.timeout)
        .with_max_response_bytes(1 << 20);
    let response = UreqTransport::default().send(&request)?;
    let value = serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null);
    Ok((response.status(), value))
}

/// `props.customStatus` of `GET /users/{id}`.
fn read_custom_status(site: &Site, me: UserId) -> BoxResult<Option<CustomStatus>> {
    let (code, user) = get_json(site, &format!("/users/{me}"))?;
    if code != 200 {
        return Err(format!("could not read the user ({code}): {user}").into());
    }
    match user["props"]["customStatus"].as_str() {
        None | Some("") => Ok(None),
        Some(json) => Ok(Some(serde_json::from_str(json)?)),
    }
}

/// The `custom_status`/`recent_custom_statuses` preference.
fn read_recent(site: &Site, me: UserId) -> BoxResult<Option<Vec<CustomStatus>>> {
    let path = format!("/users/{me}/preferences/custom_status/name/recent_custom_statuses");
    let (code, pref) = get_json(site, &path)?;
    match (code, pref["value"].as_str()) {
        (200, Some(value)) => Ok(Some(serde_json::from_str(value)?)),
        // No such preference yet: the server answers 400 or 404 depending on its version.
        (400 | 404, _) => Ok(None),
        _ => Err(format!("could not read the recent custom statuses ({code}): {pref}").into()),
    }
}

// ---- printing ----

fn step(n: u32, what: &str) {
    println!("{n}. {what}");
}

fn show_status(s: &Status) {
    let millis = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    };
    println!(
        "   {} is {} (manual: {}, last_activity_at: {} ms, dnd_end_time: {} s)",
        s.user_id,
        s.status,
        s.manual,
        s.last_activity_at.map_or(0, millis),
        s.dnd_end_time.map_or(0, |t| millis(t) / 1000),
    );
}

fn describe(cs: &CustomStatus) -> String {
    let mut out = format!(":{}: {:?}", cs.emoji, cs.text);
    if let Some(d) = cs.duration {
        out.push_str(&format!(" ({d})"));
    }
    out
}
