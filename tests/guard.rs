//! Status guards against a server on 127.0.0.1 (built-in transport).
#![cfg(feature = "ureq")]

mod stub_server;

use std::time::{Duration, SystemTime};

use mattermost_status::{Error, StatusKind};
use stub_server::{start_server, ME};

#[test]
fn dnd_until_restores_on_drop() {
    let server = start_server();
    server.set_status(ME, StatusKind::Away, true, None);
    let session = server.session();
    let end = SystemTime::now() + Duration::from_secs(3600);
    {
        let guard = session.dnd_until(end).unwrap();
        assert_eq!(guard.previous().status, StatusKind::Away);
        assert_eq!(guard.set().status, StatusKind::Dnd);
        let now = server.status(ME);
        assert_eq!(now.status, StatusKind::Dnd);
        assert_eq!(now.dnd_end_time, Some(stub_server::truncate_to_minute(end)));
    }
    let after = server.status(ME);
    assert_eq!((after.status, after.manual), (StatusKind::Away, true));
}

#[test]
fn restore_reports_and_keep_keeps() {
    let server = start_server();
    let session = server.session();
    let guard = session.dnd().unwrap();
    let back = guard.restore().unwrap();
    assert_eq!((back.status, back.manual), (StatusKind::Online, false));

    let guard = session.status_guard(StatusKind::Away, None).unwrap();
    guard.keep();
    assert_eq!(server.status(ME).status, StatusKind::Away);
}

#[test]
fn an_automatic_status_comes_back_as_automatic() {
    let server = start_server();
    server.set_status(ME, StatusKind::Offline, false, None);
    let session = server.session();
    drop(session.dnd().unwrap());
    let after = server.status(ME);
    assert_eq!((after.status, after.manual), (StatusKind::Online, false));
}

#[test]
fn a_status_changed_meanwhile_is_left_alone() {
    let server = start_server();
    let session = server.session();
    let guard = session.dnd().unwrap();
    server.set_status(ME, StatusKind::Offline, true, None);
    let after = guard.restore().unwrap();
    assert_eq!(after.status, StatusKind::Offline);
    assert_eq!(server.status(ME).status, StatusKind::Offline);
}

#[test]
fn out_of_office_is_not_touched() {
    let server = start_server();
    server.set_status(ME, StatusKind::OutOfOffice, true, None);
    let session = server.session();
    let err = session.dnd().unwrap_err();
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
    assert_eq!(server.status(ME).status, StatusKind::OutOfOffice);
}

#[test]
fn a_bad_end_time_is_refused_before_sending() {
    let server = start_server();
    let session = server.session();
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
    assert!(server.state().requests.is_empty());
}

#[test]
fn a_failed_restore_is_an_error() {
    let server = start_server();
    let session = server.session();
    let guard = session.dnd().unwrap();
    server.state().statuses.clear();
    let err = guard.restore().unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
