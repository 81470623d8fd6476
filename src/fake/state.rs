//! The fake server's state and its request handlers: the Go handlers of
//! `api4/status.go` and the status service under them, step for step.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use super::gojson::{go_string, sorted_string_array, GoCustomStatus, GoStatusBody};
use crate::model::time::{from_unix_millis, from_unix_seconds, unix_millis, unix_seconds};
use crate::model::{Status, StatusKind, UserId};

/// Sent as `X-Version-Id`, in the server's `major.minor.patch.build.hash.enterprise` shape.
pub(crate) const VERSION_ID: &str = concat!(
    "10.0.0.fake.mattermost-status-",
    env!("CARGO_PKG_VERSION"),
    ".false"
);

/// How long a body the HTTP front end reads (the server's own limit is larger).
pub(crate) const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// One account.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) username: String,
    pub(crate) token: String,
    pub(crate) admin: bool,
    /// `Props["customStatus"]`; `None` is the empty string the server leaves on unset.
    pub(crate) custom_status: Option<GoCustomStatus>,
    /// The `custom_status`/`recent_custom_statuses` preference; `None` when there is no
    /// such row yet.
    pub(crate) recent: Option<Vec<GoCustomStatus>>,
    pub(crate) auto_responder: bool,
}

/// One row of the Status table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredStatus {
    pub(crate) status: String,
    pub(crate) manual: bool,
    pub(crate) last_activity_at: i64,
    pub(crate) dnd_end_time: i64,
    pub(crate) prev_status: String,
}

#[derive(Debug, Clone, Copy)]
enum Clock {
    /// The machine's clock, moved ahead by `ahead`.
    System { ahead: Duration },
    /// A fixed instant.
    Fixed(SystemTime),
}

