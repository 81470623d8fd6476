//! Set-up through the real server's admin routes: `createUser`, `patchUser`,
//! `updateUserActive` (server/channels/api4/user.go, app/user.go, app/users/users.go,
//! model/user.go `IsValid`, `PreSave`, `SanitizeInput`), `createBot` (api4/bot.go) and
//! `patchConfig` (api4/config.go), with their permission rules.

use super::*;

const NEW_USER: &str = r#"{"username":"Carol","email":"Carol@Example.com","password":"longenough","first_name":"Carol","locale":"xx","email_verified":true}"#;

#[test]
fn an_admin_creates_users_201_sanitized_with_no_options() {
    let env = env();
    let r = env.raw_as(&env.admin, Method::Post, "/users", Some(NEW_USER));
    assert_eq!(r.status(), 201, "{}", String::from_utf8_lossy(r.body()));
    let carol = json(&r);
    assert_eq!(carol["username"], "carol", "PreSave lowers usernames");
    assert_eq!(carol["email"], "carol@example.com", "and emails");
    assert_eq!(
        carol["locale"], "en",
        "an unsupported locale becomes the default"
    );
    assert_eq!(carol["roles"], "system_user");
    assert_eq!(
        carol["email_verified"], true,
        "an admin may set it (SanitizeInput)"
    );
    assert!(
        carol.get("password").is_none() && carol["auth_data"] == "",
        "{carol}"
    );
    assert!(
        carol["notify_props"].is_object(),
        "Sanitize({{}}) keeps them: {carol}"
    );
    // The new user exists for the fake's Rust side, with a token.
    let user = env.fake.user("carol").expect("created");
    assert_eq!(user.id.as_str(), carol["id"]);
    assert_eq!(
        env.raw_as(&user, Method::Get, "/users/me", None).status(),
        200
    );
    // Unique username and email.
    let again = NEW_USER.replace("Carol@", "other@");
    let r = env.raw_as(&env.admin, Method::Post, "/users", Some(&again));
    assert_app_error(&r, 400, "app.user.save.username_exists.app_error", None);
    let again = NEW_USER.replace("\"Carol\",\"email", "\"carol2\",\"email");
    let r = env.raw_as(&env.admin, Method::Post, "/users", Some(&again));
    assert_app_error(&r, 400, "app.user.save.email_exists.app_error", None);
}

#[test]
fn create_user_refuses_what_is_valid_refuses() {
    let env = env();
    let cases = [
        (
            r#"{"username":"dave","email":"dave@example.com","password":"short"}"#,
            "model.user.is_valid.pwd.app_error",
        ),
        (
            r#"{"username":"all","email":"x@example.com","password":"longenough"}"#,
            "model.user.is_valid.username.app_error",
        ),
        (
            r#"{"username":"dave","email":"not-an-email","password":"longenough"}"#,
            "model.user.is_valid.email.app_error",
        ),
        (
            r#"{"username":"dave","password":"longenough"}"#,
            "model.user.is_valid.email.app_error",
        ),
    ];
    for (body, id) in cases {
        let r = env.raw_as(&env.admin, Method::Post, "/users", Some(body));
        assert_app_error(&r, 400, id, None);
    }
    let r = env.raw_as(
        &env.admin,
        Method::Post,
        "/users",
        Some(r#"{"username":1}"#),
    );
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("user"),
    );
}

#[test]
fn signing_up_without_an_admin_needs_an_open_server() {
    let env = env();
    let body = r#"{"username":"erin","email":"erin@example.com","password":"longenough","email_verified":true}"#;
    let r = env.raw(Method::Post, "/users", None, Some(body));
    assert_app_error(&r, 403, "api.user.create_user.no_open_server", None);
    let r = env.raw_as(&env.alice, Method::Post, "/users", Some(body));
    assert_app_error(&r, 403, "api.user.create_user.no_open_server", None);
    let patch = r#"{"TeamSettings":{"EnableOpenServer":true}}"#;
    assert_eq!(
        env.raw_as(&env.admin, Method::Put, "/config/patch", Some(patch))
            .status(),
        200
    );
    let r = env.raw(Method::Post, "/users", None, Some(body));
    assert_eq!(r.status(), 201);
    assert!(
        json(&r).get("email_verified").is_none(),
        "not an admin: SanitizeInput clears it"
    );
}

