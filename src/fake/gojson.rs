//! The server's Go values, held and written the way Go holds and writes them.
//!
//! The real server keeps a custom status as a Go `model.CustomStatus` and finds a recent one
//! by comparing `json.Marshal` bytes, so the fake keeps what Go would keep: the strings as
//! sent (a `duration` it does not know stays as it was) and `expires_at` with the UTC
//! offset it was written with (`+02:00` stays `+02:00`, as a Go `time.Time` keeps its
//! location).

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::model::time::{format_rfc3339, parse_rfc3339, GO_ZERO_TIME};
use crate::model::{CustomStatus, CustomStatusDuration};

/// A Go `time.Time` as decoded from RFC 3339: an instant and the offset it was written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoTime {
    /// `None` is Go's zero time.
    instant: Option<SystemTime>,
    /// Seconds east of UTC.
    offset_secs: i64,
}

impl GoTime {
    pub(crate) const ZERO: GoTime = GoTime {
        instant: None,
        offset_secs: 0,
    };

    #[cfg(test)]
    pub(crate) fn utc(instant: Option<SystemTime>) -> Self {
        GoTime {
            instant,
            offset_secs: 0,
        }
    }

    /// Reads what Go's `time.Time.UnmarshalJSON` accepts (RFC 3339).
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let instant = parse_rfc3339(s)?;
        let b = s.as_bytes();
        let offset_secs = match b.len().checked_sub(6).map(|i| &b[i..]) {
            Some([sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]) => {
                let h = i64::from(h1 - b'0') * 10 + i64::from(h2 - b'0');
                let m = i64::from(m1 - b'0') * 10 + i64::from(m2 - b'0');
                let total = h * 3600 + m * 60;
                if *sign == b'-' {
                    -total
                } else {
                    total
                }
            }
            _ => 0,
        };
        Ok(GoTime {
            instant,
            offset_secs,
        })
    }

    pub(crate) fn instant(&self) -> Option<SystemTime> {
        self.instant
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.instant.is_none()
    }

    /// Go's `t.Before(now)`; the zero time is before every `now` the fake can have.
    pub(crate) fn before(&self, now: SystemTime) -> bool {
        self.instant.is_none_or(|t| t < now)
    }

    /// As Go's `encoding/json` writes it (`RFC3339Nano`): `Z` for UTC, else `±hh:mm`.
    pub(crate) fn encode(&self) -> String {
        let Some(t) = self.instant else {
            return GO_ZERO_TIME.to_owned();
        };
        if self.offset_secs == 0 {
            return format_rfc3339(t);
        }
        let shift = Duration::from_secs(self.offset_secs.unsigned_abs());
        let local = if self.offset_secs > 0 {
            t.checked_add(shift)
        } else {
            t.checked_sub(shift)
        };
        let Some(local) = local else {
            return format_rfc3339(t);
        };
        let mut out = format_rfc3339(local);
        out.pop(); // the `Z`
        let abs = self.offset_secs.unsigned_abs();
        let sign = if self.offset_secs < 0 { '-' } else { '+' };
        out.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60));
        out
    }
}

/// A custom status as the Go model holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GoCustomStatus {
    pub(crate) emoji: String,
    pub(crate) text: String,
    pub(crate) duration: String,
    pub(crate) expires_at: GoTime,
}

/// The six durations `AreDurationAndExpirationTimeValid` accepts.
const VALID_DURATIONS: [&str; 6] = [
    "thirty_minutes",
    "one_hour",
    "four_hours",
    "today",
    "this_week",
    "date_and_time",
];

/// What the server keeps of a custom status text: `CustomStatusTextMaxRunes`.
const TEXT_MAX_RUNES: usize = 100;

