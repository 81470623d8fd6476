//! [`Status`] and [`StatusKind`]: what the server says about a user's presence.

use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::time;
use super::UserId;

/// A user's presence, as the server names it.
///
/// Decoding never fails on a value this crate does not know: a newer server's value is
/// kept in [`StatusKind::Other`]. Only `online`, `away`, `offline` and `dnd` can be *set*
/// (see [`UpdateStatus`](crate::UpdateStatus)).
///
/// ```
/// use mattermost_status::StatusKind;
///
/// assert_eq!("dnd".parse::<StatusKind>().unwrap(), StatusKind::Dnd);
/// assert_eq!(StatusKind::from("busy"), StatusKind::Other("busy".into()));
/// assert_eq!(StatusKind::OutOfOffice.as_str(), "ooo");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusKind {
    /// `online`: active, or set online by hand (which returns it to automatic).
    Online,
    /// `away`.
    Away,
    /// `offline`. Also what the server answers for ids it has no status for.
    Offline,
    /// `dnd`: Do Not Disturb.
    Dnd,
    /// `ooo`: out of office, set by the server's auto-responder; cannot be set through
    /// this API.
    OutOfOffice,
    /// Any other value the server sent, kept as it was.
    Other(String),
}

impl StatusKind {
    /// The server's name for this status.
    pub fn as_str(&self) -> &str {
        match self {
            StatusKind::Online => "online",
            StatusKind::Away => "away",
            StatusKind::Offline => "offline",
            StatusKind::Dnd => "dnd",
            StatusKind::OutOfOffice => "ooo",
            StatusKind::Other(s) => s,
        }
    }

    /// `true` for the four values the server accepts in a status update.
    pub fn is_settable(&self) -> bool {
        matches!(
            self,
            StatusKind::Online | StatusKind::Away | StatusKind::Offline | StatusKind::Dnd
        )
    }
}

impl From<&str> for StatusKind {
    fn from(s: &str) -> Self {
        match s {
            "online" => StatusKind::Online,
            "away" => StatusKind::Away,
            "offline" => StatusKind::Offline,
            "dnd" => StatusKind::Dnd,
            "ooo" => StatusKind::OutOfOffice,
            other => StatusKind::Other(other.to_owned()),
        }
    }
}

impl From<String> for StatusKind {
    fn from(s: String) -> Self {
        match StatusKind::from(s.as_str()) {
            StatusKind::Other(_) => StatusKind::Other(s),
            known => known,
        }
    }
}

impl std::str::FromStr for StatusKind {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(StatusKind::from(s))
    }
}

impl fmt::Display for StatusKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for StatusKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StatusKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor, not `Cow<str>`: serde's `Cow` always allocates; this allocates only
        // for a value the crate does not know.
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = StatusKind;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a status string")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<StatusKind, E> {
                Ok(StatusKind::from(s))
            }

            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<StatusKind, E> {
                Ok(StatusKind::from(s))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// A user's status, as the server returns it.
///
/// Field by field as the server's `model.Status`, with the times turned into
/// [`SystemTime`]: `last_activity_at` is milliseconds on the wire, `dnd_end_time` is
/// *seconds* (the server stores it truncated down to the whole minute); `0` on the wire is
/// `None` here, both ways. Unknown fields are ignored.
///
/// ```
/// use mattermost_status::{Status, StatusKind};
///
/// let status: Status = serde_json::from_str(r#"{
///     "user_id": "4xp9fdt77pncbef59f4k1qe83o", "status": "dnd", "manual": true,
///     "last_activity_at": 1700000000123, "dnd_end_time": 1700003600
/// }"#)?;
/// assert_eq!(status.status, StatusKind::Dnd);
/// assert!(status.dnd_end().is_some());
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// Only a JSON object decodes as a `Status`: `["<id>","dnd"]` is an error, not a status.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Status {
    /// The user this status belongs to.
    pub user_id: UserId,
    /// The presence.
    pub status: StatusKind,
    /// `true` when set by hand, `false` when it follows the user's activity.
    #[serde(default)]
    pub manual: bool,
    /// When the user was last active; `None` when the server has no activity (`0`).
    #[serde(default, with = "millis")]
    pub last_activity_at: Option<SystemTime>,
    /// The end time the server stores for Do Not Disturb (whole minutes); `None` for
    /// none (`0`). The server keeps it after DND is left by hand, so it can be set on a
    /// status that is no longer DND: read [`dnd_end`](Status::dnd_end) for when the
    /// current DND ends.
    #[serde(default, with = "seconds")]
    pub dnd_end_time: Option<SystemTime>,
    /// The channel the user is viewing. The server clears it in REST answers; kept for
    /// completeness.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "empty_is_none"
    )]
    pub active_channel: Option<String>,
}

