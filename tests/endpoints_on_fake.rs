//! The SDK's endpoint scenarios, run against the fake server: each scenario once over
//! HTTP (ureq, loopback) and once in process (the fake as the session's transport).
//!
//! A scenario only sees a [`Ctx`]: sessions for a user, another user and an admin, and the
//! fake to look at the state. The same scenario functions can be pointed at any server
//! that has such users.
#![cfg(all(feature = "fake", feature = "ureq"))]

use std::time::{Duration, SystemTime};

use mattermost_status::fake::{FakeHttpServer, FakeServer, FakeUser};
use mattermost_status::{
    CustomStatus, CustomStatusDuration, Error, GetStatus, GetStatusesByIds,
    RemoveRecentCustomStatus, RemoveRecentMethod, Session, StatusKind, UnsetCustomStatus,
    UpdateCustomStatus, UpdateStatus, UserId,
};

struct Ctx {
    fake: FakeServer,
    me: FakeUser,
    other: FakeUser,
    me_session: Session,
    other_session: Session,
    admin_session: Session,
    _server: Option<FakeHttpServer>,
}

fn over_http() -> Ctx {
    let fake = FakeServer::new();
    let server = fake.serve().expect("serves");
    let session = |user: &FakeUser| {
        Session::builder(server.url())
            .token(user.token.clone())
            .build()
            .expect("session")
    };
    let (me, other, admin) = users(&fake);
    Ctx {
        me_session: session(&me),
        other_session: session(&other),
        admin_session: session(&admin),
        fake,
        me,
        other,
        _server: Some(server),
    }
}

fn in_process() -> Ctx {
    let fake = FakeServer::new();
    let (me, other, admin) = users(&fake);
    Ctx {
        me_session: fake.session(&me).expect("session"),
        other_session: fake.session(&other).expect("session"),
        admin_session: fake.session(&admin).expect("session"),
        fake,
        me,
        other,
        _server: None,
    }
}

fn users(fake: &FakeServer) -> (FakeUser, FakeUser, FakeUser) {
    (
        fake.user("alice").expect("alice"),
        fake.user("bob").expect("bob"),
        fake.user("sysadmin").expect("sysadmin"),
    )
}

/// Runs each scenario on both transports.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod http {
            $( #[test] fn $name() { super::$name(&super::over_http()); } )*
        }
        mod in_process {
            $( #[test] fn $name() { super::$name(&super::in_process()); } )*
        }
    };
}

on_both!(
    get_status_of_me_and_of_another,
    update_status_resolves_me_once_and_returns_the_stored_status,
    update_status_dnd_until,
    update_status_of_another_needs_admin,
    client_side_refusals_send_nothing,
    statuses_by_ids_in_the_callers_order,
    custom_status_set_unset_and_recent_removal_by_both_routes,
    custom_status_with_an_end_time,
    errors_carry_status_id_and_request_id,
);

fn get_status_of_me_and_of_another(c: &Ctx) {
    c.fake.record_activity(c.other.id);
    let mine = GetStatus::new(UserId::me()).send(&c.me_session).unwrap();
    assert_eq!(mine.user_id, c.me.id);
    assert_eq!(mine.status, StatusKind::Offline);
    let theirs = GetStatus::new(c.other.id).send(&c.me_session).unwrap();
    assert_eq!((theirs.status, theirs.manual), (StatusKind::Online, false));
    assert!(theirs.last_activity_at.is_some());
}

fn update_status_resolves_me_once_and_returns_the_stored_status(c: &Ctx) {
    let before = c.fake.request_count();
    let away = UpdateStatus::new(UserId::me())
        .status(StatusKind::Away)
        .send(&c.me_session)
        .unwrap();
    // One GET to learn the real id, one PUT.
    assert_eq!(c.fake.request_count() - before, 2);
    assert_eq!(away.user_id, c.me.id);
    assert_eq!((away.status.clone(), away.manual), (StatusKind::Away, true));
    assert_eq!(c.fake.status(c.me.id), Some(away));
    // The session remembers the id: the next update is one request.
    let before = c.fake.request_count();
    UpdateStatus::new(UserId::me())
        .status(StatusKind::Online)
        .send(&c.me_session)
        .unwrap();
    assert_eq!(c.fake.request_count() - before, 1);
    assert_eq!(c.me_session.current_user_id().unwrap(), c.me.id);
}

fn update_status_dnd_until(c: &Ctx) {
    let end = SystemTime::now() + Duration::from_secs(2 * 3600 + 59);
    let s = UpdateStatus::new(c.me.id)
        .status(StatusKind::Dnd)
        .until(end)
        .send(&c.me_session)
        .unwrap();
    assert_eq!(s.status, StatusKind::Dnd);
    let stored = s.dnd_end_time.expect("an end time");
    assert!(stored <= end && end.duration_since(stored).unwrap() < Duration::from_secs(60));
    c.fake.advance(Duration::from_secs(3 * 3600));
    let s = GetStatus::new(c.me.id).send(&c.me_session).unwrap();
    assert_eq!((s.status, s.dnd_end_time), (StatusKind::Offline, None));
}

