//! The hub (`app/platform/web_hub.go`) and the state of each connection
//! (`app/platform/web_conn.go`): which connections are registered, their send queues,
//! dead queues and sequence numbers, who gets which event (`ShouldSendEvent`), and the
//! open sockets (so that they can be closed from outside).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::thread::JoinHandle;
use std::time::Instant;

use super::wire::{go_map, Broadcast, Event};
use super::LiveTimings;
use crate::fake::gojson::go_string;
use crate::fake::store::derived_id;
use crate::transport::Stream;

/// `sendQueueSize`.
pub(crate) const SEND_QUEUE_SIZE: usize = 256;
/// `sendSlowWarn`: from here on, typing and status events are dropped.
const SEND_SLOW_WARN: usize = SEND_QUEUE_SIZE * 50 / 100;
/// `deadQueueSize`.
pub(crate) const DEAD_QUEUE_SIZE: usize = 128;

/// What waits in a connection's send queue.
#[derive(Debug, Clone)]
pub(crate) enum Queued {
    /// An event: numbered when written.
    Event(Event),
    /// A response to a request, as written.
    Response(String),
}

/// An event as written, with its number (the dead queue keeps these).
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub(crate) seq: i64,
    pub(crate) text: String,
}

/// `WebConn`'s `deadQueue` and `deadQueuePointer`: a ring of the last events written.
#[derive(Debug, Clone)]
pub(crate) struct DeadQueue {
    slots: Vec<Option<Written>>,
    pointer: usize,
}

impl DeadQueue {
    pub(crate) fn new() -> Self {
        DeadQueue {
            slots: vec![None; DEAD_QUEUE_SIZE],
            pointer: 0,
        }
    }

    /// `addToDeadQueue`.
    pub(crate) fn add(&mut self, w: Written) {
        self.slots[self.pointer] = Some(w);
        self.pointer = (self.pointer + 1) % DEAD_QUEUE_SIZE;
    }

    /// `hasMsgLoss`, for a connection whose next number is `sequence`.
    pub(crate) fn has_msg_loss(&self, sequence: i64) -> bool {
        let index = if self.pointer == 0 {
            if self.slots[DEAD_QUEUE_SIZE - 1].is_none() {
                return false;
            }
            DEAD_QUEUE_SIZE - 1
        } else {
            self.pointer - 1
        };
        self.slots[index]
            .as_ref()
            .is_none_or(|w| w.seq != sequence - 1)
    }

    /// `isInDeadQueue`: the slot holding `seq`.
    pub(crate) fn find(&self, seq: i64) -> Option<usize> {
        for (i, slot) in self.slots.iter().enumerate() {
            match slot {
                None => return None,
                Some(w) if w.seq == seq => return Some(i),
                Some(_) => {}
            }
        }
        None
    }

    /// `drainDeadQueue(index)`: the events to write again, from `index` to the newest.
    pub(crate) fn replay_from(&self, index: usize) -> Vec<Written> {
        let mut out = Vec::new();
        if self.slots[0].is_none() {
            return out;
        }
        if self.slots[self.pointer].is_none() {
            // Not rolled over yet.
            for slot in &self.slots[index..self.pointer] {
                out.extend(slot.clone());
            }
            return out;
        }
        // Rolled over: on until the next number is smaller than the one written.
        let mut cur = index;
        while let Some(w) = self.slots[cur].clone() {
            let old = w.seq;
            out.push(w);
            cur = (cur + 1) % DEAD_QUEUE_SIZE;
            match &self.slots[cur] {
                Some(next) if next.seq > old => {}
                _ => break,
            }
        }
        out
    }

    /// `clearDeadQueue`.
    pub(crate) fn clear(&mut self) {
        for slot in &mut self.slots {
            *slot = None;
        }
        self.pointer = 0;
    }
}

/// A registered connection (`WebConn` as the hub holds it), with or without a socket.
#[derive(Debug)]
pub(crate) struct WebConn {
    pub(crate) user_id: String,
    pub(crate) admin: bool,
    pub(crate) connection_id: String,
    pub(crate) active: bool,
    /// In the hub's connection index (`connIndex.Has`).
    pub(crate) in_index: bool,
    pub(crate) send: VecDeque<Queued>,
    /// `close(conn.send)`: the writer drains the queue, then sends an empty close frame.
    pub(crate) send_closed: bool,
    pub(crate) dead: DeadQueue,
    /// The next event's number.
    pub(crate) sequence: i64,
    pub(crate) reuse_count: u32,
    /// `lastUserActivityAt`, ms on the fake's clock.
    pub(crate) last_user_activity_at: i64,
    /// The socket attached now.
    pub(crate) socket: Option<u64>,
    /// Set on reuse: the write pump's start (replay, loss, or nothing) is still to run.
    pub(crate) resume_pending: bool,
}

