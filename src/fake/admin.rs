//! The set-up routes a test drives as an administrator would drive a real server:
//! `POST /users` (`createUser`), `PUT /users/{id}/patch` (`patchUser`),
//! `PUT /users/{id}/active` (`updateUserActive`), `POST /bots` (`createBot`) and
//! `PUT /config/patch` (`patchConfig`), step for step as `api4/user.go`, `api4/bot.go`,
//! `api4/config.go` and the app and store layers below them.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::gojson::{decode_object, field, go_string, GoCustomStatus};
use super::routes::{require_user_id, AppError, Caller, Handled, UserView};
use super::store::{default_notify_props, BotRow, Profile, State};

/// `PasswordSettings.MinimumLength`'s default and `model.PasswordMaximumLength`.
const PASSWORD_MIN_LEN: usize = 8;
const PASSWORD_MAX_LEN: usize = 72;

/// `i18n.GetSupportedLocales()` (the server's translations).
const SUPPORTED_LOCALES: [&str; 21] = [
    "bg", "de", "en", "en-AU", "es", "fa", "fr", "hu", "it", "ja", "ko", "nl", "pl", "pt-BR", "ro",
    "ru", "sv", "tr", "uk", "zh-CN", "zh-TW",
];

const STATUS_OK: &[u8] = br#"{"status":"OK"}"#;

/// The string fields of a decoded Go struct: present and a string, absent/null, or a
/// type error.
fn opt_string(map: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match field(map, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{name} has the wrong type")),
    }
}

fn opt_bool(map: &Map<String, Value>, name: &str) -> Result<Option<bool>, String> {
    match field(map, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(format!("{name} has the wrong type")),
    }
}

/// A `StringMap` field: `None` when absent or null.
fn opt_map(
    map: &Map<String, Value>,
    name: &str,
) -> Result<Option<BTreeMap<String, String>>, String> {
    match field(map, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Null => Ok((k.clone(), String::new())),
                _ => Err(format!("{name} has the wrong type")),
            })
            .collect::<Result<_, _>>()
            .map(Some),
        Some(_) => Err(format!("{name} has the wrong type")),
    }
}

/// `model.InvalidUserError(field, ...)`.
fn invalid_user(field: &str) -> AppError {
    AppError::new(
        format!("model.user.is_valid.{field}.app_error"),
        format!("Invalid {} for user.", field.replace('_', " ")),
        400,
    )
}

/// `model.IsValidEmail`: what `mail.ParseAddress` accepts as a bare address, roughly:
/// one `@`, something on each side, no spaces or angle brackets.
fn is_valid_email(email: &str) -> bool {
    let mut parts = email.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None) if !l.is_empty() && !d.is_empty())
        && !email.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';'))
}

/// The checks of `User.IsValid` on the fields a client sets, in its order.
fn check_profile(username: &str, p: &Profile) -> Result<(), AppError> {
    if !super::routes::is_valid_username(username) {
        return Err(invalid_user("username"));
    }
    if p.email.len() > 128 || p.email.is_empty() || !is_valid_email(&p.email) {
        return Err(invalid_user("email"));
    }
    let runes = |s: &str| s.chars().count();
    if runes(&p.nickname) > 64 {
        return Err(invalid_user("nickname"));
    }
    if runes(&p.position) > 128 {
        return Err(invalid_user("position"));
    }
    if runes(&p.first_name) > 64 {
        return Err(invalid_user("first_name"));
    }
    if runes(&p.last_name) > 64 {
        return Err(invalid_user("last_name"));
    }
    if p.locale.len() > 5 {
        return Err(invalid_user("locale"));
    }
    Ok(())
}

impl State {
    fn username_taken(&self, name: &str, except: &str) -> bool {
        self.users()
            .iter()
            .any(|u| u.username == name && u.id != except)
    }

    fn email_taken(&self, email: &str, except: &str) -> bool {
        self.users()
            .iter()
            .any(|u| u.profile.email == email && u.id != except)
    }

