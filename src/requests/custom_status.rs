//! [`UpdateCustomStatus`], [`UnsetCustomStatus`] and [`RemoveRecentCustomStatus`].
//!
//! All three answer 501 (`api.custom_status.disabled`) when the administrator turned
//! custom statuses off, and 403 when acting on another user without the
//! `edit_other_users` permission.

use std::time::SystemTime;

use crate::endpoint::{json_body, user_path, Endpoint};
use crate::error::{Error, Result};
use crate::expiry::{self, TimeZone};
use crate::model::time::format_rfc3339;
use crate::model::{CustomStatus, CustomStatusDuration, UserId, CUSTOM_STATUS_TEXT_MAX_CHARS};
use crate::response::expect_status_ok;
use crate::session::Call;
use crate::transport::{HttpResponse, Method};
use crate::Session;

/// `PUT /api/v4/users/{user_id}/status/custom`: sets a custom status.
///
/// The server also puts it first in the user's recent custom statuses (replacing one
/// with the same text; at most 5 are kept).
///
/// Checked before sending, as the server checks (400 `custom_status`) unless marked:
///
/// | rule | field |
/// |---|---|
/// | emoji and text are not both empty | `text` |
/// | the text has at most 100 characters (deliberate client rule: the server cuts longer texts silently) | `text` |
/// | a `duration` comes with an `expires_at` | `expires_at` |
/// | `expires_at` is not in the past | `expires_at` |
///
/// The server does not check the emoji name, and neither does the crate (give the name
/// without colons: `calendar`, not `:calendar:`). An `expires_at` with no duration is
/// stored with the duration `date_and_time`. "Now" is this machine's clock: a time a few
/// seconds ahead may still be refused by a server whose clock runs ahead.
/// [`UpdateCustomStatus::lasting`] sets a duration with the `expires_at` the apps would
/// compute for it (the [`expiry`] module), on the session's clock.
///
/// ```no_run
/// use std::time::{Duration, SystemTime};
/// use mattermost_status::{CustomStatusDuration, Session, UpdateCustomStatus, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// UpdateCustomStatus::new(UserId::me())
///     .emoji("calendar")
///     .text("In a meeting")
///     .duration(CustomStatusDuration::OneHour)
///     .expires_at(SystemTime::now() + Duration::from_secs(3600))
///     .send(&session)?;
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until `.send(&session)`"]
pub struct UpdateCustomStatus {
    user_id: UserId,
    custom_status: CustomStatus,
    /// Set by [`lasting`](Self::lasting): `expires_at` is computed in this zone from the
    /// session's clock when the request is sent.
    lasting: Option<TimeZone>,
}

impl UpdateCustomStatus {
    /// An empty custom status for `user_id`; give it at least an emoji or a text.
    pub fn new(user_id: UserId) -> Self {
        UpdateCustomStatus {
            user_id,
            custom_status: CustomStatus::default(),
            lasting: None,
        }
    }

    /// Replaces all four fields at once.
    pub fn custom_status(mut self, custom_status: CustomStatus) -> Self {
        self.custom_status = custom_status;
        self
    }

    /// The emoji's name, without colons.
    pub fn emoji(mut self, emoji: impl Into<String>) -> Self {
        self.custom_status.emoji = emoji.into();
        self
    }