/// How a socket is to be closed by its writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ending {
    /// `WebSocket.Close()`: the TCP connection closes, no close frame.
    Abrupt,
    /// A last raw frame, then the TCP close.
    After(Vec<u8>),
}

/// One open websocket (after the upgrade).
pub(crate) struct Socket {
    /// The registered connection it carries, once authenticated.
    pub(crate) conn: Option<u64>,
    /// The user of its session (`""` while it has none).
    pub(crate) user_id: String,
    pub(crate) admin: bool,
    /// `GetSessionToken() != ""`.
    pub(crate) has_token: bool,
    /// The id given at the upgrade (a fresh one, or the resumed connection's).
    pub(crate) connection_id: String,
    pub(crate) opened: Instant,
    /// The auth ticker has fired (or is stopped).
    pub(crate) auth_checked: bool,
    /// Frames the reader's websocket wrote (pongs, close replies), for the writer.
    pub(crate) control: VecDeque<Vec<u8>>,
    /// Set when the socket is to end.
    pub(crate) ending: Option<Ending>,
    /// Gone silent ([`Hub::stall_sockets`]): nothing is written, what arrives is ignored.
    pub(crate) stalled: bool,
    /// A handle to shut the stream down from outside.
    pub(crate) handle: Box<dyn Stream>,
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("conn", &self.conn)
            .field("user_id", &self.user_id)
            .field("has_token", &self.has_token)
            .field("ending", &self.ending)
            .finish_non_exhaustive()
    }
}

/// The hub.
pub(crate) struct Hub {
    pub(crate) conns: HashMap<u64, WebConn>,
    pub(crate) sockets: HashMap<u64, Socket>,
    next_key: u64,
    next_connection_id: u64,
    pub(crate) timings: LiveTimings,
    /// The fake's time (ms) the reaper's ticks count from, and the last tick run.
    reaper_start: i64,
    last_reap_tick: i64,
    /// The fake is gone: every socket ends.
    pub(crate) stopping: bool,
    /// Threads serving in-process streams, joined when the fake goes.
    pub(crate) threads: Vec<JoinHandle<()>>,
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("conns", &self.conns.len())
            .field("sockets", &self.sockets.len())
            .field("timings", &self.timings)
            .finish_non_exhaustive()
    }
}

impl Hub {
    pub(crate) fn new(now_ms: i64) -> Self {
        Hub {
            conns: HashMap::new(),
            sockets: HashMap::new(),
            next_key: 0,
            next_connection_id: 0,
            timings: LiveTimings::default(),
            reaper_start: now_ms,
            last_reap_tick: now_ms,
            stopping: false,
            threads: Vec::new(),
        }
    }