#[test]
fn patch_user_changes_what_is_given_for_oneself_or_as_admin() {
    let env = env();
    let body = r#"{"first_name":"Alice","last_name":"Liddell","nickname":"al","position":"QA"}"#;
    let r = env.raw_as(&env.alice, Method::Put, "/users/me/patch", Some(body));
    assert_eq!(r.status(), 200);
    let v = json(&r);
    assert_eq!(
        (v["first_name"].as_str(), v["position"].as_str()),
        (Some("Alice"), Some("QA"))
    );
    assert!(
        v["notify_props"].is_object(),
        "UpdateUser ends with Sanitize({{}}): {v}"
    );
    let bob_patch = format!("/users/{}/patch", env.bob.id);
    let r = env.raw_as(&env.alice, Method::Put, &bob_patch, Some(body));
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    let r = env.raw_as(
        &env.admin,
        Method::Put,
        &bob_patch,
        Some(r#"{"nickname":"b"}"#),
    );
    assert_eq!(json(&r)["nickname"], "b");
    // One's own email needs the password.
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        "/users/me/patch",
        Some(r#"{"email":"new@example.com"}"#),
    );
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("password"),
    );
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        "/users/me/patch",
        Some(r#"{"username":"bob"}"#),
    );
    assert_app_error(&r, 400, "app.user.save.username_exists.app_error", None);
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        "/users/me/patch",
        Some(r#"{"position":7}"#),
    );
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("user"),
    );
}

