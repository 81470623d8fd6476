//! The session's clock: rules about time are checked against it, so a test that moves
//! the fake's clock can still set an end time relative to the fake's `now`.
#![cfg(feature = "fake")]

use std::time::{Duration, SystemTime};

use mattermost_status::fake::FakeServer;
use mattermost_status::{Error, Session, StatusKind, UpdateCustomStatus, UpdateStatus, UserId};

const MONTH: Duration = Duration::from_secs(30 * 86_400);

#[test]
fn end_times_are_checked_against_the_fakes_clock_in_process_and_over_http() {
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let http = fake.serve().unwrap();
    let over_http = Session::builder(http.url())
        .token(alice.token.clone())
        .clock(fake.clock())
        .build()
        .unwrap();
    let in_process = fake.session(&alice).unwrap();
    fake.advance(MONTH);
    for session in [&in_process, &over_http] {
        let end = fake.now() + Duration::from_secs(600);
        let status = UpdateStatus::new(alice.id)
            .status(StatusKind::Dnd)
            .until(end)
            .send(session)
            .unwrap();
        assert_eq!(status.status, StatusKind::Dnd);
        // Tomorrow by the machine's clock is in the past for the fake: refused, not sent.
        let sent = fake.request_count();
        let err = UpdateStatus::new(alice.id)
            .status(StatusKind::Dnd)
            .until(SystemTime::now() + Duration::from_secs(86_400))
            .send(session)
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { field: "until", .. }),
            "{err}"
        );
        let err = UpdateCustomStatus::new(UserId::me())
            .text("x")
            .expires_at(SystemTime::now() + Duration::from_secs(86_400))
            .send(session)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    field: "expires_at",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(fake.request_count(), sent, "nothing sent");
    }
}

#[test]
fn without_a_clock_the_machines_is_used() {
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let http = fake.serve().unwrap();
    let session = Session::builder(http.url())
        .token(alice.token.clone())
        .build()
        .unwrap();
    let before = SystemTime::now();
    let now = session.now();
    assert!(now >= before && now <= SystemTime::now());
    fake.advance(MONTH);
    // The machine's clock: an end a day ahead of it is a past time for the fake, which
    // the server accepts (it ends DND at its next minute).
    UpdateStatus::new(alice.id)
        .status(StatusKind::Dnd)
        .until(SystemTime::now() + Duration::from_secs(86_400))
        .send(&session)
        .unwrap();
}

/// `UpdateCustomStatus::lasting` computes its end from the session's clock when sent, not
/// from the machine's: a month ahead on the fake, an hour's custom status ends an hour
/// after the fake's now (cut to the minute, as the apps do).
#[test]
fn lasting_ends_on_the_sessions_clock() {
    use mattermost_status::expiry::TimeZone;
    use mattermost_status::CustomStatusDuration;
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let session = fake.session(&alice).unwrap();
    fake.advance(MONTH);
    UpdateCustomStatus::new(UserId::me())
        .text("In a meeting")
        .lasting(CustomStatusDuration::OneHour, &TimeZone::utc())
        .send(&session)
        .unwrap();
    let end = fake.custom_status(alice.id).unwrap().expires_at.unwrap();
    let hour = Duration::from_secs(3600);
    // The apps cut the end to the minute.
    let from_fake = end.duration_since(fake.now()).unwrap();
    assert!(
        from_fake <= hour && from_fake > hour - Duration::from_secs(61),
        "{from_fake:?}"
    );
}
