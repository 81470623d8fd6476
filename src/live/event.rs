//! What a [`LiveStream`](super::LiveStream) yields: [`LiveEvent`] and its parts.

use crate::model::{CustomStatus, StatusKind, UserId};

/// One thing the live stream learned.
///
/// New kinds of events may be added: match with a `_` arm.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LiveEvent {
    /// A user's status changed (the stream's own user: pushed; a watched user: polled;
    /// either: found by a resync).
    Status(StatusChange),
    /// A user's custom status was set, changed or cleared.
    CustomStatus(CustomStatusChange),
    /// The connection was lost and made again; see [`Reconnect`]. The events it brings
    /// come before it (replayed ones, or the changes a resync found).
    Reconnected(Reconnect),
    /// An event the stream does not turn into one of the above, as the server sent it:
    /// only with [`LiveOptions::raw_events`](super::LiveOptions::raw_events).
    Raw(RawEvent),
}

/// A user's status, as it is now.
///
/// The server's `status_change` event carries no Do Not Disturb end time: read it with
/// [`GetStatus`](crate::GetStatus) where it matters (the HTTP side's
/// [`Status::dnd_end`](crate::Status::dnd_end)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusChange {
    /// Whose status it is.
    pub user_id: UserId,
    /// The status now.
    pub status: StatusKind,
    /// How the stream learned it.
    pub source: StatusSource,
}

impl StatusChange {
    /// A status change (for tests and test doubles; the stream makes its own).
    pub fn new(user_id: UserId, status: StatusKind, source: StatusSource) -> Self {
        StatusChange {
            user_id,
            status,
            source,
        }
    }
}

/// How a [`StatusChange`] was learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusSource {
    /// Pushed by the server (`status_change`): only ever for the stream's own user, the
    /// server's delivery rule.
    Pushed,
    /// Polled on the socket (`get_statuses_by_ids`) for a watched user: see
    /// [`LiveStream::watch`](super::LiveStream::watch).
    Polled,
    /// Read over HTTP after a reconnect that could not resume.
    Resync,
}

/// A user's custom status was set, changed or cleared (the server's `user_updated`,
/// which it sends to every connection).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomStatusChange {
    /// Whose custom status it is.
    pub user_id: UserId,
    /// The custom status now; `None`: cleared (or never set).
    ///
    /// Decoded as the HTTP side decodes [`CustomStatus`]; a `duration` this crate does
    /// not know is read as `None` here, and the server's text is in
    /// [`custom_status_json`](Self::custom_status_json).
    pub custom_status: Option<CustomStatus>,
    /// The server's own JSON text of the custom status (`props.customStatus`), when not
    /// empty: the value as it was, whatever this crate understood of it.
    pub custom_status_json: Option<String>,
}

/// How the stream came back after losing its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reconnect {
    /// The server still had the connection's queue: the events missed were replayed,
    /// each once and in order, before this event. Nothing was lost.
    Resumed,
    /// The server could not resume (it restarted, or the connection was gone too long):
    /// what was missed is lost, so the stream read the statuses over HTTP (its own, the
    /// watched users', their custom statuses) and yielded what changed, before this
    /// event.
    Resynced,
}

/// An event as the server sent it, for those the stream does not interpret.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RawEvent {
    /// The event's name (`posted`, `typing`, `channel_viewed`, ...).
    pub event: String,
    /// Its sequence number on this connection.
    pub seq: Option<i64>,
    /// Its `data` object.
    pub data: serde_json::Value,
}
