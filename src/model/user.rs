//! [`User`], a user's account as the server describes it, and [`UserRef`], a user named
//! the way people name them: an id, `me`, or a username.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::UserId;
use crate::error::{quoted, ParseError};

/// The longest username the server accepts (`model.UserNameMaxLength`), in bytes.
pub const USERNAME_MAX_LEN: usize = 64;

/// Names the server keeps for itself: no user can have them (`restrictedUsernames`).
const RESTRICTED_USERNAMES: [&str; 4] = ["all", "channel", "matterbot", "system"];

/// A user's account, with the fields a status tool shows.
///
/// Decoded from the server's `model.User`; its other fields (notification settings, props,
/// ...) are ignored, and a field the server left out is empty. The server leaves out or
/// empties what the token's user may not see: another user's `email` when
/// `PrivacySettings.ShowEmailAddress` is off and `first_name`/`last_name` when
/// `ShowFullName` is off (system admins see both), and never sends passwords or MFA
/// secrets.
///
/// ```
/// use mattermost_status::User;
///
/// let user: User = serde_json::from_str(
///     r#"{"id":"4xp9fdt77pncbef59f4k1qe83o","username":"alice","email":"",
///         "first_name":"Alice","last_name":"Liddell","roles":"system_user",
///         "delete_at":0,"position":"Tester","locale":"en"}"#,
/// )?;
/// assert_eq!(user.username, "alice");
/// assert_eq!(user.id.as_str(), "4xp9fdt77pncbef59f4k1qe83o");
/// assert_eq!(user.position, "Tester");
/// assert!(user.is_active() && !user.is_guest());
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// Only a JSON object decodes as one (see `object_only`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// The username, lowercase, without `@`.
    pub username: String,
    /// The nickname, or empty.
    #[serde(default)]
    pub nickname: String,
    /// The first name, or empty (also when the server hides full names).
    #[serde(default)]
    pub first_name: String,
    /// The last name, or empty (also when the server hides full names).
    #[serde(default)]
    pub last_name: String,
    /// `true` for a bot account.
    #[serde(default)]
    pub is_bot: bool,
    /// The email address, or empty (also when the server hides it from the token's user).
    #[serde(default)]
    pub email: String,
    /// The position (job title), or empty.
    #[serde(default)]
    pub position: String,
    /// The user's language (`en`, `de`, ...).
    #[serde(default)]
    pub locale: String,
    /// The system roles, space-separated (`system_user`, `system_admin system_user`,
    /// `system_guest`).
    #[serde(default)]
    pub roles: String,
    /// A bot's description, or empty.
    #[serde(default)]
    pub bot_description: String,
    /// When the account was deactivated; `None` for an active account (`0`).
    #[serde(default, with = "super::status::millis")]
    pub delete_at: Option<std::time::SystemTime>,
    /// `props.customStatus` as the server stores it (a JSON string), when set: read it
    /// with [`custom_status`](Self::custom_status).
    #[serde(skip)]
    custom_status_json: Option<String>,
}

impl User {
    /// `false` once the account is deactivated (`delete_at` set).
    pub fn is_active(&self) -> bool {
        self.delete_at.is_none()
    }

    /// `true` for a guest account (the role `system_guest`).
    pub fn is_guest(&self) -> bool {
        self.roles.split(' ').any(|r| r == "system_guest")
    }

    /// `true` for a system admin (the role `system_admin`).
    pub fn is_system_admin(&self) -> bool {
        self.roles.split(' ').any(|r| r == "system_admin")
    }

    /// The user's custom status (`props.customStatus`), decoded as
    /// [`CustomStatus`](crate::CustomStatus) is elsewhere; a value this crate cannot
    /// read in full keeps what can be read (the raw text is
    /// [`custom_status_json`](Self::custom_status_json)). `None` when none is set.
    /// Expiry is not applied: see [`CustomStatus::expires_at`](crate::CustomStatus).
    pub fn custom_status(&self) -> Option<crate::CustomStatus> {
        let json = self.custom_status_json.as_ref()?;
        super::custom_status::decode(Some(&serde_json::Value::String(json.clone()))).custom_status
    }

    /// `props.customStatus` as the server stores it (a JSON string), when set.
    pub fn custom_status_json(&self) -> Option<&str> {
        self.custom_status_json.as_deref()
    }
}

/// [`User`]'s derived decoding, field for field (the compiler checks that they match);
/// reached only through a map, see `object_only`.
#[derive(Deserialize)]
#[serde(remote = "User")]
struct UserObject {
    id: UserId,
    username: String,
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    email: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    roles: String,
    #[serde(default)]
    bot_description: String,
    #[serde(default, with = "super::status::millis")]
    delete_at: Option<std::time::SystemTime>,
    #[serde(default, rename = "props", deserialize_with = "custom_status_of_props")]
    custom_status_json: Option<String>,
}

/// `props.customStatus` of a user's `props` (a JSON string; `""` or absent: none).
fn custom_status_of_props<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<Option<String>, D::Error> {
    let props: Option<serde_json::Map<String, serde_json::Value>> = Option::deserialize(de)?;
    Ok(props
        .as_ref()
        .and_then(|p| super::custom_status::decode(p.get("customStatus")).json))
}

super::object_only!(User, "a User object", via UserObject);

