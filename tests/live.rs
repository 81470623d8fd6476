//! The live stream against the fake's websocket, in process (`Transport::open_stream`)
//! and over its loopback HTTP server (the ureq transport's dialer): an event for every
//! server path that broadcasts, resume after a drop, resync after a too-old resume, a
//! bad token, watch.
#![cfg(all(feature = "live", feature = "fake"))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mattermost_status::fake::{FakeHttpServer, FakeServer, FakeUser, LiveTimings};
use mattermost_status::live::{
    CustomStatusChange, LiveEvent, LiveOptions, LiveStream, Reconnect, StatusChange, StatusSource,
};
use mattermost_status::transport::{HttpRequest, HttpResponse, Stream, Transport};
use mattermost_status::{
    Error, LiveErrorKind, Session, Status, StatusKind, TransportError, UnsetCustomStatus,
    UpdateCustomStatus, UpdateStatus, UserId,
};

/// How a test reaches the fake.
enum Via {
    Http(FakeHttpServer),
    InProcess,
}

fn short_timings() -> LiveTimings {
    let mut t = LiveTimings::default();
    t.auth_check = Duration::from_millis(300);
    t
}

/// Runs `test` against a fresh fake over HTTP, then in process.
fn both(test: impl Fn(&FakeServer, &dyn Fn(&FakeUser) -> Session)) {
    for http in [true, false] {
        let fake = FakeServer::new();
        fake.set_live_timings(short_timings());
        let via = if http {
            Via::Http(fake.serve().expect("serve"))
        } else {
            Via::InProcess
        };
        let session = |user: &FakeUser| match &via {
            Via::Http(server) => Session::builder(server.url())
                .token(user.token.clone())
                .no_proxy()
                .clock(fake.clock())
                .build()
                .unwrap(),
            Via::InProcess => fake.session(user).unwrap(),
        };
        test(&fake, &session);
        drop(via);
    }
}

fn quick() -> LiveOptions {
    LiveOptions::new()
        .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(50))
        .reconnect_jitter(Duration::ZERO)
        .min_watch_interval(Duration::from_millis(50))
}

/// Everything that comes within `wait` of quiet.
fn drain(live: &mut LiveStream, wait: Duration) -> Vec<LiveEvent> {
    let mut events = Vec::new();
    while let Some(event) = live.next_timeout(wait).unwrap() {
        events.push(event);
    }
    events
}

fn next(live: &mut LiveStream) -> LiveEvent {
    live.next_timeout(Duration::from_secs(5))
        .expect("no error")
        .expect("an event within 5 s")
}

fn pushed(user: &FakeUser, status: StatusKind) -> LiveEvent {
    LiveEvent::Status(StatusChange::new(user.id, status, StatusSource::Pushed))
}

fn custom_of(event: &LiveEvent) -> &CustomStatusChange {
    match event {
        LiveEvent::CustomStatus(c) => c,
        other => panic!("not a custom status change: {other:?}"),
    }
}

#[test]
fn an_event_for_every_path_that_broadcasts() {
    both(|fake, session| {
        let alice = fake.user("alice").unwrap();
        let bob = fake.user("bob").unwrap();
        let admin = fake.user("sysadmin").unwrap();
        let mut live = quick().open(&session(&alice)).unwrap();
        assert!(live.connection_id().is_some_and(|id| id.len() == 26));
        // Connecting set alice online (the server may or may not deliver it: it runs
        // beside the registration).
        for event in drain(&mut live, Duration::from_millis(150)) {
            assert_eq!(event, pushed(&alice, StatusKind::Online));
        }
        // FakeServer::set_status.
        fake.set_status(&Status::new(alice.id, StatusKind::Away));
        assert_eq!(next(&mut live), pushed(&alice, StatusKind::Away));
        // Activity: online again.
        fake.record_activity(alice.id);
        assert_eq!(next(&mut live), pushed(&alice, StatusKind::Online));
        // HTTP PUT /users/me/status, a timed DND...
        UpdateStatus::new(UserId::me())
            .status(StatusKind::Dnd)
            .until(fake.now() + Duration::from_secs(120))
            .send(&session(&alice))
            .unwrap();
        assert_eq!(next(&mut live), pushed(&alice, StatusKind::Dnd));
        // ...that ends on its own as the server's clock passes it (no end time sent).
        fake.advance(Duration::from_secs(180));
        assert_eq!(next(&mut live), pushed(&alice, StatusKind::Online));
        // An admin setting alice's status.
        UpdateStatus::new(alice.id)
            .status(StatusKind::Offline)
            .send(&session(&admin))
            .unwrap();
        assert_eq!(next(&mut live), pushed(&alice, StatusKind::Offline));
        // Bob's status is never pushed to alice.
        fake.set_status(&Status::new(bob.id, StatusKind::Dnd));
        // Custom statuses: alice's own over HTTP, set then cleared; bob's reaches her too.
        UpdateCustomStatus::new(UserId::me())
            .emoji("calendar")
            .text("In a meeting")
            .send(&session(&alice))
            .unwrap();
        let set = next(&mut live);
        let set = custom_of(&set);
        assert_eq!(set.user_id, alice.id);
        let cs = set.custom_status.as_ref().unwrap();
        assert_eq!(
            (cs.emoji.as_str(), cs.text.as_str()),
            ("calendar", "In a meeting")
        );
        assert!(set
            .custom_status_json
            .as_deref()
            .unwrap()
            .contains("calendar"));
        UnsetCustomStatus::new(UserId::me())
            .send(&session(&alice))
            .unwrap();
        let cleared = next(&mut live);
        assert_eq!(custom_of(&cleared).user_id, alice.id);
        assert_eq!(custom_of(&cleared).custom_status, None);
        UpdateCustomStatus::new(UserId::me())
            .text("Lunch")
            .send(&session(&bob))
            .unwrap();
        let bobs = next(&mut live);
        assert_eq!(custom_of(&bobs).user_id, bob.id);
        assert_eq!(
            custom_of(&bobs).custom_status.as_ref().unwrap().text,
            "Lunch"
        );
        // Nothing else: bob's status change above was not for alice.
        assert_eq!(drain(&mut live, Duration::from_millis(150)), []);
        live.close().unwrap();
    });
}

