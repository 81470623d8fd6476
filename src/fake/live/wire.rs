//! The websocket's JSON as the server writes it (`model/websocket_message.go`): events
//! (`webSocketEventJSON`, and the precomputed form the hub's broadcasts take) and
//! responses (`WebSocketResponse`).

use crate::fake::gojson::{go_string, push_go_string};

/// `WebsocketBroadcast`: who an event is for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Broadcast {
    /// `omit_users`; `None` is Go's nil map (`null`).
    pub(crate) omit_users: Option<Vec<String>>,
    pub(crate) user_id: String,
    pub(crate) channel_id: String,
    pub(crate) team_id: String,
    pub(crate) connection_id: String,
    pub(crate) omit_connection_id: String,
    pub(crate) contains_sanitized_data: bool,
    pub(crate) contains_sensitive_data: bool,
    /// Not on the wire: the guests `ShouldSendEventToGuest` keeps the event from (for a
    /// `user_updated`, those who may not see the user, `UserCanSeeOtherUser`).
    pub(crate) hidden_from_guests: Vec<String>,
}

impl Broadcast {
    /// `NewWebSocketEvent(event, "", "", userID, nil, "")`'s broadcast.
    pub(crate) fn to_user(user_id: &str) -> Self {
        Broadcast {
            user_id: user_id.to_owned(),
            ..Broadcast::default()
        }
    }

    /// The struct as `json.Marshal` writes it (fields in declaration order, the two flags
    /// `omitempty`, the map's keys sorted).
    fn encode(&self) -> String {
        let mut out = String::from("{\"omit_users\":");
        match &self.omit_users {
            None => out.push_str("null"),
            Some(users) => {
                let mut users = users.clone();
                users.sort();
                users.dedup();
                out.push('{');
                for (i, u) in users.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_go_string(&mut out, u);
                    out.push_str(":true");
                }
                out.push('}');
            }
        }
        for (name, value) in [
            ("user_id", &self.user_id),
            ("channel_id", &self.channel_id),
            ("team_id", &self.team_id),
            ("connection_id", &self.connection_id),
            ("omit_connection_id", &self.omit_connection_id),
        ] {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
            push_go_string(&mut out, value);
        }
        if self.contains_sanitized_data {
            out.push_str(",\"contains_sanitized_data\":true");
        }
        if self.contains_sensitive_data {
            out.push_str(",\"contains_sensitive_data\":true");
        }
        out.push('}');
        out
    }
}

/// A `WebSocketEvent` before the write pump gives it its sequence number.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    /// The event type (`status_change`, `user_updated`, `hello`).
    pub(crate) event: &'static str,
    /// `data` as `json.Marshal` writes a `map[string]any`: keys sorted.
    pub(crate) data: String,
    pub(crate) broadcast: Broadcast,
    /// Published through the hub, which calls `PrecomputeJSON`: written by
    /// `precomputedJSONBuf` (`{"event": ..., "data": ..., "broadcast": ..., "seq": N}`,
    /// with its spaces and no newline). Otherwise (`hello`, queued straight onto the
    /// connection) written by `json.Encoder`: compact, then a newline.
    pub(crate) precomputed: bool,
}

impl Event {
    /// The frame's text with sequence number `seq`.
    pub(crate) fn render(&self, seq: i64) -> String {
        let event = go_string(self.event);
        let broadcast = self.broadcast.encode();
        if self.precomputed {
            format!(
                "{{\"event\": {event}, \"data\": {}, \"broadcast\": {broadcast}, \"seq\": {seq}}}",
                self.data
            )
        } else {
            format!(
                "{{\"event\":{event},\"data\":{},\"broadcast\":{broadcast},\"seq\":{seq}}}\n",
                self.data
            )
        }
    }
}

/// A JSON object from `(key, JSON value)` pairs, keys sorted as Go writes a map.
pub(crate) fn go_map(mut pairs: Vec<(String, String)>) -> String {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs.dedup_by(|a, b| a.0 == b.0);
    let mut out = String::from("{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_go_string(&mut out, k);
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

/// A Mattermost `AppError` as a websocket reply carries it (`detailed_error` wiped, no
/// `request_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WsError {
    pub(crate) id: &'static str,
    pub(crate) message: String,
    pub(crate) status_code: u16,
}

impl WsError {
    pub(crate) fn new(id: &'static str, message: impl Into<String>, status_code: u16) -> Self {
        WsError {
            id,
            message: message.into(),
            status_code,
        }
    }

    /// `NewInvalidWebSocketParamError(action, name)`.
    pub(crate) fn invalid_param(name: &str) -> Self {
        WsError::new(
            "api.websocket_handler.invalid_param.app_error",
            format!("Invalid {name} parameter."),
            400,
        )
    }
}

/// A `WebSocketResponse`, written by `json.Encoder` (compact, then a newline).
pub(crate) fn response(seq_reply: i64, result: Result<Option<String>, WsError>) -> String {
    let mut out = String::new();
    match &result {
        Ok(_) => out.push_str("{\"status\":\"OK\""),
        Err(_) => out.push_str("{\"status\":\"FAIL\""),
    }
    // `seq_reply,omitempty`.
    if seq_reply != 0 {
        out.push_str(&format!(",\"seq_reply\":{seq_reply}"));
    }
    match result {
        // `data,omitempty`: nil or an empty map are left out.
        Ok(Some(data)) if data != "{}" => {
            out.push_str(",\"data\":");
            out.push_str(&data);
        }
        Ok(_) => {}
        Err(e) => {
            out.push_str(&format!(
                ",\"error\":{{\"id\":{},\"message\":{},\"detailed_error\":\"\",\"status_code\":{}}}",
                go_string(e.id),
                go_string(&e.message),
                e.status_code
            ));
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_written_as_the_server_writes_them() {
        let ev = Event {
            event: "status_change",
            data: go_map(vec![
                ("user_id".into(), go_string("u")),
                ("status".into(), go_string("away")),
            ]),
            broadcast: Broadcast::to_user("u"),
            precomputed: true,
        };
        assert_eq!(
            ev.render(3),
            "{\"event\": \"status_change\", \"data\": {\"status\":\"away\",\"user_id\":\"u\"}, \"broadcast\": {\"omit_users\":null,\"user_id\":\"u\",\"channel_id\":\"\",\"team_id\":\"\",\"connection_id\":\"\",\"omit_connection_id\":\"\"}, \"seq\": 3}"
        );
        let hello = Event {
            precomputed: false,
            event: "hello",
            ..ev
        };
        assert!(hello
            .render(0)
            .starts_with("{\"event\":\"hello\",\"data\":{"));
        assert!(hello.render(0).ends_with(",\"seq\":0}\n"));
    }

    #[test]
    fn responses_leave_out_what_go_omits() {
        assert_eq!(
            response(2, Ok(None)),
            "{\"status\":\"OK\",\"seq_reply\":2}\n"
        );
        assert_eq!(
            response(2, Ok(Some("{}".into()))),
            "{\"status\":\"OK\",\"seq_reply\":2}\n"
        );
        assert_eq!(
            response(0, Err(WsError::new("x", "m", 400))),
            "{\"status\":\"FAIL\",\"error\":{\"id\":\"x\",\"message\":\"m\",\"detailed_error\":\"\",\"status_code\":400}}\n"
        );
    }
}