#[test]
fn update_user_active_follows_the_servers_permission_rules() {
    let env = env();
    let bob_active = format!("/users/{}/active", env.bob.id);
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        &bob_active,
        Some(r#"{"active":false}"#),
    );
    assert_app_error(
        &r,
        403,
        "api.user.update_active.permissions.app_error",
        None,
    );
    let r = env.raw_as(
        &env.alice,
        Method::Put,
        "/users/me/active",
        Some(r#"{"active":false}"#),
    );
    assert_app_error(&r, 401, "api.user.update_active.not_enable.app_error", None);
    let r = env.raw_as(
        &env.admin,
        Method::Put,
        &bob_active,
        Some(r#"{"active":"no"}"#),
    );
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("active"),
    );
    let bot = env.fake.add_bot("bobsbot", "", &env.bob);
    let r = env.raw_as(
        &env.admin,
        Method::Put,
        &bob_active,
        Some(r#"{"active":false}"#),
    );
    assert_eq!(json(&r), serde_json::json!({"status": "OK"}));
    let bob = json(&env.raw_as(
        &env.alice,
        Method::Get,
        &format!("/users/{}", env.bob.id),
        None,
    ));
    assert!(bob["delete_at"].as_i64().unwrap() > 0);
    // DisableBotsWhenOwnerIsDeactivated (default on).
    let b = json(&env.raw_as(&env.alice, Method::Get, &format!("/users/{}", bot.id), None));
    assert!(b["delete_at"].as_i64().unwrap() > 0, "{b}");
    // userDeactivated: SetStatusOffline(userID, false).
    assert_eq!(
        env.fake.status(env.bob.id).map(|s| s.status),
        Some(StatusKind::Offline)
    );
    let r = env.raw_as(
        &env.admin,
        Method::Put,
        &bob_active,
        Some(r#"{"active":true}"#),
    );
    assert_eq!(r.status(), 200);
}

#[test]
fn bots_need_an_admin_and_enable_bot_account_creation() {
    let env = env();
    let body = r#"{"username":"deploybot","display_name":"Deploy","description":"Ships it"}"#;
    let r = env.raw_as(&env.admin, Method::Post, "/bots", Some(body));
    assert_app_error(&r, 403, "api.bot.create_disabled", None);
    let patch = r#"{"ServiceSettings":{"EnableBotAccountCreation":true}}"#;
    let cfg = json(&env.raw_as(&env.admin, Method::Put, "/config/patch", Some(patch)));
    assert_eq!(cfg["ServiceSettings"]["EnableBotAccountCreation"], true);
    let r = env.raw_as(&env.alice, Method::Post, "/bots", Some(body));
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    let r = env.raw_as(&env.admin, Method::Post, "/bots", Some(body));
    assert_eq!(r.status(), 201);
    let bot = json(&r);
    assert_eq!(bot["username"], "deploybot");
    assert_eq!(bot["owner_id"], env.admin.id.as_str());
    assert_eq!(bot["description"], "Ships it");
    let user = json(&env.raw_as(&env.alice, Method::Get, "/users/username/deploybot", None));
    assert_eq!(
        (user["is_bot"].as_bool(), user["first_name"].as_str()),
        (Some(true), Some("Deploy"))
    );
    let r = env.raw_as(&env.admin, Method::Post, "/bots", Some(body));
    assert_app_error(&r, 400, "app.user.save.username_exists.app_error", None);
}

#[test]
fn patch_config_is_for_admins_and_refuses_what_is_valid_refuses() {
    let env = env();
    let patch = r#"{"PrivacySettings":{"ShowEmailAddress":false}}"#;
    let r = env.raw_as(&env.alice, Method::Put, "/config/patch", Some(patch));
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    let cfg = json(&env.raw_as(&env.admin, Method::Put, "/config/patch", Some(patch)));
    assert_eq!(cfg["PrivacySettings"]["ShowEmailAddress"], false);
    let bob = json(&env.raw_as(
        &env.alice,
        Method::Get,
        &format!("/users/{}", env.bob.id),
        None,
    ));
    assert_eq!(bob["email"], "");
    let r = env.raw_as(
        &env.admin,
        Method::Put,
        "/config/patch",
        Some(r#"{"RateLimitSettings":{"PerSec":0}}"#),
    );
    assert_app_error(&r, 400, "model.config.is_valid.rate_sec.app_error", None);
    let r = env.raw_as(&env.admin, Method::Put, "/config/patch", Some("[]"));
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("config"),
    );
    let r = env.raw_as(
        &env.admin,
        Method::Put,
        "/config/patch",
        Some(r#"{"TeamSettings":{"EnableCustomUserStatuses":false}}"#),
    );
    assert_eq!(r.status(), 200);
    let r = UpdateCustomStatus::new(UserId::me())
        .text("x")
        .send(&env.session(&env.alice));
    assert_api_error(r, 501, "api.custom_status.disabled");
}

#[test]
fn login_gives_the_session_token_in_the_token_header() {
    let env = env();
    let body = format!(
        r#"{{"login_id":"alice","password":"{}"}}"#,
        env.alice.password
    );
    let r = env.raw(Method::Post, "/users/login", None, Some(&body));
    assert_eq!(r.status(), 200);
    let token = r.header("Token").expect("the Token header").to_owned();
    let me = env.raw(
        Method::Get,
        "/users/me",
        Some(&format!("Bearer {token}")),
        None,
    );
    assert_eq!(json(&me)["username"], "alice");
    let by_email = r#"{"login_id":"ALICE@example.com","password":"alice-password"}"#;
    assert_eq!(
        env.raw(Method::Post, "/users/login", None, Some(by_email))
            .status(),
        200
    );
    let r = env.raw(
        Method::Post,
        "/users/login",
        None,
        Some(r#"{"login_id":"alice","password":"wrong"}"#),
    );
    assert_app_error(
        &r,
        401,
        "api.user.login.invalid_credentials_email_username",
        None,
    );
    let r = env.raw(
        Method::Post,
        "/users/login",
        None,
        Some(r#"{"login_id":"nobody","password":"x"}"#),
    );
    assert_app_error(
        &r,
        401,
        "api.user.login.invalid_credentials_email_username",
        None,
    );
    let r = env.raw(
        Method::Post,
        "/users/login",
        None,
        Some(r#"{"login_id":"alice"}"#),
    );
    assert_app_error(&r, 400, "api.user.login.blank_pwd.app_error", None);
    env.fake.set_active(env.alice.id, false);
    let r = env.raw(Method::Post, "/users/login", None, Some(&body));
    assert_app_error(&r, 401, "api.user.login.inactive.app_error", None);
    // A user created through the API logs in with the password it was given.
    let r = env.raw_as(&env.admin, Method::Post, "/users", Some(NEW_USER));
    assert_eq!(r.status(), 201);
    let login = r#"{"login_id":"carol","password":"longenough"}"#;
    assert_eq!(
        env.raw(Method::Post, "/users/login", None, Some(login))
            .status(),
        200
    );
}

/// `createUserAccessToken` (api4/user.go) and `App.CreateUserAccessToken`
/// (app/session.go): admins only; `EnableUserAccessTokens` (default off) except for bots.
#[test]
fn personal_access_tokens_for_bots_and_when_enabled_for_users() {
    let env = env();
    let bot = env.fake.add_bot("tokenbot", "", &env.admin);
    let path = format!("/users/{}/tokens", bot.id);
    let r = env.raw_as(
        &env.admin,
        Method::Post,
        &path,
        Some(r#"{"description":""}"#),
    );
    assert_app_error(
        &r,
        400,
        "api.context.invalid_body_param.app_error",
        Some("description"),
    );
    let r = env.raw_as(
        &env.alice,
        Method::Post,
        &path,
        Some(r#"{"description":"ci"}"#),
    );
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    let r = env.raw_as(
        &env.admin,
        Method::Post,
        &path,
        Some(r#"{"description":"ci"}"#),
    );
    assert_eq!(r.status(), 200);
    let token = json(&r);
    assert_eq!(token["user_id"], bot.id.as_str());
    assert_eq!(token["is_active"], true);
    let auth = format!("Bearer {}", token["token"].as_str().unwrap());
    let me = json(&env.raw(Method::Get, "/users/me", Some(&auth), None));
    assert_eq!(
        (me["username"].as_str(), me["is_bot"].as_bool()),
        (Some("tokenbot"), Some(true))
    );
    let alice = format!("/users/{}/tokens", env.alice.id);
    let r = env.raw_as(
        &env.admin,
        Method::Post,
        &alice,
        Some(r#"{"description":"ci"}"#),
    );
    assert_app_error(&r, 501, "app.user_access_token.disabled", None);
    let patch = r#"{"ServiceSettings":{"EnableUserAccessTokens":true}}"#;
    assert_eq!(
        env.raw_as(&env.admin, Method::Put, "/config/patch", Some(patch))
            .status(),
        200
    );
    let r = env.raw_as(
        &env.admin,
        Method::Post,
        &alice,
        Some(r#"{"description":"ci"}"#),
    );
    assert_eq!(r.status(), 200);
    // Deactivation revokes every session, these tokens' too.
    env.fake.set_active(bot.id, false);
    let r = env.raw(Method::Get, "/users/me", Some(&auth), None);
    assert_app_error(&r, 401, "api.context.session_expired.app_error", None);
}

/// `demoteUserToGuest`/`promoteGuestToUser` (api4/user.go), and the guest rules of
/// `login` and `updateUserActive` under `GuestAccountsSettings.Enable` (default off).
#[test]
fn demote_and_promote_follow_guest_accounts_settings() {
    let env = env();
    let demote = format!("/users/{}/demote", env.bob.id);
    let r = env.raw_as(&env.admin, Method::Post, &demote, None);
    assert_app_error(
        &r,
        501,
        "api.team.demote_user_to_guest.disabled.error",
        None,
    );
    let patch = r#"{"GuestAccountsSettings":{"Enable":true}}"#;
    assert_eq!(
        env.raw_as(&env.admin, Method::Put, "/config/patch", Some(patch))
            .status(),
        200
    );
    let r = env.raw_as(&env.alice, Method::Post, &demote, None);
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    assert_eq!(
        env.raw_as(&env.admin, Method::Post, &demote, None).status(),
        200
    );
    let r = env.raw_as(&env.admin, Method::Post, &demote, None);
    assert_app_error(
        &r,
        501,
        "api.user.demote_user_to_guest.already_guest.app_error",
        None,
    );
    let bob = json(&env.raw_as(&env.bob, Method::Get, "/users/me", None));
    assert_eq!(bob["roles"], "system_guest");
    // A guest in no channel sees nobody else.
    let r = env.raw_as(
        &env.bob,
        Method::Get,
        &format!("/users/{}", env.alice.id),
        None,
    );
    assert_app_error(&r, 403, "api.context.permissions.app_error", None);
    let promote = format!("/users/{}/promote", env.bob.id);
    assert_eq!(
        env.raw_as(&env.admin, Method::Post, &promote, None)
            .status(),
        200
    );
    let r = env.raw_as(&env.admin, Method::Post, &promote, None);
    assert_app_error(
        &r,
        501,
        "api.user.promote_guest_to_user.no_guest.app_error",
        None,
    );
    // With guest accounts off, a guest cannot log in or be reactivated.
    let guest = env.fake.add_guest("visitor");
    env.fake.set_guest_accounts_enabled(false);
    let body = format!(
        r#"{{"login_id":"visitor","password":"{}"}}"#,
        guest.password
    );
    let r = env.raw(Method::Post, "/users/login", None, Some(&body));
    assert_app_error(
        &r,
        401,
        "api.user.login.guest_accounts.disabled.error",
        None,
    );
    env.fake.set_active(guest.id, false);
    let active = format!("/users/{}/active", guest.id);
    let r = env.raw_as(&env.admin, Method::Put, &active, Some(r#"{"active":true}"#));
    assert_app_error(
        &r,
        401,
        "api.user.update_active.cannot_enable_guest_when_guest_feature_is_disabled.app_error",
        None,
    );
}