#[test]
fn after_a_drop_a_resume_yields_exactly_the_missed_events_once_in_order() {
    both(|fake, session| {
        let alice = fake.user("alice").unwrap();
        let mut live = quick().open(&session(&alice)).unwrap();
        let id = live.connection_id().unwrap().to_owned();
        drain(&mut live, Duration::from_millis(150));
        // Manual statuses, so that the server's own changes (offline when the last
        // connection goes, online when one comes) do not apply: the events are only
        // those of the test.
        let manual = |status: StatusKind| {
            let mut manual = Status::new(alice.id, status);
            manual.manual = true;
            manual
        };
        fake.set_status(&manual(StatusKind::Away));
        assert_eq!(next(&mut live), pushed(&alice, StatusKind::Away));
        fake.drop_live_connections();
        // Missed while the socket is gone: queued on the server for this connection.
        let missed = [StatusKind::Dnd, StatusKind::Online, StatusKind::Dnd];
        for status in &missed {
            fake.set_status(&manual(status.clone()));
        }
        let mut events = Vec::new();
        while !events.contains(&LiveEvent::Reconnected(Reconnect::Resumed)) {
            events.push(next(&mut live));
            assert!(events.len() < 10, "{events:?}");
        }
        let mut wanted: Vec<LiveEvent> = missed.iter().map(|s| pushed(&alice, s.clone())).collect();
        wanted.push(LiveEvent::Reconnected(Reconnect::Resumed));
        assert_eq!(events, wanted);
        assert_eq!(
            live.connection_id(),
            Some(id.as_str()),
            "the same connection"
        );
        // Nothing twice, and the stream goes on.
        assert_eq!(drain(&mut live, Duration::from_millis(150)), []);
        fake.set_status(&manual(StatusKind::Away));
        assert_eq!(next(&mut live), pushed(&alice, StatusKind::Away));
    });
}

