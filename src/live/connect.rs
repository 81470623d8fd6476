//! Opening the websocket: the URL, the byte stream from the session's transport, the
//! upgrade (tungstenite's client handshake) with the token spliced in, and what each
//! refusal means.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use tungstenite::handshake::HandshakeError;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::WebSocket;

use crate::error::{Error, LiveError, LiveErrorKind, Result};
use crate::response::{check_status, excerpt};
use crate::transport::{HttpResponse, Stream};
use crate::{Session, TransportError, TransportErrorKind};

/// The websocket over the transport's stream.
pub(crate) type Socket = WebSocket<Spliced>;

/// Each of the two buffers a stream keeps (tungstenite's default is 128 KiB): a status
/// event is ~250 bytes, a large `posted` event a few KiB; bigger messages are read in
/// several pieces into a buffer of their own size.
const BUFFER_SIZE: usize = 16 * 1024;

/// The websocket settings of a stream whose messages and frames are at most `max` bytes.
pub(crate) fn config(max: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(BUFFER_SIZE)
        .write_buffer_size(0)
        .max_write_buffer_size(BUFFER_SIZE.max(super::wire::CLIENT_MESSAGE_MAX * 2))
        .max_message_size(Some(max))
        .max_frame_size(Some(max))
}

/// `{base}/api/v4/websocket`, with the query that asks to resume `connection_id` from
/// event `sequence_number`: as the web app (`websocket.ts`) and the Go client's
/// `NewReliableWebSocketClientWithDialer` build it. `http(s)` is kept: the transport
/// opens the stream to that origin; the upgrade names the path only.
pub(crate) fn url(base_url: &str, resume: Option<(&str, i64)>) -> String {
    let mut url = format!("{base_url}/api/v4/websocket");
    if let Some((id, seq)) = resume {
        url.push_str("?connection_id=");
        // A connection id is 26 characters of a-z0-9 (model.NewId); anything else
        // would not be found anyway, and is left out rather than sent unescaped.
        if id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            url.push_str(id);
        }
        url.push_str("&sequence_number=");
        url.push_str(&seq.to_string());
    }
    url
}

/// `ws(s)://` for `http(s)://`.
fn ws_url(url: &str) -> String {
    match url.split_once("://") {
        Some(("https", rest)) => format!("wss://{rest}"),
        Some((_, rest)) => format!("ws://{rest}"),
        None => url.to_owned(),
    }
}

/// Opens a websocket to the session's server within `budget`: the transport's stream
/// (proxy, trust, connect timeout), then the upgrade with the session's token.
pub(crate) fn open(
    session: &Session,
    max_message: usize,
    url: &str,
    budget: Duration,
) -> Result<Socket> {
    let deadline = Instant::now() + budget;
    let stream = session
        .transport()
        .open_stream(url, budget)
        .map_err(Error::Transport)?;
    handshake(session, stream, max_message, url, deadline).map_err(|e| e.redact(session.token()))
}

fn handshake(
    session: &Session,
    mut stream: Box<dyn Stream>,
    max_message: usize,
    url: &str,
    deadline: Instant,
) -> Result<Socket> {
    use tungstenite::client::IntoClientRequest;
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .max(MIN_IO_TIMEOUT)
    };
    stream
        .set_read_timeout(Some(left()))
        .and_then(|()| stream.set_write_timeout(Some(left())))
        .map_err(|e| io_error(e, "could not set the socket's timeouts"))?;
    let authorization = session.authorization();
    let placeholder = super::splice::placeholder(authorization.len());
    let mut request = ws_url(url)
        .into_client_request()
        .map_err(|e| Error::invalid("base_url", format!("cannot be a websocket URL: {e}")))?;
    let headers = request.headers_mut();
    for (name, value) in [
        ("Authorization", placeholder.as_str()),
        ("User-Agent", session.user_agent()),
    ] {
        let value = tungstenite::http::HeaderValue::from_str(value)
            .map_err(|_| Error::invalid("user_agent", "cannot go in an HTTP header"))?;
        headers.insert(name, value);
    }
    let spliced = Spliced::new(stream, &placeholder, authorization);
    let shared = spliced.shared();
    let mut attempt =
        tungstenite::client::client_with_config(request, spliced, Some(config(max_message)));
    loop {
        match attempt {
            Ok((mut socket, _response)) => {
                // A write waits for room at most this long; what could not be written
                // stays in tungstenite's buffer for the next read or write.
                socket
                    .get_mut()
                    .set_write_timeout(Some(WRITE_TIMEOUT))
                    .map_err(|e| io_error(e, "could not set the socket's timeouts"))?;
                return Ok(socket);
            }
            Err(HandshakeError::Interrupted(mid)) => {
                if Instant::now() >= deadline {
                    return Err(timeout("the websocket upgrade got no answer in time"));
                }
                attempt = mid.handshake();
            }
            Err(HandshakeError::Failure(tungstenite::Error::Http(mut response))) => {
                read_rest_of_body(&mut response, &shared, deadline);
                return Err(refused(&response));
            }
            Err(HandshakeError::Failure(e)) => return Err(upgrade_error(e)),
        }
    }
}

