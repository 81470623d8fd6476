//! The fake server's routes: the router, the rate limiter's place in front of it, the
//! session check, and the Go handlers of `api4/status.go` and of the read routes beside
//! them (a user by id or username, users by usernames or ids, preferences), step for
//! step, over the store of `store.rs`; `user_json`, the one place a user is rendered
//! for a viewer. The set-up routes are in `admin.rs`.

use super::faults::{self, FaultKind};
use super::gojson::{go_string, push_go_string, sorted_string_array, GoCustomStatus, GoStatusBody};
use super::ratelimit::request_key;
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
pub(crate) struct AppError {
    id: String,
    message: String,
    status: u16,
}

impl AppError {
    pub(crate) fn new(id: impl Into<String>, message: impl Into<String>, status: u16) -> Self {
        let id = id.into();
        AppError {
            id,
            message: message.into(),
            status,
        }
    }

    /// `c.SetInvalidParam(name)`.
    pub(crate) fn invalid_param(name: &str) -> Self {
        AppError::new(
            "api.context.invalid_body_param.app_error",
            format!("Invalid or missing {name} in request body."),
            400,
        )
    }

    /// `c.SetInvalidURLParam(name)`.
    pub(crate) fn invalid_url_param(name: &str) -> Self {
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

    /// `c.SetPermissionError(...)`, whichever permission.
    pub(crate) fn permission() -> Self {
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

    pub(crate) fn missing_account() -> Self {
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

pub(crate) type Handled = Result<Vec<u8>, AppError>;

/// A request as the front ends (in process, HTTP) hand it over.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// The path (with any site prefix) and query.
    pub(crate) target: &'a str,
    pub(crate) authorization: Option<&'a str>,
    pub(crate) body: &'a [u8],
    /// The client's address, as `utils.GetIPAddress` gives it (no proxy headers trusted).
    pub(crate) remote_addr: &'a str,
    /// Any other request header, by name.
    pub(crate) header: &'a dyn Fn(&str) -> Option<String>,
}

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
    Preferences(&'a str),
    PreferenceCategory(&'a str, &'a str),
    Preference(&'a str, &'a str, &'a str),
    UserByUsername(&'a str),
    CreateUser,
    Login,
    PatchUser(&'a str),
    UserActive(&'a str),
    AccessTokens(&'a str),
    Demote(&'a str),
    Promote(&'a str),
    CreateBot,
    PatchConfig,
}

const STATUS_OK: &[u8] = br#"{"status":"OK"}"#;
impl State {
    // ---- HTTP ----

    /// Answers one request. `target` is the path (with any site prefix) and query.
    #[cfg(test)]
    pub(crate) fn handle(
        &mut self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Answer {
        self.answer(&Request {
            method,
            target,
            authorization,
            body,
            remote_addr: "127.0.0.1",
            header: &|_| None,
        })
    }

    /// Answers one request (the fault armed for it, if any, already taken).
    pub(crate) fn answer(&mut self, request: &Request<'_>) -> Answer {
        let (method, target) = (request.method, request.target);
        // The query is left out: it may hold an `access_token`.
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        let number = self.log_request(method, path);
        let request_id = derived_id("request", "", number);
        // The DND job runs between requests, never in the middle of one.
        self.expire_dnd();
        // The rate limiter wraps the whole router (app/server.go: RateLimitHandler).
        let mut rate_headers = Vec::new();
        if self.settings.rate_limit.enable {
            let query = target.split_once('?').map_or("", |(_, q)| q);
            let token = parse_token(request.authorization, query);
            let key = request_key(
                &self.settings.rate_limit,
                token,
                request.remote_addr,
                request.header,
            );
            let verdict = self
                .limiter
                .check(&self.settings.rate_limit, &key, self.now_nanos());
            if verdict.limited {
                return limit_exceeded(verdict.headers);
            }
            rate_headers = verdict.headers;
        }
        self.scratch_status = None;
        self.scratch_headers = rate_headers;
        self.scratch_extra.get_mut().clear();
        let result = self.route(request);
        let mut headers = std::mem::take(&mut self.scratch_headers);
        headers.append(self.scratch_extra.get_mut());
        headers.extend([
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-Request-Id".to_owned(), request_id.clone()),
            ("X-Version-Id".to_owned(), VERSION_ID.to_owned()),
        ]);
        match result {
            Ok(body) => Answer {
                status: self.scratch_status.take().unwrap_or(200),
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
            Err(RouteError::NotModified) => {
                headers.retain(|(n, _)| n != "Content-Type");
                Answer {
                    status: 304,
                    headers,
                    body: Vec::new(),
                }
            }
            Err(RouteError::RateLimited(limit)) => {
                // Headers already written stay (X-Request-Id, X-Version-Id); http.Error
                // replaces the content type.
                let mut answer = limit_exceeded(limit);
                headers.retain(|(n, _)| n != "Content-Type");
                headers.append(&mut answer.headers);
                answer.headers = headers;
                answer
            }
            Err(RouteError::App(e)) => Answer {
                status: e.status,
                headers,
                body: app_error_json(&e, &request_id).into_bytes(),
            },
        }
    }

    /// The answer of an armed fault that answers (not a delay or a dropped connection).
    pub(crate) fn fault_answer(&mut self, method: &str, target: &str, kind: &FaultKind) -> Answer {
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        let number = self.log_request(method, path);
        let request_id = derived_id("request", "", number);
        let json_error = |e: AppError| Answer {
            status: e.status,
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("X-Request-Id".to_owned(), request_id.clone()),
                ("X-Version-Id".to_owned(), VERSION_ID.to_owned()),
            ],
            body: app_error_json(&e, &request_id).into_bytes(),
        };
        match kind {
            FaultKind::AppError {
                status,
                id,
                message,
            } => json_error(AppError::new(id.clone(), message.clone(), *status)),
            // c.SetServerBusyError()
            FaultKind::ServerBusy => json_error(AppError::new(
                "api.context.server_busy.app_error",
                "Server is busy, non-critical services are temporarily unavailable.",
                503,
            )),
            FaultKind::Proxy {
                status,
                retry_after,
            } => {
                let mut headers = vec![("Content-Type".to_owned(), "text/html".to_owned())];
                if let Some(secs) = retry_after {
                    headers.push(("Retry-After".to_owned(), secs.to_string()));
                }
                Answer {
                    status: *status,
                    headers,
                    body: faults::proxy_page(*status).into_bytes(),
                }
            }
            // Not answers: the front ends handle them before asking for one.
            FaultKind::Delay(_) | FaultKind::Drop => Answer {
                status: 500,
                headers: Vec::new(),
                body: Vec::new(),
            },
        }
    }

    /// Takes one use of the fault armed for this request, if any.
    pub(crate) fn take_fault(&mut self, method: &str, target: &str) -> Option<FaultKind> {
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        faults::take(&mut self.faults, method, path)
    }

    fn route(&mut self, request: &Request<'_>) -> Result<Vec<u8>, RouteError> {
        let (method, target, body) = (request.method, request.target, request.body);
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path.ends_with("/_fake/faults") {
            return self.fake_faults(request);
        }
        let Some(rest) = path.find("/api/v4/").map(|i| &path[i + "/api/v4".len()..]) else {
            return Err(AppError::not_found().into());
        };
        let (route, allowed): (Route<'_>, &[&str]) = match split(rest).as_slice() {
            ["users"] => (Route::CreateUser, &["POST"]),
            ["users", "login"] => (Route::Login, &["POST"]),
            ["bots"] => (Route::CreateBot, &["POST"]),
            ["config", "patch"] => (Route::PatchConfig, &["PUT"]),
            ["users", "status", "ids"] => (Route::StatusesByIds, &["POST"]),
            ["users", "usernames"] => (Route::UsersByUsernames, &["POST"]),
            ["users", "ids"] => (Route::UsersByIds, &["POST"]),
            // {username:[A-Za-z0-9\_\-\.]+}
            ["users", "username", name] if is_path_name(name) => {
                (Route::UserByUsername(name), &["GET"])
            }
            ["users", id] if is_path_id(id) => (Route::User(id), &["GET"]),
            ["users", id, "patch"] if is_path_id(id) => (Route::PatchUser(id), &["PUT"]),
            ["users", id, "active"] if is_path_id(id) => (Route::UserActive(id), &["PUT"]),
            ["users", id, "tokens"] if is_path_id(id) => (Route::AccessTokens(id), &["POST"]),
            ["users", id, "demote"] if is_path_id(id) => (Route::Demote(id), &["POST"]),
            ["users", id, "promote"] if is_path_id(id) => (Route::Promote(id), &["POST"]),
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
            ["users", id, "preferences"] if is_path_id(id) => (Route::Preferences(id), &["GET"]),
            // {category:[A-Za-z0-9_]+}
            ["users", id, "preferences", category] if is_path_id(id) && is_word(category) => {
                (Route::PreferenceCategory(id, category), &["GET"])
            }
            ["users", id, "preferences", category, "name", name]
                if is_path_id(id) && is_word(category) && is_word(name) =>
            {
                (Route::Preference(id, category, name), &["GET"])
            }
            _ => return Err(AppError::not_found().into()),
        };
        if !allowed.contains(&method) {
            return Err(RouteError::MethodNotAllowed);
        }
        let token = parse_token(request.authorization, query);
        let mut caller = token.and_then(|t| self.user_by_token(t)).map(|u| Caller {
            id: u.id.clone(),
            admin: u.admin,
            bot: u.profile.bot.is_some(),
        });
        // web/handlers.go: a valid session token in the query string
        // (TokenLocationQueryString) is refused unless the session is OAuth's, which the
        // fake's never are; the session is not set.
        let mut refused = None;
        if caller.is_some() && parse_token(request.authorization, "").is_none() {
            caller = None;
            refused = Some(AppError::new(
                "api.context.token_provided.app_error",
                "Session is not OAuth but token was provided in the query string",
                401,
            ));
        }
        // web/handlers.go: with a token, the limiter also counts the session's user
        // ("" when the token is unknown).
        if token.is_some()
            && self.settings.rate_limit.enable
            && self.settings.rate_limit.vary_by_user
        {
            let user_id = caller.as_ref().map_or("", |c| c.id.as_str()).to_owned();
            let verdict = self
                .limiter
                .check(&self.settings.rate_limit, &user_id, self.now_nanos());
            if verdict.limited {
                return Err(RouteError::RateLimited(verdict.headers));
            }
            self.scratch_headers.extend(verdict.headers);
        }
        if let Some(e) = refused {
            return Err(e.into());
        }
        // createUser and login are APIHandlers: no session needed.
        match route {
            Route::CreateUser => {
                return self
                    .create_user(caller.as_ref(), body, query)
                    .map_err(RouteError::App)
            }
            Route::Login => return self.login(body).map_err(RouteError::App),
            _ => {}
        }
        // APISessionRequired.
        let caller = caller.ok_or_else(AppError::session_expired)?;
        let handled = match (route, method) {
            (Route::CreateUser | Route::Login, _) => unreachable_route(),
            (Route::CreateBot, _) => self.create_bot(&caller, body),
            (Route::PatchConfig, _) => self.patch_config(&caller, body),
            (Route::UserByUsername(name), _) => {
                self.get_user_by_username(&caller, name, request.header)
            }
            (Route::PatchUser(id), _) => self.patch_user(&caller, id, body),
            (Route::UserActive(id), _) => self.update_user_active(&caller, id, body),
            (Route::AccessTokens(id), _) => self.create_user_access_token(&caller, id, body),
            (Route::Demote(id), _) => self.set_guest(&caller, id, true),
            (Route::Promote(id), _) => self.set_guest(&caller, id, false),
            (Route::StatusesByIds, _) => self.get_user_statuses_by_ids(body),
            (Route::UsersByUsernames, _) => self.get_users_by_names(&caller, body),
            (Route::UsersByIds, _) => self.get_users_by_ids(&caller, body, query),
            (Route::User(id), _) => self.get_user(&caller, id, request.header),
            (Route::Status(id), "GET") => self.get_user_status(&caller, id),
            (Route::Status(id), _) => self.update_user_status(&caller, id, body),
            (Route::CustomStatus(id), "PUT") => self.update_user_custom_status(&caller, id, body),
            (Route::CustomStatus(id), _) => self.remove_user_custom_status(&caller, id),
            (Route::RecentDelete(id) | Route::RecentPost(id), _) => {
                self.remove_user_recent_custom_status(&caller, id, body)
            }
            (Route::Preferences(id), _) => self.get_preferences(&caller, id),
            (Route::PreferenceCategory(id, category), _) => {
                self.get_preferences_by_category(&caller, id, category)
            }
            (Route::Preference(id, category, name), _) => {
                self.get_preference(&caller, id, category, name)
            }
        };
        if let Err(AppError { status: 304, .. }) = handled {
            return Err(RouteError::NotModified);
        }
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
            "offline" => self.set_status_offline(&id, true),
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
        user.profile.custom_status_key = true;
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
        user.profile.custom_status_key = true;
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

    /// `getUser` (api4/user.go): `UserCanSeeOtherUser` first (403 when not), then
    /// `GetUser` (404 `app.user.missing_account.const`; deactivated users are found), the
    /// etag, and the user sanitized for the viewer.
    fn get_user(
        &self,
        caller: &Caller,
        raw: &str,
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Handled {
        let id = require_user_id(caller, raw)?;
        if !self.can_see(&caller.id, &id) {
            return Err(AppError::permission());
        }
        let user = self.user(&id).ok_or_else(AppError::missing_account)?;
        self.one_user_answer(caller, user, header)
    }

    /// `getUserByUsername` (api4/user.go): `RequireUsername` (400 `username` unless
    /// `model.IsValidUsername`), then `GetUserByUsername` (404
    /// `app.user.get_by_username.app_error`, or 403 for a viewer with view
    /// restrictions), then as `getUser`.
    fn get_user_by_username(
        &self,
        caller: &Caller,
        name: &str,
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Handled {
        if !is_valid_username(name) {
            return Err(AppError::invalid_param("username"));
        }
        let Some(user) = self.user_by_name(name) else {
            if self.view_restricted(&caller.id) {
                return Err(AppError::permission());
            }
            return Err(AppError::new(
                "app.user.get_by_username.app_error",
                "Unable to find an existing account matching your username for this team. \
                 This team may require an invite from the team owner to join.",
                404,
            ));
        };
        if !self.can_see(&caller.id, &user.id) {
            return Err(AppError::permission());
        }
        self.one_user_answer(caller, user, header)
    }

    /// The end of `getUser`/`getUserByUsername`: `HandleEtag` (304 for a matching
    /// `If-None-Match`), the `ETag` header, `Sanitize({})` for oneself and
    /// `SanitizeProfile` for others.
    fn one_user_answer(
        &self,
        caller: &Caller,
        user: &User,
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Handled {
        // user.Etag(ShowFullName, ShowEmailAddress): model.Etag(Id, UpdateAt,
        // TermsOfServiceId, TermsOfServiceCreateAt, showFullName, showEmail,
        // BotLastIconUpdate), after the version.
        let etag = format!(
            "{}.{}.{}..0.{}.{}.0",
            ETAG_VERSION,
            user.id,
            user.update_at,
            self.settings.show_full_name,
            self.settings.show_email_address
        );
        if header("If-None-Match").as_deref() == Some(etag.as_str()) {
            self.answer_header_later("ETag", &etag);
            return Err(AppError::new("", "", 304));
        }
        let view = UserView::of(caller.id.as_str(), caller.admin, user.id.as_str());
        let mut out = self.user_json(user, view).into_bytes();
        out.push(b'\n'); // json.NewEncoder(w).Encode
        self.answer_header_later("ETag", &etag);
        Ok(out)
    }

    /// `getUsersByNames` (api4/user.go): the users found, by username; names no user
    /// has are left out, so an answer may be `[]`.
    fn get_users_by_names(&self, caller: &Caller, body: &[u8]) -> Handled {
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
            .filter(|u| self.within_restrictions(&caller.id, &u.id))
            .collect();
        found.sort_by(|a, b| a.username.cmp(&b.username));
        // sanitizeProfiles(users, asAdmin): SanitizeProfile for everyone, oneself included.
        let view = UserView::Profile {
            as_admin: caller.admin,
        };
        let list: Vec<String> = found.into_iter().map(|u| self.user_json(u, view)).collect();
        Ok(format!("[{}]", list.join(",")).into_bytes())
    }

    /// `getUsersByIds` (api4/user.go), `App.GetUsersByIds` and the store's
    /// `GetProfileByIds`: the users whose id is in the list, `ORDER BY Username ASC`;
    /// ids no user has (`junk` too: the handler checks no id) are left out, so an answer
    /// may be `[]`. No `DeleteAt` filter: deactivated users are answered too.
    ///
    /// Guests see only the members of their channels (`GetViewUsersRestrictions`); every
    /// user is sanitized with `SanitizeProfile`. Not reproduced: the server's profile
    /// cache (with no view restrictions, cached users come first, in the order asked).
    fn get_users_by_ids(&self, caller: &Caller, body: &[u8], query: &str) -> Handled {
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
            .filter(|u| self.within_restrictions(&caller.id, &u.id))
            .collect();
        found.sort_by(|a, b| a.username.cmp(&b.username));
        // UserService.GetUsersByIds: sanitizeProfiles(users, options.IsAdmin).
        let view = UserView::Profile {
            as_admin: caller.admin,
        };
        let list: Vec<String> = found.into_iter().map(|u| self.user_json(u, view)).collect();
        Ok(format!("[{}]", list.join(",")).into_bytes())
    }

    /// The user's Preferences rows, the recent custom statuses among them, by
    /// (category, name).
    fn preference_rows(&self, id: &str) -> Vec<(String, String, String)> {
        let Some(user) = self.user(id) else {
            return Vec::new();
        };
        let mut rows: Vec<(String, String, String)> = user
            .profile
            .preferences
            .iter()
            .map(|((c, n), v)| (c.clone(), n.clone(), v.clone()))
            .collect();
        if let Some(recent) = &user.recent {
            rows.push(recent_row(recent));
        }
        rows.sort();
        rows
    }

    /// `getPreferences` (api4/preference.go): oneself or `edit_other_users`; every row
    /// (`[]` for an id no user has).
    fn get_preferences(&self, caller: &Caller, raw: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        caller.may_edit(&id)?;
        Ok(preferences_json(&id, &self.preference_rows(&id)))
    }

    /// `getPreferencesByCategory`: as above, one category; none is 404
    /// `api.preference.preferences_category.get.app_error` (`GetPreferenceByCategoryForUser`).
    fn get_preferences_by_category(&self, caller: &Caller, raw: &str, category: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        caller.may_edit(&id)?;
        let rows: Vec<_> = self
            .preference_rows(&id)
            .into_iter()
            .filter(|(c, _, _)| c == category)
            .collect();
        if rows.is_empty() {
            return Err(AppError::new(
                "api.preference.preferences_category.get.app_error",
                "We couldn't find the requested preferences.",
                404,
            ));
        }
        Ok(preferences_json(&id, &rows))
    }

    /// `getPreferenceByCategoryAndName`: one row; none is 400 `app.preference.get.app_error`.
    fn get_preference(&self, caller: &Caller, raw: &str, category: &str, name: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        caller.may_edit(&id)?;
        let row = self
            .preference_rows(&id)
            .into_iter()
            .find(|(c, n, _)| c == category && n == name)
            .ok_or_else(AppError::no_recent_preference)?;
        let mut out = preference_json(&id, &row);
        out.push('\n'); // json.NewEncoder(w).Encode
        Ok(out.into_bytes())
    }

    /// The fake's own route, `POST /_fake/faults` (arm one, see [`Fault`]) and `DELETE
    /// /_fake/faults` (disarm all), for a system admin's token: faults over HTTP.
    fn fake_faults(&mut self, request: &Request<'_>) -> Result<Vec<u8>, RouteError> {
        if !matches!(request.method, "POST" | "DELETE") {
            return Err(RouteError::MethodNotAllowed);
        }
        let admin = parse_token(request.authorization, "")
            .and_then(|t| self.user_by_token(t))
            .map(|u| u.admin);
        match admin {
            None => return Err(AppError::session_expired().into()),
            Some(false) => return Err(AppError::permission().into()),
            Some(true) => {}
        }
        if request.method == "DELETE" {
            self.faults.clear();
            return Ok(STATUS_OK.to_vec());
        }
        let fault = super::faults::Fault::from_json(request.body).map_err(|e| {
            AppError::new(
                "api.context.invalid_body_param.app_error",
                format!("Invalid or missing fault in request body: {e}"),
                400,
            )
        })?;
        let left = fault.times;
        self.faults.push(super::faults::Armed { fault, left });
        Ok(STATUS_OK.to_vec())
    }

    /// Adds a header to this request's answer.
    pub(crate) fn answer_header_later(&self, name: &str, value: &str) {
        self.scratch_extra
            .borrow_mut()
            .push((name.to_owned(), value.to_owned()));
    }
}

/// `model.CurrentVersion` as the fake's etags start.
const ETAG_VERSION: &str = "10.0.0";

fn preference_json(user_id: &str, (category, name, value): &(String, String, String)) -> String {
    let mut out = String::with_capacity(96 + value.len());
    out.push_str("{\"user_id\":");
    push_go_string(&mut out, user_id);
    out.push_str(",\"category\":");
    push_go_string(&mut out, category);
    out.push_str(",\"name\":");
    push_go_string(&mut out, name);
    out.push_str(",\"value\":");
    push_go_string(&mut out, value);
    out.push('}');
    out
}

/// `model.Preferences` through `json.NewEncoder(w).Encode`.
fn preferences_json(user_id: &str, rows: &[(String, String, String)]) -> Vec<u8> {
    let list: Vec<String> = rows.iter().map(|r| preference_json(user_id, r)).collect();
    format!("[{}]\n", list.join(",")).into_bytes()
}

/// `http.Error(w, "limit exceeded", 429)` after `setRateLimitHeaders`.
fn limit_exceeded(mut headers: Vec<(String, String)>) -> Answer {
    headers.push((
        "Content-Type".to_owned(),
        "text/plain; charset=utf-8".to_owned(),
    ));
    headers.push(("X-Content-Type-Options".to_owned(), "nosniff".to_owned()));
    Answer {
        status: 429,
        headers,
        body: b"limit exceeded\n".to_vec(),
    }
}

fn app_error_json(e: &AppError, request_id: &str) -> String {
    format!(
        "{{\"id\":{},\"message\":{},\"detailed_error\":\"\",\"request_id\":{},\"status_code\":{}}}",
        go_string(&e.id),
        go_string(&e.message),
        go_string(request_id),
        e.status
    )
}

fn unreachable_route() -> Handled {
    Err(AppError::not_found())
}

/// The `custom_status`/`recent_custom_statuses` preference row of a recent list.
fn recent_row(recent: &[GoCustomStatus]) -> (String, String, String) {
    let value: Vec<String> = recent.iter().map(GoCustomStatus::encode).collect();
    (
        "custom_status".to_owned(),
        "recent_custom_statuses".to_owned(),
        format!("[{}]", value.join(",")),
    )
}

/// That preference (`model.Preference`) as Go writes it, for the websocket's events.
pub(crate) fn recent_preference_json(user_id: &str, recent: &[GoCustomStatus]) -> String {
    preference_json(user_id, &recent_row(recent))
}

/// `MaxRecentCustomStatuses`.
const MAX_RECENT: usize = 5;

enum RouteError {
    MethodNotAllowed,
    NotModified,
    /// The limiter's second check, by user (the headers of `setRateLimitHeaders`).
    RateLimited(Vec<(String, String)>),
    App(AppError),
}

impl From<AppError> for RouteError {
    fn from(e: AppError) -> Self {
        RouteError::App(e)
    }
}

/// The session's user.
pub(crate) struct Caller {
    pub(crate) id: String,
    pub(crate) admin: bool,
    pub(crate) bot: bool,
}

impl Caller {
    /// `SessionHasPermissionToUser`: oneself, or `edit_other_users` (system admins).
    pub(crate) fn may_edit(&self, id: &str) -> Result<(), AppError> {
        if self.id == id || self.admin {
            Ok(())
        } else {
            Err(AppError::permission())
        }
    }
}

/// `c.RequireUserId()`: `me` is the caller; anything else must pass `model.IsValidId`.
pub(crate) fn require_user_id(caller: &Caller, raw: &str) -> Result<String, AppError> {
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

/// The router's `{username:[A-Za-z0-9\_\-\.]+}`.
fn is_path_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The router's `[A-Za-z0-9_]+`.
fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `model.IsValidUsername`: 1 to 64 of `a-z0-9.-_`, not a restricted name.
pub(crate) fn is_valid_username(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
        && !["all", "channel", "matterbot", "system"].contains(&s)
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
/// `access_token` query parameter (which the handlers then refuse for a non-OAuth
/// session). Cookie sessions are not supported by the fake.
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

/// How a user is sanitized for the one who receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserView {
    /// `user.Sanitize(map[string]bool{})`: the user's own account (and the answers of
    /// `createUser`, `patchUser`): everything but password, auth data, MFA secret, last
    /// login.
    Own,
    /// `SanitizeProfile(user, asAdmin)` with the config's sanitize options: another
    /// user's profile (and every user in lists): no notify props, no email-verified flag,
    /// no last password update; the email and full name as the privacy settings allow
    /// (always for an admin); the auth service for admins only.
    Profile { as_admin: bool },
}

impl UserView {
    /// The rule of `getUser`: oneself `Own`, anyone else `Profile` as the viewer's role.
    pub(crate) fn of(viewer_id: &str, viewer_admin: bool, user_id: &str) -> Self {
        if viewer_id == user_id {
            UserView::Own
        } else {
            UserView::Profile {
                as_admin: viewer_admin,
            }
        }
    }
}

impl State {
    /// A `model.User` as `encoding/json` writes it after the server sanitized it for the
    /// receiver (`view`): the struct's field order, keys without `omitempty` always, the
    /// others only when not empty (`auth_data` is a pointer to "" after sanitizing, so
    /// present). The one place a user is rendered, for every route and event.
    pub(crate) fn user_json(&self, user: &User, view: UserView) -> String {
        let p = &user.profile;
        let (own, as_admin) = match view {
            UserView::Own => (true, false),
            UserView::Profile { as_admin } => (false, as_admin),
        };
        let show_email = own || as_admin || self.settings.show_email_address;
        let show_full_name = own || as_admin || self.settings.show_full_name;
        let mut out = String::with_capacity(640);
        let key = |out: &mut String, name: &str| {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
        };
        let string = |out: &mut String, name: &str, value: &str| {
            key(out, name);
            push_go_string(out, value);
        };
        let int = |out: &mut String, name: &str, value: i64| {
            key(out, name);
            out.push_str(&value.to_string());
        };
        out.push_str("{\"id\":");
        push_go_string(&mut out, &user.id);
        if user.create_at != 0 {
            int(&mut out, "create_at", user.create_at);
        }
        if user.update_at != 0 {
            int(&mut out, "update_at", user.update_at);
        }
        int(&mut out, "delete_at", p.delete_at);
        string(&mut out, "username", &user.username);
        string(&mut out, "auth_data", "");
        string(&mut out, "auth_service", "");
        string(&mut out, "email", if show_email { &p.email } else { "" });
        if own && p.email_verified {
            key(&mut out, "email_verified");
            out.push_str("true");
        }
        string(&mut out, "nickname", &p.nickname);
        let (first, last) = if show_full_name {
            (p.first_name.as_str(), p.last_name.as_str())
        } else {
            ("", "")
        };
        string(&mut out, "first_name", first);
        string(&mut out, "last_name", last);
        string(&mut out, "position", &p.position);
        string(&mut out, "roles", &roles(user));
        let mut props = p.props.clone();
        if p.custom_status_key {
            let cs = user
                .custom_status
                .as_ref()
                .map_or_else(String::new, GoCustomStatus::encode);
            props.insert("customStatus".to_owned(), cs);
        }
        if !props.is_empty() {
            key(&mut out, "props");
            push_string_map(&mut out, &props);
        }
        if own && !p.notify_props.is_empty() {
            key(&mut out, "notify_props");
            push_string_map(&mut out, &p.notify_props);
        }
        if own && p.last_password_update != 0 {
            int(&mut out, "last_password_update", p.last_password_update);
        }
        string(&mut out, "locale", &p.locale);
        key(&mut out, "timezone");
        push_string_map(&mut out, &p.timezone);
        if let Some(remote) = &p.remote_id {
            string(&mut out, "remote_id", remote);
        }
        if let Some(bot) = &p.bot {
            key(&mut out, "is_bot");
            out.push_str("true");
            if !bot.description.is_empty() {
                string(&mut out, "bot_description", &bot.description);
            }
        }
        key(&mut out, "disable_welcome_email");
        out.push_str("false");
        out.push('}');
        out
    }
}

/// The `Roles` string.
pub(crate) fn roles(user: &User) -> String {
    if user.admin {
        "system_admin system_user".to_owned()
    } else if user.profile.guest {
        "system_guest".to_owned()
    } else {
        "system_user".to_owned()
    }
}

/// A Go `map[string]string` as `encoding/json` writes it: keys sorted.
fn push_string_map(out: &mut String, map: &std::collections::BTreeMap<String, String>) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_go_string(out, k);
        out.push(':');
        push_go_string(out, v);
    }
    out.push('}');
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
