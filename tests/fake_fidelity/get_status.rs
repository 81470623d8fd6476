//! Reading a status.

use super::*;

#[test]
fn a_user_without_a_status_reads_as_offline() {
    let env = env();
    let s = GetStatus::new(env.bob.id)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(s.status, StatusKind::Offline);
    assert!(!s.manual);
    assert_eq!(s.last_activity_at, None);
    assert_eq!(s.dnd_end_time, None);
    assert_eq!(env.fake.status(env.bob.id), None, "reading stores nothing");
    // Also an id no user has.
    let nobody = UserId::parse("zzzzzzzzzzzzzzzzzzzzzzzzzz").unwrap();
    let s = GetStatus::new(nobody)
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!((s.user_id, s.status), (nobody, StatusKind::Offline));
}

#[test]
fn the_status_answer_has_the_go_shape() {
    let env = env();
    env.fake.record_activity(env.alice.id);
    let r = env.raw_as(
        &env.bob,
        Method::Get,
        &format!("/users/{}/status", env.alice.id),
        None,
    );
    assert_eq!(r.status(), 200);
    let text = String::from_utf8(r.body().to_vec()).unwrap();
    assert!(
        text.ends_with("}\n"),
        "json.Encoder adds a newline: {text:?}"
    );
    let body = json(&r);
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 5, "{body}");
    assert_eq!(body["last_activity_at"], unix_millis(env.fake.now()));
    assert!(body.get("active_channel").is_none());
}

#[test]
fn anyone_may_read_anyone_else() {
    let env = env();
    UpdateStatus::new(env.alice.id)
        .status(StatusKind::Away)
        .send(&env.session(&env.alice))
        .unwrap();
    let s = GetStatus::new(env.alice.id)
        .send(&env.session(&env.bob))
        .unwrap();
    assert_eq!(s.status, StatusKind::Away);
}
