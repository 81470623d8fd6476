//! [`CustomStatus`] and [`CustomStatusDuration`]: the emoji-and-text status.

use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::time;

/// The most characters (Unicode scalar values, Go's runes) the server keeps of a custom
/// status text: it silently cuts longer texts to this length.
pub const CUSTOM_STATUS_TEXT_MAX_CHARS: usize = 100;

/// How long a custom status lasts, as the web app's menu offers it.
///
/// Each value goes with an explicit `expires_at` the client computes (the server only
/// checks that it is not in the past); the value itself tells the apps how to describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CustomStatusDuration {
    /// `thirty_minutes`.
    ThirtyMinutes,
    /// `one_hour`.
    OneHour,
    /// `four_hours`.
    FourHours,
    /// `today`: until the end of the user's day.
    Today,
    /// `this_week`: until the end of the user's week.
    ThisWeek,
    /// `date_and_time`: until a chosen time.
    DateAndTime,
}

impl CustomStatusDuration {
    /// All six values, in the web app's menu order.
    pub const ALL: [CustomStatusDuration; 6] = [
        CustomStatusDuration::ThirtyMinutes,
        CustomStatusDuration::OneHour,
        CustomStatusDuration::FourHours,
        CustomStatusDuration::Today,
        CustomStatusDuration::ThisWeek,
        CustomStatusDuration::DateAndTime,
    ];

    /// The server's name for the value.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomStatusDuration::ThirtyMinutes => "thirty_minutes",
            CustomStatusDuration::OneHour => "one_hour",
            CustomStatusDuration::FourHours => "four_hours",
            CustomStatusDuration::Today => "today",
            CustomStatusDuration::ThisWeek => "this_week",
            CustomStatusDuration::DateAndTime => "date_and_time",
        }
    }
}

impl std::str::FromStr for CustomStatusDuration {
    type Err = crate::ParseError;

    fn from_str(s: &str) -> Result<Self, crate::ParseError> {
        CustomStatusDuration::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                crate::ParseError::new(
                    "duration",
                    format!(
                        "{} is not one of thirty_minutes, one_hour, four_hours, today, \
                         this_week, date_and_time",
                        crate::error::quoted(s)
                    ),
                )
            })
    }
}

impl fmt::Display for CustomStatusDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A custom status: an emoji, a text, and when it ends.
///
/// Serialized exactly as the server's Go `model.CustomStatus` is: all four fields, in
/// its order, `duration` as `""` when `None`, and `expires_at` as Go writes a UTC
/// `time.Time` (`2025-05-03T23:59:59.999Z`, or the zero value `0001-01-01T00:00:00Z` when
/// `None`). That exactness matters: the server finds a *recent* custom status to remove
/// by comparing these bytes.
///
/// To set the duration *and* compute its `expires_at` as Mattermost's apps do ("today"
/// ends at the user's midnight), use [`UpdateCustomStatus::lasting`](crate::UpdateCustomStatus::lasting) (the
/// [`expiry`](crate::expiry) module has the functions behind it).
///
/// ```
/// use mattermost_status::{CustomStatus, CustomStatusDuration};
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let cs = CustomStatus::new("In a meeting")
///     .emoji("calendar")
///     .duration(CustomStatusDuration::OneHour)
///     .expires_at(UNIX_EPOCH + Duration::from_millis(1_746_316_799_999));
/// assert_eq!(
///     serde_json::to_string(&cs)?,
///     r#"{"emoji":"calendar","text":"In a meeting","duration":"one_hour","expires_at":"2025-05-03T23:59:59.999Z"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// Only a JSON object decodes as one (see `object_only`); unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize)]
#[non_exhaustive]
pub struct CustomStatus {
    /// The emoji's name without colons (`calendar`), or empty.
    #[serde(default)]
    pub emoji: String,
    /// The text, or empty. The server keeps at most 100 characters.
    #[serde(default)]
    pub text: String,
    /// How the apps describe the duration; `None` is the server's `""`.
    #[serde(default, with = "duration_wire")]
    pub duration: Option<CustomStatusDuration>,
    /// When it ends; `None` is Go's zero time: it does not end by itself.
    #[serde(default, with = "expires_at_wire")]
    pub expires_at: Option<SystemTime>,
}

/// [`CustomStatus`]'s derived decoding, field for field (the compiler checks that they
/// match); reached only through a map, see `object_only`.
#[derive(Deserialize)]
#[serde(remote = "CustomStatus")]
struct CustomStatusObject {
    #[serde(default)]
    emoji: String,
    #[serde(default)]
    text: String,
    #[serde(default, with = "duration_wire")]
    duration: Option<CustomStatusDuration>,
    #[serde(default, with = "expires_at_wire")]
    expires_at: Option<SystemTime>,
}

super::object_only!(CustomStatus, "a CustomStatus object", via CustomStatusObject);

impl CustomStatus {
    /// A custom status with this text, no emoji, and no end.
    pub fn new(text: impl Into<String>) -> Self {
        CustomStatus {
            text: text.into(),
            ..CustomStatus::default()
        }
    }

    /// Sets the emoji name (without colons).
    pub fn emoji(mut self, emoji: impl Into<String>) -> Self {
        self.emoji = emoji.into();
        self
    }

    /// Sets the text.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    /// Sets the duration label.
    pub fn duration(mut self, duration: CustomStatusDuration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// Sets when it ends.
    pub fn expires_at(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }
}

mod duration_wire {
    use super::*;

    pub fn serialize<S: Serializer>(
        d: &Option<CustomStatusDuration>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(d.map_or("", CustomStatusDuration::as_str))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<CustomStatusDuration>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if s.is_empty() {
            return Ok(None);
        }
        s.parse().map(Some).map_err(serde::de::Error::custom)
    }
}

mod expires_at_wire {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&time::format_rfc3339(*t)),
            None => s.serialize_str(time::GO_ZERO_TIME),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        time::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_are_written_as_go_writes_them() {
        assert_eq!(
            serde_json::to_string(&CustomStatus::new("x")).unwrap(),
            r#"{"emoji":"","text":"x","duration":"","expires_at":"0001-01-01T00:00:00Z"}"#
        );
    }

    #[test]
    fn decodes_what_the_server_stores() {
        let cs: CustomStatus = serde_json::from_str(
            r#"{"emoji":"calendar","text":"Meeting","duration":"today","expires_at":"2025-05-03T23:59:59.999Z"}"#,
        )
        .unwrap();
        assert_eq!(cs.duration, Some(CustomStatusDuration::Today));
        assert_eq!(
            serde_json::to_string(&cs).unwrap(),
            r#"{"emoji":"calendar","text":"Meeting","duration":"today","expires_at":"2025-05-03T23:59:59.999Z"}"#
        );
        assert!(serde_json::from_str::<CustomStatus>(r#"{"duration":"forever"}"#).is_err());
        assert!(serde_json::from_str::<CustomStatus>(r#"{"expires_at":"tomorrow"}"#).is_err());
    }
}
