//! Users as the server writes them: `model.User`'s JSON (server/public/model/user.go: the
//! struct's field order and `omitempty` tags), sanitized for the viewer (`Sanitize`,
//! `SanitizeProfile`, `ClearNonProfileFields`; app/users/utils.go `GetSanitizeOptions`:
//! the privacy settings apply to others, never to oneself, and admins see everything).

use super::*;

/// The keys of a JSON object in the order written.
fn keys_in_order(body: &[u8]) -> Vec<String> {
    struct Keys;
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut keys = Vec::new();
            while let Some((k, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                keys.push(k);
            }
            Ok(keys)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde::Deserializer::deserialize_map(&mut de, Keys).expect("a JSON object")
}

/// `model.User`'s JSON keys in the struct's order (user.go).
const USER_ORDER: [&str; 35] = [
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "username",
    "password",
    "auth_data",
    "auth_service",
    "email",
    "email_verified",
    "nickname",
    "first_name",
    "last_name",
    "position",
    "roles",
    "allow_marketing",
    "props",
    "notify_props",
    "last_password_update",
    "last_picture_update",
    "failed_attempts",
    "locale",
    "timezone",
    "mfa_active",
    "mfa_secret",
    "remote_id",
    "last_activity_at",
    "is_bot",
    "bot_description",
    "bot_last_icon_update",
    "terms_of_service_id",
    "terms_of_service_create_at",
    "disable_welcome_email",
    "last_login",
    "mfa_used_timestamps",
];

/// The keys without `omitempty`: always written.
const ALWAYS: [&str; 13] = [
    "id",
    "delete_at",
    "username",
    "auth_service",
    "email",
    "nickname",
    "first_name",
    "last_name",
    "position",
    "roles",
    "locale",
    "timezone",
    "disable_welcome_email",
];

fn assert_user_shape(body: &[u8]) -> serde_json::Value {
    let keys = keys_in_order(body);
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| {
            USER_ORDER
                .iter()
                .position(|o| o == k)
                .unwrap_or_else(|| panic!("{k} is not a key of model.User"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "keys out of the struct's order: {keys:?}"
    );
    for key in ALWAYS {
        assert!(keys.iter().any(|k| k == key), "{key} missing: {keys:?}");
    }
    // Never sent (Sanitize): password, MFA secret, last login; auth_data is "".
    for key in ["password", "mfa_secret", "last_login"] {
        assert!(!keys.iter().any(|k| k == key), "{key} sent: {keys:?}");
    }
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(v["auth_data"], "", "{v}");
    v
}

fn set_names(env: &Env) {
    env.fake.patch_user(
        env.bob.id,
        UserPatch::new()
            .first_name("Bob")
            .last_name("Builder")
            .nickname("bobby")
            .position("Foreman"),
    );
}

#[test]
fn a_user_has_every_key_without_omitempty_in_the_structs_order() {
    let env = env();
    set_names(&env);
    for path in ["/users/me", &format!("/users/{}", env.alice.id)] {
        let r = env.raw_as(&env.bob, Method::Get, path, None);
        assert_eq!(r.status(), 200);
        assert!(r.body().ends_with(b"}\n"), "json.NewEncoder adds a newline");
        assert_user_shape(r.body());
    }
    let list = env.raw_as(
        &env.bob,
        Method::Post,
        "/users/usernames",
        Some(r#"["alice","bob"]"#),
    );
    let list = String::from_utf8(list.body().to_vec()).unwrap();
    assert!(
        !list.ends_with('\n'),
        "json.Marshal then w.Write: no newline"
    );
}

#[test]
fn own_account_is_sanitized_with_no_options_others_with_sanitize_profile() {
    let env = env();
    set_names(&env);
    let own = json(&env.raw_as(&env.bob, Method::Get, "/users/me", None));
    assert_eq!(own["email"], "bob@example.com");
    assert_eq!(own["first_name"], "Bob");
    assert_eq!(own["nickname"], "bobby");
    assert_eq!(own["position"], "Foreman");
    assert_eq!(own["locale"], "en");
    assert_eq!(own["roles"], "system_user");
    assert_eq!(
        own["notify_props"]["push"], "mention",
        "SetDefaultNotifications: {own}"
    );
    assert!(own["last_password_update"].as_i64().unwrap() > 0, "{own}");
    assert_eq!(own["timezone"]["useAutomaticTimezone"], "true", "{own}");
    // ClearNonProfileFields for others: no notify props, no last password update.
    let other = json(&env.raw_as(
        &env.alice,
        Method::Get,
        &format!("/users/{}", env.bob.id),
        None,
    ));
    assert!(other.get("notify_props").is_none(), "{other}");
    assert!(other.get("last_password_update").is_none(), "{other}");
    assert_eq!(
        other["email"], "bob@example.com",
        "ShowEmailAddress is on by default"
    );
    assert_eq!(other["first_name"], "Bob", "ShowFullName is on by default");
}

#[test]
fn privacy_settings_hide_email_and_full_name_from_others_but_not_from_oneself_or_admins() {
    let env = env();
    set_names(&env);
    env.fake.set_show_email_address(false);
    env.fake.set_show_full_name(false);
    let bob_path = format!("/users/{}", env.bob.id);
    let seen_by_alice = json(&env.raw_as(&env.alice, Method::Get, &bob_path, None));
    assert_eq!(seen_by_alice["email"], "", "{seen_by_alice}");
    assert_eq!(seen_by_alice["first_name"], "", "{seen_by_alice}");
    assert_eq!(seen_by_alice["last_name"], "", "{seen_by_alice}");
    assert_eq!(
        seen_by_alice["nickname"], "bobby",
        "nicknames are never hidden"
    );
    assert_eq!(seen_by_alice["position"], "Foreman");
    let own = json(&env.raw_as(&env.bob, Method::Get, "/users/me", None));
    assert_eq!(
        (own["email"].as_str(), own["first_name"].as_str()),
        (Some("bob@example.com"), Some("Bob"))
    );
    let admin = json(&env.raw_as(&env.admin, Method::Get, &bob_path, None));
    assert_eq!(
        (admin["email"].as_str(), admin["last_name"].as_str()),
        (Some("bob@example.com"), Some("Builder"))
    );
    // Lists: SanitizeProfile for everyone, oneself included (sanitizeProfiles).
    let ids = format!(r#"["{}"]"#, env.bob.id);
    let list = json(&env.raw_as(&env.bob, Method::Post, "/users/ids", Some(&ids)));
    assert_eq!(list[0]["email"], "", "{list}");
    let list = json(&env.raw_as(
        &env.admin,
        Method::Post,
        "/users/usernames",
        Some(r#"["bob"]"#),
    ));
    assert_eq!(list[0]["email"], "bob@example.com", "{list}");
}

#[test]
fn the_sdk_reads_names_positions_and_roles() {
    let env = env();
    set_names(&env);
    let session = env.session(&env.alice);
    let bob = GetUserByUsername::new("@Bob").send(&session).unwrap();
    assert_eq!(
        (
            bob.first_name.as_str(),
            bob.last_name.as_str(),
            bob.nickname.as_str(),
            bob.position.as_str()
        ),
        ("Bob", "Builder", "bobby", "Foreman")
    );
    assert!(bob.is_active() && !bob.is_bot && !bob.is_guest() && !bob.is_system_admin());
    let me = GetUser::new(UserId::me())
        .send(&env.session(&env.admin))
        .unwrap();
    assert!(me.is_system_admin(), "{me:?}");
    assert_eq!(me.email, "sysadmin@example.com");
}

#[test]
fn bots_have_is_bot_and_their_description_and_no_remote_id() {
    let env = env();
    let bot = env.fake.add_bot("buildbot", "Builds things", &env.admin);
    assert!(bot.is_bot);
    let r = env.raw_as(&env.alice, Method::Get, &format!("/users/{}", bot.id), None);
    let v = assert_user_shape(r.body());
    assert_eq!(v["is_bot"], true, "{v}");
    assert_eq!(v["bot_description"], "Builds things", "{v}");
    assert_eq!(v["email"], "buildbot@localhost", "UserFromBot: {v}");
    assert!(
        v.get("remote_id").is_none(),
        "UserFromBot leaves RemoteId nil: {v}"
    );
    let human = json(&env.raw_as(&env.alice, Method::Get, "/users/me", None));
    assert!(human.get("is_bot").is_none(), "omitempty: {human}");
    let user = GetUser::new(bot.id).send(&env.session(&env.alice)).unwrap();
    assert!(user.is_bot);
    assert_eq!(user.bot_description, "Builds things");
}

#[test]
fn props_appear_once_a_custom_status_was_set_or_cleared() {
    let env = env();
    let fresh = json(&env.raw_as(&env.alice, Method::Get, "/users/me", None));
    assert!(
        fresh.get("props").is_none(),
        "PreSave's empty props are omitted: {fresh}"
    );
    UnsetCustomStatus::new(UserId::me())
        .send(&env.session(&env.alice))
        .unwrap();
    let cleared = json(&env.raw_as(&env.alice, Method::Get, "/users/me", None));
    assert_eq!(
        cleared["props"]["customStatus"], "",
        "ClearCustomStatus: {cleared}"
    );
}