    /// `createUser` (api4/user.go, an `APIHandler`: no session needed) with
    /// `CreateUserAsAdmin` for a system admin and `CreateUserFromSignup` for anyone else,
    /// then `createUserOrGuest`, `UserService.CreateUser` and the store's `Save`
    /// (`PreSave`, `IsValid`, the unique username and email). Invitations (`t`, `iid`)
    /// are not supported: the fake has no teams.
    pub(crate) fn create_user(
        &mut self,
        caller: Option<&Caller>,
        body: &[u8],
        _query: &str,
    ) -> Handled {
        let bad = |_: String| AppError::invalid_param("user");
        let map = decode_object(body, "model.User")
            .map_err(bad)?
            .unwrap_or_default();
        let s = |name| opt_string(&map, name).map_err(bad);
        let username = s("username")?.unwrap_or_default();
        let password = s("password")?.unwrap_or_default();
        let mut profile = Profile::new_user("");
        profile.email = s("email")?.unwrap_or_default();
        profile.nickname = s("nickname")?.unwrap_or_default();
        profile.first_name = s("first_name")?.unwrap_or_default();
        profile.last_name = s("last_name")?.unwrap_or_default();
        profile.position = s("position")?.unwrap_or_default();
        profile.locale = s("locale")?.unwrap_or_default();
        let mut auth_service = s("auth_service")?.unwrap_or_default();
        profile.email_verified = opt_bool(&map, "email_verified")
            .map_err(bad)?
            .unwrap_or(false);
        if let Some(props) = opt_map(&map, "props").map_err(bad)? {
            profile.props = props;
        }
        if let Some(np) = opt_map(&map, "notify_props").map_err(bad)? {
            if !np.is_empty() {
                profile.notify_props = np;
            }
        }
        if let Some(tz) = opt_map(&map, "timezone").map_err(bad)? {
            profile.timezone = tz;
        }
        let is_admin = caller.is_some_and(|c| c.admin);
        // SanitizeInput(isAdmin)
        if !is_admin {
            auth_service.clear();
            profile.email_verified = false;
        }
        profile.email = profile.email.trim().to_owned();
        let first_user = self.users().iter().all(|u| u.profile.bot.is_some());
        if !is_admin {
            // CreateUserFromSignup: IsUserSignUpAllowed, then the open-server rule.
            if !self.settings.enable_sign_up_with_email || !self.settings.enable_user_creation {
                return Err(AppError::new(
                    "api.user.create_user.signup_email_disabled.app_error",
                    "User sign-up with email is disabled.",
                    501,
                ));
            }
            if !first_user && !self.settings.enable_open_server {
                return Err(AppError::new(
                    "api.user.create_user.no_open_server",
                    "This server does not allow open signups.  Please speak with your \
                     Administrator to receive an invitation.",
                    403,
                ));
            }
            profile.email_verified = false;
        }
        // UserService.CreateUser: the locale falls back to the default client locale.
        if !SUPPORTED_LOCALES.contains(&profile.locale.as_str()) {
            "en".clone_into(&mut profile.locale);
        }
        // createUser: the password, for users without an auth service.
        if auth_service.is_empty()
            && (password.len() < PASSWORD_MIN_LEN || password.len() > PASSWORD_MAX_LEN)
        {
            return Err(AppError::new(
                "model.user.is_valid.pwd.app_error",
                format!("Your password must contain at least {PASSWORD_MIN_LEN} characters."),
                400,
            ));
        }
        profile.password = password;
        // PreSave: an empty username becomes a new id; usernames and emails are lowered.
        let username = if username.is_empty() {
            super::store::derived_id("username", &profile.email, self.users().len() as u64)
        } else {
            username.to_lowercase()
        };
        profile.email = profile.email.to_lowercase();
        check_profile(&username, &profile)?;
        self.check_custom_status_prop(&mut profile)?;
        // One insert, two unique constraints: PostgreSQL reports the first index it
        // checks, users_username_key (the Username column comes before Email in the
        // table), so a name and an email both taken is a username error.
        if self.username_taken(&username, "") {
            return Err(AppError::new(
                "app.user.save.username_exists.app_error",
                "An account with that username already exists.",
                400,
            ));
        }
        if self.email_taken(&profile.email, "") {
            return Err(AppError::new(
                "app.user.save.email_exists.app_error",
                "An account with that email already exists.",
                400,
            ));
        }
        let i = self.insert_account(&username, first_user, profile);
        let user = &self.users()[i];
        // Sanitize(map[string]bool{}); 201 Created.
        let mut out = self.user_json(user, UserView::Own).into_bytes();
        out.push(b'\n');
        self.scratch_status = Some(201);
        Ok(out)
    }