#[test]
fn a_too_old_resume_resyncs_and_says_so() {
    both(|fake, session| {
        let alice = fake.user("alice").unwrap();
        let bob = fake.user("bob").unwrap();
        // Slow to come back, so that the server has the connection inactive (and
        // forgets it) before the stream asks to resume it.
        let mut live = quick()
            .reconnect_backoff(Duration::from_millis(400), Duration::from_millis(400))
            .open(&session(&alice))
            .unwrap();
        let first_id = live.connection_id().unwrap().to_owned();
        live.watch([bob.id], Duration::from_secs(60)).unwrap();
        let initial = drain(&mut live, Duration::from_millis(200));
        assert!(
            initial.contains(&LiveEvent::Status(StatusChange::new(
                bob.id,
                StatusKind::Offline,
                StatusSource::Polled
            ))),
            "{initial:?}"
        );
        fake.drop_live_connections();
        let end = std::time::Instant::now() + Duration::from_secs(2);
        while fake.resumable_live_connection_count() == 0 {
            assert!(
                std::time::Instant::now() < end,
                "the fake never saw the drop"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        fake.expire_live_connections();
        assert_eq!(fake.resumable_live_connection_count(), 0);
        // Missed, and lost with the connection.
        fake.set_status(&Status::new(bob.id, StatusKind::Away));
        UpdateCustomStatus::new(UserId::me())
            .text("Gone fishing")
            .send(&session(&bob))
            .unwrap();
        let mut events = Vec::new();
        while !events.contains(&LiveEvent::Reconnected(Reconnect::Resynced)) {
            events.push(next(&mut live));
            assert!(events.len() < 10, "{events:?}");
        }
        assert!(
            events.contains(&LiveEvent::Status(StatusChange::new(
                bob.id,
                StatusKind::Away,
                StatusSource::Resync
            ))),
            "{events:?}"
        );
        let fishing = events
            .iter()
            .find_map(|e| match e {
                LiveEvent::CustomStatus(c) if c.user_id == bob.id => Some(c),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no custom status in {events:?}"));
        assert_eq!(fishing.custom_status.as_ref().unwrap().text, "Gone fishing");
        assert_eq!(
            events.last(),
            Some(&LiveEvent::Reconnected(Reconnect::Resynced))
        );
        assert_ne!(live.connection_id(), Some(first_id.as_str()));
    });
}

/// Counts the streams opened through it.
#[derive(Debug)]
struct Counting(FakeServer, Arc<AtomicUsize>);

impl Transport for Counting {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        self.0.send(request)
    }
    fn open_stream(&self, url: &str, timeout: Duration) -> Result<Box<dyn Stream>, TransportError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.open_stream(url, timeout)
    }
}

#[test]
fn a_bad_token_is_a_typed_error_and_no_retry_loop() {
    let fake = FakeServer::new();
    fake.set_live_timings(short_timings());
    let opened = Arc::new(AtomicUsize::new(0));
    let session = Session::builder("http://fake-mattermost.invalid")
        .token("not-a-token-the-fake-knows")
        .transport(Counting(fake.clone(), opened.clone()))
        .build()
        .unwrap();
    let start = std::time::Instant::now();
    let err = quick().open(&session).unwrap_err();
    match &err {
        Error::Live(e) => assert_eq!(e.kind(), &LiveErrorKind::NotAuthenticated, "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert!(!err.to_string().contains("not-a-token"), "{err}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(opened.load(Ordering::SeqCst), 1);
    // Over HTTP as well.
    let server = fake.serve().unwrap();
    let session = Session::builder(server.url())
        .token("not-a-token-the-fake-knows")
        .no_proxy()
        .build()
        .unwrap();
    let err = quick().open(&session).unwrap_err();
    assert!(
        matches!(&err, Error::Live(e) if e.kind() == &LiveErrorKind::NotAuthenticated),
        "{err}"
    );
}

#[test]
fn watch_yields_other_users_changes_polled_on_the_socket() {
    both(|fake, session| {
        let alice = fake.user("alice").unwrap();
        let bob = fake.user("bob").unwrap();
        let mut live = quick().open(&session(&alice)).unwrap();
        live.watch([bob.id], Duration::from_millis(100)).unwrap();
        let polled = |s| LiveEvent::Status(StatusChange::new(bob.id, s, StatusSource::Polled));
        let first = drain(&mut live, Duration::from_millis(300));
        assert!(first.contains(&polled(StatusKind::Offline)), "{first:?}");
        fake.set_status(&Status::new(bob.id, StatusKind::Dnd));
        let mut seen = Vec::new();
        while !seen.contains(&polled(StatusKind::Dnd)) {
            seen.push(next(&mut live));
            assert!(seen.len() < 5, "{seen:?}");
        }
        // Only changes: the next polls say the same and yield nothing.
        assert_eq!(drain(&mut live, Duration::from_millis(350)), []);
        live.watch([], Duration::from_secs(5)).unwrap();
    });
}

/// A half-open connection (the fake stops writing and loses what arrives): the stream
/// notices within its stale bound and reconnects. Its close reaches the fake (a real
/// half-open peer would not see it, and would count the old connection active until
/// its pong wait, so a resume would get a new hello: the resync path, tested with a
/// scripted peer in `live_hostile.rs`), so the connection is resumed and the status
/// changed meanwhile is replayed.
#[test]
fn a_stalled_connection_is_dropped_within_the_stale_bound_and_resumed() {
    both(|fake, session| {
        let alice = fake.user("alice").unwrap();
        let mut live = quick()
            .ping_interval(Duration::from_millis(100))
            .stale_after(Duration::from_millis(300))
            .open(&session(&alice))
            .unwrap();
        drain(&mut live, Duration::from_millis(150));
        fake.stall_live_connections();
        let start = std::time::Instant::now();
        let mut dnd = Status::new(alice.id, StatusKind::Dnd);
        dnd.manual = true;
        fake.set_status(&dnd);
        let mut events = Vec::new();
        while !events.contains(&LiveEvent::Reconnected(Reconnect::Resumed)) {
            events.push(next(&mut live));
            assert!(events.len() < 5, "{events:?}");
        }
        let took = start.elapsed();
        // Silent for 300 ms after the last answer (a ping every 100 ms).
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(took < Duration::from_millis(1500), "{took:?}");
        assert_eq!(
            events,
            [
                pushed(&alice, StatusKind::Dnd),
                LiveEvent::Reconnected(Reconnect::Resumed)
            ]
        );
    });
}