impl GoCustomStatus {
    /// `json.NewDecoder(body).Decode(&customStatus)`.
    pub(crate) fn decode(body: &[u8]) -> Result<Self, String> {
        let mut cs = GoCustomStatus {
            emoji: String::new(),
            text: String::new(),
            duration: String::new(),
            expires_at: GoTime::ZERO,
        };
        let Some(map) = decode_object(body, "model.CustomStatus")? else {
            return Ok(cs);
        };
        if let Some(v) = field(&map, "emoji") {
            set_string(&mut cs.emoji, v, "emoji")?;
        }
        if let Some(v) = field(&map, "text") {
            set_string(&mut cs.text, v, "text")?;
        }
        if let Some(v) = field(&map, "duration") {
            set_string(&mut cs.duration, v, "duration")?;
        }
        match field(&map, "expires_at") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                cs.expires_at = GoTime::parse(s).map_err(|e| {
                    format!("parsing time {s:?} as \"2006-01-02T15:04:05Z07:00\": {e}")
                })?
            }
            Some(_) => return Err("Time.UnmarshalJSON: input is not a JSON string".to_owned()),
        }
        Ok(cs)
    }

    /// `CustomStatus.AreDurationAndExpirationTimeValid`, with the fake's clock.
    pub(crate) fn duration_and_expiry_valid(&self, now: SystemTime) -> bool {
        if self.duration.is_empty() && (self.expires_at.is_zero() || !self.expires_at.before(now)) {
            return true;
        }
        VALID_DURATIONS.contains(&self.duration.as_str()) && !self.expires_at.before(now)
    }

    /// `CustomStatus.PreSave`, with the fake's clock.
    pub(crate) fn pre_save(&mut self, now: SystemTime) {
        if self.duration.is_empty() && !self.expires_at.before(now) {
            self.duration = "date_and_time".to_owned();
        }
        if let Some((cut, _)) = self.text.char_indices().nth(TEXT_MAX_RUNES) {
            self.text.truncate(cut);
        }
    }

    /// `json.Marshal(cs)`.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::with_capacity(96 + self.text.len());
        out.push_str("{\"emoji\":");
        push_go_string(&mut out, &self.emoji);
        out.push_str(",\"text\":");
        push_go_string(&mut out, &self.text);
        out.push_str(",\"duration\":");
        push_go_string(&mut out, &self.duration);
        out.push_str(",\"expires_at\":");
        push_go_string(&mut out, &self.expires_at.encode());
        out.push('}');
        out
    }

    /// The crate's view of it.
    pub(crate) fn to_public(&self) -> CustomStatus {
        let mut cs = CustomStatus::new(self.text.clone()).emoji(self.emoji.clone());
        cs.duration = self.duration.parse::<CustomStatusDuration>().ok();
        cs.expires_at = self.expires_at.instant();
        cs
    }
}

/// The parts of a status update body the handler reads (`model.Status`).
#[derive(Debug, Default)]
pub(crate) struct GoStatusBody {
    pub(crate) user_id: String,
    pub(crate) status: String,
    pub(crate) dnd_end_time: i64,
}

impl GoStatusBody {
    /// `json.NewDecoder(body).Decode(&status)`: every field of `model.Status` is type
    /// checked, even those the handler ignores.
    pub(crate) fn decode(body: &[u8]) -> Result<Self, String> {
        let mut st = GoStatusBody::default();
        let Some(map) = decode_object(body, "model.Status")? else {
            return Ok(st);
        };
        if let Some(v) = field(&map, "user_id") {
            set_string(&mut st.user_id, v, "user_id")?;
        }
        if let Some(v) = field(&map, "status") {
            set_string(&mut st.status, v, "status")?;
        }
        if let Some(v) = field(&map, "active_channel") {
            set_string(&mut String::new(), v, "active_channel")?;
        }
        if let Some(v) = field(&map, "manual") {
            if !matches!(v, Value::Bool(_) | Value::Null) {
                return Err(type_error(v, "manual", "bool"));
            }
        }
        if let Some(v) = field(&map, "last_activity_at") {
            set_int(&mut 0, v, "last_activity_at")?;
        }
        if let Some(v) = field(&map, "dnd_end_time") {
            set_int(&mut st.dnd_end_time, v, "dnd_end_time")?;
        }
        Ok(st)
    }
}

/// `model.SortedArrayFromJSON`: a JSON array of strings, sorted, duplicates dropped.
pub(crate) fn sorted_string_array(body: &[u8]) -> Result<Vec<String>, String> {
    let value = first_value(body)?;
    let mut out = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => out.push(s),
                    // Go leaves a null element as the zero value, "".
                    Value::Null => out.push(String::new()),
                    other => return Err(type_error(&other, "", "string")),
                }
            }
            out
        }
        other => return Err(type_error(&other, "", "[]string")),
    };
    out.sort();
    out.dedup();
    Ok(out)
}

/// Go's decoder reads the first JSON value and ignores what follows it; invalid UTF-8
/// inside strings becomes U+FFFD instead of an error.
fn first_value(body: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(body);
    let mut values = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
    match values.next() {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) if e.is_eof() => Err("unexpected EOF".to_owned()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("EOF".to_owned()),
    }
}

/// Decodes an object for a Go struct; `Ok(None)` for `null` (Go leaves the struct as is).
pub(crate) fn decode_object(
    body: &[u8],
    go_type: &str,
) -> Result<Option<Map<String, Value>>, String> {
    match first_value(body)? {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(type_error(&other, "", go_type)),
    }
}

/// Go matches JSON keys to struct fields without regard to case.
pub(crate) fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn set_string(slot: &mut String, v: &Value, name: &str) -> Result<(), String> {
    match v {
        Value::String(s) => {
            slot.clone_from(s);
            Ok(())
        }
        Value::Null => Ok(()),
        other => Err(type_error(other, name, "string")),
    }
}

fn set_int(slot: &mut i64, v: &Value, name: &str) -> Result<(), String> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => {
                *slot = i;
                Ok(())
            }
            None => Err(format!(
                "json: cannot unmarshal number {n} into Go struct field .{name} of type int64"
            )),
        },
        Value::Null => Ok(()),
        other => Err(type_error(other, name, "int64")),
    }
}

