//! [`GetUsersByUsernames`]: users from their usernames, many in one call.

use crate::endpoint::{json_body, Endpoint};
use crate::error::{Error, Result};
use crate::model::user::normalize_username;
use crate::model::User;
use crate::response::decode_json;
use crate::transport::{HttpResponse, Method};
use crate::Session;

/// The most usernames [`GetUsersByUsernames`] sends in one call: 4,000 names of the
/// longest kind (64 characters) make a body of about 268,000 bytes, under the 300,000 a
/// default server reads (`ServiceSettings.MaximumPayloadSizeBytes`).
pub const MAX_USERNAMES_PER_CALL: usize = 4_000;

/// `POST /api/v4/users/usernames`: the users with these usernames, in one call.
///
/// The server answers the users it found, sorted by username, and leaves out names no
/// user has (no error: `[]` when it found none). [`send`](Self::send) gives that answer
/// as it is; [`resolve`](Self::resolve) gives one user per name asked, in the order
/// asked, or [`Error::UnknownUsers`] naming those the server does not know (also those
/// the token's user may not see, when the server restricts who sees whom).
///
/// Checked before sending, as [`UserRef`](crate::UserRef) checks a username (field
/// `usernames`): at least one name (the server: 400 `usernames`), at most
/// [`MAX_USERNAMES_PER_CALL`], each a name the server could have given a user. A leading
/// `@` is dropped and capitals are lowered, as the server lowers usernames it saves.
///
/// ```no_run
/// use mattermost_status::{GetStatusesByIds, GetUsersByUsernames, Session};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let users = GetUsersByUsernames::new(["alice", "@bob"]).resolve(&session)?;
/// let ids: Vec<_> = users.iter().map(|u| u.id).collect();
/// let statuses = GetStatusesByIds::new(ids.iter().copied()).send(&session)?;
/// for (user, (_, status)) in users.iter().zip(statuses.in_order_of(&ids)) {
///     println!("@{}: {}", user.username, status.map_or("?", |s| s.status.as_str()));
/// }
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetUsersByUsernames {
    usernames: Vec<String>,
}

impl GetUsersByUsernames {
    /// The users named `usernames` (`alice` or `@alice`).
    pub fn new<S: AsRef<str>>(usernames: impl IntoIterator<Item = S>) -> Self {
        GetUsersByUsernames {
            usernames: usernames
                .into_iter()
                .map(|s| s.as_ref().to_owned())
                .collect(),
        }
    }

    /// Sends the request: the users the server found, in its order (by username).
    pub fn send(&self, session: &Session) -> Result<Vec<User>> {
        session.execute(self)
    }

    /// Sends the request and gives one user per name, in the order given (a name given
    /// twice gives its user twice); [`Error::UnknownUsers`] if any name has no user.
    pub fn resolve(&self, session: &Session) -> Result<Vec<User>> {
        let found = self.send(session)?;
        let mut users = Vec::with_capacity(self.usernames.len());
        let mut unknown: Vec<String> = Vec::new();
        for name in &self.usernames {
            // Already checked by `send`: the same rule gives the same name.
            let name = normalize_username(name, "usernames").map_err(Error::from)?;
            match found.iter().find(|u| u.username == name) {
                Some(user) => users.push(user.clone()),
                None if !unknown.contains(&name) => unknown.push(name),
                None => {}
            }
        }
        if unknown.is_empty() {
            Ok(users)
        } else {
            Err(Error::UnknownUsers { usernames: unknown })
        }
    }

    /// The names as they go on the wire.
    fn normalized(&self) -> Result<Vec<String>> {
        self.usernames
            .iter()
            .enumerate()
            .map(|(i, name)| {
                normalize_username(name, "usernames").map_err(|e| {
                    Error::invalid("usernames", format!("element {}: {}", i + 1, e.reason()))
                })
            })
            .collect()
    }
}

impl Endpoint for GetUsersByUsernames {
    type Output = Vec<User>;

    fn validate(&self, _session: &Session) -> Result<()> {
        if self.usernames.is_empty() {
            return Err(Error::invalid(
                "usernames",
                "is empty; the server needs at least one name",
            ));
        }
        if self.usernames.len() > MAX_USERNAMES_PER_CALL {
            return Err(Error::invalid(
                "usernames",
                format!(
                    "has {} names; at most {MAX_USERNAMES_PER_CALL} fit in one request",
                    self.usernames.len()
                ),
            ));
        }
        self.normalized().map(drop)
    }

    fn method(&self) -> Method {
        Method::Post
    }

    fn idempotent(&self) -> bool {
        // A read: POST only because the names travel in a body.
        true
    }

    fn write_path(&self, url: &mut String) {
        url.push_str("/users/usernames");
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        json_body(&self.normalized()?)
    }

    fn parse(&self, response: &HttpResponse) -> Result<Vec<User>> {
        decode_json(response, "an array of User objects")
    }
}
