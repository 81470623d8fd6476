//! [`GetStatus`] and [`UpdateStatus`]: one user's status.

use std::time::SystemTime;

use serde::Serialize;

use crate::endpoint::{json_body, user_path, Endpoint};
use crate::error::{Error, Result};
use crate::model::time::{format_rfc3339, unix_seconds};
use crate::model::{Status, StatusKind, UserId};
use crate::response::decode_json;
use crate::session::Call;
use crate::transport::{HttpResponse, Method};
use crate::Session;

const STATUS_OBJECT: &str = "a Status object";

/// `GET /api/v4/users/{user_id}/status`: one user's status.
///
/// Any logged-in user may read anyone's status. A user the server has no status for
/// (also an id that belongs to no user) reads as `offline`, not as an error; only a
/// server with user statuses turned off answers 404:
/// [`Error::is_not_found`](crate::Error::is_not_found).
///
/// ```no_run
/// use mattermost_status::{GetStatus, Session, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let status = GetStatus::new(UserId::me()).send(&session)?;
/// println!("{} is {}", status.user_id, status.status);
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until `.send(&session)`"]
pub struct GetStatus {
    user_id: UserId,
}

impl GetStatus {
    /// The status of `user_id` (`UserId::me()` for the token's user).
    pub fn new(user_id: UserId) -> Self {
        GetStatus { user_id }
    }

    /// Sends the request.
    pub fn send(&self, session: &Session) -> Result<Status> {
        session.execute(self)
    }
}

impl Endpoint for GetStatus {
    type Output = Status;

    fn method(&self) -> Method {
        Method::Get
    }

    fn idempotent(&self) -> bool {
        // A read.
        true
    }

    fn write_path(&self, url: &mut String) {
        user_path(url, &self.user_id, "/status");
    }

    fn parse(&self, response: &HttpResponse) -> Result<Status> {
        decode_json(response, STATUS_OBJECT)
    }
}

/// `PUT /api/v4/users/{user_id}/status`: sets a user's status by hand.
///
/// Returns the status after the change, as the server stored it. `online` puts the user
/// back on automatic (`manual = false`); `away`, `offline` and `dnd` stay until changed.
/// Changing another user's status needs the `edit_other_users` permission (403
/// otherwise).
///
/// Checked before sending:
///
/// | rule | field | the server |
/// |---|---|---|
/// | a status must be given | `status` | 400 `status` on an empty or unknown value |
/// | only `online`, `away`, `offline`, `dnd` | `status` | 400 `status` for anything else, `ooo` included |
/// | [`until`](UpdateStatus::until) only with `dnd` | `until` | ignores it silently (deliberate client rule) |
/// | [`until`](UpdateStatus::until) in the future | `until` | accepts a past time and ends DND within a minute (deliberate client rule) |
///
/// `me`: the server refuses `me` in the body (the body's `user_id` must be the real id),
/// so for [`UserId::me()`] the crate first learns the real id with
/// [`Session::current_user_id`] (one `GET /users/me/status`, remembered by the session)
/// and sends that id in both the path and the body.
///
/// The end time goes on the wire as Unix *seconds* (`dnd_end_time`); the server rounds
/// it down to the whole minute and a job running every minute then restores the status
/// the user had before DND.
///
/// ```no_run
/// use std::time::{Duration, SystemTime};
/// use mattermost_status::{Session, StatusKind, UpdateStatus, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let end = SystemTime::now() + Duration::from_secs(30 * 60);
/// let status = UpdateStatus::new(UserId::me())
///     .status(StatusKind::Dnd)
///     .until(end)
///     .send(&session)?;
/// assert_eq!(status.status, StatusKind::Dnd);
/// # Ok::<(), mattermost_status::Error>(())
/// ```
///
/// A request left without `.send(..)` does nothing, and the compiler says so:
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// use mattermost_status::{StatusKind, UpdateStatus, UserId};
///
/// UpdateStatus::new(UserId::me()).status(StatusKind::Dnd); // error: unused, never sent
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until `.send(&session)`"]
pub struct UpdateStatus {
    user_id: UserId,
    status: Option<StatusKind>,
    until: Option<SystemTime>,
}

impl UpdateStatus {
    /// A status update for `user_id`; set the status with [`status`](Self::status).
    pub fn new(user_id: UserId) -> Self {
        UpdateStatus {
            user_id,
            status: None,
            until: None,
        }
    }

    /// The new status: `Online`, `Away`, `Offline` or `Dnd`.
    pub fn status(mut self, status: StatusKind) -> Self {
        self.status = Some(status);
        self
    }

    /// When Do Not Disturb ends by itself (only with `StatusKind::Dnd`). Without it, DND
    /// lasts until changed.
    pub fn until(mut self, end: SystemTime) -> Self {
        self.until = Some(end);
        self
    }

    /// Sends the request, after resolving `me` (see above).
    pub fn send(&self, session: &Session) -> Result<Status> {
        session.execute(self)
    }
}

#[derive(Serialize)]
struct UpdateStatusBody<'a> {
    user_id: &'a str,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dnd_end_time: Option<i64>,
}

impl Endpoint for UpdateStatus {
    type Output = Status;

    fn validate(&self, session: &Session) -> Result<()> {
        let status = self.status.as_ref().ok_or_else(|| {
            Error::invalid(
                "status",
                "is required: call .status(..) with StatusKind::Online, Away, Offline or Dnd",
            )
        })?;
        if !status.is_settable() {
            return Err(Error::invalid(
                "status",
                format!(
                    "{:?} cannot be set; the server accepts only online, away, offline and dnd",
                    status.as_str()
                ),
            ));
        }
        if let Some(until) = self.until {
            if *status != StatusKind::Dnd {
                return Err(Error::invalid(
                    "until",
                    format!(
                        "an end time only goes with StatusKind::Dnd; the server would ignore it \
                         for {status}"
                    ),
                ));
            }
            if until <= session.now() {
                return Err(Error::invalid(
                    "until",
                    format!(
                        "{} is not in the future; the server would end Do Not Disturb at once",
                        format_rfc3339(until)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn method(&self) -> Method {
        Method::Put
    }

    fn idempotent(&self) -> bool {
        // Sets the status to a value: twice is the same value.
        true
    }

    fn write_path(&self, url: &mut String) {
        user_path(url, &self.user_id, "/status");
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        let status = self.status.as_ref().map_or("", StatusKind::as_str);
        json_body(&UpdateStatusBody {
            user_id: self.user_id.as_str(),
            status,
            dnd_end_time: self.until.map(unix_seconds),
        })
    }

    fn parse(&self, response: &HttpResponse) -> Result<Status> {
        decode_json(response, STATUS_OBJECT)
    }

    /// The server refuses `me` in the body: the real id first, in the same deadline.
    fn run(&self, call: &Call<'_>) -> Result<Status> {
        if self.user_id.is_me() {
            let resolved = UpdateStatus {
                user_id: call.current_user_id()?,
                ..self.clone()
            };
            call.send(&resolved)
        } else {
            call.send(self)
        }
    }
}
