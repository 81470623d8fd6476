//! Faults on demand: the next matching request(s) fail as a server or its proxy would.

use std::time::Duration;

/// A failure for the next request(s) that match, armed with
/// [`FakeServer::inject`](super::FakeServer::inject) (in process) or `POST /_fake/faults`
/// (over HTTP, see the [module docs](super)).
///
/// ```
/// use mattermost_status::fake::{Fault, FakeServer};
/// use mattermost_status::{GetStatus, UserId};
///
/// let fake = FakeServer::new();
/// let session = fake.session(&fake.user("alice").unwrap())?;
/// fake.inject(Fault::app_error(500, "app.status.get.app_error").on("GET", "/api/v4/users/me/status"));
/// let err = GetStatus::new(UserId::me()).send(&session).unwrap_err();
/// assert_eq!(err.status(), Some(500));
/// assert_eq!(err.api_id(), Some("app.status.get.app_error"));
/// GetStatus::new(UserId::me()).send(&session)?; // once only
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a fault does nothing until given to `FakeServer::inject`"]
pub struct Fault {
    pub(crate) method: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) times: u32,
    pub(crate) kind: FaultKind,
}

/// What a [`Fault`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// An answer with this status and the server's `AppError` JSON with this id.
    AppError {
        /// The HTTP status.
        status: u16,
        /// The error id (`app.user.get.app_error`, ...).
        id: String,
        /// The message.
        message: String,
    },
    /// The server's own 503 when it is too busy (`c.SetServerBusyError()`:
    /// `api.context.server_busy.app_error`).
    ServerBusy,
    /// A reverse proxy's HTML error page (nginx's, for 502, 503 or 504), as during
    /// maintenance or with the server down; with `Retry-After` when given.
    Proxy {
        /// The HTTP status.
        status: u16,
        /// Seconds for `Retry-After`, if any.
        retry_after: Option<u32>,
    },
    /// The answer comes this much later (then as usual).
    Delay(Duration),
    /// The connection is closed without an answer.
    Drop,
}

impl Fault {
    fn new(kind: FaultKind) -> Self {
        Fault {
            method: None,
            path: None,
            times: 1,
            kind,
        }
    }

    /// `status` with the server's error JSON (`{"id": id, "message": ..., ...}`).
    pub fn app_error(status: u16, id: impl Into<String>) -> Self {
        let message = match status {
            500 => "An internal error occurred.".to_owned(),
            _ => format!("Injected error {status}."),
        };
        Self::new(FaultKind::AppError {
            status,
            id: id.into(),
            message,
        })
    }

    /// The server's 503 "busy" answer.
    pub fn server_busy() -> Self {
        Self::new(FaultKind::ServerBusy)
    }

    /// A proxy in front of the server answering `status` (502, 503 for maintenance, 504).
    pub fn proxy(status: u16) -> Self {
        Self::new(FaultKind::Proxy {
            status,
            retry_after: None,
        })
    }

    /// A 503 maintenance page from the proxy, with `Retry-After: retry_after_secs`.
    pub fn maintenance(retry_after_secs: u32) -> Self {
        Self::new(FaultKind::Proxy {
            status: 503,
            retry_after: Some(retry_after_secs),
        })
    }

    /// The answer comes `by` later. In process, a delay longer than the request's
    /// timeout ends in a `Timeout` transport error once the timeout has passed; over
    /// HTTP the client's own timeout applies (and stopping the server waits for a delay
    /// in progress).
    pub fn delay(by: Duration) -> Self {
        Self::new(FaultKind::Delay(by))
    }

    /// The connection closes before any answer.
    pub fn drop_connection() -> Self {
        Self::new(FaultKind::Drop)
    }

    /// Only requests with this method and path (without the query; a trailing `*` matches
    /// any rest). By default every request matches.
    pub fn on(mut self, method: &str, path: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self.path = Some(path.to_owned());
        self
    }

    /// For this many matching requests (default 1; 0 is taken as 1).
    pub fn times(mut self, times: u32) -> Self {
        self.times = times.max(1);
        self
    }

    /// What it does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path
                .as_deref()
                .is_none_or(|p| match p.strip_suffix('*') {
                    Some(prefix) => path.starts_with(prefix),
                    None => path == p,
                })
    }

    /// Reads the JSON body of `POST /_fake/faults`.
    pub(crate) fn from_json(body: &[u8]) -> Result<Self, String> {
        let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let s = |name: &str| v.get(name).and_then(serde_json::Value::as_str);
        let n = |name: &str| v.get(name).and_then(serde_json::Value::as_u64);
        let status = |default: u16| {
            n("status").map_or(Ok(default), |s| {
                u16::try_from(s)
                    .ok()
                    .filter(|s| (100..=599).contains(s))
                    .ok_or_else(|| format!("status {s} is not an HTTP status"))
            })
        };
        let mut fault = match s("kind").unwrap_or("app_error") {
            "app_error" => Fault::app_error(
                status(500)?,
                s("id").unwrap_or("app.fake.injected.app_error"),
            ),
            "server_busy" => Fault::server_busy(),
            "proxy" => Fault::new(FaultKind::Proxy {
                status: status(502)?,
                retry_after: n("retry_after").and_then(|r| u32::try_from(r).ok()),
            }),
            "delay" => Fault::delay(Duration::from_millis(n("millis").unwrap_or(0))),
            "drop" => Fault::drop_connection(),
            other => return Err(format!("unknown kind {other:?}")),
        };
        if let (FaultKind::AppError { message, .. }, Some(m)) = (&mut fault.kind, s("message")) {
            m.clone_into(message);
        }
        if let Some(path) = s("path") {
            fault = fault.on(s("method").unwrap_or("GET"), path);
        } else if let Some(method) = s("method") {
            fault.method = Some(method.to_ascii_uppercase());
        }
        if let Some(times) = n("times") {
            fault = fault.times(u32::try_from(times).unwrap_or(u32::MAX));
        }
        Ok(fault)
    }
}

/// A fault waiting for its requests.
#[derive(Debug, Clone)]
pub(crate) struct Armed {
    pub(crate) fault: Fault,
    pub(crate) left: u32,
}

/// Takes one use of the first armed fault that matches.
pub(crate) fn take(armed: &mut Vec<Armed>, method: &str, path: &str) -> Option<FaultKind> {
    let i = armed.iter().position(|a| a.fault.matches(method, path))?;
    let kind = armed[i].fault.kind.clone();
    armed[i].left -= 1;
    if armed[i].left == 0 {
        armed.remove(i);
    }
    Some(kind)
}

/// nginx's error page for `status`.
pub(crate) fn proxy_page(status: u16) -> String {
    let reason = match status {
        502 => "502 Bad Gateway",
        503 => "503 Service Temporarily Unavailable",
        504 => "504 Gateway Time-out",
        _ => "Error",
    };
    format!(
        "<html>\r\n<head><title>{reason}</title></head>\r\n<body>\r\n<center><h1>{reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}
