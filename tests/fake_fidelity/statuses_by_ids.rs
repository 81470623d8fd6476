//! Statuses by ids.

use super::*;

#[test]
fn statuses_by_ids_are_sorted_deduplicated_and_offline_for_unknown_ids() {
    let env = env();
    UpdateStatus::new(env.bob.id)
        .status(StatusKind::Away)
        .send(&env.session(&env.bob))
        .unwrap();
    let nobody = "0".repeat(26);
    let mut ids = vec![
        env.bob.id.to_string(),
        nobody.clone(),
        env.alice.id.to_string(),
        env.bob.id.to_string(),
    ];
    let body = serde_json::to_string(&ids).unwrap();
    let r = env.raw_as(&env.alice, Method::Post, "/users/status/ids", Some(&body));
    assert_eq!(r.status(), 200);
    let list = json(&r);
    let got: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(got.len(), 3, "duplicates dropped: {list}");
    // Stored statuses first, then the ids with none, each part sorted.
    ids.sort();
    ids.dedup();
    let mut unknown: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| *id != env.bob.id.as_str())
        .collect();
    unknown.sort();
    let mut expected = vec![env.bob.id.as_str()];
    expected.extend(unknown);
    assert_eq!(got, expected);
    assert_eq!(list[0]["status"], "away");
    assert_eq!(list[1]["status"], "offline");
    assert_eq!(list[2]["status"], "offline");

    // Through the SDK.
    let statuses = GetStatusesByIds::new([env.alice.id, env.bob.id])
        .send(&env.session(&env.alice))
        .unwrap();
    assert_eq!(
        statuses.get(&env.bob.id).map(|s| &s.status),
        Some(&StatusKind::Away)
    );
    assert_eq!(
        statuses.get(&env.alice.id).map(|s| &s.status),
        Some(&StatusKind::Offline)
    );
}

#[test]
fn statuses_by_ids_validation() {
    let env = env();
    // status_test: "empty userIds list", "completely/partly invalid userIds list".
    for body in [
        "[]".to_owned(),
        "null".to_owned(),
        r#"["invalid_user_id","invalid_user_id"]"#.to_owned(),
        format!(r#"["{}","invalid_user_id"]"#, env.alice.id),
        r#"["me"]"#.to_owned(),
    ] {
        let r = env.raw_as(&env.alice, Method::Post, "/users/status/ids", Some(&body));
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("user_ids"),
        );
    }
    // Only the length is checked: 26 characters of anything pass.
    let r = env.raw_as(
        &env.alice,
        Method::Post,
        "/users/status/ids",
        Some(r#"["--------------------------"]"#),
    );
    assert_eq!(r.status(), 200);
    for body in ["", "{}", "[1]", "not json"] {
        let r = env.raw_as(&env.alice, Method::Post, "/users/status/ids", Some(body));
        assert_app_error(&r, 400, "api.payload.parse.error", None);
    }
}
