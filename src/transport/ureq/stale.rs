//! Stale-connection detection (row "stale" of `WORKAROUNDS.md`): a kept-alive connection
//! that the server closed while it sat idle in ureq's pool.
//!
//! ureq 3 does not retry (`MIGRATE-2-to-3.md`: "No retry idempotent"), and its error
//! does not say whether the connection was a pooled one: a call on a connection the
//! server had closed fails with an I/O error (end of stream, reset) like any other.
//! The session resends an idempotent request at once when the transport marks the
//! error [`stale`](crate::TransportError::stale_connection), so the transport must know
//! whether the call opened its connection. The connector chain is where: ureq runs it
//! only to open one, and its last link ([`TokenSplicer`](super::token::TokenSplicer))
//! calls [`connection_opened`]; a call that did not see it ran on a pooled connection.
//!
//! ureq runs a call on the caller's thread: the mark is thread-local, reset when the
//! call starts ([`Call::start`](super::token::Call::start)).

use std::cell::Cell;
use std::io;

use super::token::Call;

thread_local! {
    /// Whether the call running on this thread opened a new connection.
    static FRESH: Cell<bool> = const { Cell::new(false) };
}

/// A call starts on this thread: no connection opened yet.
pub(super) fn call_starts() {
    FRESH.with(|f| f.set(false));
}

/// The connector chain opened a connection for the call on this thread.
pub(super) fn connection_opened() {
    FRESH.with(|f| f.set(true));
}

/// Whether the call on this thread opened a new connection (rather than reusing a
/// pooled one).
pub(super) fn opened_in_this_call() -> bool {
    FRESH.with(Cell::get)
}

/// Whether `error`, which ended `call` before the answer's head came, is a stale
/// kept-alive connection: a reused connection, closed or reset by the server. Never for
/// an agent without the crate's connector chain (`call` is `None`: reuse is unknown).
pub(super) fn is_stale(call: Option<&Call>, error: &ureq::Error) -> bool {
    let reused = call.is_some_and(|c| !c.fresh_connection());
    reused && closed_by_peer(error)
}

/// Whether ureq failed because the peer closed or reset the connection.
fn closed_by_peer(error: &ureq::Error) -> bool {
    matches!(error, ureq::Error::Io(e) if matches!(
        e.kind(),
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    ))
}
