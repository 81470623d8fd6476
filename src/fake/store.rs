//! The fake server's store: users and their tokens, statuses as the platform status
//! service keeps them (`app/platform/status.go`), custom statuses and the recent list,
//! the clock, and the request log. The HTTP handlers are in `routes.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, SystemTime};

use super::gojson::GoCustomStatus;
use super::live::hub::Hub;
use crate::model::time::{from_unix_millis, from_unix_seconds, unix_millis, unix_seconds};
use crate::model::{Status, StatusKind, UserId};

/// `TeamSettings.UserStatusAwayTimeout` (300 s, the default), in ms.
const USER_STATUS_AWAY_TIMEOUT_MS: i64 = 300_000;

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
    /// `CreateAt`, Unix milliseconds on the fake's clock.
    pub(crate) create_at: i64,
    /// `UpdateAt`: moved by every change the server saves with `UpdateUser` (here: the
    /// custom status, set or cleared); `POST /users/ids?since=` reads it.
    pub(crate) update_at: i64,
    /// The profile and the rest of `model.User`, as the server stores them.
    pub(crate) profile: Profile,
}

/// The fields of `model.User` beyond the ones the status endpoints use.
#[derive(Debug, Clone, Default)]
pub(crate) struct Profile {
    /// The role `system_guest` instead of `system_user`.
    pub(crate) guest: bool,
    pub(crate) email: String,
    pub(crate) email_verified: bool,
    /// Kept only to be never sent (the server keeps a bcrypt hash).
    pub(crate) password: String,
    pub(crate) nickname: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) position: String,
    pub(crate) locale: String,
    /// `Timezone`; `timezones.DefaultUserTimezone()` for a new user.
    pub(crate) timezone: BTreeMap<String, String>,
    /// `NotifyProps`; `SetDefaultNotifications()` for a new user.
    pub(crate) notify_props: BTreeMap<String, String>,
    /// `Props` other than `customStatus`.
    pub(crate) props: BTreeMap<String, String>,
    /// `Props` has a `customStatus` key (once one was set or cleared).
    pub(crate) custom_status_key: bool,
    /// `DeleteAt`: 0, or when the account was deactivated (Unix ms).
    pub(crate) delete_at: i64,
    pub(crate) last_password_update: i64,
    /// `RemoteId`: `Some("")` for users created through the API (`SanitizeInput`), `None`
    /// for bots (`UserFromBot`).
    pub(crate) remote_id: Option<String>,
    /// The row in the Bots table, for a bot.
    pub(crate) bot: Option<BotRow>,
    /// The Preferences rows other than the recent custom statuses, by (category, name).
    pub(crate) preferences: BTreeMap<(String, String), String>,
    /// Personal access tokens (`POST /users/{id}/tokens`): (token id, token, description).
    pub(crate) access_tokens: Vec<(String, String, String)>,
}

/// A row of the Bots table (`model.Bot`).
#[derive(Debug, Clone)]
pub(crate) struct BotRow {
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) owner_id: String,
}

impl Profile {
    /// What `User.PreSave` and `createUserOrGuest` give a new user created through the API.
    pub(crate) fn new_user(username: &str) -> Self {
        Profile {
            email: format!("{username}@example.com"),
            locale: "en".to_owned(),
            timezone: default_timezone(),
            notify_props: default_notify_props(),
            remote_id: Some(String::new()),
            ..Profile::default()
        }
    }
}

/// The password of a user added in Rust (derived from the name: not a secret).
pub(crate) fn seed_password(username: &str) -> String {
    format!("{username}-password")
}

