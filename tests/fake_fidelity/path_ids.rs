//! The user id in the path: `me`, and what the server takes.

use super::*;

#[test]
fn me_is_the_caller_everywhere_in_the_path() {
    let env = env();
    let status = GetStatus::new(UserId::me())
        .send(&env.session(&env.bob))
        .unwrap();
    assert_eq!(status.user_id, env.bob.id);
    UpdateCustomStatus::new(UserId::me())
        .text("via me")
        .send(&env.session(&env.bob))
        .unwrap();
    assert_eq!(
        env.fake.custom_status(env.bob.id).map(|c| c.text),
        Some("via me".to_owned())
    );
}

#[test]
fn path_ids_must_be_valid_ids() {
    let env = env();
    for bad in ["abc", &"a".repeat(27), &"a".repeat(25)] {
        for (method, path) in SEVEN {
            if !path.contains("/me/") {
                continue;
            }
            let path = path.replace("/me/", &format!("/{bad}/"));
            let r = env.raw_as(&env.alice, method, &path, Some("{}"));
            assert_app_error(
                &r,
                400,
                "api.context.invalid_url_param.app_error",
                Some("user_id"),
            );
        }
    }
    // model.IsValidId takes any 26 letters or digits, capitals too (the SDK is stricter).
    let r = env.raw_as(
        &env.alice,
        Method::Get,
        "/users/ABCDEFGHIJKLMNOPQRSTUVWXYZ/status",
        None,
    );
    assert_eq!(r.status(), 200);
    assert_eq!(json(&r)["status"], "offline");
    // Characters outside the router's pattern do not reach the handler at all.
    let r = env.raw_as(&env.alice, Method::Get, "/users/a.b/status", None);
    assert_eq!(r.status(), 404);
}