fn type_error(v: &Value, name: &str, go_type: &str) -> String {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if name.is_empty() {
        format!("json: cannot unmarshal {kind} into Go value of type {go_type}")
    } else {
        format!("json: cannot unmarshal {kind} into Go struct field .{name} of type {go_type}")
    }
}

/// A websocket request (`model.WebSocketRequest`: `seq`, `action`, `data`) as
/// `json.Decoder` reads it in `readPump`; an error closes the connection.
#[derive(Debug, Default)]
pub(crate) struct GoWebSocketRequest {
    pub(crate) seq: i64,
    pub(crate) action: String,
    /// `map[string]any`; `None` is Go's nil map.
    pub(crate) data: Option<Map<String, Value>>,
}

impl GoWebSocketRequest {
    pub(crate) fn decode(text: &[u8]) -> Result<Self, String> {
        let mut req = GoWebSocketRequest::default();
        let Some(map) = decode_object(text, "model.WebSocketRequest")? else {
            return Ok(req);
        };
        if let Some(v) = field(&map, "seq") {
            set_int(&mut req.seq, v, "seq")?;
        }
        if let Some(v) = field(&map, "action") {
            set_string(&mut req.action, v, "action")?;
        }
        match field(&map, "data") {
            None | Some(Value::Null) => {}
            Some(Value::Object(data)) => req.data = Some(data.clone()),
            Some(other) => return Err(type_error(other, "data", "map[string]interface {}")),
        }
        Ok(req)
    }
}

/// Appends `s` as Go's `encoding/json` writes a string (HTML-safe escaping on).
pub(crate) fn push_go_string(out: &mut String, s: &str) {
    use std::fmt::Write;

    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `s` as a Go JSON string.
pub(crate) fn go_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_go_string(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn go_time_keeps_the_offset_it_was_written_with() {
        for s in [
            "2030-01-01T02:00:00+02:00",
            "2030-01-01T00:00:00.5-03:30",
            "2030-01-01T00:00:00Z",
            GO_ZERO_TIME,
        ] {
            assert_eq!(GoTime::parse(s).unwrap().encode(), s);
        }
        assert_eq!(
            GoTime::parse("2030-01-01T00:00:00.120+00:00")
                .unwrap()
                .encode(),
            "2030-01-01T00:00:00.12Z"
        );
    }

    #[test]
    fn custom_status_decodes_and_encodes_like_go() {
        let cs = GoCustomStatus::decode(
            br#"{"EMOJI":"x","text":"a<b","expires_at":null,"other":1} trailing"#,
        )
        .unwrap();
        assert_eq!(
            cs.encode(),
            r#"{"emoji":"x","text":"a\u003cb","duration":"","expires_at":"0001-01-01T00:00:00Z"}"#
        );
        assert!(GoCustomStatus::decode(b"[]").is_err());
        assert!(GoCustomStatus::decode(br#"{"expires_at":"tomorrow"}"#).is_err());
        assert!(GoCustomStatus::decode(br#"{"text":1}"#).is_err());
        assert!(GoCustomStatus::decode(b"").is_err());
    }

    #[test]
    fn validity_and_presave_follow_the_go_model() {
        let now = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let mut cs = GoCustomStatus::decode(br#"{"text":"x"}"#).unwrap();
        assert!(cs.duration_and_expiry_valid(now));
        cs.duration = "one_hour".into();
        assert!(
            !cs.duration_and_expiry_valid(now),
            "a duration needs an end"
        );
        cs.expires_at = GoTime::utc(Some(now + Duration::from_secs(1)));
        assert!(cs.duration_and_expiry_valid(now));
        cs.duration = "forever".into();
        assert!(!cs.duration_and_expiry_valid(now));
        cs.duration.clear();
        cs.text = "é".repeat(120);
        cs.pre_save(now);
        assert_eq!(cs.duration, "date_and_time");
        assert_eq!(cs.text.chars().count(), 100);
    }

    #[test]
    fn status_body_type_checks_every_field() {
        let st =
            GoStatusBody::decode(br#"{"user_id":"u","status":"dnd","dnd_end_time":60}"#).unwrap();
        assert_eq!((st.user_id.as_str(), st.dnd_end_time), ("u", 60));
        assert!(GoStatusBody::decode(br#"{"manual":"yes"}"#).is_err());
        assert!(GoStatusBody::decode(br#"{"dnd_end_time":1.5}"#).is_err());
        assert!(GoStatusBody::decode(br#"{"last_activity_at":"0"}"#).is_err());
    }

    #[test]
    fn sorted_array_sorts_and_dedups() {
        assert_eq!(
            sorted_string_array(br#"["b","a","b"]"#).unwrap(),
            vec!["a".to_owned(), "b".to_owned()]
        );
        assert!(sorted_string_array(b"{}").is_err());
        assert!(sorted_string_array(b"[1]").is_err());
        assert_eq!(sorted_string_array(b"null").unwrap(), Vec::<String>::new());
    }
}