    /// `login` (api4/user.go) with `AuthenticateUserForLogin`: `login_id` is a username or
    /// an email (both sign-in ways are on by default), or `id` a user id. A blank
    /// password is 400 `api.user.login.blank_pwd.app_error`; a bot 401
    /// `api.user.login.bot_login_forbidden.app_error`; a deactivated user 401
    /// `api.user.login.inactive.app_error`; anything else that fails is masked as 401
    /// `api.user.login.invalid_credentials_email_username`. The session token comes in
    /// the `Token` header (the fake's users have one token each), the user as
    /// `Sanitize({})`.
    pub(crate) fn login(&mut self, body: &[u8]) -> Handled {
        // model.MapFromJSON: undecodable is an empty map.
        let props: BTreeMap<String, String> = serde_json::from_slice(body).unwrap_or_default();
        let get = |k: &str| props.get(k).cloned().unwrap_or_default();
        let (id, login_id, password) = (get("id"), get("login_id"), get("password"));
        let masked = || {
            AppError::new(
                "api.user.login.invalid_credentials_email_username",
                "Enter a valid email or username and/or password.",
                401,
            )
        };
        if password.is_empty() {
            return Err(AppError::new(
                "api.user.login.blank_pwd.app_error",
                "Password field must not be blank",
                400,
            ));
        }
        let lowered = login_id.to_lowercase();
        let user = self
            .users()
            .iter()
            .find(|u| {
                if id.is_empty() {
                    u.username == lowered || u.profile.email == lowered
                } else {
                    u.id == id
                }
            })
            .ok_or_else(masked)?;
        if user.profile.bot.is_some() {
            return Err(AppError::new(
                "api.user.login.bot_login_forbidden.app_error",
                "Bot login is forbidden.",
                401,
            ));
        }
        if user.profile.password.is_empty() || user.profile.password != password {
            return Err(masked());
        }
        if user.profile.delete_at == 0 && user.profile.guest && !self.settings.guest_accounts_enable
        {
            return Err(AppError::new(
                "api.user.login.guest_accounts.disabled.error",
                "Login failed because guest accounts are disabled.",
                401,
            ));
        }
        if user.profile.delete_at != 0 {
            return Err(AppError::new(
                "api.user.login.inactive.app_error",
                "Login failed because your account has been deactivated.  Please contact an \
                 administrator.",
                401,
            ));
        }
        let id = user.id.clone();
        self.set_sessions_revoked(&id, false);
        let user = self.user(&id).ok_or_else(AppError::missing_account)?;
        let mut out = self.user_json(user, UserView::Own).into_bytes();
        out.push(b'\n');
        self.answer_header_later("Token", &user.token);
        Ok(out)
    }

    /// `props.customStatus` as `User.IsValid` (`ValidateCustomStatus`) and `PreSave`
    /// treat it: kept as the custom status, which must decode.
    fn check_custom_status_prop(
        &self,
        profile: &mut Profile,
    ) -> Result<Option<Option<GoCustomStatus>>, AppError> {
        let Some(raw) = profile.props.remove("customStatus") else {
            return Ok(None);
        };
        profile.custom_status_key = true;
        if raw.is_empty() {
            return Ok(Some(None));
        }
        let mut cs = GoCustomStatus::decode(raw.as_bytes()).map_err(|_| {
            AppError::new(
                "model.user.is_valid.invalidProperty.app_error",
                "Invalid props",
                400,
            )
        })?;
        cs.pre_save(self.now());
        Ok(Some(Some(cs)))
    }

