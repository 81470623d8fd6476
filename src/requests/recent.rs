//! [`GetRecentCustomStatuses`]: the recent custom statuses the apps offer again.

use serde::Deserialize;

use crate::endpoint::{user_path, Endpoint};
use crate::error::{Error, Result};
use crate::model::{CustomStatus, UserId};
use crate::response::{decode_error, decode_json};
use crate::transport::{HttpResponse, Method};
use crate::Session;

const EXPECTED: &str = "the recent_custom_statuses preference (a JSON array of custom statuses)";

/// `GET /api/v4/users/{user_id}/preferences/custom_status/name/recent_custom_statuses`:
/// the user's recent custom statuses, newest first (the server keeps at most 5).
///
/// They live in a preference whose value is a JSON *string* holding an array of custom
/// statuses, as the server encoded them; each is decoded into a [`CustomStatus`] as
/// stored, so that giving it back to
/// [`RemoveRecentCustomStatus`](crate::RemoveRecentCustomStatus) removes that very entry.
/// (One exception the apps never produce: an `expires_at` stored with an offset other
/// than UTC decodes to the right instant, but is written back in UTC and then does not
/// match.)
///
/// As the web app reads it (`getRecentCustomStatuses`), a user who never set a custom
/// status, so has no such preference (the server: 400 `app.preference.get.app_error`),
/// or an empty value, has an empty list. A value that is not such an array is
/// [`Error::Decode`](crate::Error::Decode) (the web app shows an empty list instead).
/// Reading another user's list needs the `edit_other_users` permission (403 otherwise).
///
/// ```no_run
/// use mattermost_status::{GetRecentCustomStatuses, RemoveRecentCustomStatus, Session, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let recent = GetRecentCustomStatuses::new(UserId::me()).send(&session)?;
/// if let Some(oldest) = recent.last() {
///     RemoveRecentCustomStatus::new(UserId::me(), oldest.clone()).send(&session)?;
/// }
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetRecentCustomStatuses {
    user_id: UserId,
}

impl GetRecentCustomStatuses {
    /// The recent custom statuses of `user_id` (`UserId::me()` for the token's user).
    pub fn new(user_id: UserId) -> Self {
        GetRecentCustomStatuses { user_id }
    }

    /// Sends the request.
    pub fn send(&self, session: &Session) -> Result<Vec<CustomStatus>> {
        session.execute(self)
    }
}

/// The server's answer for a preference that does not exist.
const NO_PREFERENCE: &str = "app.preference.get.app_error";

/// `model.Preference`.
#[derive(Deserialize)]
#[serde(remote = "Self")]
struct Preference {
    #[serde(default)]
    value: String,
}
crate::model::object_only!(Preference, "a Preference object");

impl Endpoint for GetRecentCustomStatuses {
    type Output = Vec<CustomStatus>;

    /// The server's 400 for a preference never saved: nobody set a custom status yet.
    fn recover(&self, error: &Error) -> Option<Vec<CustomStatus>> {
        (error.status() == Some(400) && error.api_id() == Some(NO_PREFERENCE)).then(Vec::new)
    }

    fn method(&self) -> Method {
        Method::Get
    }

    fn idempotent(&self) -> bool {
        // A read.
        true
    }

    fn write_path(&self, url: &mut String) {
        user_path(
            url,
            &self.user_id,
            "/preferences/custom_status/name/recent_custom_statuses",
        );
    }

    fn parse(&self, response: &HttpResponse) -> Result<Vec<CustomStatus>> {
        let preference: Preference = decode_json(response, EXPECTED)?;
        if preference.value.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(&preference.value)
            .map_err(|e| decode_error(response, EXPECTED, Some(e)))
    }
}
