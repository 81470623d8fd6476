//! The fake server's websocket, `GET /api/v4/websocket`, as Mattermost's server serves it
//! (`api4/websocket.go`, `app/platform/web_conn.go`, `web_hub.go`, `websocket_router.go`,
//! `status.go`, `wsapi/*.go`, `model/websocket_message.go`).
//!
//! Reached over the HTTP front end ([`FakeServer::serve`]) and in process through
//! [`Transport::open_stream`](crate::transport::Transport::open_stream), which gives one
//! end of an in-memory pipe whose other end is served by the same code.
//!
//! - `hub`: registered connections, send and dead queues, `ShouldSendEvent`.
//! - `conn`: the upgrade, auth, resumption, and the read and write pumps.
//! - `actions`: the router and the actions.
//! - `events`: `user_updated`.
//! - `wire`: the JSON of events and responses.
//! - `pipe`: the in-process byte pipe.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::fake::store::State;
use crate::transport::Stream;

mod actions;
mod conn;
mod events;
pub(crate) mod hub;
pub(crate) mod pipe;
mod wire;

/// `model.SocketMaxMessageSizeKb` (8 KiB: the read limit on a client's message).
pub(crate) const MAX_CLIENT_MESSAGE_BYTES: usize = 8 * 1024;

/// The websocket's timings: the server's constants, which tests shorten with
/// [`FakeServer::set_live_timings`](crate::fake::FakeServer::set_live_timings).
///
/// ```
/// use std::time::Duration;
/// use mattermost_status::fake::{FakeServer, LiveTimings};
///
/// let fake = FakeServer::new();
/// let mut timings = LiveTimings::default(); // the server's: 60 s, 100 s, 5 s, 5 min, 5 min
/// timings.ping_interval = Duration::from_millis(200);
/// timings.pong_wait = Duration::from_millis(500);
/// fake.set_live_timings(timings);
/// assert_eq!(fake.live_timings().ping_interval, Duration::from_millis(200));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LiveTimings {
    /// `pingInterval`: an empty ping frame this often (server: 60 s).
    pub ping_interval: Duration,
    /// `pongWaitTime`: a connection whose last pong is this old is closed, with no close
    /// frame; data frames do not count (server: 100 s).
    pub pong_wait: Duration,
    /// `authCheckInterval`: a connection with no session this long after the upgrade is
    /// closed, with no close frame (server: 5 s).
    pub auth_check: Duration,
    /// `inactiveConnReaperInterval`: how often the reaper runs, on the fake's clock
    /// (server: 5 min).
    pub reaper_interval: Duration,
    /// The reaper removes an inactive connection whose last user activity (its connect,
    /// not its disconnect) is older than this, so that it can no longer be resumed
    /// (server: the reaper's interval, 5 min).
    pub inactive_lifetime: Duration,
}

impl Default for LiveTimings {
    /// The server's values.
    fn default() -> Self {
        LiveTimings {
            ping_interval: Duration::from_secs(60),
            pong_wait: Duration::from_secs(100),
            auth_check: Duration::from_secs(5),
            reaper_interval: Duration::from_secs(5 * 60),
            inactive_lifetime: Duration::from_secs(5 * 60),
        }
    }
}

/// What the websocket threads share with the [`FakeServer`](crate::fake::FakeServer):
/// the state, and the condition variable that wakes writers when a queue moved.
#[derive(Clone)]
pub(crate) struct Core {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) wake: Arc<Condvar>,
}

impl Core {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // See FakeServer::lock: every change is complete when made.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serves the in-process end of a new pipe on a thread; returns the client's end.
    pub(crate) fn open_pipe(&self) -> std::io::Result<Box<dyn Stream>> {
        let (client, server) = pipe::pipe();
        let write = server.handle();
        let handle = server.handle();
        let core = self.clone();
        let thread = std::thread::Builder::new()
            .name("mattermost-status-fake-ws".to_owned())
            .spawn(move || {
                conn::serve(&core, Box::new(server), Box::new(write), Box::new(handle))
            })?;
        let mut st = self.lock();
        st.live.threads.retain(|t| !t.is_finished());
        st.live.threads.push(thread);
        Ok(Box::new(client))
    }

    /// Serves an upgrade request that arrived on the HTTP front end: `head` is what was
    /// already read from `stream` (the request head and anything after it).
    pub(crate) fn serve_tcp(&self, head: Vec<u8>, stream: std::net::TcpStream) {
        let (Ok(write), Ok(handle)) = (stream.try_clone(), stream.try_clone()) else {
            return;
        };
        let read = Replay {
            prefix: head,
            pos: 0,
            inner: stream,
        };
        conn::serve(self, Box::new(read), Box::new(write), Box::new(handle));
    }

    /// The fake is gone: every socket ends, and the in-process threads are joined.
    pub(crate) fn stop(&self) {
        let threads = {
            let mut st = self.lock();
            st.live.stopping = true;
            st.live.drop_sockets();
            std::mem::take(&mut st.live.threads)
        };
        self.wake.notify_all();
        for t in threads {
            let _ = t.join();
        }
    }
}

/// A stream that first gives back bytes already read from it.
#[derive(Debug)]
struct Replay {
    prefix: Vec<u8>,
    pos: usize,
    inner: std::net::TcpStream,
}

impl std::io::Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos < self.prefix.len() {
            let n = buf.len().min(self.prefix.len() - self.pos);
            buf[..n].copy_from_slice(&self.prefix[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

impl std::io::Write for Replay {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Stream for Replay {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> std::io::Result<()> {
        self.inner.set_read_timeout(timeout)
    }
    fn set_write_timeout(&mut self, timeout: Option<Duration>) -> std::io::Result<()> {
        self.inner.set_write_timeout(timeout)
    }
    fn shutdown(&mut self) -> std::io::Result<()> {
        self.inner.shutdown(std::net::Shutdown::Both)
    }
}

/// Whether a request is the websocket's upgrade: `GET .../api/v4/websocket` (a trailing
/// slash allowed, under any site prefix) with `Upgrade: websocket`.
pub(crate) fn is_upgrade(method: &str, target: &str, upgrade_websocket: bool) -> bool {
    let path = target.split_once('?').map_or(target, |(p, _)| p);
    upgrade_websocket
        && method == "GET"
        && (path.ends_with("/api/v4/websocket") || path.ends_with("/api/v4/websocket/"))
}
