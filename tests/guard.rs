//! Status guards against the embedded fake server over HTTP on 127.0.0.1 (built-in
//! transport).
#![cfg(all(feature = "ureq", feature = "fake"))]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mattermost_status::fake::{FakeHttpServer, FakeServer};
use mattermost_status::{Error, Session, Status, StatusKind, UserId};

/// A fresh fake served on 127.0.0.1, and a session to it logged in as its user `alice`.
struct Server {
    fake: FakeServer,
    /// Serves until dropped.
    _http: FakeHttpServer,
    /// alice's id: the token's user.
    me: UserId,
    session: Session,
}

/// alice is online (automatic), as after her client connected.
fn start_server() -> Server {
    let fake = FakeServer::new();
    let http = fake.serve().unwrap();
    let alice = fake.user("alice").unwrap();
    fake.record_activity(alice.id);
    let session = Session::builder(http.url())
        .token(&alice.token)
        .build()
        .unwrap();
    Server {
        me: alice.id,
        fake,
        _http: http,
        session,
    }
}

impl Server {
    fn status(&self) -> Status {
        self.fake
            .status(self.me)
            .expect("the token's user has a status")
    }

    /// Stores the token's user's status as given, as if set earlier.
    fn set_status(&self, kind: StatusKind, manual: bool) {
        let mut s = Status::new(self.me, kind);
        s.manual = manual;
        self.fake.set_status(&s);
    }
}

/// The server keeps DND end times in whole minutes.
fn truncate_to_minute(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    UNIX_EPOCH + Duration::from_secs(secs - secs % 60)
}

#[test]
fn dnd_until_restores_on_drop() {
    let server = start_server();
    server.set_status(StatusKind::Away, true);
    let session = &server.session;
    let end = SystemTime::now() + Duration::from_secs(3600);
    {
        let guard = session.dnd_until(end).unwrap();
        assert_eq!(guard.previous().status, StatusKind::Away);
        assert_eq!(guard.set().status, StatusKind::Dnd);
        let now = server.status();
        assert_eq!(now.status, StatusKind::Dnd);
        assert_eq!(now.dnd_end_time, Some(truncate_to_minute(end)));
    }
    let after = server.status();
    assert_eq!((after.status, after.manual), (StatusKind::Away, true));
}

#[test]
fn restore_reports_and_keep_keeps() {
    let server = start_server();
    let session = &server.session;
    let guard = session.dnd().unwrap();
    let back = guard.restore().unwrap();
    assert_eq!((back.status, back.manual), (StatusKind::Online, false));

    let guard = session.status_guard(StatusKind::Away, None).unwrap();
    guard.keep();
    assert_eq!(server.status().status, StatusKind::Away);
}

#[test]
fn an_automatic_status_comes_back_as_automatic() {
    let server = start_server();
    server.set_status(StatusKind::Offline, false);
    drop(server.session.dnd().unwrap());
    let after = server.status();
    assert_eq!((after.status, after.manual), (StatusKind::Online, false));
}

#[test]
fn a_status_changed_meanwhile_is_left_alone() {
    let server = start_server();
    let guard = server.session.dnd().unwrap();
    server.set_status(StatusKind::Offline, true);
    let after = guard.restore().unwrap();
    assert_eq!(after.status, StatusKind::Offline);
    assert_eq!(server.status().status, StatusKind::Offline);
}

#[test]
fn out_of_office_is_not_touched() {
    let server = start_server();
    server.set_status(StatusKind::OutOfOffice, true);
    let err = server.session.dnd().unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "status",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.status().status, StatusKind::OutOfOffice);
    assert!(
        server.fake.auto_responder_active(server.me),
        "the auto-responder stays on"
    );
}

#[test]
fn a_bad_end_time_is_refused_before_sending() {
    let server = start_server();
    let session = &server.session;
    let err = session
        .dnd_until(SystemTime::now() - Duration::from_secs(1))
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "until", .. }),
        "{err}"
    );
    let err = session
        .status_guard(StatusKind::OutOfOffice, None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "status",
                ..
            }
        ),
        "{err}"
    );
    assert!(server.fake.requests().is_empty());
}

#[test]
fn a_failed_restore_is_an_error() {
    let server = start_server();
    let guard = server.session.dnd().unwrap();
    // The real server reads a status for any id (`offline` when it has none stored) and
    // answers 404 only when user statuses are turned off (`EnableUserStatuses = false`),
    // so that is how the restore's read is made to fail here (the old stub server forgot
    // every status and answered 404, which a real server never does).
    server.fake.set_enable_user_statuses(false);
    let err = guard.restore().unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