fn update_status_of_another_needs_admin(c: &Ctx) {
    let err = UpdateStatus::new(c.other.id)
        .status(StatusKind::Away)
        .send(&c.me_session)
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    let s = UpdateStatus::new(c.other.id)
        .status(StatusKind::Away)
        .send(&c.admin_session)
        .unwrap();
    assert_eq!(s.user_id, c.other.id);
}

fn client_side_refusals_send_nothing(c: &Ctx) {
    let before = c.fake.request_count();
    let refusals: Vec<Error> = vec![
        UpdateStatus::new(c.me.id)
            .status(StatusKind::OutOfOffice)
            .send(&c.me_session)
            .unwrap_err(),
        UpdateStatus::new(c.me.id)
            .status(StatusKind::Online)
            .until(SystemTime::now() + Duration::from_secs(60))
            .send(&c.me_session)
            .unwrap_err(),
        GetStatusesByIds::new([]).send(&c.me_session).unwrap_err(),
        GetStatusesByIds::new([UserId::me()])
            .send(&c.me_session)
            .unwrap_err(),
        UpdateCustomStatus::new(c.me.id)
            .send(&c.me_session)
            .unwrap_err(),
        UpdateCustomStatus::new(c.me.id)
            .text("x")
            .duration(CustomStatusDuration::OneHour)
            .send(&c.me_session)
            .unwrap_err(),
    ];
    for err in refusals {
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
    assert_eq!(c.fake.request_count(), before, "nothing reached the server");
}

fn statuses_by_ids_in_the_callers_order(c: &Ctx) {
    UpdateStatus::new(c.other.id)
        .status(StatusKind::Away)
        .send(&c.other_session)
        .unwrap();
    let order = [c.other.id, c.me.id];
    let statuses = GetStatusesByIds::new(order).send(&c.me_session).unwrap();
    assert_eq!(statuses.len(), 2);
    let kinds: Vec<StatusKind> = statuses
        .in_order_of(&order)
        .map(|(_, s)| s.expect("both answered").status.clone())
        .collect();
    assert_eq!(kinds, [StatusKind::Away, StatusKind::Offline]);
}

fn custom_status_set_unset_and_recent_removal_by_both_routes(c: &Ctx) {
    let first = CustomStatus::new("In a meeting").emoji("calendar");
    let second = CustomStatus::new("Lunch").emoji("sandwich");
    for cs in [&first, &second] {
        UpdateCustomStatus::new(UserId::me())
            .custom_status(cs.clone())
            .send(&c.me_session)
            .unwrap();
    }
    assert_eq!(c.fake.custom_status(c.me.id), Some(second.clone()));
    assert_eq!(
        c.fake.recent_custom_statuses(c.me.id),
        [second.clone(), first.clone()]
    );
    UnsetCustomStatus::new(UserId::me())
        .send(&c.me_session)
        .unwrap();
    assert_eq!(c.fake.custom_status(c.me.id), None);
    RemoveRecentCustomStatus::new(UserId::me(), first)
        .method(RemoveRecentMethod::Delete)
        .send(&c.me_session)
        .unwrap();
    RemoveRecentCustomStatus::new(UserId::me(), second.clone())
        .send(&c.me_session)
        .unwrap();
    assert!(c.fake.recent_custom_statuses(c.me.id).is_empty());
    let err = RemoveRecentCustomStatus::new(UserId::me(), second)
        .send(&c.me_session)
        .unwrap_err();
    assert_eq!(
        err.api_id(),
        Some("api.custom_status.recent_custom_statuses.delete.app_error")
    );
}

fn custom_status_with_an_end_time(c: &Ctx) {
    let end = SystemTime::now() + Duration::from_millis(30 * 60 * 1000 + 250);
    UpdateCustomStatus::new(c.me.id)
        .emoji("bus")
        .text("Commuting")
        .expires_at(end)
        .send(&c.me_session)
        .unwrap();
    let stored = c.fake.custom_status(c.me.id).unwrap();
    assert_eq!(stored.expires_at, Some(end));
    assert_eq!(stored.duration, Some(CustomStatusDuration::DateAndTime));
    // What was given removes its own entry: the SDK applies the server's PreSave.
    RemoveRecentCustomStatus::new(
        c.me.id,
        CustomStatus::new("Commuting").emoji("bus").expires_at(end),
    )
    .send(&c.me_session)
    .unwrap();
    assert!(c.fake.recent_custom_statuses(c.me.id).is_empty());
}

fn errors_carry_status_id_and_request_id(c: &Ctx) {
    c.fake.set_enable_custom_user_statuses(false);
    let err = UnsetCustomStatus::new(UserId::me())
        .send(&c.me_session)
        .unwrap_err();
    assert_eq!(err.status(), Some(501));
    assert_eq!(err.api_id(), Some("api.custom_status.disabled"));
    assert_eq!(err.request_id().map(str::len), Some(26));
    c.fake.set_enable_user_statuses(false);
    let err = GetStatus::new(UserId::me())
        .send(&c.other_session)
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