    pub(crate) fn next_key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key
    }

    /// `model.NewId()`.
    pub(crate) fn new_connection_id(&mut self) -> String {
        self.next_connection_id += 1;
        derived_id("connection", "", self.next_connection_id)
    }

    /// The reaper (`RemoveInactiveConnections` on every `inactiveConnReaperInterval`
    /// tick), run for the ticks that have passed on the fake's clock.
    pub(crate) fn reap(&mut self, now_ms: i64) {
        let interval = millis(self.timings.reaper_interval).max(1);
        let ticks = (now_ms - self.reaper_start).div_euclid(interval);
        let tick = self
            .reaper_start
            .saturating_add(ticks.saturating_mul(interval));
        if tick <= self.last_reap_tick {
            return;
        }
        self.last_reap_tick = tick;
        let stale = millis(self.timings.inactive_lifetime);
        self.conns.retain(|_, c| {
            let reap = c.in_index && !c.active && tick - c.last_user_activity_at > stale;
            !(reap && c.socket.is_none())
        });
    }

    /// Every inactive connection is dropped from the index: none can be resumed.
    pub(crate) fn expire_inactive(&mut self) {
        self.conns.retain(|_, c| c.active || c.socket.is_some());
    }

    /// `connIndex.RemoveInactiveByConnectionID` (the hub's `checkConn`).
    pub(crate) fn remove_inactive_by_connection_id(
        &mut self,
        user_id: &str,
        connection_id: &str,
    ) -> Option<WebConn> {
        if user_id.is_empty() {
            return None;
        }
        let key = self
            .conns
            .iter()
            .find(|(_, c)| {
                c.in_index && c.user_id == user_id && c.connection_id == connection_id && !c.active
            })
            .map(|(k, _)| *k)?;
        self.conns.remove(&key)
    }

    /// `NewWebConn` + `HubRegister` for `socket`: marks it active, queues `hello` for a
    /// connection that is not reused.
    pub(crate) fn register(&mut self, socket: u64, mut conn: WebConn) -> u64 {
        let key = self.next_key();
        conn.active = true;
        conn.in_index = true;
        conn.socket = Some(socket);
        if conn.reuse_count == 0 {
            let hello = hello_event(&conn.user_id, &conn.connection_id);
            conn.send.push_back(Queued::Event(hello));
        }
        self.conns.insert(key, conn);
        if let Some(s) = self.sockets.get_mut(&socket) {
            s.conn = Some(key);
        }
        key
    }

    /// `HubUnregister`: the connection stays, inactive. Returns `true` when every
    /// connection of the user is now inactive (the caller sets them offline).
    pub(crate) fn unregister(&mut self, key: u64) -> Option<(String, bool, i64)> {
        let conn = self.conns.get_mut(&key)?;
        conn.active = false;
        conn.socket = None;
        let user = conn.user_id.clone();
        if !conn.in_index {
            self.conns.remove(&key);
        }
        let mut all_inactive = true;
        let mut latest = 0;
        for c in self
            .conns
            .values()
            .filter(|c| c.in_index && c.user_id == user)
        {
            if c.active {
                all_inactive = false;
                latest = latest.max(c.last_user_activity_at);
            }
        }
        Some((user, all_inactive, latest))
    }

    /// `closeAndRemoveConn`.
    fn close_and_remove(&mut self, key: u64) {
        if let Some(conn) = self.conns.get_mut(&key) {
            conn.in_index = false;
            conn.send_closed = true;
            if conn.socket.is_none() {
                self.conns.remove(&key);
            }
        }
    }

    /// Puts a message on a connection's queue; a full queue closes and removes it.
    fn enqueue(&mut self, key: u64, msg: Queued) {
        let Some(conn) = self.conns.get_mut(&key) else {
            return;
        };
        if conn.send_closed {
            return;
        }
        if conn.send.len() >= SEND_QUEUE_SIZE {
            self.close_and_remove(key);
            return;
        }
        conn.send.push_back(msg);
    }

    /// `hub.SendMessage(conn, msg)`: dropped unless the socket's connection is in the index.
    pub(crate) fn send_message(&mut self, socket: u64, text: String) {
        let Some(key) = self.sockets.get(&socket).and_then(|s| s.conn) else {
            return;
        };
        if self.conns.get(&key).is_some_and(|c| c.in_index) {
            self.enqueue(key, Queued::Response(text));
        }
    }

    /// `Publish` → the hub's broadcast: every connection in the index (only the user's when
    /// the event is for one user) that `ShouldSendEvent` lets through.
    pub(crate) fn publish(&mut self, event: Event) {
        let mut targets: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, c)| c.in_index)
            .filter(|(_, c)| {
                event.broadcast.user_id.is_empty() || c.user_id == event.broadcast.user_id
            })
            .filter(|(_, c)| should_send_event(c, &event))
            .map(|(k, _)| *k)
            .collect();
        targets.sort_unstable();
        for key in targets {
            self.enqueue(key, Queued::Event(event.clone()));
        }
    }

    /// `BroadcastStatus`.
    pub(crate) fn publish_status(&mut self, user_id: &str, status: &str) {
        self.publish(Event {
            event: "status_change",
            data: go_map(vec![
                ("status".to_owned(), go_string(status)),
                ("user_id".to_owned(), go_string(user_id)),
            ]),
            broadcast: Broadcast::to_user(user_id),
            precomputed: true,
        });
    }

    /// Open sockets.
    pub(crate) fn socket_count(&self) -> usize {
        self.sockets.len()
    }

    /// Inactive connections that a reconnect could resume.
    pub(crate) fn resumable_count(&self) -> usize {
        self.conns
            .values()
            .filter(|c| c.in_index && !c.active)
            .count()
    }

    /// Every open socket goes silent: half-open, as behind a dead network path.
    pub(crate) fn stall_sockets(&mut self) {
        for s in self.sockets.values_mut() {
            s.stalled = true;
        }
    }

    /// Ends every socket at once, with no close frame (the connections stay resumable).
    pub(crate) fn drop_sockets(&mut self) {
        for s in self.sockets.values_mut() {
            s.ending.get_or_insert(Ending::Abrupt);
            let _ = s.handle.shutdown();
        }
    }
}