/// [`Status`]'s derived decoding, field for field (the compiler checks that they match);
/// reached only through a map, see `object_only`.
#[derive(Deserialize)]
#[serde(remote = "Status")]
struct StatusObject {
    user_id: UserId,
    status: StatusKind,
    #[serde(default)]
    manual: bool,
    #[serde(default, with = "millis")]
    last_activity_at: Option<SystemTime>,
    #[serde(default, with = "seconds")]
    dnd_end_time: Option<SystemTime>,
    #[serde(default, with = "empty_is_none")]
    active_channel: Option<String>,
}

super::object_only!(Status, "a Status object", via StatusObject);

impl Status {
    /// When the current Do Not Disturb ends by itself: `Some` only while the status is
    /// [`Dnd`](StatusKind::Dnd) with an end time. The server leaves a stale
    /// `dnd_end_time` behind when DND is left by hand; this ignores it.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use mattermost_status::{Status, StatusKind, UserId};
    ///
    /// let id = UserId::parse("4xp9fdt77pncbef59f4k1qe83o")?;
    /// let end = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_003_640);
    /// let mut status = Status::new(id, StatusKind::Dnd);
    /// status.dnd_end_time = Some(end);
    /// assert_eq!(status.dnd_end(), Some(end));
    /// status.status = StatusKind::Online; // left by hand: the server keeps the old end
    /// assert_eq!(status.dnd_end(), None);
    /// # Ok::<(), mattermost_status::ParseError>(())
    /// ```
    pub fn dnd_end(&self) -> Option<SystemTime> {
        match self.status {
            StatusKind::Dnd => self.dnd_end_time,
            _ => None,
        }
    }

    /// A status as the server writes one: used by tests and test doubles.
    pub fn new(user_id: UserId, status: StatusKind) -> Self {
        Status {
            user_id,
            status,
            manual: false,
            last_activity_at: None,
            dnd_end_time: None,
            active_channel: None,
        }
    }
}

/// `Option<SystemTime>` as Unix milliseconds, `0` for none (the server's `int64` times).
pub(crate) mod millis {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(t.map_or(0, time::unix_millis))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        Ok(time::from_unix_millis(i64::deserialize(d)?))
    }
}

mod seconds {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(t.map_or(0, time::unix_seconds))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        Ok(time::from_unix_seconds(i64::deserialize(d)?))
    }
}

mod empty_is_none {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.as_deref().unwrap_or_default())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let v = Option::<String>::deserialize(d)?;
        Ok(v.filter(|s| !s.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_server_shape_and_tolerates_news() {
        let s: Status = serde_json::from_str(
            r#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"focus","manual":false,
                "last_activity_at":0,"dnd_end_time":0,"active_channel":"","extra":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(s.status, StatusKind::Other("focus".into()));
        assert_eq!(s.last_activity_at, None);
        assert_eq!(s.dnd_end_time, None);
        assert_eq!(s.active_channel, None);
    }

    #[test]
    fn only_an_object_is_a_status() {
        for not_an_object in [
            r#"["4xp9fdt77pncbef59f4k1qe83o","dnd"]"#,
            r#"["4xp9fdt77pncbef59f4k1qe83o","dnd",true,0,0,""]"#,
            "null",
            "\"dnd\"",
        ] {
            let err = serde_json::from_str::<Status>(not_an_object).unwrap_err();
            assert!(
                err.to_string().contains("expected a Status object"),
                "{err}"
            );
        }
        let cs = serde_json::from_str::<crate::CustomStatus>(r#"["calendar","x","",""]"#);
        assert!(cs.is_err());
    }

    #[test]
    fn serializes_the_server_shape() {
        let mut s = Status::new(
            UserId::parse("4xp9fdt77pncbef59f4k1qe83o").unwrap(),
            StatusKind::Dnd,
        );
        s.manual = true;
        s.last_activity_at = time::from_unix_millis(1_700_000_000_123);
        s.dnd_end_time = time::from_unix_seconds(1_700_003_640);
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"dnd","manual":true,"last_activity_at":1700000000123,"dnd_end_time":1700003640}"#
        );
    }
}