    /// The text (at most 100 characters).
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.custom_status.text = text.into();
        self
    }

    /// The duration label; needs [`expires_at`](Self::expires_at).
    pub fn duration(mut self, duration: CustomStatusDuration) -> Self {
        self.custom_status.duration = Some(duration);
        self
    }

    /// When the custom status ends (instead of [`lasting`](Self::lasting)).
    pub fn expires_at(mut self, expires_at: SystemTime) -> Self {
        self.custom_status.expires_at = Some(expires_at);
        self.lasting = None;
        self
    }

    /// Sets the duration, and an `expires_at` computed for it as Mattermost's apps do
    /// ("today" ends at midnight in `zone`; see [`expiry::expires_at`]) from the
    /// session's clock ([`Session::now`]) when the request is sent.
    ///
    /// ```no_run
    /// use mattermost_status::expiry::TimeZone;
    /// use mattermost_status::{CustomStatusDuration, Session, UpdateCustomStatus, UserId};
    ///
    /// # let session = Session::builder("https://chat.example.com").token("t").build()?;
    /// UpdateCustomStatus::new(UserId::me())
    ///     .emoji("house")
    ///     .text("Working from home")
    ///     .lasting(CustomStatusDuration::Today, &TimeZone::utc())
    ///     .send(&session)?;
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    pub fn lasting(mut self, duration: CustomStatusDuration, zone: &TimeZone) -> Self {
        self.custom_status.duration = Some(duration);
        self.custom_status.expires_at = None;
        self.lasting = Some(zone.clone());
        self
    }

    /// The request as it goes out at `now`: the end time of [`lasting`](Self::lasting)
    /// computed.
    fn at(&self, now: SystemTime) -> Result<std::borrow::Cow<'_, Self>> {
        let (Some(zone), Some(duration)) = (&self.lasting, self.custom_status.duration) else {
            return Ok(std::borrow::Cow::Borrowed(self));
        };
        let mut resolved = self.clone();
        resolved.custom_status.expires_at = Some(expiry::expires_at(duration, zone, now)?);
        resolved.lasting = None;
        Ok(std::borrow::Cow::Owned(resolved))
    }

    /// Sends the request.
    pub fn send(&self, session: &Session) -> Result<()> {
        session.execute(self)
    }
}

impl Endpoint for UpdateCustomStatus {
    type Output = ();

    fn validate(&self, session: &Session) -> Result<()> {
        let resolved = self.at(session.now())?;
        let cs = &resolved.custom_status;
        if cs.emoji.is_empty() && cs.text.is_empty() {
            return Err(Error::invalid(
                "text",
                "and emoji are both empty; the server needs at least one of them",
            ));
        }
        let chars = cs.text.chars().count();
        if chars > CUSTOM_STATUS_TEXT_MAX_CHARS {
            return Err(Error::invalid(
                "text",
                format!(
                    "is {chars} characters long; the server keeps at most \
                     {CUSTOM_STATUS_TEXT_MAX_CHARS} and would cut the rest silently"
                ),
            ));
        }
        match (cs.duration, cs.expires_at) {
            (Some(duration), None) => Err(Error::invalid(
                "expires_at",
                format!(
                    "is required with the duration {duration}: the server refuses a duration \
                     without an end time"
                ),
            )),
            (_, Some(expires_at)) if expires_at < session.now() => Err(Error::invalid(
                "expires_at",
                format!(
                    "{} is in the past; the server refuses it",
                    format_rfc3339(expires_at)
                ),
            )),
            _ => Ok(()),
        }
    }

    fn method(&self) -> Method {
        Method::Put
    }

    fn idempotent(&self) -> bool {
        // Sets a value; the recent list replaces the entry with the same text.
        true
    }

    fn write_path(&self, url: &mut String) {
        user_path(url, &self.user_id, "/status/custom");
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        json_body(&self.custom_status)
    }

    fn parse(&self, response: &HttpResponse) -> Result<()> {
        expect_status_ok(response)
    }

    /// The end time of [`lasting`](Self::lasting) from the session's clock, now.
    fn run(&self, call: &Call<'_>) -> Result<()> {
        call.send(self.at(call.now())?.as_ref())
    }
}

/// `DELETE /api/v4/users/{user_id}/status/custom`: clears the custom status.
///
/// Succeeds also when there was none. The recent custom statuses are kept.
///
/// ```no_run
/// use mattermost_status::{Session, UnsetCustomStatus, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// UnsetCustomStatus::new(UserId::me()).send(&session)?;
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until `.send(&session)`"]
pub struct UnsetCustomStatus {
    user_id: UserId,
}

impl UnsetCustomStatus {
    /// Clears the custom status of `user_id`.
    pub fn new(user_id: UserId) -> Self {
        UnsetCustomStatus { user_id }
    }

    /// Sends the request.
    pub fn send(&self, session: &Session) -> Result<()> {
        session.execute(self)
    }
}

impl Endpoint for UnsetCustomStatus {
    type Output = ();

    fn method(&self) -> Method {
        Method::Delete
    }

    fn idempotent(&self) -> bool {
        // Clearing twice leaves it cleared and answers 200 both times.
        true
    }

    fn write_path(&self, url: &mut String) {
        user_path(url, &self.user_id, "/status/custom");
    }

    fn parse(&self, response: &HttpResponse) -> Result<()> {
        expect_status_ok(response)
    }
}