/// `timezones.DefaultUserTimezone()`.
pub(crate) fn default_timezone() -> BTreeMap<String, String> {
    [
        ("automaticTimezone", ""),
        ("manualTimezone", ""),
        ("useAutomaticTimezone", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// `User.SetDefaultNotifications()`.
pub(crate) fn default_notify_props() -> BTreeMap<String, String> {
    [
        ("email", "true"),
        ("push", "mention"),
        ("desktop", "mention"),
        ("desktop_sound", "true"),
        ("mention_keys", ""),
        ("channel", "true"),
        ("push_status", "away"),
        ("comments", "never"),
        ("first_name", "false"),
        ("desktop_threads", "all"),
        ("email_threads", "all"),
        ("push_threads", "all"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The settings of the server's config the fake follows, with the server's defaults.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// `PrivacySettings.ShowEmailAddress` (default true).
    pub(crate) show_email_address: bool,
    /// `PrivacySettings.ShowFullName` (default true).
    pub(crate) show_full_name: bool,
    /// `ServiceSettings.EnableBotAccountCreation` (default false).
    pub(crate) enable_bot_account_creation: bool,
    /// `TeamSettings.EnableUserCreation` (default true).
    pub(crate) enable_user_creation: bool,
    /// `TeamSettings.EnableOpenServer` (default false).
    pub(crate) enable_open_server: bool,
    /// `TeamSettings.EnableUserDeactivation` (default false).
    pub(crate) enable_user_deactivation: bool,
    /// `ServiceSettings.EnableUserAccessTokens` (default false; bots may have tokens
    /// whatever it says).
    pub(crate) enable_user_access_tokens: bool,
    /// `GuestAccountsSettings.Enable` (default false). The fake acts as a licensed server:
    /// with this on, guests may log in and users be demoted.
    pub(crate) guest_accounts_enable: bool,
    /// `EmailSettings.EnableSignUpWithEmail` (default true).
    pub(crate) enable_sign_up_with_email: bool,
    /// `RateLimitSettings`.
    pub(crate) rate_limit: super::RateLimitSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            show_email_address: true,
            show_full_name: true,
            enable_bot_account_creation: false,
            enable_user_creation: true,
            enable_open_server: false,
            enable_user_deactivation: false,
            enable_user_access_tokens: false,
            guest_accounts_enable: false,
            enable_sign_up_with_email: true,
            rate_limit: super::RateLimitSettings::default(),
        }
    }
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
    pub(crate) settings: Settings,
    /// Channel id -> its members' ids: only as far as a guest's view restrictions need.
    pub(crate) channels: BTreeMap<String, BTreeSet<String>>,
    pub(crate) limiter: super::ratelimit::Limiter,
    pub(crate) faults: Vec<super::faults::Armed>,
    /// The status of the answer being made, when not 200 (set by its handler).
    pub(crate) scratch_status: Option<u16>,
    /// Headers for the answer being made (the rate limiter's).
    pub(crate) scratch_headers: Vec<(String, String)>,
    /// Headers a read-only handler adds to its answer (`ETag`).
    pub(crate) scratch_extra: std::cell::RefCell<Vec<(String, String)>>,
    requests: u64,
    /// `METHOD /path` of every request answered, oldest first.
    request_log: Vec<String>,
    /// The websocket hub: connections, their queues, and the broadcasts to them.
    pub(crate) live: Hub,
}

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
            settings: Settings::default(),
            channels: BTreeMap::new(),
            limiter: super::ratelimit::Limiter::default(),
            faults: Vec::new(),
            scratch_status: None,
            scratch_headers: Vec::new(),
            scratch_extra: std::cell::RefCell::new(Vec::new()),
            requests: 0,
            request_log: Vec::new(),
            live: Hub::new(unix_millis(SystemTime::now())),
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
        let now = self.now_millis();
        self.live.reap(now);
    }

    pub(crate) fn set_now(&mut self, t: SystemTime) {
        self.clock = Clock::Fixed(t);
        self.expire_dnd();
        let now = self.now_millis();
        self.live.reap(now);
    }

    pub(super) fn now_millis(&self) -> i64 {
        unix_millis(self.now())
    }

    /// The server's time in Unix nanoseconds (the rate limiter's clock).
    pub(super) fn now_nanos(&self) -> i128 {
        match self.now().duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        }
    }

    // ---- users ----

    pub(crate) fn users(&self) -> &[User] {
        &self.users
    }

    pub(crate) fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// The user a token logs in as.
    pub(super) fn user_by_token(&self, token: &str) -> Option<&User> {
        self.by_token.get(token).and_then(|&i| self.users.get(i))
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
        let mut profile = Profile::new_user(username);
        profile.password = seed_password(username);
        let i = self.insert_account(username, admin, profile);
        &self.users[i]
    }

    /// Stores a new account (the name is known to be free); its index.
    pub(crate) fn insert_account(
        &mut self,
        username: &str,
        admin: bool,
        profile: Profile,
    ) -> usize {
        let mut salt = 0u64;
        let (id, token) = loop {
            let id = derived_id("user", username, salt);
            let token = derived_id("token", username, salt);
            if self.user_index(&id).is_none() && !self.by_token.contains_key(&token) {
                break (id, token);
            }
            salt += 1;
        };
        let now = self.now_millis();
        let mut profile = profile;
        if profile.bot.is_none() {
            // createUserOrGuest saves these three preferences for every new user.
            for (category, name, value) in [
                ("recommended_next_steps", "hide", "false"),
                ("tutorial_step", id.as_str(), "0"),
                ("system_notice", "GMasDM", "true"),
            ] {
                profile
                    .preferences
                    .insert((category.to_owned(), name.to_owned()), value.to_owned());
            }
        }
        // User.PreSave: LastPasswordUpdate = CreateAt, bots included.
        profile.last_password_update = now;
        self.by_token.insert(token.clone(), self.users.len());
        self.users.push(User {
            id,
            username: username.to_owned(),
            token,
            admin,
            custom_status: None,
            recent: None,
            auto_responder: false,
            create_at: now,
            update_at: now,
            profile,
        });
        self.users.len() - 1
    }

    /// `RevokeAllSessions` (deactivation) or their return: the fake's users have one token.
    pub(crate) fn set_sessions_revoked(&mut self, id: &str, revoked: bool) {
        let Some(i) = self.user_index(id) else { return };
        let user = &self.users[i];
        let tokens: Vec<String> = std::iter::once(user.token.clone())
            .chain(user.profile.access_tokens.iter().map(|(_, t, _)| t.clone()))
            .collect();
        for token in tokens {
            if revoked {
                self.by_token.remove(&token);
            } else {
                self.by_token.insert(token, i);
            }
        }
    }

    /// Stores a personal access token for the user; (id, token).
    pub(crate) fn add_access_token(
        &mut self,
        id: &str,
        description: &str,
    ) -> Option<(String, String)> {
        let i = self.user_index(id)?;
        let n = self.users[i].profile.access_tokens.len() as u64;
        let mut salt = n;
        let token = loop {
            let t = derived_id("access_token", id, salt);
            if !self.by_token.contains_key(&t) {
                break t;
            }
            salt += 1;
        };
        let token_id = derived_id("access_token_id", &token, 0);
        self.by_token.insert(token.clone(), i);
        self.users[i].profile.access_tokens.push((
            token_id.clone(),
            token.clone(),
            description.to_owned(),
        ));
        Some((token_id, token))
    }

    /// `GetViewUsersRestrictions(viewer) != nil`: the viewer lacks `view_members`, which
    /// the default roles give every system user and admin but not guests.
    pub(crate) fn view_restricted(&self, viewer: &str) -> bool {
        self.user(viewer).is_some_and(|u| u.profile.guest)
    }

    /// Whether `other` passes the viewer's restrictions: a member of one of the viewer's
    /// channels (the restrictions' teams are empty for a guest: `team_guest` has no
    /// `view_members` either). The store's filter, which leaves out even the viewer
    /// when they are in no channel.
    pub(crate) fn within_restrictions(&self, viewer: &str, other: &str) -> bool {
        !self.view_restricted(viewer)
            || self
                .channels
                .values()
                .any(|members| members.contains(viewer) && members.contains(other))
    }

    /// `UserCanSeeOtherUser`: oneself always, else as the restrictions allow.
    pub(crate) fn can_see(&self, viewer: &str, other: &str) -> bool {
        viewer == other || self.within_restrictions(viewer, other)
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
        self.broadcast_status(status.user_id.as_str()); // SaveAndBroadcastStatus
    }

    /// `BroadcastStatus`: a `status_change` to the user's own connections. Every caller on
    /// the server returns first when `EnableUserStatuses` is off; so does this (also for
    /// [`seed_status`](Self::seed_status), which stores regardless).
    fn broadcast_status(&mut self, id: &str) {
        if !self.enable_user_statuses {
            return;
        }
        if let Some(status) = self.statuses.get(id).map(|s| s.status.clone()) {
            self.live.publish_status(id, &status);
        }
    }

    /// Every stored status (the server's status cache), by user id.
    pub(super) fn all_statuses(&self) -> impl Iterator<Item = (&String, &StoredStatus)> {
        self.statuses.iter()
    }

    /// The recurring job `UpdateExpiredDNDStatuses`: every DND whose end time has come
    /// returns to the status before it, automatic.
    pub(crate) fn expire_dnd(&mut self) {
        let now = unix_seconds(self.now());
        let mut ended = Vec::new();
        for (id, s) in &mut self.statuses {
            if s.status == "dnd" && s.dnd_end_time > 0 && s.dnd_end_time <= now {
                s.status = std::mem::replace(&mut s.prev_status, "dnd".to_owned());
                s.dnd_end_time = 0;
                s.manual = false;
                ended.push(id.clone());
            }
        }
        // UpdateDNDStatusOfUsers: BroadcastStatus for each.
        for id in ended {
            self.broadcast_status(&id);
        }
    }

    /// The earliest end of a timed DND still in force (Unix seconds), for the websocket
    /// writers, which wake for it so that a DND ends on its own while clients listen.
    pub(crate) fn next_dnd_end(&self) -> Option<i64> {
        self.statuses
            .values()
            .filter(|s| s.status == "dnd" && s.dnd_end_time > 0)
            .map(|s| s.dnd_end_time)
            .min()
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
                let was_online = s.status == "online";
                s.status = "online".to_owned();
                s.manual = false;
                s.last_activity_at = now;
                if was_online {
                    return; // broadcast only a change
                }
            }
        }
        self.broadcast_status(id);
    }

    /// `SetStatusAwayIfNeeded(userID, false)`: away once `UserStatusAwayTimeout` (300 s)
    /// has passed since the last activity, unless set by hand or already away.
    pub(crate) fn set_status_away_if_needed(&mut self, id: &str) {
        if !self.enable_user_statuses {
            return;
        }
        let now = self.now_millis();
        let s = self.status_or_offline(id, false);
        if s.manual || s.status == "away" || now - s.last_activity_at < USER_STATUS_AWAY_TIMEOUT_MS
        {
            return;
        }
        s.status = "away".to_owned();
        self.broadcast_status(id);
    }

    /// The hub's unregister when another connection of the user is still active: if the
    /// latest activity among the active ones is older than the away timeout
    /// (`isUserAway`), `SetStatusLastActivityAt(user, latest)`, which may set away.
    pub(crate) fn set_status_last_activity_at(&mut self, id: &str, at: i64) {
        if !self.enable_user_statuses || self.now_millis() - at < USER_STATUS_AWAY_TIMEOUT_MS {
            return;
        }
        if let Some(s) = self.statuses.get_mut(id) {
            s.last_activity_at = at;
            self.set_status_away_if_needed(id);
        }
    }

    /// `SetStatusOffline(userID, manual)`, then `BroadcastStatus`. Not by hand (the
    /// user's last connection went inactive, `QueueSetStatusOffline`; a deactivation,
    /// `userDeactivated`), a status set by hand stays; by hand (`PUT /users/{id}/status`),
    /// offline and manual. Either way stamped now.
    pub(crate) fn set_status_offline(&mut self, id: &str, manual: bool) {
        if !self.enable_user_statuses {
            return;
        }
        if !manual && self.statuses.get(id).is_some_and(|s| s.manual) {
            return;
        }
        let now = self.now_millis();
        self.statuses.insert(
            id.to_owned(),
            StoredStatus {
                status: "offline".to_owned(),
                manual,
                last_activity_at: now,
                dnd_end_time: 0,
                prev_status: String::new(),
            },
        );
        self.broadcast_status(id);
    }

    /// The stored status of `id`, made `offline` (with `manual` as given) when it has none,
    /// as the server's setters start from a status they could not find.
    fn status_or_offline(&mut self, id: &str, manual: bool) -> &mut StoredStatus {
        self.statuses
            .entry(id.to_owned())
            .or_insert_with(|| StoredStatus {
                status: "offline".to_owned(),
                manual,
                last_activity_at: 0,
                dnd_end_time: 0,
                prev_status: String::new(),
            })
    }

    /// `SetStatusAwayIfNeeded(userID, true)`.
    pub(super) fn set_status_away_manual(&mut self, id: &str) {
        if !self.enable_user_statuses {
            return;
        }
        let s = self.status_or_offline(id, true);
        s.status = "away".to_owned();
        s.manual = true;
        self.broadcast_status(id);
    }

    /// `SetStatusDoNotDisturbTimed(userID, endtime)`.
    pub(super) fn set_status_dnd_timed(&mut self, id: &str, end: i64) {
        if !self.enable_user_statuses {
            return;
        }
        let s = self.status_or_offline(id, false);
        s.prev_status = std::mem::replace(&mut s.status, "dnd".to_owned());
        s.manual = true;
        // truncateDNDEndTime: down to the whole minute, the job's interval.
        s.dnd_end_time = end.div_euclid(60).saturating_mul(60);
        self.broadcast_status(id);
    }

    /// `GetUserStatusesByIds`: stored statuses, then `offline` for ids with none.
    pub(super) fn statuses_by_ids(&self, ids: &[String]) -> Vec<(String, StoredStatus)> {
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

    /// Counts and logs one request (`METHOD /path`); returns its number, from 1.
    pub(super) fn log_request(&mut self, method: &str, path: &str) -> u64 {
        self.requests += 1;
        self.request_log.push(format!("{method} {path}"));
        self.requests
    }

    pub(crate) fn request_count(&self) -> u64 {
        self.requests
    }

    pub(crate) fn request_log(&self) -> &[String] {
        &self.request_log
    }
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
