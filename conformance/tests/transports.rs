//! The transport contract (`mattermost_status_conformance`) against every
//! built-in transport, the fake's in-process transport where it applies, and broken
//! transports that the suite must catch.
//!
//! `cargo test -p mattermost-status-conformance --all-features --test transports -- --nocapture`
//! prints each case with
//! its figures.

use mattermost_status_conformance::{self as conformance, Outcome, Report};

fn assert_passed(report: &Report) {
    println!("{report}");
    assert!(report.passed(), "{report}");
    assert_eq!(report.cases().len(), conformance::CASES.len());
}

#[test]
fn ureq_transport_keeps_the_contract() {
    use std::time::Duration;
    let report = conformance::check_all(|| {
        mattermost_status::transport::UreqTransport::new(Duration::from_secs(10))
    });
    assert_passed(&report);
}

#[cfg(feature = "curl")]
#[test]
fn curl_transport_keeps_the_contract() {
    use std::time::Duration;
    println!(
        "on {}",
        mattermost_status::transport::CurlTransport::libcurl_version()
    );
    let report = conformance::check_all(|| {
        mattermost_status::transport::CurlTransport::new(Duration::from_secs(10))
    });
    assert_passed(&report);
}

/// The transport a session builds for itself when given none.
#[test]
fn the_default_session_transport_reuses_its_connection() {
    use mattermost_status::{GetStatus, Session, UserId};
    use mattermost_status_conformance::server::{keep_alive_response, Fault, FaultServer};
    let body = br#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"online","manual":false,"last_activity_at":1,"dnd_end_time":0}"#;
    let server = FaultServer::start(move |_| {
        Fault::KeepAlive(keep_alive_response(
            200,
            &[("Content-Type", "application/json")],
            body,
        ))
    })
    .expect("server");
    let session = Session::builder(server.url())
        .token("t0ken")
        .build()
        .unwrap();
    for _ in 0..5 {
        GetStatus::new(UserId::me()).send(&session).unwrap();
    }
    let clone = session.clone();
    std::thread::spawn(move || GetStatus::new(UserId::me()).send(&clone).unwrap())
        .join()
        .unwrap();
    assert_eq!(server.attempts(), 6);
    assert_eq!(server.connections(), 1);
}

/// Broken transports (ureq under a wrapper that breaks one rule each): the suite fails
/// them, in the case that covers the rule. A suite that passes anything proves nothing.
mod the_suite_catches {
    use std::time::Duration;

    use mattermost_status::transport::{HttpRequest, HttpResponse, Transport};
    use mattermost_status::{transport::UreqTransport, TransportError, TransportErrorKind};
    use mattermost_status_conformance::{self as conformance, Outcome};

    #[derive(Debug)]
    enum Breakage {
        /// Every error is a `Connect` error.
        EveryErrorIsConnect,
        /// Ignores the request's timeout: always 1.6 s.
        OwnTimeout,
        /// Ignores the body limit.
        NoBodyLimit,
        /// Keeps no response header.
        DropsHeaders,
        /// Puts the request's headers into its errors.
        LeaksHeaders,
        /// Turns 4xx and 5xx into errors.
        StatusAsError,
    }

    #[derive(Debug)]
    struct Broken(UreqTransport, Breakage);

