//! The fake server's routes: the Go handlers of `api4/status.go` (and the read routes
//! beside them: a user, users by username or id, the recent-statuses preference), step
//! for step, over the store of `store.rs`.

use super::gojson::{go_string, sorted_string_array, GoCustomStatus, GoStatusBody};
use super::store::{derived_id, State, StoredStatus, User};

/// Sent as `X-Version-Id`, in the server's `major.minor.patch.build.hash.enterprise` shape.
pub(crate) const VERSION_ID: &str = concat!(
    "10.0.0.fake.mattermost-status-",
    env!("CARGO_PKG_VERSION"),
    ".false"
);

/// How long a body the HTTP front end reads (the server's own limit is larger).
pub(crate) const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// An answer before it is put on the wire.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// A Mattermost `AppError`.
#[derive(Debug)]
struct AppError {
    id: &'static str,
    message: String,
    status: u16,
}

impl AppError {
    fn new(id: &'static str, message: impl Into<String>, status: u16) -> Self {
        AppError {
            id,
            message: message.into(),
            status,
        }
    }

    /// `c.SetInvalidParam(name)`.
    fn invalid_param(name: &str) -> Self {
        AppError::new(
            "api.context.invalid_body_param.app_error",
            format!("Invalid or missing {name} in request body."),
            400,
        )
    }

    /// `c.SetInvalidURLParam(name)`.
    fn invalid_url_param(name: &str) -> Self {
        AppError::new(
            "api.context.invalid_url_param.app_error",
            format!("Invalid or missing {name} parameter in request URL."),
            400,
        )
    }

    fn session_expired() -> Self {
        AppError::new(
            "api.context.session_expired.app_error",
            "Invalid or expired session, please login again.",
            401,
        )
    }

    /// `c.SetPermissionError(model.PermissionEditOtherUsers)`.
    fn permission() -> Self {
        AppError::new(
            "api.context.permissions.app_error",
            "You do not have the appropriate permissions.",
            403,
        )
    }

    fn custom_status_disabled() -> Self {
        AppError::new(
            "api.custom_status.disabled",
            "Custom status feature has been disabled. Please contact your system \
             administrator for details.",
            501,
        )
    }

    fn recent_delete() -> Self {
        AppError::new(
            "api.custom_status.recent_custom_statuses.delete.app_error",
            "Failed to delete recent custom status. Please try adding the custom status \
             again or contact your system administrator.",
            400,
        )
    }

    /// The user never set a custom status, so has no recent-custom-statuses preference.
    fn no_recent_preference() -> Self {
        AppError::new(
            "app.preference.get.app_error",
            "Unable to get preference.",
            400,
        )
    }

    fn missing_account() -> Self {
        AppError::new(
            "app.user.missing_account.const",
            "Unable to find the user.",
            404,
        )
    }

    fn not_found() -> Self {
        AppError::new(
            "api.context.404.app_error",
            "Sorry, we could not find the page.",
            404,
        )
    }
}

type Handled = Result<Vec<u8>, AppError>;

