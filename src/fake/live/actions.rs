//! The websocket router (`app/platform/websocket_router.go`) and the actions the fake
//! answers (`wsapi/status.go`, `wsapi/user.go`, `wsapi/system.go`), with their errors as
//! `APIWebSocketHandler` sends them (`wsapi/websocket_handler.go`).

use serde_json::Value;

use super::conn::is_valid_id;
use super::wire::{go_map, response, WsError};
use crate::fake::gojson::{go_string, GoWebSocketRequest};
use crate::fake::store::State;

/// The request could not be decoded: the connection closes, nothing is answered.
#[derive(Debug)]
pub(crate) struct Undecodable;

impl State {
    /// One text frame from socket `key`.
    pub(crate) fn serve_request(&mut self, key: u64, text: &str) -> Result<(), Undecodable> {
        let req = GoWebSocketRequest::decode(text.as_bytes()).map_err(|_| Undecodable)?;
        // Actions for plugins are never answered by the router.
        if req.action.starts_with("custom_") {
            return Ok(());
        }
        self.route_request(key, &req)
    }

    fn route_request(&mut self, key: u64, req: &GoWebSocketRequest) -> Result<(), Undecodable> {
        if req.action.is_empty() {
            let e = WsError::new(
                "api.web_socket_router.no_action.app_error",
                "No websocket action.",
                400,
            );
            self.live.send_message(key, response(req.seq, Err(e)));
            return Ok(());
        }
        if req.seq <= 0 {
            let e = WsError::new(
                "api.web_socket_router.bad_seq.app_error",
                "Invalid sequence for WebSocket message.",
                400,
            );
            self.live.send_message(key, response(req.seq, Err(e)));
            return Ok(());
        }
        if req.action == "authentication_challenge" {
            return self.authentication_challenge(key, req);
        }
        if req.action == "presence" {
            // The connection's active channel, team or thread (which scope typing and
            // reactions; the fake has neither): OK, before the authentication check, and
            // dropped like every answer on a connection the hub does not hold.
            self.live.send_message(key, response(req.seq, Ok(None)));
            return Ok(());
        }
        let Some(sock) = self.live.sockets.get(&key) else {
            return Ok(());
        };
        let user = sock.user_id.clone();
        if !sock.has_token {
            let e = WsError::new(
                "api.web_socket_router.not_authenticated.app_error",
                "No authentication on WebSocket connection.",
                401,
            );
            self.live.send_message(key, response(req.seq, Err(e)));
            return Ok(());
        }
        let data = req.data.as_ref();
        let get = |name: &str| data.and_then(|d| d.get(name));
        let result = match req.action.as_str() {
            "get_statuses" => Ok(self.ws_get_statuses()),
            "get_statuses_by_ids" => self.ws_get_statuses_by_ids(get("user_ids")),
            "ping" => Ok(Some(self.ws_ping())),
            "user_typing" => user_typing(get("channel_id")),
            "user_update_active_status" => match get("user_is_active") {
                Some(Value::Bool(active)) => {
                    let manual = matches!(get("manual"), Some(Value::Bool(true)));
                    if *active {
                        self.set_status_online(&user, manual);
                    } else if manual {
                        self.set_status_away_manual(&user);
                    } else {
                        self.set_status_away_if_needed(&user);
                    }
                    Ok(None)
                }
                _ => Err(WsError::invalid_param("user_is_active")),
            },
            "posted_notify_ack" => Ok(None),
            _ => Err(WsError::new(
                "api.web_socket_router.bad_action.app_error",
                "Unknown WebSocket action.",
                500,
            )),
        };
        self.live.send_message(key, response(req.seq, result));
        Ok(())
    }

    /// The router's `authentication_challenge` branch.
    fn authentication_challenge(
        &mut self,
        key: u64,
        req: &GoWebSocketRequest,
    ) -> Result<(), Undecodable> {
        let Some(sock) = self.live.sockets.get(&key) else {
            return Ok(());
        };
        if sock.has_token {
            return Ok(()); // already authenticated: no answer at all
        }
        let connection_id = sock.connection_id.clone();
        let token = match req.data.as_ref().and_then(|d| d.get("token")) {
            Some(Value::String(t)) => t.clone(),
            // conn.WebSocket.Close(): abrupt.
            _ => return Err(Undecodable),
        };
        let Some(user) = self.user_by_token(&token) else {
            return Err(Undecodable);
        };
        let (user_id, admin) = (user.id.clone(), user.admin);
        let now = self.now_millis();
        if let Some(sock) = self.live.sockets.get_mut(&key) {
            sock.has_token = true;
            sock.user_id.clone_from(&user_id);
            sock.admin = admin;
        }
        let conn = super::conn::fresh_conn(&user_id, admin, &connection_id, now);
        self.live.register(key, conn);
        self.live.send_message(key, response(req.seq, Ok(None)));
        // SetStatusOnline(user, false), in a goroutine on the server: after the answer.
        self.set_status_online(&user_id, false);
        Ok(())
    }

    /// `getStatuses`: `StatusMapToInterfaceMap(GetAllStatuses())`, offline left out.
    fn ws_get_statuses(&self) -> Option<String> {
        if !self.enable_user_statuses {
            return None;
        }
        let pairs = self
            .all_statuses()
            .filter(|(_, s)| s.status != "offline")
            .map(|(id, s)| (id.clone(), go_string(&s.status)))
            .collect();
        Some(go_map(pairs))
    }

    /// `getStatusesByIds`: the string items of `user_ids`; none is an invalid param.
    fn ws_get_statuses_by_ids(&self, ids: Option<&Value>) -> Result<Option<String>, WsError> {
        let ids: Vec<String> = match ids {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        if ids.is_empty() {
            return Err(WsError::invalid_param("user_ids"));
        }
        let pairs = self
            .statuses_by_ids(&ids)
            .into_iter()
            .map(|(id, s)| (id, go_string(&s.status)))
            .collect();
        Ok(Some(go_map(pairs)))
    }

    /// `ping`.
    fn ws_ping(&self) -> String {
        go_map(vec![
            ("text".to_owned(), go_string("pong")),
            ("version".to_owned(), go_string(&current_version())),
            ("server_time".to_owned(), self.now_millis().to_string()),
            ("node_id".to_owned(), go_string("")),
        ])
    }
}

/// `userTyping`: a valid channel id the user may post in. The fake has no channels, so
/// every id is one the user cannot post in: `invalid_param` for `channel_id`.
fn user_typing(channel_id: Option<&Value>) -> Result<Option<String>, WsError> {
    // First the id's shape, then SessionHasPermissionToChannelContent(create_post): both
    // fail the same way, and with no channels the second always fails.
    let _shape_ok = matches!(channel_id, Some(Value::String(id)) if is_valid_id(id));
    Err(WsError::invalid_param("channel_id"))
}

/// `model.CurrentVersion`: the first three parts of the version id.
fn current_version() -> String {
    crate::fake::routes::VERSION_ID
        .split('.')
        .take(3)
        .collect::<Vec<_>>()
        .join(".")
}