    /// `patchUser` (api4/user.go): decode (400 `user`), `SessionHasPermissionToUserOrBot`
    /// (403), the user (400 `user_id`), the admin rule (403), the password for one's own
    /// new email (400 `password`, 401 when wrong), then `PatchUser`/`UpdateUser`
    /// (unique username and email, `IsValid`, roles and `DeleteAt` kept) and
    /// `Sanitize({})`.
    pub(crate) fn patch_user(&mut self, caller: &Caller, raw: &str, body: &[u8]) -> Handled {
        let id = require_user_id(caller, raw)?;
        let bad = |_: String| AppError::invalid_param("user");
        let map = decode_object(body, "model.UserPatch")
            .map_err(bad)?
            .unwrap_or_default();
        let s = |name| opt_string(&map, name).map_err(bad);
        let (username, password, nickname) = (s("username")?, s("password")?, s("nickname")?);
        let (first_name, last_name, position) = (s("first_name")?, s("last_name")?, s("position")?);
        let (email, locale) = (s("email")?, s("locale")?);
        let props = opt_map(&map, "props").map_err(bad)?;
        let notify_props = opt_map(&map, "notify_props").map_err(bad)?;
        let timezone = opt_map(&map, "timezone").map_err(bad)?;
        if caller.id != id && !caller.admin {
            return Err(AppError::permission());
        }
        let Some(old) = self.user(&id).cloned() else {
            return Err(AppError::invalid_param("user_id"));
        };
        if old.admin && !caller.admin {
            return Err(AppError::permission());
        }
        if let Some(new_email) = &email {
            if *new_email != old.profile.email && caller.id == id {
                match &password {
                    None => return Err(AppError::invalid_param("password")),
                    Some(p) if *p != old.profile.password || p.is_empty() => {
                        return Err(AppError::new(
                            "api.user.check_user_password.invalid.app_error",
                            "Login failed because of invalid password",
                            401,
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        // User.Patch
        let mut user = old.clone();
        let p = &mut user.profile;
        if let Some(v) = username {
            user.username = v;
        }
        for (slot, v) in [
            (&mut p.nickname, nickname),
            (&mut p.first_name, first_name),
            (&mut p.last_name, last_name),
            (&mut p.position, position),
            (&mut p.email, email),
            (&mut p.locale, locale),
        ] {
            if let Some(v) = v {
                *slot = v;
            }
        }
        let mut new_custom = None;
        if let Some(props) = props {
            p.props = props;
            p.custom_status_key = false;
            new_custom = Some(self.check_custom_status_prop(p)?);
        }
        if let Some(np) = notify_props {
            p.notify_props = np;
        }
        if let Some(tz) = timezone {
            p.timezone = tz;
        }
        // PreUpdate
        user.username = user.username.to_lowercase();
        p.email = p.email.to_lowercase();
        if p.notify_props.is_empty() {
            p.notify_props = default_notify_props();
        }
        check_profile(&user.username, &user.profile)?;
        if user.username != old.username && self.username_taken(&user.username, &id) {
            return Err(AppError::new(
                "app.user.save.username_exists.app_error",
                "An account with that username already exists.",
                400,
            ));
        }
        if user.profile.email != old.profile.email && self.email_taken(&user.profile.email, &id) {
            return Err(AppError::new(
                "app.user.save.email_exists.app_error",
                "An account with that email already exists.",
                400,
            ));
        }
        match new_custom {
            Some(Some(cs)) => user.custom_status = cs,
            Some(None) => user.custom_status = None,
            None => {}
        }
        user.update_at = self.now_millis();
        let stored = self.user_mut(&id).ok_or_else(AppError::missing_account)?;
        *stored = user;
        let user = self.user(&id).ok_or_else(AppError::missing_account)?;
        let mut out = self.user_json(user, UserView::Own).into_bytes();
        out.push(b'\n');
        Ok(out)
    }

    /// `updateUserActive` (api4/user.go) and `UpdateActive`: `active` must be a JSON
    /// bool (400); only a system admin changes others (403
    /// `api.user.update_active.permissions.app_error`); deactivating oneself needs
    /// `TeamSettings.EnableUserDeactivation` (401 `api.user.update_active.not_enable.app_error`);
    /// an unknown user 404. Deactivation sets `DeleteAt`, revokes the sessions, sets the
    /// status offline (unless set by hand) and deactivates the user's bots
    /// (`DisableBotsWhenOwnerIsDeactivated`, default on).
    pub(crate) fn update_user_active(
        &mut self,
        caller: &Caller,
        raw: &str,
        body: &[u8],
    ) -> Handled {
        let id = require_user_id(caller, raw)?;
        // model.StringInterfaceFromJSON: undecodable is an empty map.
        let props: Map<String, Value> = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let Some(Value::Bool(active)) = props.get("active") else {
            return Err(AppError::invalid_param("active"));
        };
        let active = *active;
        let self_deactivate = !active && id == caller.id;
        if !self_deactivate && !caller.admin {
            return Err(AppError::new(
                "api.user.update_active.permissions.app_error",
                "You do not have the appropriate permissions.",
                403,
            ));
        }
        if self_deactivate && !self.settings.enable_user_deactivation {
            return Err(AppError::new(
                "api.user.update_active.not_enable.app_error",
                "You cannot deactivate yourself because this feature is not enabled. Please \
                 contact your System Administrator.",
                401,
            ));
        }
        let user = self.user(&id).ok_or_else(AppError::missing_account)?;
        if user.admin && !caller.admin {
            return Err(AppError::permission());
        }
        if active && user.profile.guest && !self.settings.guest_accounts_enable {
            return Err(AppError::new(
                "api.user.update_active.cannot_enable_guest_when_guest_feature_is_disabled.app_error",
                "You cannot activate a guest account because Guest Access feature is not enabled.",
                401,
            ));
        }
        let is_bot = user.profile.bot.is_some();
        self.set_active(&id, active);
        if !active && !is_bot {
            let bots: Vec<String> = self
                .users()
                .iter()
                .filter(|u| u.profile.bot.as_ref().is_some_and(|b| b.owner_id == id))
                .filter(|u| u.profile.delete_at == 0)
                .map(|u| u.id.clone())
                .collect();
            for bot in bots {
                self.set_active(&bot, false);
            }
        }
        Ok(STATUS_OK.to_vec())
    }

    /// `UpdateActive(user, active)`, and on deactivation `RevokeAllSessions` and
    /// `userDeactivated`'s `SetStatusOffline(userID, false)`.
    pub(crate) fn set_active(&mut self, id: &str, active: bool) {
        let now = self.now_millis();
        let Some(user) = self.user_mut(id) else {
            return;
        };
        user.update_at = now;
        user.profile.delete_at = if active { 0 } else { now };
        self.set_sessions_revoked(id, !active);
        if !active {
            self.set_status_offline(id, false);
        }
    }

    /// `demoteUserToGuest` and `promoteGuestToUser` (api4/user.go). Demoting needs
    /// `GuestAccountsSettings.Enable` (501 `api.team.demote_user_to_guest.disabled.error`;
    /// the fake has a license), `demote_to_guest` (admins; 403), the user (404), an admin
    /// to demote an admin, and a user not a guest yet (501
    /// `api.user.demote_user_to_guest.already_guest.app_error`). Promoting needs
    /// `promote_guest` (403), the user (404), a guest (501
    /// `api.user.promote_guest_to_user.no_guest.app_error`). Roles become `system_guest`
    /// or `system_user`.
    pub(crate) fn set_guest(&mut self, caller: &Caller, raw: &str, guest: bool) -> Handled {
        let id = require_user_id(caller, raw)?;
        if guest && !self.settings.guest_accounts_enable {
            return Err(AppError::new(
                "api.team.demote_user_to_guest.disabled.error",
                "Guest accounts are disabled.",
                501,
            ));
        }
        if !caller.admin {
            return Err(AppError::permission());
        }
        let user = self.user(&id).ok_or_else(AppError::missing_account)?;
        if guest && user.profile.guest {
            return Err(AppError::new(
                "api.user.demote_user_to_guest.already_guest.app_error",
                "Unable to convert the user to guest because is already a guest.",
                501,
            ));
        }
        if !guest && !user.profile.guest {
            return Err(AppError::new(
                "api.user.promote_guest_to_user.no_guest.app_error",
                "Unable to convert the guest to regular user because is not a guest.",
                501,
            ));
        }
        let now = self.now_millis();
        if let Some(user) = self.user_mut(&id) {
            user.profile.guest = guest;
            user.admin = false;
            user.update_at = now;
        }
        Ok(STATUS_OK.to_vec())
    }

    /// `createUserAccessToken` (api4/user.go) and `CreateUserAccessToken`: decode (400
    /// `user_access_token`), a description (400 `description`),
    /// `create_user_access_token` (system admins; 403), oneself or `edit_other_users`
    /// (403), the user (404), `ServiceSettings.EnableUserAccessTokens` unless the user
    /// is a bot (501 `app.user_access_token.disabled`). The answer has the token, the
    /// only time it is shown.
    pub(crate) fn create_user_access_token(
        &mut self,
        caller: &Caller,
        raw: &str,
        body: &[u8],
    ) -> Handled {
        let id = require_user_id(caller, raw)?;
        let bad = |_: String| AppError::invalid_param("user_access_token");
        let map = decode_object(body, "model.UserAccessToken")
            .map_err(bad)?
            .unwrap_or_default();
        let description = opt_string(&map, "description")
            .map_err(bad)?
            .unwrap_or_default();
        if description.is_empty() {
            return Err(AppError::invalid_param("description"));
        }
        if !caller.admin {
            return Err(AppError::permission());
        }
        let user = self.user(&id).ok_or_else(AppError::missing_account)?;
        if !self.settings.enable_user_access_tokens && user.profile.bot.is_none() {
            return Err(AppError::new(
                "app.user_access_token.disabled",
                "Personal access tokens are disabled on this server. Please contact your \
                 system administrator for details.",
                501,
            ));
        }
        let (token_id, token) = self
            .add_access_token(&id, &description)
            .ok_or_else(AppError::missing_account)?;
        let mut out = format!(
            "{{\"id\":{},\"token\":{},\"user_id\":{},\"description\":{},\"is_active\":true}}\n",
            go_string(&token_id),
            go_string(&token),
            go_string(&id),
            go_string(&description)
        )
        .into_bytes();
        out.shrink_to_fit();
        Ok(out)
    }

    /// `createBot` (api4/bot.go) and `CreateBot`: decode (400 `bot`), `create_bot`
    /// (system admins; 403), not by a bot (403), `EnableBotAccountCreation` (403
    /// `api.bot.create_disabled`), `Bot.IsValid`, the unique username; 201 and the
    /// `model.Bot`. The bot's user is `UserFromBot`: email `<username>@localhost`,
    /// `first_name` the display name, role `system_user`.
    pub(crate) fn create_bot(&mut self, caller: &Caller, body: &[u8]) -> Handled {
        let bad = |_: String| AppError::invalid_param("bot");
        // A `null` patch: refused (older servers dereference it and fail).
        let map = decode_object(body, "model.BotPatch")
            .map_err(bad)?
            .ok_or_else(|| AppError::invalid_param("bot"))?;
        let s = |name| opt_string(&map, name).map_err(bad);
        let username = s("username")?.unwrap_or_default();
        let display_name = s("display_name")?.unwrap_or_default();
        let description = s("description")?.unwrap_or_default();
        if !caller.admin || caller.bot {
            return Err(AppError::permission());
        }
        if !self.settings.enable_bot_account_creation {
            return Err(AppError::new(
                "api.bot.create_disabled",
                "Bot creation has been disabled.",
                403,
            ));
        }
        let bot_invalid = |field: &str| {
            AppError::new(
                format!("model.bot.is_valid.{field}.app_error"),
                format!("Invalid {field}."),
                400,
            )
        };
        if !super::routes::is_valid_username(&username) {
            return Err(bot_invalid("username"));
        }
        if display_name.chars().count() > 64 {
            // Bot.IsValidCreate answers a long display name with this id.
            return Err(bot_invalid("user_id"));
        }
        if description.chars().count() > 1024 {
            return Err(bot_invalid("description"));
        }
        // The store's Save of UserFromBot: the username, then the email (see create_user).
        if self.username_taken(&username, "") {
            return Err(AppError::new(
                "app.user.save.username_exists.app_error",
                "An account with that username already exists.",
                400,
            ));
        }
        if self.email_taken(&format!("{username}@localhost"), "") {
            return Err(AppError::new(
                "app.user.save.email_exists.app_error",
                "An account with that email already exists.",
                400,
            ));
        }
        let profile = Profile {
            email: format!("{username}@localhost"),
            first_name: display_name.clone(),
            remote_id: None,
            bot: Some(BotRow {
                display_name,
                description,
                owner_id: caller.id.clone(),
            }),
            ..Profile::new_user(&username)
        };
        let i = self.insert_account(&username, false, profile);
        self.scratch_status = Some(201);
        let mut out = bot_json(&self.users()[i]).into_bytes();
        out.push(b'\n');
        Ok(out)
    }

    /// `patchConfig` (api4/config.go): decode (400 `config`), a system admin (403), merge,
    /// `Config.IsValid` (400), save; the answer is the config after the change: here the
    /// sections and settings the fake follows (the server sends all of it).
    pub(crate) fn patch_config(&mut self, caller: &Caller, body: &[u8]) -> Handled {
        let bad = |_: String| AppError::invalid_param("config");
        // `err != nil || cfg == nil`: `null` is refused too.
        let map = decode_object(body, "model.Config")
            .map_err(bad)?
            .ok_or_else(|| AppError::invalid_param("config"))?;
        if !caller.admin {
            return Err(AppError::permission());
        }
        let section = |name: &str| -> Result<Map<String, Value>, AppError> {
            match field(&map, name) {
                None | Some(Value::Null) => Ok(Map::new()),
                Some(Value::Object(m)) => Ok(m.clone()),
                Some(_) => Err(AppError::invalid_param("config")),
            }
        };
        let mut next = self.settings.clone();
        let (mut user_statuses, mut custom_statuses) =
            (self.enable_user_statuses, self.enable_custom_user_statuses);
        let b = |m: &Map<String, Value>, k: &str, slot: &mut bool| -> Result<(), AppError> {
            if let Some(v) = opt_bool(m, k).map_err(bad)? {
                *slot = v;
            }
            Ok(())
        };
        let n = |m: &Map<String, Value>, k: &str, slot: &mut u32| -> Result<(), AppError> {
            match field(m, k) {
                None | Some(Value::Null) => Ok(()),
                Some(Value::Number(x)) => {
                    // A Go *int: negative and zero values decode, IsValid refuses them.
                    *slot = x
                        .as_i64()
                        .map_or(0, |x| u32::try_from(x.max(0)).unwrap_or(u32::MAX));
                    Ok(())
                }
                Some(_) => Err(AppError::invalid_param("config")),
            }
        };
        let service = section("ServiceSettings")?;
        b(&service, "EnableUserStatuses", &mut user_statuses)?;
        b(
            &service,
            "EnableBotAccountCreation",
            &mut next.enable_bot_account_creation,
        )?;
        b(
            &service,
            "EnableUserAccessTokens",
            &mut next.enable_user_access_tokens,
        )?;
        let team = section("TeamSettings")?;
        b(&team, "EnableCustomUserStatuses", &mut custom_statuses)?;
        b(&team, "EnableUserCreation", &mut next.enable_user_creation)?;
        b(&team, "EnableOpenServer", &mut next.enable_open_server)?;
        b(
            &team,
            "EnableUserDeactivation",
            &mut next.enable_user_deactivation,
        )?;
        let privacy = section("PrivacySettings")?;
        b(&privacy, "ShowEmailAddress", &mut next.show_email_address)?;
        b(&privacy, "ShowFullName", &mut next.show_full_name)?;
        let guests = section("GuestAccountsSettings")?;
        b(&guests, "Enable", &mut next.guest_accounts_enable)?;
        let email = section("EmailSettings")?;
        b(
            &email,
            "EnableSignUpWithEmail",
            &mut next.enable_sign_up_with_email,
        )?;
        let rate = section("RateLimitSettings")?;
        let r = &mut next.rate_limit;
        b(&rate, "Enable", &mut r.enable)?;
        n(&rate, "PerSec", &mut r.per_sec)?;
        n(&rate, "MaxBurst", &mut r.max_burst)?;
        n(&rate, "MemoryStoreSize", &mut r.memory_store_size)?;
        b(&rate, "VaryByRemoteAddr", &mut r.vary_by_remote_addr)?;
        b(&rate, "VaryByUser", &mut r.vary_by_user)?;
        if let Some(h) = opt_string(&rate, "VaryByHeader").map_err(bad)? {
            r.vary_by_header = h;
        }
        if let Some(id) = next.rate_limit.invalid() {
            return Err(AppError::new(id, "Invalid rate limit settings.", 400));
        }
        if next.rate_limit != self.settings.rate_limit {
            self.limiter.clear();
        }
        self.settings = next;
        self.enable_user_statuses = user_statuses;
        self.enable_custom_user_statuses = custom_statuses;
        let mut out = self.config_json().into_bytes();
        out.push(b'\n');
        Ok(out)
    }

    /// The sections of `model.Config` the fake follows, as `patchConfig` answers them.
    pub(crate) fn config_json(&self) -> String {
        let st = &self.settings;
        let r = &st.rate_limit;
        format!(
            concat!(
                "{{\"ServiceSettings\":{{\"EnableBotAccountCreation\":{},\"EnableUserAccessTokens\":{},\"EnableUserStatuses\":{}}},",
                "\"TeamSettings\":{{\"EnableUserCreation\":{},\"EnableOpenServer\":{},",
                "\"EnableUserDeactivation\":{},\"EnableCustomUserStatuses\":{}}},",
                "\"EmailSettings\":{{\"EnableSignUpWithEmail\":{}}},",
                "\"GuestAccountsSettings\":{{\"Enable\":{}}},",
                "\"RateLimitSettings\":{{\"Enable\":{},\"PerSec\":{},\"MaxBurst\":{},",
                "\"MemoryStoreSize\":{},\"VaryByRemoteAddr\":{},\"VaryByUser\":{},\"VaryByHeader\":{}}},",
                "\"PrivacySettings\":{{\"ShowEmailAddress\":{},\"ShowFullName\":{}}}}}"
            ),
            st.enable_bot_account_creation,
            st.enable_user_access_tokens,
            self.enable_user_statuses,
            st.enable_user_creation,
            st.enable_open_server,
            st.enable_user_deactivation,
            self.enable_custom_user_statuses,
            st.enable_sign_up_with_email,
            st.guest_accounts_enable,
            r.enable,
            r.per_sec,
            r.max_burst,
            r.memory_store_size,
            r.vary_by_remote_addr,
            r.vary_by_user,
            go_string(&r.vary_by_header),
            st.show_email_address,
            st.show_full_name,
        )
    }
}

/// A `model.Bot` as its `MarshalJSON` writes it: the computed `system_owned` first (true
/// only for the server's own bots, `system-bot` and the content-review bot), then the
/// struct.
fn bot_json(user: &super::store::User) -> String {
    let Some(bot) = &user.profile.bot else {
        return "null".to_owned();
    };
    let mut out = format!(
        "{{\"system_owned\":false,\"user_id\":{},\"username\":{}",
        go_string(&user.id),
        go_string(&user.username)
    );
    if !bot.display_name.is_empty() {
        out.push_str(&format!(
            ",\"display_name\":{}",
            go_string(&bot.display_name)
        ));
    }
    if !bot.description.is_empty() {
        out.push_str(&format!(",\"description\":{}", go_string(&bot.description)));
    }
    out.push_str(&format!(
        ",\"owner_id\":{},\"create_at\":{},\"update_at\":{},\"delete_at\":{}}}",
        go_string(&bot.owner_id),
        user.create_at,
        user.update_at,
        user.profile.delete_at
    ));
    out
}
