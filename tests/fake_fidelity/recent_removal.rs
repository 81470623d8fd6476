//! Removing a recent custom status, by either route.

use super::*;

#[test]
fn removing_a_recent_custom_status_by_either_route() {
    let env = env();
    let session = env.session(&env.alice);
    let end = env.fake.now() + Duration::from_millis(3_600_123);
    let alpha = CustomStatus::new("alpha").emoji("a").expires_at(end);
    let beta = CustomStatus::new("beta").emoji("b");
    for cs in [&alpha, &beta] {
        UpdateCustomStatus::new(UserId::me())
            .custom_status(cs.clone())
            .send(&session)
            .unwrap();
    }
    // The value given to UpdateCustomStatus removes its own entry (the SDK applies
    // PreSave's date_and_time and writes expires_at as Go does).
    RemoveRecentCustomStatus::new(UserId::me(), alpha.clone())
        .method(RemoveRecentMethod::Delete)
        .send(&session)
        .unwrap();
    let left: Vec<String> = env
        .fake
        .recent_custom_statuses(env.alice.id)
        .into_iter()
        .map(|c| c.text)
        .collect();
    assert_eq!(left, ["beta"]);
    // Again: it is gone, and that is an error.
    assert_api_error(
        RemoveRecentCustomStatus::new(UserId::me(), alpha).send(&session),
        400,
        "api.custom_status.recent_custom_statuses.delete.app_error",
    );
    RemoveRecentCustomStatus::new(UserId::me(), beta.clone())
        .method(RemoveRecentMethod::Post)
        .send(&session)
        .unwrap();
    assert!(env.fake.recent_custom_statuses(env.alice.id).is_empty());
    // An emptied list still exists: not found, not "no preference".
    assert_api_error(
        RemoveRecentCustomStatus::new(UserId::me(), beta).send(&session),
        400,
        "api.custom_status.recent_custom_statuses.delete.app_error",
    );
}

#[test]
fn recent_removal_compares_bytes() {
    let env = env();
    let session = env.session(&env.alice);
    let end = env.fake.now() + Duration::from_millis(3_600_500);
    UpdateCustomStatus::new(UserId::me())
        .text("meeting")
        .duration(CustomStatusDuration::OneHour)
        .expires_at(end)
        .send(&session)
        .unwrap();
    for other in [
        CustomStatus::new("meeting")
            .duration(CustomStatusDuration::OneHour)
            .expires_at(end + Duration::from_millis(1)),
        CustomStatus::new("meeting")
            .duration(CustomStatusDuration::Today)
            .expires_at(end),
        CustomStatus::new("meeting").duration(CustomStatusDuration::OneHour),
        CustomStatus::new("Meeting")
            .duration(CustomStatusDuration::OneHour)
            .expires_at(end),
    ] {
        assert_api_error(
            RemoveRecentCustomStatus::new(UserId::me(), other).send(&session),
            400,
            "api.custom_status.recent_custom_statuses.delete.app_error",
        );
    }
    assert_eq!(env.fake.recent_custom_statuses(env.alice.id).len(), 1);
}

#[test]
fn recent_removal_errors() {
    let env = env();
    // Never set one: there is no preference row.
    assert_api_error(
        RemoveRecentCustomStatus::new(UserId::me(), CustomStatus::new("x"))
            .send(&env.session(&env.alice)),
        400,
        "app.preference.get.app_error",
    );
    UpdateCustomStatus::new(UserId::me())
        .text("x")
        .send(&env.session(&env.alice))
        .unwrap();
    for path in [
        "/users/me/status/custom/recent/delete",
        "/users/me/status/custom/recent",
    ] {
        let method = if path.ends_with("delete") {
            Method::Post
        } else {
            Method::Delete
        };
        let r = env.raw_as(&env.alice, method, path, Some("garbage"));
        assert_app_error(
            &r,
            400,
            "api.context.invalid_body_param.app_error",
            Some("recent_custom_status"),
        );
        // An empty custom status is never found.
        let r = env.raw_as(&env.alice, method, path, Some("{}"));
        assert_app_error(
            &r,
            400,
            "api.custom_status.recent_custom_statuses.delete.app_error",
            None,
        );
    }
}
