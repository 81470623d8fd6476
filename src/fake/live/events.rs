//! Events that other parts of the fake publish: `user_updated` (`sendUpdatedUserEvent`,
//! app/user.go) and the two of `UpdatePreferences` (app/preference.go). `status_change`
//! is published by the store's status setters (`BroadcastStatus`).

use super::wire::{Broadcast, Event};
use crate::fake::gojson::go_string;
use crate::fake::routes::{recent_preference_json, UserView};
use crate::fake::store::State;

impl State {
    /// `sendUpdatedUserEvent(user)`, after `UpdateUser` (here: a custom status set or
    /// cleared). Three copies, none scoped to a team or channel: for admins (sensitive,
    /// omitting the user), for everyone else (sanitized, omitting the user), and for the
    /// user (unsanitized). `data.user` is the user object; its `props.customStatus` is the
    /// custom status as a JSON string (`""` when cleared).
    ///
    /// Each copy renders the user with the one user renderer (`State::user_json`) for its
    /// receivers: `SanitizeProfile(asAdmin = true)` for admins, the privacy settings'
    /// sanitizing for everyone else, `Sanitize({})` for the user.
    pub(crate) fn send_updated_user_event(&mut self, id: &str) {
        let Some(user) = self.user(id) else {
            return;
        };
        let for_admins = self.user_json(user, UserView::Profile { as_admin: true });
        let for_others = self.user_json(user, UserView::Profile { as_admin: false });
        let for_self = self.user_json(user, UserView::Own);
        let omit = Some(vec![id.to_owned()]);
        // ShouldSendEventToGuest: a guest gets it only if they may see the user.
        let hidden_from_guests: Vec<String> = self
            .users()
            .iter()
            .filter(|g| g.profile.guest && g.id != id && !self.can_see(&g.id, id))
            .map(|g| g.id.clone())
            .collect();
        let data = |user: &str| format!("{{\"user\":{user}}}");
        self.live.publish(Event {
            event: "user_updated",
            data: data(&for_admins),
            broadcast: Broadcast {
                omit_users: omit.clone(),
                contains_sensitive_data: true,
                ..Broadcast::default()
            },
            precomputed: true,
        });
        self.live.publish(Event {
            event: "user_updated",
            data: data(&for_others),
            broadcast: Broadcast {
                omit_users: omit,
                contains_sanitized_data: true,
                hidden_from_guests,
                ..Broadcast::default()
            },
            precomputed: true,
        });
        self.live.publish(Event {
            event: "user_updated",
            data: data(&for_self),
            broadcast: Broadcast::to_user(id),
            precomputed: true,
        });
    }

    /// `UpdatePreferences(user, prefs)` after the recent custom statuses changed: to the
    /// user's connections, `sidebar_category_updated` (no data), then
    /// `preferences_changed` with `data.preferences` the saved list as a JSON string.
    pub(crate) fn send_preferences_changed(&mut self, id: &str) {
        let Some(recent) = self.user(id).and_then(|u| u.recent.as_ref()) else {
            return;
        };
        let prefs = format!("[{}]", recent_preference_json(id, recent));
        self.live.publish(Event {
            event: "sidebar_category_updated",
            data: "{}".to_owned(),
            broadcast: Broadcast::to_user(id),
            precomputed: true,
        });
        self.live.publish(Event {
            event: "preferences_changed",
            data: format!("{{\"preferences\":{}}}", go_string(&prefs)),
            broadcast: Broadcast::to_user(id),
            precomputed: true,
        });
    }
}
