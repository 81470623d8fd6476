//! [`GetUsersByIds`]: users from their ids, many in one call.

use std::collections::HashMap;

use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::model::{User, UserId};
use crate::requests::{id_list, MAX_IDS_PER_CALL};
use crate::response::decode_json;
use crate::transport::{HttpResponse, Method};
use crate::Session;

/// `POST /api/v4/users/ids`: the users with these ids, in one call (to show a username
/// beside an id, for instance).
///
/// The server answers the users it found and leaves out ids no user has (no error: `[]`
/// when it found none); it may also leave out users the token's user may not see, when
/// it restricts who sees whom. Deactivated users are answered like the others (with a
/// non-zero `delete_at`). The order is not to be relied on: the database sorts by
/// username, but users the server has in its cache come first, in the order asked (a
/// user asked twice may then be answered twice). [`send`](Self::send) gives that answer
/// as it is; [`usernames`](Self::usernames) maps each id found to its username.
///
/// Checked before sending (field `user_ids`): at least one id (the server: 400
/// `user_ids`), at most [`MAX_IDS_PER_CALL`], and no `me`: the server looks the strings
/// up as ids and no user has the id `me`, so it would be left out without an error; get
/// the real id with [`Session::current_user_id`]. Every element is a checked
/// [`UserId`]; the server itself refuses nothing else (an id no user could have is
/// simply not found).
///
/// # Long lists
///
/// The server's handler (`getUsersByIds` in `api4/user.go`) sets no count limit, but
/// reads at most `ServiceSettings.MaximumPayloadSizeBytes` of a body (default 300,000
/// bytes), after which the JSON does not parse and the call fails (400). An id takes
/// 29 bytes in the body, so [`MAX_IDS_PER_CALL`] ids (10,000, a 290,001-byte body) fit
/// on a default server; a longer list is refused before anything is sent.
///
/// ```no_run
/// use mattermost_status::{GetStatusesByIds, GetUsersByIds, Session, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let alice: UserId = "4xp9fdt77pncbef59f4k1qe83o".parse()?;
/// let bob: UserId = "9jd3wz5ssbrp8ny7hcyqfj3y7a".parse()?;
/// let names = GetUsersByIds::new([alice, bob]).usernames(&session)?;
/// let statuses = GetStatusesByIds::new([alice, bob]).send(&session)?;
/// for (id, status) in statuses.in_order_of(&[alice, bob]) {
///     let who = names.get(&id).map_or_else(|| id.to_string(), |n| format!("@{n}"));
///     println!("{who}: {}", status.map_or("?", |s| s.status.as_str()));
/// }
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetUsersByIds {
    user_ids: Vec<UserId>,
}

impl GetUsersByIds {
    /// The users whose ids are `user_ids` (real ids: not `me`).
    pub fn new(user_ids: impl IntoIterator<Item = UserId>) -> Self {
        GetUsersByIds {
            user_ids: user_ids.into_iter().collect(),
        }
    }

    /// Sends the request: the users the server found, in its order (see above).
    pub fn send(&self, session: &Session) -> Result<Vec<User>> {
        session.execute(self)
    }

    /// Sends the request and maps each id the server answered to its username (lowercase,
    /// without `@`). An id the server left out has no entry.
    pub fn usernames(&self, session: &Session) -> Result<HashMap<UserId, String>> {
        Ok(self
            .send(session)?
            .into_iter()
            .map(|user| (user.id, user.username))
            .collect())
    }
}

impl Endpoint for GetUsersByIds {
    type Output = Vec<User>;

    fn validate(&self, _session: &Session) -> Result<()> {
        id_list::check(
            &self.user_ids,
            "which the server does not look up here (no user has that id)",
        )?;
        if self.user_ids.len() > MAX_IDS_PER_CALL {
            return Err(Error::invalid(
                "user_ids",
                format!(
                    "has {} ids; at most {MAX_IDS_PER_CALL} fit in one request",
                    self.user_ids.len()
                ),
            ));
        }
        Ok(())
    }

    fn method(&self) -> Method {
        Method::Post
    }

    fn idempotent(&self) -> bool {
        // A read: POST only because the ids travel in a body.
        true
    }

    fn write_path(&self, url: &mut String) {
        url.push_str("/users/ids");
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        id_list::body(&self.user_ids)
    }

    fn parse(&self, response: &HttpResponse) -> Result<Vec<User>> {
        decode_json(response, "an array of User objects")
    }
}