/// Everything the fake server knows.
#[derive(Debug)]
pub(crate) struct State {
    users: Vec<User>,
    by_token: HashMap<String, usize>,
    statuses: BTreeMap<String, StoredStatus>,
    pub(crate) enable_user_statuses: bool,
    pub(crate) enable_custom_user_statuses: bool,
    clock: Clock,
    requests: u64,
}

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
    User(&'a str),
    Status(&'a str),
    CustomStatus(&'a str),
    RecentDelete(&'a str),
    RecentPost(&'a str),
    RecentPreference(&'a str),
}

const STATUS_OK: &[u8] = br#"{"status":"OK"}"#;

impl State {
    pub(crate) fn new() -> Self {
        State {
            users: Vec::new(),
            by_token: HashMap::new(),
            statuses: BTreeMap::new(),
            enable_user_statuses: true,
            enable_custom_user_statuses: true,
            clock: Clock::System {
                ahead: Duration::ZERO,
            },
            requests: 0,
        }
    }

    // ---- clock ----

    pub(crate) fn now(&self) -> SystemTime {
        match self.clock {
            Clock::System { ahead } => {
                let now = SystemTime::now();
                now.checked_add(ahead).unwrap_or(now)
            }
            Clock::Fixed(t) => t,
        }
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.clock = match self.clock {
            Clock::System { ahead } => Clock::System {
                ahead: ahead.saturating_add(by),
            },
            Clock::Fixed(t) => Clock::Fixed(t.checked_add(by).unwrap_or(t)),
        };
        self.expire_dnd();
    }

    pub(crate) fn set_now(&mut self, t: SystemTime) {
        self.clock = Clock::Fixed(t);
        self.expire_dnd();
    }

    fn now_millis(&self) -> i64 {
        unix_millis(self.now())
    }

    // ---- users ----

    pub(crate) fn users(&self) -> &[User] {
        &self.users
    }

    pub(crate) fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    fn user_index(&self, id: &str) -> Option<usize> {
        self.users.iter().position(|u| u.id == id)
    }

    pub(crate) fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.id == id)
    }

    pub(crate) fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Adds an account, or returns the one with that name.
    pub(crate) fn add_user(&mut self, username: &str, admin: bool) -> &User {
        if let Some(i) = self.users.iter().position(|u| u.username == username) {
            return &self.users[i];
        }
        let mut salt = 0u64;
        let (id, token) = loop {
            let id = derived_id("user", username, salt);
            let token = derived_id("token", username, salt);
            if self.user_index(&id).is_none() && !self.by_token.contains_key(&token) {
                break (id, token);
            }
            salt += 1;
        };
        self.by_token.insert(token.clone(), self.users.len());
        self.users.push(User {
            id,
            username: username.to_owned(),
            token,
            admin,
            custom_status: None,
            recent: None,
            auto_responder: false,
        });
        let last = self.users.len() - 1;
        &self.users[last]
    }

    // ---- statuses, as the platform status service keeps them ----

    pub(crate) fn stored_status(&self, id: &str) -> Option<&StoredStatus> {
        self.statuses.get(id)
    }

    /// Stores a status as given (for tests that need a starting point, such as `ooo`).
    pub(crate) fn seed_status(&mut self, status: &Status) {
        let id = status.user_id.as_str().to_owned();
        let prev_status = self
            .statuses
            .get(&id)
            .map_or_else(|| "offline".to_owned(), |s| s.status.clone());
        let kind = status.status.as_str().to_owned();
        if kind == "ooo" {
            if let Some(user) = self.user_mut(&id) {
                user.auto_responder = true;
            }
        }
        self.statuses.insert(
            id,
            StoredStatus {
                status: kind,
                manual: status.manual,
                last_activity_at: status.last_activity_at.map_or(0, unix_millis),
                dnd_end_time: status.dnd_end_time.map_or(0, unix_seconds),
                prev_status,
            },
        );
    }

    /// The recurring job `UpdateExpiredDNDStatuses`: every DND whose end time has come
    /// returns to the status before it, automatic.
    pub(crate) fn expire_dnd(&mut self) {
        let now = unix_seconds(self.now());
        for s in self.statuses.values_mut() {
            if s.status == "dnd" && s.dnd_end_time > 0 && s.dnd_end_time <= now {
                s.status = std::mem::replace(&mut s.prev_status, "dnd".to_owned());
                s.dnd_end_time = 0;
                s.manual = false;
            }
        }
    }

    /// `SetStatusOnline(userID, manual)`.
    pub(crate) fn set_status_online(&mut self, id: &str, manual: bool) {
        if !self.enable_user_statuses {
            return;
        }
        let now = self.now_millis();
        match self.statuses.get_mut(id) {
            None => {
                self.statuses.insert(
                    id.to_owned(),
                    StoredStatus {
                        status: "online".to_owned(),
                        manual: false,
                        last_activity_at: now,
                        dnd_end_time: 0,
                        prev_status: String::new(),
                    },
                );
            }
            Some(s) => {
                if s.manual && !manual {
                    return; // a status set by hand wins over activity
                }
                s.status = "online".to_owned();
                s.manual = false;
                s.last_activity_at = now;
            }
        }
    }

    /// `SetStatusOffline(userID, true)`.
    fn set_status_offline_manual(&mut self, id: &str) {
        if !self.enable_user_statuses {
            return;
        }
        let now = self.now_millis();
        self.statuses.insert(
            id.to_owned(),
            StoredStatus {
                status: "offline".to_owned(),
                manual: true,
                last_activity_at: now,
                dnd_end_time: 0,
                prev_status: String::new(),
            },
        );
    }

    /// `SetStatusAwayIfNeeded(userID, true)`.
    fn set_status_away_manual(&mut self, id: &str) {
        if !self.enable_user_statuses {
            return;
        }
        let s = self
            .statuses
            .entry(id.to_owned())
            .or_insert_with(|| StoredStatus {
                status: "offline".to_owned(),
                manual: true,
                last_activity_at: 0,
                dnd_end_time: 0,
                prev_status: String::new(),
            });
        s.status = "away".to_owned();
        s.manual = true;
    }

    /// `SetStatusDoNotDisturbTimed(userID, endtime)`.
    fn set_status_dnd_timed(&mut self, id: &str, end: i64) {
        if !self.enable_user_statuses {
            return;
        }
        let s = self
            .statuses
            .entry(id.to_owned())
            .or_insert_with(|| StoredStatus {
                status: "offline".to_owned(),
                manual: false,
                last_activity_at: 0,
                dnd_end_time: 0,
                prev_status: String::new(),
            });
        s.prev_status = std::mem::replace(&mut s.status, "dnd".to_owned());
        s.manual = true;
        // truncateDNDEndTime: down to the whole minute, the job's interval.
        s.dnd_end_time = end.div_euclid(60).saturating_mul(60);
    }

    /// `GetUserStatusesByIds`: stored statuses, then `offline` for ids with none.
    fn statuses_by_ids(&self, ids: &[String]) -> Vec<(String, StoredStatus)> {
        if !self.enable_user_statuses {
            return Vec::new();
        }
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match self.statuses.get(id) {
                Some(s) => found.push((id.clone(), s.clone())),
                None => missing.push(id),
            }
        }
        found.extend(missing.into_iter().map(|id| {
            (
                id.clone(),
                StoredStatus {
                    status: "offline".to_owned(),
                    manual: false,
                    last_activity_at: 0,
                    dnd_end_time: 0,
                    prev_status: String::new(),
                },
            )
        }));
        found
    }

    pub(crate) fn request_count(&self) -> u64 {
        self.requests
    }

    // ---- HTTP ----

    /// Answers one request. `target` is the path (with any site prefix) and query.
    pub(crate) fn handle(
        &mut self,
        method: &str,
        target: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Answer {
        self.requests += 1;
        let request_id = derived_id("request", "", self.requests);
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
        let caller = *self
            .by_token
            .get(token)
            .ok_or_else(AppError::session_expired)?;
        let caller = Caller {
            id: self.users[caller].id.clone(),
            admin: self.users[caller].admin,
        };
        let handled = match (route, method) {
            (Route::StatusesByIds, _) => self.get_user_statuses_by_ids(body),
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
            self.statuses.get(&id).map(|s| s.status.clone())
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
        // App.SetCustomStatus
        let user = self.user_mut(&id).ok_or_else(AppError::missing_account)?;
        user.custom_status = Some(cs.clone());
        // addRecentCustomStatus: RecentCustomStatuses.Add
        let mut recent = user.recent.take().unwrap_or_default();
        recent.retain(|r| r.text != cs.text);
        recent.insert(0, cs);
        recent.truncate(MAX_RECENT);
        user.recent = Some(recent);
        Ok(STATUS_OK.to_vec())
    }

    fn remove_user_custom_status(&mut self, caller: &Caller, raw: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        if !self.enable_custom_user_statuses {
            return Err(AppError::custom_status_disabled());
        }
        caller.may_edit(&id)?;
        let user = self.user_mut(&id).ok_or_else(AppError::missing_account)?;
        user.custom_status = None;
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
            .ok_or_else(|| {
                AppError::new(
                    "app.preference.get.app_error",
                    "Unable to get preference.",
                    400,
                )
            })?;
        // RecentCustomStatuses.Contains, then Remove: byte-equal JSON, and never an empty one.
        let wanted = cs.encode();
        if (cs.emoji.is_empty() && cs.text.is_empty())
            || !recent.iter().any(|r| r.encode() == wanted)
        {
            return Err(AppError::recent_delete());
        }
        recent.retain(|r| r.encode() != wanted);
        Ok(STATUS_OK.to_vec())
    }

    // ---- two read routes outside the seven, to observe what the seven change ----

    fn get_user(&self, caller: &Caller, raw: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        let user = self.user(&id).ok_or_else(AppError::missing_account)?;
        let custom = user
            .custom_status
            .as_ref()
            .map_or_else(String::new, GoCustomStatus::encode);
        let roles = if user.admin {
            "system_admin system_user"
        } else {
            "system_user"
        };
        Ok(format!(
            "{{\"id\":{},\"username\":{},\"roles\":{},\"props\":{{\"customStatus\":{}}}}}",
            go_string(&user.id),
            go_string(&user.username),
            go_string(roles),
            go_string(&custom)
        )
        .into_bytes())
    }

    fn get_recent_preference(&self, caller: &Caller, raw: &str) -> Handled {
        let id = require_user_id(caller, raw)?;
        caller.may_edit(&id)?;
        let recent = self
            .user(&id)
            .and_then(|u| u.recent.as_ref())
            .ok_or_else(|| {
                AppError::new(
                    "app.preference.get.app_error",
                    "Unable to get preference.",
                    400,
                )
            })?;
        let value: Vec<String> = recent.iter().map(GoCustomStatus::encode).collect();
        Ok(format!(
            "{{\"user_id\":{},\"category\":\"custom_status\",\"name\":\"recent_custom_statuses\",\"value\":{}}}",
            go_string(&id),
            go_string(&format!("[{}]", value.join(",")))
        )
        .into_bytes())
    }
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

/// The crate's view of a stored status.
pub(crate) fn to_public(id: UserId, s: &StoredStatus) -> Status {
    let mut status = Status::new(id, StatusKind::from(s.status.as_str()));
    status.manual = s.manual;
    status.last_activity_at = from_unix_millis(s.last_activity_at);
    status.dnd_end_time = from_unix_seconds(s.dnd_end_time);
    status
}

/// A 26-character id from `a-z0-9`, derived from its inputs (so a user's id and token are
/// the same in every run).
pub(crate) fn derived_id(kind: &str, name: &str, salt: u64) -> String {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind.bytes().chain([0]).chain(name.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(26);
    for _ in 0..26 {
        // splitmix64
        h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = h;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.push(char::from(ALPHABET[(z % 36) as usize]));
    }
    out
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
    fn derived_ids_are_valid_and_distinct() {
        let a = derived_id("user", "alice", 0);
        let b = derived_id("user", "bob", 0);
        assert_ne!(a, b);
        assert!(UserId::parse(&a).is_ok());
        assert_eq!(a, derived_id("user", "alice", 0));
    }

    #[test]
    fn dnd_truncates_and_returns_to_the_previous_status() {
        let mut st = State::new();
        st.set_now(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000));
        let id = "abcdefghijklmnopqrstuvwxyz";
        st.set_status_away_manual(id);
        st.set_status_dnd_timed(id, 1_000_119);
        assert_eq!(
            st.stored_status(id).map(|s| s.dnd_end_time),
            Some(1_000_080)
        );
        st.advance(Duration::from_secs(79));
        assert_eq!(st.stored_status(id).map(|s| s.status.as_str()), Some("dnd"));
        st.advance(Duration::from_secs(1));
        let s = st.stored_status(id).unwrap();
        assert_eq!(
            (s.status.as_str(), s.manual, s.dnd_end_time),
            ("away", false, 0)
        );
    }
}