/// The routes the fake answers.
enum Route<'a> {
    StatusesByIds,
    UsersByUsernames,
    UsersByIds,
    User(&'a str),
    Status(&'a str),
    CustomStatus(&'a str),
    RecentDelete(&'a str),
    RecentPost(&'a str),
    RecentPreference(&'a str),
}

const STATUS_OK: &[u8] = br#"{"status":"OK"}"#;
impl State {
    // ---- HTTP ----

    /// Answers one request. `target` is the path (with any site prefix) and query.
    pub(crate) fn handle(
        &mut self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Answer {
        // The query is left out: it may hold an `access_token`.
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        let number = self.log_request(method, path);
        let request_id = derived_id("request", "", number);
        // The DND job runs between requests, never in the middle of one.
        self.expire_dnd();
        let result = self.route(method, target, authorization, body);
        let mut headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-Request-Id".to_owned(), request_id.clone()),
            ("X-Version-Id".to_owned(), VERSION_ID.to_owned()),
        ];
        match result {
            Ok(body) => Answer {
                status: 200,
                headers,
                body,
            },
            Err(RouteError::MethodNotAllowed) => {
                headers.retain(|(n, _)| n != "Content-Type");
                Answer {
                    status: 405,
                    headers,
                    body: Vec::new(),
                }
            }
            Err(RouteError::App(e)) => {
                let body = format!(
                    "{{\"id\":{},\"message\":{},\"detailed_error\":\"\",\"request_id\":{},\"status_code\":{}}}",
                    go_string(e.id),
                    go_string(&e.message),
                    go_string(&request_id),
                    e.status
                );
                Answer {
                    status: e.status,
                    headers,
                    body: body.into_bytes(),
                }
            }
        }
    }

    fn route(
        &mut self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<Vec<u8>, RouteError> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let Some(rest) = path.find("/api/v4/").map(|i| &path[i + "/api/v4".len()..]) else {
            return Err(AppError::not_found().into());
        };
        let (route, allowed): (Route<'_>, &[&str]) = match split(rest).as_slice() {
            ["users", "status", "ids"] => (Route::StatusesByIds, &["POST"]),
            ["users", "usernames"] => (Route::UsersByUsernames, &["POST"]),
            ["users", "ids"] => (Route::UsersByIds, &["POST"]),
            ["users", id] if is_path_id(id) => (Route::User(id), &["GET"]),
            ["users", id, "status"] if is_path_id(id) => (Route::Status(id), &["GET", "PUT"]),
            ["users", id, "status", "custom"] if is_path_id(id) => {
                (Route::CustomStatus(id), &["PUT", "DELETE"])
            }
            ["users", id, "status", "custom", "recent"] if is_path_id(id) => {
                (Route::RecentDelete(id), &["DELETE"])
            }
            ["users", id, "status", "custom", "recent", "delete"] if is_path_id(id) => {
                (Route::RecentPost(id), &["POST"])
            }
            ["users", id, "preferences", "custom_status", "name", "recent_custom_statuses"]
                if is_path_id(id) =>
            {
                (Route::RecentPreference(id), &["GET"])
            }
            _ => return Err(AppError::not_found().into()),
        };
        if !allowed.contains(&method) {
            return Err(RouteError::MethodNotAllowed);
        }
        // APISessionRequired.
        let token = parse_token(authorization, query).ok_or_else(AppError::session_expired)?;
        let caller = self
            .user_by_token(token)
            .map(|u| Caller {
                id: u.id.clone(),
                admin: u.admin,
            })
            .ok_or_else(AppError::session_expired)?;
        let handled = match (route, method) {
            (Route::StatusesByIds, _) => self.get_user_statuses_by_ids(body),
            (Route::UsersByUsernames, _) => self.get_users_by_names(body),
            (Route::UsersByIds, _) => self.get_users_by_ids(body, query),
            (Route::User(id), _) => self.get_user(&caller, id),
            (Route::Status(id), "GET") => self.get_user_status(&caller, id),
            (Route::Status(id), _) => self.update_user_status(&caller, id, body),
            (Route::CustomStatus(id), "PUT") => self.update_user_custom_status(&caller, id, body),
            (Route::CustomStatus(id), _) => self.remove_user_custom_status(&caller, id),
            (Route::RecentDelete(id) | Route::RecentPost(id), _) => {
                self.remove_user_recent_custom_status(&caller, id, body)
            }
            (Route::RecentPreference(id), _) => self.get_recent_preference(&caller, id),
        };
        handled.map_err(RouteError::App)
    }

    // ---- the handlers of api4/status.go ----

    fn get_user_status(&self, caller: &Caller, raw: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        // No permission check: anyone logged in may read anyone's status.
        match self.statuses_by_ids(std::slice::from_ref(&id)).first() {
            Some((id, s)) => {
                let mut out = status_json(id, s).into_bytes();
                out.push(b'\n'); // json.NewEncoder(w).Encode
                Ok(out)
            }
            None => Err(AppError::new(
                "api.status.user_not_found.app_error",
                "User not found.",
                404,
            )),
        }
    }

    fn get_user_statuses_by_ids(&self, body: &[u8]) -> Handled {
        let ids = sorted_string_array(body).map_err(|_| {
            AppError::new(
                "api.payload.parse.error",
                "Unable to parse the payload.",
                400,
            )
        })?;
        if ids.is_empty() || ids.iter().any(|id| id.len() != 26) {
            return Err(AppError::invalid_param("user_ids"));
        }
        let list: Vec<String> = self
            .statuses_by_ids(&ids)
            .iter()
            .map(|(id, s)| status_json(id, s))
            .collect();
        Ok(format!("[{}]", list.join(",")).into_bytes())
    }

    fn update_user_status(&mut self, caller: &Caller, raw: &str, body: &[u8]) -> Handled {
        let id = require_user_id(caller, raw)?;
        let wanted = GoStatusBody::decode(body).map_err(|_| AppError::invalid_param("status"))?;
        if wanted.user_id != id {
            return Err(AppError::invalid_param("user_id"));
        }
        caller.may_edit(&id)?;
        let current = if self.enable_user_statuses {
            self.stored_status(&id).map(|s| s.status.clone())
        } else {
            Some(String::new())
        };
        if current.as_deref() == Some("ooo") && wanted.status != "ooo" {
            // DisableAutoResponder
            if let Some(user) = self.user_mut(&id) {
                user.auto_responder = false;
            }
        }
        match wanted.status.as_str() {
            "online" => self.set_status_online(&id, true),
            "offline" => self.set_status_offline_manual(&id),
            "away" => self.set_status_away_manual(&id),
            "dnd" => self.set_status_dnd_timed(&id, wanted.dnd_end_time),
            _ => return Err(AppError::invalid_param("status")),
        }
        self.get_user_status(caller, &id)
    }

    fn update_user_custom_status(&mut self, caller: &Caller, raw: &str, body: &[u8]) -> Handled {
        let id = require_user_id(caller, raw)?;
        if !self.enable_custom_user_statuses {
            return Err(AppError::custom_status_disabled());
        }
        let now = self.now();
        let mut cs = match GoCustomStatus::decode(body) {
            Ok(cs)
                if !(cs.emoji.is_empty() && cs.text.is_empty())
                    && cs.duration_and_expiry_valid(now) =>
            {
                cs
            }
            _ => return Err(AppError::invalid_param("custom_status")),
        };
        caller.may_edit(&id)?;
        cs.pre_save(now);
        // App.SetCustomStatus: user.SetCustomStatus, then UpdateUser (UpdateAt moves).
        let now_millis = self.now_millis();
        let user = self.user_mut(&id).ok_or_else(AppError::missing_account)?;
        user.custom_status = Some(cs.clone());
        user.update_at = now_millis;
        // addRecentCustomStatus: RecentCustomStatuses.Add
        let mut recent = user.recent.take().unwrap_or_default();
        recent.retain(|r| r.text != cs.text);
        recent.insert(0, cs);
        recent.truncate(MAX_RECENT);
        user.recent = Some(recent);
        self.send_updated_user_event(&id);
        self.send_preferences_changed(&id); // addRecentCustomStatus: UpdatePreferences
        Ok(STATUS_OK.to_vec())
    }

    fn remove_user_custom_status(&mut self, caller: &Caller, raw: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        if !self.enable_custom_user_statuses {
            return Err(AppError::custom_status_disabled());
        }
        caller.may_edit(&id)?;
        // App.RemoveCustomStatus: user.ClearCustomStatus, then UpdateUser.
        let now_millis = self.now_millis();
        let user = self.user_mut(&id).ok_or_else(AppError::missing_account)?;
        user.custom_status = None;
        user.update_at = now_millis;
        self.send_updated_user_event(&id);
        Ok(STATUS_OK.to_vec())
    }

    fn remove_user_recent_custom_status(
        &mut self,
        caller: &Caller,
        raw: &str,
        body: &[u8],
    ) -> Handled {
        let id = require_user_id(caller, raw)?;
        if !self.enable_custom_user_statuses {
            return Err(AppError::custom_status_disabled());
        }
        let cs = GoCustomStatus::decode(body)
            .map_err(|_| AppError::invalid_param("recent_custom_status"))?;
        caller.may_edit(&id)?;
        let recent = self
            .user_mut(&id)
            .and_then(|u| u.recent.as_mut())
            .ok_or_else(AppError::no_recent_preference)?;
        // RecentCustomStatuses.Contains, then Remove: byte-equal JSON, and never an empty one.
        let wanted = cs.encode();
        if (cs.emoji.is_empty() && cs.text.is_empty())
            || !recent.iter().any(|r| r.encode() == wanted)
        {
            return Err(AppError::recent_delete());
        }
        recent.retain(|r| r.encode() != wanted);
        self.send_preferences_changed(&id); // RemoveRecentCustomStatus: UpdatePreferences
        Ok(STATUS_OK.to_vec())
    }

    // ---- read routes outside the seven: users, and what the seven change ----

    fn get_user(&self, caller: &Caller, raw: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        let user = self.user(&id).ok_or_else(AppError::missing_account)?;
        let mut out = user_json(user).into_bytes();
        out.push(b'\n'); // json.NewEncoder(w).Encode
        Ok(out)
    }

    /// `getUsersByNames` (api4/user.go): the users found, by username; names no user
    /// has are left out, so an answer may be `[]`.
    fn get_users_by_names(&self, body: &[u8]) -> Handled {
        // json.NewDecoder(r.Body).Decode(&usernames); SetInvalidParamWithErr.
        let names = sorted_string_array(body).map_err(|_| AppError::invalid_param("usernames"))?;
        if names.is_empty() {
            return Err(AppError::invalid_param("usernames"));
        }
        // GetProfilesByUsernames: `Username IN (...)`, exact, `ORDER BY Username ASC`.
        let mut found: Vec<&User> = self
            .users()
            .iter()
            .filter(|u| names.binary_search(&u.username).is_ok())
            .collect();
        found.sort_by(|a, b| a.username.cmp(&b.username));
        let list: Vec<String> = found.into_iter().map(user_json).collect();
        Ok(format!("[{}]", list.join(",")).into_bytes())
    }

    /// `getUsersByIds` (api4/user.go), `App.GetUsersByIds` and the store's
    /// `GetProfileByIds`: the users whose id is in the list, `ORDER BY Username ASC`;
    /// ids no user has (`junk` too: the handler checks no id) are left out, so an answer
    /// may be `[]`. No `DeleteAt` filter: deactivated users are answered too.
    ///
    /// Not reproduced: the server's profile cache (with no view restrictions, cached users
    /// come first, in the order asked, a user asked twice then answered twice), view
    /// restrictions (the fake has no teams or channels: everyone sees everyone), and the
    /// privacy settings' sanitizing (the fake's users have no email or full name).
    fn get_users_by_ids(&self, body: &[u8], query: &str) -> Handled {
        // json.NewDecoder(r.Body).Decode(&userIDs); SetInvalidParamWithErr, also for [].
        let ids = sorted_string_array(body).map_err(|_| AppError::invalid_param("user_ids"))?;
        if ids.is_empty() {
            return Err(AppError::invalid_param("user_ids"));
        }
        // r.URL.Query().Get("since"): strconv.ParseInt, or 400 `since`. (The fake does not
        // percent-decode the value: a number needs none.)
        let since = match query_value(query, "since") {
            Some(s) if !s.is_empty() => s
                .parse::<i64>()
                .map_err(|_| AppError::invalid_param("since"))?,
            _ => 0,
        };
        // `u.Id IN (...)`, `u.UpdateAt > since` when since > 0, `ORDER BY u.Username ASC`.
        let mut found: Vec<&User> = self
            .users()
            .iter()
            .filter(|u| ids.binary_search(&u.id).is_ok())
            .filter(|u| since <= 0 || u.update_at > since)
            .collect();
        found.sort_by(|a, b| a.username.cmp(&b.username));
        let list: Vec<String> = found.into_iter().map(user_json).collect();
        Ok(format!("[{}]", list.join(",")).into_bytes())
    }

    fn get_recent_preference(&self, caller: &Caller, raw: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        caller.may_edit(&id)?;
        let recent = self
            .user(&id)
            .and_then(|u| u.recent.as_ref())
            .ok_or_else(AppError::no_recent_preference)?;
        Ok(recent_preference_json(&id, recent)
            .into_bytes()
            .into_iter()
            .chain(*b"\n") // json.NewEncoder(w).Encode
            .collect())
    }
}

/// The `custom_status`/`recent_custom_statuses` preference (`model.Preference`) as Go
/// writes it.
pub(crate) fn recent_preference_json(user_id: &str, recent: &[GoCustomStatus]) -> String {
    let value: Vec<String> = recent.iter().map(GoCustomStatus::encode).collect();
    format!(
        "{{\"user_id\":{},\"category\":\"custom_status\",\"name\":\"recent_custom_statuses\",\"value\":{}}}",
        go_string(user_id),
        go_string(&format!("[{}]", value.join(",")))
    )
}

/// `MaxRecentCustomStatuses`.
const MAX_RECENT: usize = 5;

enum RouteError {
    MethodNotAllowed,
    App(AppError),
}

impl From<AppError> for RouteError {
    fn from(e: AppError) -> Self {
        RouteError::App(e)
    }
}

/// The session's user.
struct Caller {
    id: String,
    admin: bool,
}

impl Caller {
    /// `SessionHasPermissionToUser`: oneself, or `edit_other_users` (system admins).
    fn may_edit(&self, id: &str) -> Result<(), AppError> {
        if self.id == id || self.admin {
            Ok(())
        } else {
            Err(AppError::permission())
        }
    }
}

/// `c.RequireUserId()`: `me` is the caller; anything else must pass `model.IsValidId`.
fn require_user_id(caller: &Caller, raw: &str) -> Result<String, AppError> {
    let id = if raw == "me" { caller.id.as_str() } else { raw };
    if id.len() == 26 && id.chars().all(|c| c.is_alphanumeric()) {
        Ok(id.to_owned())
    } else {
        Err(AppError::invalid_url_param("user_id"))
    }
}

/// The router's `{user_id:[A-Za-z0-9\_\-]+}`.
fn is_path_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn split(rest: &str) -> Vec<&str> {
    match rest.strip_prefix('/') {
        Some(rest) => rest.split('/').collect(),
        None => Vec::new(),
    }
}

/// The first value of `name` in a query string (`url.Values.Get`), as sent.
fn query_value<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|kv| match kv.split_once('=') {
        Some((k, v)) if k == name => Some(v),
        None if kv == name => Some(""),
        _ => None,
    })
}

/// `ParseAuthTokenFromRequest`: `Bearer` or `Token` in `Authorization`, else the
/// `access_token` query parameter. Cookie sessions are not supported by the fake.
fn parse_token<'a>(authorization: Option<&'a str>, query: &'a str) -> Option<&'a str> {
    if let Some(h) = authorization {
        if h.len() > 6 && h.is_char_boundary(6) && h[..6].eq_ignore_ascii_case("bearer") {
            return h.get(7..).filter(|t| !t.is_empty());
        }
        if h.len() > 5 && h.is_char_boundary(5) && h[..5].eq_ignore_ascii_case("token") {
            return h.get(6..).filter(|t| !t.is_empty());
        }
    }
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("access_token="))
        .filter(|t| !t.is_empty())
}

/// A `model.User` as the server sends another user's profile, reduced to what the fake
/// knows (id, times, username, roles, `props.customStatus`).
pub(crate) fn user_json(user: &User) -> String {
    let custom = user
        .custom_status
        .as_ref()
        .map_or_else(String::new, GoCustomStatus::encode);
    let roles = if user.admin {
        "system_admin system_user"
    } else {
        "system_user"
    };
    format!(
        "{{\"id\":{},\"create_at\":{},\"update_at\":{},\"delete_at\":0,\"username\":{},\"roles\":{},\"props\":{{\"customStatus\":{}}}}}",
        go_string(&user.id),
        user.create_at,
        user.update_at,
        go_string(&user.username),
        go_string(roles),
        go_string(&custom)
    )
}

/// A `model.Status` as `encoding/json` writes it (`active_channel` is always empty here).
fn status_json(id: &str, s: &StoredStatus) -> String {
    format!(
        "{{\"user_id\":{},\"status\":{},\"manual\":{},\"last_activity_at\":{},\"dnd_end_time\":{}}}",
        go_string(id),
        go_string(&s.status),
        s.manual,
        s.last_activity_at,
        s.dnd_end_time
    )
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_parsed_like_the_server() {
        assert_eq!(parse_token(Some("Bearer abc"), ""), Some("abc"));
        assert_eq!(parse_token(Some("bearer abc"), ""), Some("abc"));
        assert_eq!(parse_token(Some("Token abc"), ""), Some("abc"));
        assert_eq!(parse_token(Some("Basic abc"), ""), None);
        assert_eq!(parse_token(None, "x=1&access_token=q"), Some("q"));
    }

    #[test]
    fn the_request_log_has_method_and_path_without_the_query() {
        let mut st = State::new();
        st.handle(
            "GET",
            "/chat/api/v4/users/me/status?access_token=t",
            None,
            b"",
        );
        st.handle("PATCH", "/api/v4/users/me/status", None, b"");
        assert_eq!(
            st.request_log(),
            [
                "GET /chat/api/v4/users/me/status",
                "PATCH /api/v4/users/me/status"
            ]
        );
        assert_eq!(st.request_count(), 2);
    }
}
