//! Property tests: over the validators, and over response decoding with arbitrary
//! answers in every slot (status, headers, body). Nothing panics; what is valid
//! round-trips.

#[path = "support/fault.rs"]
mod fault;
mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mattermost_status::{
    CustomStatus, CustomStatusDuration, Error, GetStatus, GetStatusesByIds, RetryPolicy, Status,
    StatusKind, UpdateCustomStatus, UpdateStatus, UserId,
};
use proptest::prelude::*;
use support::{
    assert_error_fits_status, assert_no_token, send_all, session_on, Canned, ALICE, TOKEN,
};

const ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn user_id_string() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ID_ALPHABET), 26)
        .prop_map(|bytes| String::from_utf8(bytes).unwrap())
}

fn status_kind() -> impl Strategy<Value = StatusKind> {
    prop_oneof![
        Just(StatusKind::Online),
        Just(StatusKind::Away),
        Just(StatusKind::Offline),
        Just(StatusKind::Dnd),
        Just(StatusKind::OutOfOffice),
        "[a-z_]{1,12}".prop_map(StatusKind::from),
    ]
}

/// Header names the crate reads, and some it does not, with any value.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("Content-Type".to_owned()),
        Just("content-type".to_owned()),
        Just("Retry-After".to_owned()),
        Just("X-RateLimit-Reset".to_owned()),
        Just("X-RateLimit-Limit".to_owned()),
        Just("X-RateLimit-Remaining".to_owned()),
        Just("X-Request-Id".to_owned()),
        Just("Location".to_owned()),
        "[A-Za-z-]{1,16}",
    ];
    let value = prop_oneof![
        Just("application/json".to_owned()),
        "[0-9]{1,25}",
        "-?[0-9]{1,3}",
        ".*",
    ];
    proptest::collection::vec((name, value), 0..6)
}

fn status_code() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(429u16),
        Just(503u16),
        Just(302u16),
        100u16..600,
        any::<u16>(),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        ".{0,200}".prop_map(String::into_bytes),
        // JSON-ish noise.
        proptest::collection::vec(
            proptest::sample::select(b"{}[]\",:0123456789.eE+-truefalsnul \\u".as_slice()),
            0..256
        ),
    ]
}