    impl Transport for Broken {
        fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
            let inner = &self.0;
            match self.1 {
                Breakage::EveryErrorIsConnect => inner
                    .send(request)
                    .map_err(|e| TransportError::new(TransportErrorKind::Connect, e.to_string())),
                Breakage::OwnTimeout => {
                    inner.send(&request.with_timeout(Duration::from_millis(1600)))
                }
                Breakage::NoBodyLimit => inner.send(&request.with_max_response_bytes(u64::MAX)),
                Breakage::DropsHeaders => inner
                    .send(request)
                    .map(|r| HttpResponse::new(r.status(), r.into_body())),
                Breakage::LeaksHeaders => inner.send(request).map_err(|e| {
                    TransportError::new(e.kind(), format!("{e} sending {:?}", request.headers()))
                }),
                Breakage::StatusAsError => inner.send(request).and_then(|r| {
                    if r.status() >= 400 {
                        Err(TransportError::new(TransportErrorKind::Other, "status"))
                    } else {
                        Ok(r)
                    }
                }),
            }
        }
    }

    fn fails(case: &str, breakage: fn() -> Breakage) {
        let report = conformance::check(case, || {
            Broken(UreqTransport::new(Duration::from_secs(10)), breakage())
        })
        .expect("a case of that name");
        println!("{report}");
        assert!(
            matches!(report.outcome(), Outcome::Failed(_)),
            "{case} passed a transport that breaks the contract: {report}"
        );
    }

    #[test]
    fn errors_that_would_be_retried_wrongly() {
        fails("reset_in_the_body_is_io", || Breakage::EveryErrorIsConnect);
        fails("silence_times_out", || Breakage::EveryErrorIsConnect);
    }

    #[test]
    fn a_timeout_of_its_own() {
        fails("silence_times_out", || Breakage::OwnTimeout);
        fails("each_request_has_its_own_timeout", || Breakage::OwnTimeout);
    }

    #[test]
    fn no_body_limit() {
        fails("body_at_the_limit_is_whole", || Breakage::NoBodyLimit);
    }

    #[test]
    fn dropped_headers() {
        fails("wanted_response_headers_are_kept", || {
            Breakage::DropsHeaders
        });
        fails("redirects_are_answers", || Breakage::DropsHeaders);
    }

    #[test]
    fn header_values_in_errors() {
        fails("refused_connection_is_connect", || Breakage::LeaksHeaders);
        fails("garbage_is_io", || Breakage::LeaksHeaders);
    }

    #[test]
    fn error_statuses_as_errors() {
        fails("every_status_is_an_answer", || Breakage::StatusAsError);
    }
}

/// The fake's in-process transport has no socket: of the contract, what applies is that
/// every status is an answer, the body limit, and the wanted headers.
#[test]
fn the_fake_in_process_keeps_the_parts_that_apply() {
    use mattermost_status::fake::FakeServer;
    use mattermost_status::transport::{HttpRequest, Method, Transport};
    use mattermost_status::TransportErrorKind;

    let fake = FakeServer::new();
    let alice = fake.user("alice").expect("alice");
    let auth = format!("Bearer {}", alice.token);
    let headers = [("Authorization", auth.as_str())];
    let url = "http://fake.invalid/api/v4/users/me/status";
    let request = HttpRequest::new(Method::Get, url).with_headers(&headers);

    let ok = fake.send(&request).expect("an answer");
    assert_eq!(ok.status(), 200);
    let length = ok.body().len() as u64;

    // An error status is an answer, with the headers the request wants and no others.
    let wanted = ["X-Request-Id"];
    let anonymous = HttpRequest::new(Method::Get, url).with_response_headers(&wanted);
    let denied = fake.send(&anonymous).expect("401 is an answer");
    assert_eq!(denied.status(), 401);
    assert!(denied.header("X-Request-Id").is_some());
    assert_eq!(denied.header("Content-Type"), None);

    // A body of exactly the limit is whole; one byte less of limit is BodyTooLarge.
    let exact = fake
        .send(&request.with_max_response_bytes(length))
        .expect("at the limit");
    assert_eq!(exact.body().len() as u64, length);
    let error = fake
        .send(&request.with_max_response_bytes(length - 1))
        .unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::BodyTooLarge);
}

#[test]
fn every_case_has_a_unique_name_and_can_be_run_alone() {
    let mut names: Vec<&str> = conformance::CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), conformance::CASES.len());
    #[derive(Debug)]
    struct Nothing;
    impl mattermost_status::transport::Transport for Nothing {
        fn send(
            &self,
            _: &mattermost_status::transport::HttpRequest<'_>,
        ) -> Result<mattermost_status::transport::HttpResponse, mattermost_status::TransportError>
        {
            Ok(mattermost_status::transport::HttpResponse::new(
                200,
                Vec::new(),
            ))
        }
    }
    assert!(conformance::check("no_such_case", || Nothing).is_none());
    let report = conformance::check("refused_connection_is_connect", || Nothing).unwrap();
    assert!(matches!(report.outcome(), Outcome::Failed(_)), "{report}");
}
