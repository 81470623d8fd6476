//! [`UserId`]: a Mattermost user id that has been checked, or the `me` alias.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{quoted, ParseError};

const ID_LEN: usize = 26;

/// A Mattermost user id, checked the way the server checks it, or the `me` alias.
///
/// A real id is exactly 26 characters from `a-z` and `0-9`: the form of every id the
/// server makes (`model.NewId`). Anything else is refused when parsed, so an invalid id
/// can never reach a URL path. This is slightly stricter than the server's own check
/// (`model.IsValidId` takes any 26 bytes of Unicode letters and digits, capitals
/// included), on purpose: such a string cannot be the id of any user, and the server
/// would answer it as a user without a status rather than as an error. [`UserId::me()`] stands for the token's own user wherever the server
/// accepts it: in every URL path. Where the server does *not* accept it (in the body of
/// a status update, in the list of [`GetStatusesByIds`](crate::GetStatusesByIds)) the crate
/// says so, or resolves it, as each request documents.
///
/// `UserId` is `Copy`: it holds its 26 bytes inline.
///
/// ```
/// use mattermost_status::UserId;
///
/// let id: UserId = "4xp9fdt77pncbef59f4k1qe83o".parse()?;
/// assert_eq!(id.as_str(), "4xp9fdt77pncbef59f4k1qe83o");
/// assert!(UserId::me().is_me());
/// assert_eq!(UserId::me().to_string(), "me");
///
/// let err = UserId::parse("4XP9FDT77PNCBEF59F4K1QE83O").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid user_id: \"4XP9FDT77PNCBEF59F4K1QE83O\" has a character other than a-z and 0-9 \
///      at position 2"
/// );
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(Repr);

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Repr {
    Id([u8; ID_LEN]),
    Me,
}

impl UserId {
    /// The `me` alias: the user the session's token belongs to.
    pub const fn me() -> Self {
        UserId(Repr::Me)
    }

    /// Checks `s` as the server does. `"me"` gives [`UserId::me()`].
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Self::parse_with_field(s, "user_id")
    }

    pub(crate) fn parse_with_field(s: &str, field: &'static str) -> Result<Self, ParseError> {
        if s == "me" {
            return Ok(Self::me());
        }
        // The common case, a valid id: one pass over 26 bytes.
        if let Ok(bytes) = <[u8; ID_LEN]>::try_from(s.as_bytes()) {
            // Branch-free over the bytes (the compiler vectorizes it).
            let valid = bytes.iter().fold(true, |ok, &c| {
                ok & ((c.wrapping_sub(b'a') < 26) | (c.wrapping_sub(b'0') < 10))
            });
            if valid {
                return Ok(UserId(Repr::Id(bytes)));
            }
        }
        let len = s.chars().count();
        if len != ID_LEN {
            return Err(ParseError::new(
                field,
                format!(
                    "{} is {len} characters long; a Mattermost id has exactly {ID_LEN} (or use `me`)",
                    quoted(s)
                ),
            ));
        }
        let mut bytes = [0u8; ID_LEN];
        for (i, (slot, c)) in bytes.iter_mut().zip(s.bytes()).enumerate() {
            if !(c.is_ascii_lowercase() || c.is_ascii_digit()) {
                return Err(ParseError::new(
                    field,
                    format!(
                        "{} has a character other than a-z and 0-9 at position {}",
                        quoted(s),
                        i + 1
                    ),
                ));
            }
            *slot = c;
        }
        Ok(UserId(Repr::Id(bytes)))
    }

    /// `true` for the `me` alias.
    pub const fn is_me(&self) -> bool {
        matches!(self.0, Repr::Me)
    }

    /// The id as it goes into a URL path: 26 characters, or `me`.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only ASCII lowercase letters and digits are ever stored.
            Repr::Id(bytes) => std::str::from_utf8(bytes).unwrap_or_default(),
            Repr::Me => "me",
        }
    }
}

impl FromStr for UserId {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for UserId {
    type Error = ParseError;

    fn try_from(s: &str) -> Result<Self, ParseError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for UserId {
    type Error = ParseError;

    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}

impl AsRef<str> for UserId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({:?})", self.as_str())
    }
}

impl Serialize for UserId {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        // A visitor, not `Cow<str>`: serde's `Cow` always allocates; this never does.
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = UserId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Mattermost user id (26 characters from a-z and 0-9)")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<UserId, E> {
                UserId::parse(s).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_the_server_alphabet() {
        assert!(UserId::parse("abcdefghijklmnopqrstuvwxyz").is_ok());
        assert!(UserId::parse("0123456789abcdef0123456789").is_ok());
        for bad in [
            "",
            "ME",
            "abcdefghijklmnopqrstuvwxy",
            "abcdefghijklmnopqrstuvwxyz0",
            "abcdefghijklmnopqrstuvwxy_",
            "abcdefghijklmnopqrstuvwxy/",
            "Abcdefghijklmnopqrstuvwxyz",
            "abcdefghijklmnopqrstuvwxyé",
        ] {
            assert!(UserId::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn serde_round_trip() {
        let id = UserId::parse("4xp9fdt77pncbef59f4k1qe83o").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"4xp9fdt77pncbef59f4k1qe83o\"");
        assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<UserId>("\"x\"").is_err());
    }
}
