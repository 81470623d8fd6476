//! The server's websocket messages, read, and the client's actions, written.
//!
//! Server to client (`server/public/model/websocket_message.go`): an *event*
//! `{"event":..,"data":{..},"broadcast":{..},"seq":N}`, or a *response* to an action
//! `{"status":"OK"|"FAIL","seq_reply":N,"data":{..},"error":{..}}` (`seq_reply`, `data`
//! and `error` are `omitempty`; responses carry no `seq`). Client to server
//! (`model/websocket_request.go`): `{"seq":N,"action":..,"data":{..}}`; the server closes
//! the connection on a client message over 8192 bytes (`SocketMaxMessageSizeKb`).

use serde::Deserialize;

use crate::model::UserId;

/// The largest message the server reads from a client: 8192 bytes
/// (`model.SocketMaxMessageSizeKb`, which is misnamed); a larger one closes the
/// connection with 1009.
pub(crate) const CLIENT_MESSAGE_MAX: usize = 8192;

/// One message from the server.
#[derive(Debug)]
pub(crate) enum Incoming {
    Event(Event),
    Reply(Reply),
    /// JSON that is neither (skipped).
    Other,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Event {
    pub(crate) event: String,
    #[serde(default)]
    pub(crate) seq: Option<i64>,
    #[serde(default)]
    pub(crate) data: serde_json::Value,
    #[serde(default)]
    pub(crate) broadcast: Option<Broadcast>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Broadcast {
    #[serde(default)]
    pub(crate) user_id: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Reply {
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) seq_reply: Option<i64>,
    #[serde(default)]
    pub(crate) data: serde_json::Value,
    #[serde(default)]
    pub(crate) error: Option<ReplyError>,
}

/// The `AppError` of a `FAIL` response.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReplyError {
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) status_code: Option<u16>,
}

/// Reads one text message; `Err` when it is not JSON at all.
pub(crate) fn parse(text: &str) -> Result<Incoming, serde_json::Error> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    let Some(object) = value.as_object() else {
        return Ok(Incoming::Other);
    };
    if object
        .get("event")
        .is_some_and(serde_json::Value::is_string)
    {
        return Ok(serde_json::from_value(value)
            .map(Incoming::Event)
            .unwrap_or(Incoming::Other));
    }
    if object.contains_key("status") || object.contains_key("seq_reply") {
        return Ok(serde_json::from_value(value)
            .map(Incoming::Reply)
            .unwrap_or(Incoming::Other));
    }
    Ok(Incoming::Other)
}

/// `{"seq":N,"action":"ping"}`, as the web app sends it (no data).
pub(crate) fn ping(seq: i64) -> String {
    format!(r#"{{"seq":{seq},"action":"ping"}}"#)
}

/// The JSON bytes of a `get_statuses_by_ids` request without its ids: what is left of
/// [`CLIENT_MESSAGE_MAX`] for them.
const BATCH_OVERHEAD: usize =
    r#"{"seq":,"action":"get_statuses_by_ids","data":{"user_ids":[]}}"#.len() + 20; // the digits of an i64

/// Bytes of one id in the array: 26 characters, two quotes, one comma.
const BYTES_PER_ID: usize = 29;

/// The most ids in one `get_statuses_by_ids` message: 279, so that it stays under the
/// server's 8192-byte limit whatever its `seq`.
pub(crate) const IDS_PER_MESSAGE: usize = (CLIENT_MESSAGE_MAX - 1 - BATCH_OVERHEAD) / BYTES_PER_ID;

/// `{"seq":N,"action":"get_statuses_by_ids","data":{"user_ids":[..]}}`.
pub(crate) fn statuses_by_ids(seq: i64, ids: &[UserId]) -> String {
    let mut out = String::with_capacity(BATCH_OVERHEAD + ids.len() * BYTES_PER_ID);
    out.push_str(r#"{"seq":"#);
    out.push_str(&seq.to_string());
    out.push_str(r#","action":"get_statuses_by_ids","data":{"user_ids":["#);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(id.as_str());
        out.push('"');
    }
    out.push_str("]}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_batch_with_the_largest_seq_stays_under_the_servers_limit() {
        let id: UserId = "4xp9fdt77pncbef59f4k1qe83o".parse().unwrap();
        let ids = vec![id; IDS_PER_MESSAGE];
        let message = statuses_by_ids(i64::MIN, &ids);
        assert!(message.len() < CLIENT_MESSAGE_MAX, "{}", message.len());
        let more = vec![id; IDS_PER_MESSAGE + 1];
        assert!(statuses_by_ids(1, &more).len() + 20 >= CLIENT_MESSAGE_MAX - 29);
        let value: serde_json::Value = serde_json::from_str(&message).unwrap();
        assert_eq!(
            value["data"]["user_ids"].as_array().unwrap().len(),
            IDS_PER_MESSAGE
        );
    }

    #[test]
    fn events_replies_and_the_rest() {
        let hello =
            r#"{"event":"hello","data":{"connection_id":"c"},"broadcast":{"user_id":"u"},"seq":0}"#;
        assert!(matches!(parse(hello).unwrap(), Incoming::Event(e) if e.seq == Some(0)));
        let ok = "{\"status\":\"OK\",\"seq_reply\":3}\n";
        assert!(matches!(parse(ok).unwrap(), Incoming::Reply(r) if r.seq_reply == Some(3)));
        for other in ["[]", "1", r#"{"a":1}"#, r#"{"event":5}"#] {
            assert!(matches!(parse(other).unwrap(), Incoming::Other), "{other}");
        }
        assert!(parse("not json").is_err());
    }
}