/// `createHelloMessage`.
pub(crate) fn hello_event(user_id: &str, connection_id: &str) -> Event {
    Event {
        event: "hello",
        data: go_map(vec![
            ("connection_id".to_owned(), go_string(connection_id)),
            (
                "server_version".to_owned(),
                go_string(crate::fake::routes::VERSION_ID),
            ),
        ]),
        broadcast: Broadcast::to_user(user_id),
        precomputed: false,
    }
}

/// `WebConn.ShouldSendEvent`, in its order. The fake has no channel or team events: one
/// for a channel or a team reaches no one. The guest check comes last, as on the server.
fn should_send_event(conn: &WebConn, ev: &Event) -> bool {
    if conn.send.len() >= SEND_SLOW_WARN
        && matches!(
            ev.event,
            "typing" | "status_change" | "multiple_channels_viewed"
        )
    {
        return false;
    }
    let b = &ev.broadcast;
    if b.contains_sanitized_data && conn.admin {
        return false;
    }
    if b.contains_sensitive_data && !conn.admin {
        return false;
    }
    if !b.connection_id.is_empty() {
        return conn.connection_id == b.connection_id;
    }
    if conn.connection_id == b.omit_connection_id {
        return false;
    }
    if !b.user_id.is_empty() {
        return conn.user_id == b.user_id;
    }
    if b.omit_users
        .as_ref()
        .is_some_and(|o| o.contains(&conn.user_id))
    {
        return false;
    }
    if !b.channel_id.is_empty() || !b.team_id.is_empty() {
        return false;
    }
    !b.hidden_from_guests.contains(&conn.user_id)
}

pub(crate) fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(seq: i64) -> Written {
        Written {
            seq,
            text: seq.to_string(),
        }
    }

    fn registered(hub: &mut Hub, queued: usize) -> u64 {
        let socket = hub.next_key();
        let conn = WebConn {
            user_id: "u".into(),
            admin: false,
            connection_id: "c".into(),
            active: false,
            in_index: false,
            send: VecDeque::new(),
            send_closed: false,
            dead: DeadQueue::new(),
            sequence: 0,
            reuse_count: 1,
            last_user_activity_at: 0,
            socket: None,
            resume_pending: false,
        };
        let key = hub.register(socket, conn);
        for _ in 0..queued {
            hub.enqueue(key, Queued::Response(String::new()));
        }
        key
    }

    /// web_conn.go ShouldSendEvent: from sendSlowWarn (128 queued) on, status_change is
    /// dropped, other events are not.
    #[test]
    fn a_slow_connection_loses_status_changes_first() {
        let mut hub = Hub::new(0);
        let key = registered(&mut hub, SEND_SLOW_WARN - 1);
        hub.publish_status("u", "away");
        assert_eq!(
            hub.conns[&key].send.len(),
            SEND_SLOW_WARN,
            "127 queued: still sent"
        );
        hub.publish_status("u", "dnd");
        assert_eq!(
            hub.conns[&key].send.len(),
            SEND_SLOW_WARN,
            "128 queued: dropped"
        );
        hub.publish(Event {
            event: "user_updated",
            data: "{}".into(),
            broadcast: Broadcast::default(),
            precomputed: true,
        });
        assert_eq!(hub.conns[&key].send.len(), SEND_SLOW_WARN + 1);
    }

    /// web_hub.go: a full send queue closes and removes the connection.
    #[test]
    fn a_full_queue_removes_the_connection() {
        let mut hub = Hub::new(0);
        let key = registered(&mut hub, SEND_QUEUE_SIZE);
        hub.enqueue(key, Queued::Response(String::new()));
        let conn = &hub.conns[&key];
        assert!(conn.send_closed && !conn.in_index);
        assert_eq!(
            conn.send.len(),
            SEND_QUEUE_SIZE,
            "the queue is still written out"
        );
    }

    #[test]
    fn the_dead_queue_finds_replays_and_sees_loss_like_the_server() {
        let mut dq = DeadQueue::new();
        assert!(!dq.has_msg_loss(0), "nothing written: no loss");
        for s in 0..5 {
            dq.add(w(s));
        }
        assert_eq!(dq.find(2), Some(2));
        let seqs: Vec<i64> = dq.replay_from(2).iter().map(|w| w.seq).collect();
        assert_eq!(seqs, [2, 3, 4]);
        assert!(!dq.has_msg_loss(5), "caught up");
        assert!(dq.has_msg_loss(7));
        for s in 5..200 {
            dq.add(w(s));
        }
        assert_eq!(dq.find(71), None, "rolled out");
        let i = dq.find(150).unwrap();
        let seqs: Vec<i64> = dq.replay_from(i).iter().map(|w| w.seq).collect();
        assert_eq!(seqs, (150..200).collect::<Vec<_>>());
        assert!(dq.has_msg_loss(71));
    }
}
