//! [`GetUser`] and [`GetUserByUsername`]: one user's account.

use crate::endpoint::{user_path, Endpoint};
use crate::error::{Error, Result};
use crate::model::user::normalize_username;
use crate::model::{User, UserId};
use crate::response::decode_json;
use crate::transport::{HttpResponse, Method};
use crate::Session;

const USER_OBJECT: &str = "a User object";

/// `GET /api/v4/users/{user_id}`: one user's account (`UserId::me()` for the token's own).
///
/// The server answers deactivated users too (with `delete_at` set). An id no user has is
/// 404 (`app.user.missing_account.const`); a user the token's user may not see (a guest
/// sees only the users of their channels) is 403. The token's own account comes with its
/// email and names whatever the privacy settings say; another user's as the settings allow
/// (see [`User`]).
///
/// ```no_run
/// use mattermost_status::{GetUser, Session, UserId};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let me = GetUser::new(UserId::me()).send(&session)?;
/// println!("logged in as @{} ({} {})", me.username, me.first_name, me.last_name);
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until `.send(&session)`"]
pub struct GetUser {
    user_id: UserId,
}

impl GetUser {
    /// The account of `user_id`.
    pub fn new(user_id: UserId) -> Self {
        GetUser { user_id }
    }

    /// Sends the request.
    pub fn send(&self, session: &Session) -> Result<User> {
        session.execute(self)
    }
}

impl Endpoint for GetUser {
    type Output = User;

    fn method(&self) -> Method {
        Method::Get
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn write_path(&self, url: &mut String) {
        user_path(url, &self.user_id, "");
    }

    fn parse(&self, response: &HttpResponse) -> Result<User> {
        decode_json(response, USER_OBJECT)
    }
}

/// `GET /api/v4/users/username/{username}`: one user's account, by username.
///
/// Checked before sending (field `username`), as the server checks it
/// (`c.RequireUsername`, `model.IsValidUsername`: 400 otherwise): 1 to 64 characters of
/// `a-z`, `0-9`, `.`, `-`, `_`, not `all`, `channel`, `matterbot` or `system`. A leading
/// `@` is dropped and capitals are lowered (the server stores usernames lowercase, and
/// would refuse capitals here). `:` (remote users of shared channels) is refused too:
/// the server's check for this route does not allow it.
///
/// A name no user has is 404 (`app.user.get_by_username.app_error`), or 403 for a token
/// whose user may not see every user (a guest), as the server does not tell them which
/// names exist.
///
/// ```no_run
/// use mattermost_status::{GetStatus, GetUserByUsername, Session};
///
/// # let session = Session::builder("https://chat.example.com").token("t").build()?;
/// let bob = GetUserByUsername::new("@bob").send(&session)?;
/// let status = GetStatus::new(bob.id).send(&session)?;
/// println!("@{} is {}", bob.username, status.status);
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a request does nothing until `.send(&session)`"]
pub struct GetUserByUsername {
    username: String,
}

impl GetUserByUsername {
    /// The account named `username` (`bob` or `@bob`).
    pub fn new(username: impl Into<String>) -> Self {
        GetUserByUsername {
            username: username.into(),
        }
    }

    /// Sends the request.
    pub fn send(&self, session: &Session) -> Result<User> {
        session.execute(self)
    }

    /// The name as it goes in the path.
    fn normalized(&self) -> Result<String> {
        let name = normalize_username(&self.username, "username").map_err(Error::from)?;
        if name.contains(':') {
            return Err(Error::invalid(
                "username",
                "':' is only in the names of remote users, which the server does not look \
                 up by this route",
            ));
        }
        Ok(name)
    }
}

impl Endpoint for GetUserByUsername {
    type Output = User;

    fn validate(&self, _session: &Session) -> Result<()> {
        self.normalized().map(drop)
    }

    fn method(&self) -> Method {
        Method::Get
    }

    fn idempotent(&self) -> bool {
        true
    }

    fn write_path(&self, url: &mut String) {
        url.push_str("/users/username/");
        // Checked by `validate` (only a-z0-9._-): nothing to escape. Should it fail here,
        // the raw name goes out and the server refuses it.
        match self.normalized() {
            Ok(name) => url.push_str(&name),
            Err(_) => url.push_str(&self.username),
        }
    }

    fn parse(&self, response: &HttpResponse) -> Result<User> {
        decode_json(response, USER_OBJECT)
    }
}