/// Whole seconds and milliseconds of a time the server can send, anywhere from 1970
/// to 9999, not 0 (0 is "none" on the wire).
fn millis() -> impl Strategy<Value = i64> {
    1i64..253_402_300_799_000
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Arbitrary bytes in every slot of an answer, for all seven requests: never a
    /// panic, always an error that fits the status, never the token.
    #[test]
    fn any_answer_decodes_or_fails_cleanly(status in status_code(), headers in headers(), body in body()) {
        let session = session_on(Canned::new(status, headers, body));
        for (name, error) in send_all(&session) {
            if let Some(error) = error {
                assert_no_token(&error);
                if (100..600).contains(&status) {
                    assert_error_fits_status(status, &error);
                }
            } else {
                prop_assert!((200..300).contains(&status), "{name} accepted status {status}");
            }
        }
    }

    /// The token inserted anywhere into an answer never reaches an error's text.
    #[test]
    fn an_echoed_token_is_always_redacted(
        status in status_code(),
        prefix in ".{0,300}",
        suffix in ".{0,40}",
        in_header in any::<bool>(),
    ) {
        let echoed = format!("{prefix}{TOKEN}{suffix}");
        let headers = if in_header {
            vec![("X-Request-Id".to_owned(), echoed.clone()), ("Location".to_owned(), echoed.clone())]
        } else {
            Vec::new()
        };
        let session = session_on(Canned::new(status, headers, echoed.into_bytes()));
        for (_, error) in send_all(&session) {
            if let Some(error) = error {
                assert_no_token(&error);
            }
        }
    }

    /// A status written the way the server writes it (independently of the crate's
    /// `Serialize`) decodes field by field.
    #[test]
    fn a_server_status_decodes(
        id in user_id_string(),
        kind in status_kind(),
        manual in any::<bool>(),
        last_activity in prop_oneof![Just(0i64), millis()],
        dnd_end in prop_oneof![Just(0i64), 1i64..253_402_300_799],
        extra in proptest::option::of("[a-z_]{1,10}"),
    ) {
        let extra = extra.map(|k| format!(r#","{k}x":{{"nested":[1,2]}}"#)).unwrap_or_default();
        let body = format!(
            r#"{{"user_id":"{id}","status":"{}","manual":{manual},"last_activity_at":{last_activity},"dnd_end_time":{dnd_end},"active_channel":""{extra}}}"#,
            kind.as_str()
        );
        let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        let session = session_on(Canned::new(200, headers, body.into_bytes()));
        let user: UserId = id.parse().unwrap();
        let status = GetStatus::new(user).send(&session).unwrap();
        prop_assert_eq!(status.user_id, user);
        prop_assert_eq!(status.user_id.as_str(), id.as_str());
        prop_assert_eq!(&status.status, &kind);
        prop_assert_eq!(status.manual, manual);
        let expect_ms = (last_activity != 0).then(|| UNIX_EPOCH + Duration::from_millis(last_activity as u64));
        prop_assert_eq!(status.last_activity_at, expect_ms);
        let expect_s = (dnd_end != 0).then(|| UNIX_EPOCH + Duration::from_secs(dnd_end as u64));
        prop_assert_eq!(status.dnd_end_time, expect_s);
        prop_assert_eq!(status.active_channel, None);
    }

    /// Any status the crate can hold survives serialization and decoding, alone and in
    /// a list.
    #[test]
    fn statuses_round_trip(
        entries in proptest::collection::vec(
            (user_id_string(), status_kind(), any::<bool>(), proptest::option::of(millis()),
             proptest::option::of(1i64..253_402_300_799), proptest::option::of("[a-z0-9]{1,26}")),
            1..20,
        )
    ) {
        let mut statuses = Vec::new();
        for (id, kind, manual, last, dnd, channel) in entries {
            let mut s = Status::new(id.parse().unwrap(), kind);
            s.manual = manual;
            s.last_activity_at = last.map(|ms| UNIX_EPOCH + Duration::from_millis(ms as u64));
            s.dnd_end_time = dnd.map(|secs| UNIX_EPOCH + Duration::from_secs(secs as u64));
            s.active_channel = channel;
            let back: Status = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
            prop_assert_eq!(&back, &s);
            statuses.push(s);
        }
        let body = serde_json::to_vec(&statuses).unwrap();
        let session = session_on(Canned::new(200, Vec::new(), body));
        let ids: Vec<UserId> = statuses.iter().map(|s| s.user_id).collect();
        let got = GetStatusesByIds::new(ids.clone()).send(&session).unwrap();
        prop_assert_eq!(got.len(), statuses.len());
        for s in &statuses {
            // Duplicated ids: the list holds one of them; each must be found.
            let found = got.get(&s.user_id);
            prop_assert!(found.is_some());
        }
        for (id, found) in got.in_order_of(&ids) {
            prop_assert_eq!(found.map(|s| s.user_id), Some(id));
        }
    }

    /// Custom statuses round-trip through the wire format, times to the nanosecond.
    #[test]
    fn custom_statuses_round_trip(
        emoji in "[a-z_0-9+-]{0,20}",
        text in "\\PC{0,100}",
        duration in proptest::option::of(proptest::sample::select(CustomStatusDuration::ALL.to_vec())),
        expires in proptest::option::of((0u64..253_402_300_799, 0u32..1_000_000_000)),
    ) {
        let mut cs = CustomStatus::new(text).emoji(emoji);
        if let Some(d) = duration {
            cs = cs.duration(d);
        }
        if let Some((secs, nanos)) = expires {
            cs = cs.expires_at(UNIX_EPOCH + Duration::new(secs, nanos));
        }
        let json = serde_json::to_string(&cs).unwrap();
        let back: CustomStatus = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, cs);
    }

    /// User ids: accepted exactly when the server would accept them, and then shown
    /// back unchanged; refused ones name the field.
    #[test]
    fn user_ids_parse_exactly_the_server_alphabet(s in prop_oneof![
        user_id_string(),
        "[a-z0-9]{20,30}",
        "[a-zA-Z0-9_-]{26}",
        ".{0,40}",
        Just("me".to_owned()),
    ]) {
        let valid = s == "me"
            || (s.len() == 26 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        match s.parse::<UserId>() {
            Ok(id) => {
                prop_assert!(valid, "accepted {s:?}");
                prop_assert_eq!(id.as_str(), s.as_str());
                let json = serde_json::to_string(&id).unwrap();
                prop_assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
            }
            Err(e) => {
                prop_assert!(!valid, "refused {s:?}");
                prop_assert_eq!(e.field(), "user_id");
            }
        }
    }

    /// Status kinds read from any string and write it back.
    #[test]
    fn status_kinds_round_trip(s in ".{0,20}") {
        let kind = StatusKind::from(s.as_str());
        prop_assert_eq!(kind.as_str(), s.as_str());
        let json = serde_json::to_string(&kind).unwrap();
        prop_assert_eq!(serde_json::from_str::<StatusKind>(&json).unwrap(), kind);
    }

    /// Custom status text: refused (with nothing sent) exactly when longer than the
    /// server keeps, or when text and emoji are both empty.
    #[test]
    fn custom_status_text_is_checked_before_sending(text in "\\PC{0,130}", emoji in "[a-z]{0,3}") {
        let transport = Canned::new(200, Vec::new(), br#"{"status":"OK"}"#.to_vec());
        let sent = transport.counter();
        let session = session_on(transport);
        let user: UserId = ALICE.parse().unwrap();
        let result = UpdateCustomStatus::new(user).text(text.clone()).emoji(emoji.clone()).send(&session);
        let too_long = text.chars().count() > 100;
        let empty = text.is_empty() && emoji.is_empty();
        if too_long || empty {
            let refused = matches!(result, Err(Error::InvalidInput { field: "text", .. }));
            prop_assert!(refused, "{:?}", result);
            prop_assert_eq!(sent.load(Ordering::SeqCst), 0);
        } else {
            prop_assert!(result.is_ok(), "{:?}", result);
            prop_assert_eq!(sent.load(Ordering::SeqCst), 1);
        }
    }

    /// Setting a status: only the four settable kinds, an end time only with DND and
    /// only in the future; a refusal sends nothing.
    #[test]
    fn status_updates_are_checked_before_sending(
        kind in status_kind(),
        until in proptest::option::of(-100_000i64..100_000),
    ) {
        let body = support::STATUS_BODY.as_bytes().to_vec();
        let transport = Canned::new(200, Vec::new(), body);
        let sent = transport.counter();
        let session = session_on(transport);
        let user: UserId = ALICE.parse().unwrap();
        let now = SystemTime::now();
        let end = until.map(|s| if s >= 0 { now + Duration::from_secs(s as u64) } else { now - Duration::from_secs(s.unsigned_abs()) });
        let mut request = UpdateStatus::new(user).status(kind.clone());
        if let Some(end) = end {
            request = request.until(end);
        }
        let result = request.send(&session);
        let valid = kind.is_settable()
            && end.is_none_or(|e| kind == StatusKind::Dnd && e > SystemTime::now());
        if valid {
            prop_assert!(result.is_ok(), "{:?}", result);
            prop_assert_eq!(sent.load(Ordering::SeqCst), 1);
        } else {
            prop_assert!(matches!(result, Err(Error::InvalidInput { .. })), "{:?}", result);
            prop_assert_eq!(sent.load(Ordering::SeqCst), 0);
        }
    }

    /// The backoff grows, never passes the cap, and 0 attempts means 1.
    #[test]
    fn backoff_is_monotone_and_capped(base_ms in 0u64..10_000, cap_ms in 0u64..60_000, attempts in 0u32..100) {
        let policy = RetryPolicy::new()
            .base_delay(Duration::from_millis(base_ms))
            .max_delay(Duration::from_millis(cap_ms))
            .max_attempts(attempts);
        prop_assert_eq!(policy.attempts(), attempts.max(1));
        let mut last = Duration::ZERO;
        for retry in 1..70 {
            let ceiling = policy.backoff_ceiling(retry);
            prop_assert!(ceiling >= last && ceiling <= Duration::from_millis(cap_ms));
            last = ceiling;
        }
    }
}

/// Any duration, the extremes most of all.
#[cfg(feature = "ureq")]
fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::MAX),
        Just(Duration::ZERO),
        Just(Duration::from_secs(u64::MAX)),
        Just(Duration::from_nanos(1)),
        (0u64..=u64::MAX, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        (u64::MAX / 4..=u64::MAX).prop_map(Duration::from_secs),
        (1u64..5_000).prop_map(Duration::from_millis),
    ]
}

/// Issue 12, row 3: no `timeout` or `connect_timeout` makes a call panic, on a
/// transport that answers at once or on the built-in one against a local server; a
/// setting is refused by `build()` (zero) or capped (over `MAX_TIMEOUT`).
#[cfg(feature = "ureq")]
#[test]
fn no_timeout_setting_makes_a_call_panic() {
    use fault::serve_always;
    use fault::server::json;
    use proptest::test_runner::{Config, TestRunner};
    use support::STATUS_BODY;

    let server = serve_always(json(200, STATUS_BODY));
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(
        &(any_duration(), any_duration()),
        |(timeout, connect_timeout)| {
            // A transport of one's own takes no connect timeout (the session refuses it
            // there: tests/validation.rs); the call's timeout is the session's.
            let builders = [
                mattermost_status::Session::builder("https://chat.example.com").transport(
                    Canned::new(200, Vec::new(), STATUS_BODY.as_bytes().to_vec()),
                ),
                mattermost_status::Session::builder(server.url()).connect_timeout(connect_timeout),
            ];
            for builder in builders {
                let built = builder
                    .token(TOKEN)
                    .retry(RetryPolicy::none())
                    .timeout(timeout)
                    .build();
                match built {
                    Ok(session) => {
                        prop_assert!(session.timeout() <= mattermost_status::MAX_TIMEOUT);
                        // Any outcome but a panic (a 1 ns timeout times out).
                        let _ = GetStatus::new(UserId::me()).send(&session);
                    }
                    Err(e) => prop_assert!(
                        matches!(e, Error::InvalidInput { field, .. }
                            if (field == "timeout" && timeout.is_zero())
                                || (field == "connect_timeout" && connect_timeout.is_zero())),
                        "{e}"
                    ),
                }
            }
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