/// Which of the server's two equivalent routes [`RemoveRecentCustomStatus`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RemoveRecentMethod {
    /// `POST .../status/custom/recent/delete` (the default). The server's own code says
    /// this form "should be preferred", because a body on a DELETE is dropped by some
    /// clients and proxies.
    #[default]
    Post,
    /// `DELETE .../status/custom/recent`, with the same body.
    Delete,
}

/// Removes one entry from the user's recent custom statuses.
///
/// The server decodes the body, encodes it again with Go's `encoding/json`, and looks for
/// an entry with the same bytes; so every field must be what it stored, `expires_at` to
/// the nanosecond *and* in the same UTC offset. The crate writes UTC, as the web app
/// does, and applies the two changes the server made when saving it: no duration with an end time
/// becomes `date_and_time`, and a text over 100 characters is cut to 100. So the value
/// given to [`UpdateCustomStatus`] removes its own entry. A value decoded from the
/// server's user props works as is, unless its `expires_at` was stored with a non-UTC
/// offset (the web app and this crate always write UTC).
///
/// An entry that is not there is an error from the server (400), not a silent success;
/// one with both emoji and text empty can never be there, so the crate refuses it before
/// sending (field `text`).
///
/// ```no_run
/// use mattermost_status::{CustomStatus, RemoveRecentCustomStatus, Session, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let old = CustomStatus::new("Commuting").emoji("bus");
/// RemoveRecentCustomStatus::new(UserId::me(), old).send(&session)?;
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until `.send(&session)`"]
pub struct RemoveRecentCustomStatus {
    user_id: UserId,
    custom_status: CustomStatus,
    method: RemoveRecentMethod,
}

impl RemoveRecentCustomStatus {
    /// Removes `custom_status` from the recent custom statuses of `user_id`.
    pub fn new(user_id: UserId, custom_status: CustomStatus) -> Self {
        RemoveRecentCustomStatus {
            user_id,
            custom_status: stored_form(custom_status),
            method: RemoveRecentMethod::default(),
        }
    }

    /// Chooses the route (default [`RemoveRecentMethod::Post`]).
    pub fn method(mut self, method: RemoveRecentMethod) -> Self {
        self.method = method;
        self
    }

    /// Sends the request.
    pub fn send(&self, session: &Session) -> Result<()> {
        session.execute(self)
    }
}

/// The custom status as the server's `PreSave` stored it.
fn stored_form(mut cs: CustomStatus) -> CustomStatus {
    if cs.duration.is_none() && cs.expires_at.is_some() {
        cs.duration = Some(CustomStatusDuration::DateAndTime);
    }
    if let Some((cut, _)) = cs.text.char_indices().nth(CUSTOM_STATUS_TEXT_MAX_CHARS) {
        cs.text.truncate(cut);
    }
    cs
}

impl Endpoint for RemoveRecentCustomStatus {
    type Output = ();

    fn validate(&self, _session: &Session) -> Result<()> {
        let cs = &self.custom_status;
        if cs.emoji.is_empty() && cs.text.is_empty() {
            return Err(Error::invalid(
                "text",
                "and emoji are both empty; the server never matches such an entry and \
                 answers 400",
            ));
        }
        Ok(())
    }

    fn method(&self) -> Method {
        match self.method {
            RemoveRecentMethod::Post => Method::Post,
            RemoveRecentMethod::Delete => Method::Delete,
        }
    }

    fn idempotent(&self) -> bool {
        // Not safe to repeat once it may have been handled: the second removal
        // finds nothing and the server answers 400, a failure for a call that worked.
        // Both routes (POST .../recent/delete and DELETE .../recent) alike.
        false
    }

    fn write_path(&self, url: &mut String) {
        let rest = match self.method {
            RemoveRecentMethod::Post => "/status/custom/recent/delete",
            RemoveRecentMethod::Delete => "/status/custom/recent",
        };
        user_path(url, &self.user_id, rest);
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        json_body(&self.custom_status)
    }

    fn parse(&self, response: &HttpResponse) -> Result<()> {
        expect_status_ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_mirrors_the_server_presave() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_900_000_000);
        let cs = stored_form(CustomStatus::new("é".repeat(150)).expires_at(t));
        assert_eq!(cs.text.chars().count(), 100);
        assert_eq!(cs.duration, Some(CustomStatusDuration::DateAndTime));
        let plain = stored_form(CustomStatus::new("x"));
        assert_eq!(plain.duration, None);
    }
}
