//! After a reconnect the server could not resume, what was missed is read over HTTP
//! through the session's own requests: [`GetStatus`](crate::GetStatus) for the stream's
//! user, [`GetStatusesByIds`](crate::GetStatusesByIds) for the watched users, and their
//! custom statuses from their profiles (`POST /users/ids`, `props.customStatus`, the
//! route [`GetUsersByIds`](crate::GetUsersByIds) uses).

use serde::Deserialize;

use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::model::UserId;
use crate::requests::id_list;
use crate::response::decode_json;
use crate::transport::{HttpResponse, Method};
use crate::{Session, MAX_IDS_PER_CALL};

/// One user's `id` and `props.customStatus`, of the answer of `POST /users/ids`.
#[derive(Debug, Deserialize)]
pub(crate) struct UserProps {
    pub(crate) id: UserId,
    #[serde(default)]
    props: Option<serde_json::Map<String, serde_json::Value>>,
}

impl UserProps {
    pub(crate) fn custom_status(&self) -> Option<&serde_json::Value> {
        self.props.as_ref()?.get("customStatus")
    }
}

/// `POST /api/v4/users/ids`, read for the props (the [`User`](crate::User) model keeps
/// none): checked by the same rules as [`GetUsersByIds`](crate::GetUsersByIds).
struct UsersProps<'a>(&'a [UserId]);

impl Endpoint for UsersProps<'_> {
    type Output = Vec<UserProps>;

    fn validate(&self, _session: &Session) -> Result<()> {
        id_list::check(self.0, "which the server does not look up here")
    }

    fn method(&self) -> Method {
        Method::Post
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn write_path(&self, url: &mut String) {
        url.push_str("/users/ids");
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        id_list::body(self.0)
    }

    fn parse(&self, response: &HttpResponse) -> Result<Vec<UserProps>> {
        decode_json(response, "an array of User objects")
    }
}

/// The profiles (for their custom statuses) of `users`, in calls of at most
/// [`MAX_IDS_PER_CALL`] ids.
pub(crate) fn users_props(session: &Session, users: &[UserId]) -> Result<Vec<UserProps>> {
    let mut all = Vec::with_capacity(users.len());
    for run in users.chunks(MAX_IDS_PER_CALL) {
        all.extend(session.execute(&UsersProps(run))?);
    }
    Ok(all)
}