/// The most of a refusal's body read (for its error id and an excerpt).
const MAX_REFUSAL_BODY: usize = 64 * 1024;

/// Reads what its `Content-Length` says is still missing of a refusal's body (tungstenite
/// keeps only the bytes that came with the head), at most [`MAX_REFUSAL_BODY`], by
/// `deadline`: so a 401 whose JSON arrives a moment after its head still says its
/// error id. What cannot be read in time is left out.
fn read_rest_of_body(
    response: &mut tungstenite::http::Response<Option<Vec<u8>>>,
    stream: &std::sync::Mutex<Box<dyn Stream>>,
    deadline: Instant,
) {
    let Some(length) = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
    else {
        return;
    };
    let body = response.body_mut().get_or_insert_with(Vec::new);
    let wanted = length.min(MAX_REFUSAL_BODY);
    let mut stream = super::splice::lock(stream);
    let mut chunk = [0u8; 4096];
    while body.len() < wanted {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero()
            || stream
                .set_read_timeout(Some(left.max(MIN_IO_TIMEOUT)))
                .is_err()
        {
            return;
        }
        let room = (wanted - body.len()).min(chunk.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The longest a write on an open websocket waits for room (the server reads its
/// socket all the time; a peer that does not is caught by the stale check).
const WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// No socket timeout is set shorter than this (zero would mean none at all).
pub(crate) const MIN_IO_TIMEOUT: Duration = Duration::from_millis(1);

fn timeout(message: &str) -> Error {
    Error::Transport(TransportError::new(TransportErrorKind::Timeout, message))
}

fn io_error(e: io::Error, message: &str) -> Error {
    let kind = match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Io,
    };
    Error::Transport(TransportError::new(kind, message).with_source(e))
}

/// What the server's answer to the upgrade means.
fn upgrade_error(error: tungstenite::Error) -> Error {
    use tungstenite::error::ProtocolError as P;
    use tungstenite::Error as E;
    match error {
        E::Http(response) => refused(&response),
        E::Io(e) => io_error(e, "the websocket upgrade failed"),
        E::Protocol(P::HandshakeIncomplete) => Error::Transport(TransportError::new(
            TransportErrorKind::Io,
            "the server closed the connection during the websocket upgrade",
        )),
        E::Capacity(e) => live(
            LiveErrorKind::MessageTooLarge,
            format!("the answer to the upgrade is too large: {e}"),
        ),
        other => live(
            LiveErrorKind::Protocol,
            format!("the answer to the upgrade is not a websocket handshake: {other}"),
        ),
    }
}

pub(crate) fn live(kind: LiveErrorKind, message: impl Into<String>) -> Error {
    Error::Live(Box::new(LiveError::new(kind, message)))
}

/// A status other than 101: the HTTP side's error for 3xx, 401, 403, 429 and 5xx (so a
/// bad token at a proxy that checks it, or a server that is down, reads as it does for
/// every call); [`LiveErrorKind::UpgradeRefused`] for the rest (200, 400, 404, ...):
/// the request reached something that does not upgrade it.
fn refused(response: &tungstenite::http::Response<Option<Vec<u8>>>) -> Error {
    let status = response.status().as_u16();
    let body = response.body().clone().unwrap_or_default();
    let mut answer = HttpResponse::new(status, body);
    for (name, value) in response.headers() {
        if crate::transport::SESSION_RESPONSE_HEADERS
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name.as_str()))
        {
            answer.push_header(name.as_str(), String::from_utf8_lossy(value.as_bytes()));
        }
    }
    if matches!(status, 300..=399 | 401 | 403 | 429 | 500..=599) {
        return match check_status(answer) {
            Err(e) => e,
            Ok(_) => live(LiveErrorKind::UpgradeRefused { status }, ""),
        };
    }
    let said = match excerpt(answer.body()) {
        body if body.is_empty() => String::new(),
        body => format!(" (it said: {body})"),
    };
    // The advice first, within the 300 characters shown (`Bounded::long`): only the
    // server's words may be cut.
    live(
        LiveErrorKind::UpgradeRefused { status },
        format!(
            "a reverse proxy does not pass the upgrade on for /api/v4/websocket (nginx: \
             `proxy_http_version 1.1`, `proxy_set_header Upgrade $http_upgrade` and \
             `proxy_set_header Connection \"upgrade\"`), or the base URL lacks the site's \
             path prefix{said}"
        ),
    )
}

pub(crate) use super::splice::Spliced;

impl Read for Spliced {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner_mut().read(buf)
    }
}

impl Write for Spliced {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_spliced(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner_mut().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_keeps_the_prefix_and_asks_to_resume() {
        assert_eq!(
            url("https://example.com/chat", None),
            "https://example.com/chat/api/v4/websocket"
        );
        assert_eq!(
            url("http://127.0.0.1:8065", Some(("abc123", 7))),
            "http://127.0.0.1:8065/api/v4/websocket?connection_id=abc123&sequence_number=7"
        );
        assert_eq!(ws_url("https://a/x"), "wss://a/x");
        assert_eq!(ws_url("http://a:1/x"), "ws://a:1/x");
    }
}