/// A user named as people name them: an id, `me`, or a username (`alice` or `@alice`).
///
/// Parsing decides by the form: `me` is [`UserId::me()`]; 26 characters of `a-z0-9` are
/// an id; anything else is a username, checked the way the server checks usernames
/// (`model.IsValidUsername`: 1 to 64 characters of `a-z`, `0-9`, `.`, `-`, `_`, and
/// `:` for users of a shared-channels remote; not `all`, `channel`, `matterbot` or
/// `system`). A leading `@` always means a username (so `@` + 26 such characters is a
/// username, not an id), and capitals are lowered, as the server lowers every username
/// it saves (`model.NormalizeUsername`).
///
/// Usernames become ids with [`GetUsersByUsernames`](crate::GetUsersByUsernames).
///
/// ```
/// use mattermost_status::{UserId, UserRef};
///
/// assert_eq!("me".parse::<UserRef>()?, UserRef::Id(UserId::me()));
/// assert_eq!("@Alice".parse::<UserRef>()?, UserRef::Username("alice".into()));
/// assert!(matches!("4xp9fdt77pncbef59f4k1qe83o".parse::<UserRef>()?, UserRef::Id(_)));
/// assert!("al ice".parse::<UserRef>().is_err());
/// # Ok::<(), mattermost_status::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum UserRef {
    /// An id, or `me`.
    Id(UserId),
    /// A checked username: lowercase, without `@`.
    Username(String),
}

impl UserRef {
    /// Parses `s` (see the type's docs); errors name the field `user`.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if let Some(name) = s.strip_prefix('@') {
            return normalize_username(name, "user").map(UserRef::Username);
        }
        if let Ok(id) = UserId::parse(s) {
            return Ok(UserRef::Id(id));
        }
        normalize_username(s, "user").map(UserRef::Username)
    }

    /// The username, if this is one.
    pub fn username(&self) -> Option<&str> {
        match self {
            UserRef::Username(name) => Some(name),
            UserRef::Id(_) => None,
        }
    }
}

impl FromStr for UserRef {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl fmt::Display for UserRef {
    /// An id (or `me`) as is; a username with its `@`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserRef::Id(id) => fmt::Display::fmt(id, f),
            UserRef::Username(name) => write!(f, "@{name}"),
        }
    }
}

impl From<UserId> for UserRef {
    fn from(id: UserId) -> Self {
        UserRef::Id(id)
    }
}

/// The username as the server stores it (lowercase, no `@`), or why the server could not
/// have such a user. The reason quotes the value only once it is known to be short.
pub(crate) fn normalize_username(s: &str, field: &'static str) -> Result<String, ParseError> {
    let name = s.strip_prefix('@').unwrap_or(s);
    if name.is_empty() {
        return Err(ParseError::new(field, "the username is empty"));
    }
    if name.len() > USERNAME_MAX_LEN {
        return Err(ParseError::new(
            field,
            format!(
                "a username has at most {USERNAME_MAX_LEN} characters; this one has {}",
                name.chars().count()
            ),
        ));
    }
    let name = name.to_ascii_lowercase();
    if let Some((i, c)) = name.char_indices().find(|&(_, c)| {
        !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | ':'))
    }) {
        return Err(ParseError::new(
            field,
            format!(
                "{} is not a username: {c:?} at position {} (a username has only \
                 a-z, 0-9, '.', '-' and '_'), and not a 26-character id or `me`",
                quoted(&name),
                name[..i].chars().count() + 1
            ),
        ));
    }
    if RESTRICTED_USERNAMES.contains(&name.as_str()) {
        return Err(ParseError::new(
            field,
            format!(
                "{} is reserved by the server: no user has that name",
                quoted(&name)
            ),
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_object_is_a_user() {
        let array = r#"["4xp9fdt77pncbef59f4k1qe83o","alice","","","",false]"#;
        let err = serde_json::from_str::<User>(array).unwrap_err();
        assert!(err.to_string().contains("expected a User object"), "{err}");
        let user: User =
            serde_json::from_str(r#"{"id":"4xp9fdt77pncbef59f4k1qe83o","username":"alice"}"#)
                .unwrap();
        assert_eq!(user.username, "alice");
    }

    #[test]
    fn usernames_follow_the_server_rules() {
        assert_eq!(
            normalize_username("Bob.Smith-2_x", "u").unwrap(),
            "bob.smith-2_x"
        );
        assert_eq!(normalize_username("@alice", "u").unwrap(), "alice");
        assert_eq!(
            normalize_username("alice:remote", "u").unwrap(),
            "alice:remote"
        );
        assert!(normalize_username(&"a".repeat(64), "u").is_ok());
        for bad in [
            "",
            "@",
            "al ice",
            "alicé",
            "a/b",
            "all",
            "@System",
            &"a".repeat(65),
        ] {
            assert!(normalize_username(bad, "u").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_reference_is_an_id_me_or_a_username() {
        let id = "4xp9fdt77pncbef59f4k1qe83o";
        assert_eq!(
            UserRef::parse(id).unwrap(),
            UserRef::Id(id.parse().unwrap())
        );
        assert_eq!(
            UserRef::parse(&format!("@{id}")).unwrap(),
            UserRef::Username(id.to_owned())
        );
        assert_eq!(UserRef::parse("me").unwrap(), UserRef::Id(UserId::me()));
        assert_eq!(
            UserRef::parse("@me").unwrap(),
            UserRef::Username("me".into())
        );
        assert_eq!(UserRef::parse("bob").unwrap().to_string(), "@bob");
        let err = UserRef::parse("no way").unwrap_err();
        assert_eq!(err.field(), "user", "{err}");
    }
}
