//! The cases of the conformance suite, one function each; [`CASES`] lists them.

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::server::{
    json, keep_alive_response, refused_url, response, Fault, FaultServer, Recorded,
};
use mattermost_status::transport::{HttpRequest, HttpResponse, Method, Transport};
use mattermost_status::{TransportError, TransportErrorKind};

/// Makes a fresh transport.
pub(super) type Make<'a> = dyn Fn() -> Box<dyn Transport> + 'a;
/// One case: the figures when it passed.
pub(super) type CaseFn = fn(&Make<'_>) -> Result<String, Miss>;

/// Why a case did not pass.
pub(super) enum Miss {
    Fail(String),
    Skip(String),
}

/// One case of the suite: its name and what it asserts.
#[derive(Clone, Copy)]
pub struct Case {
    /// The name, for [`check`](super::check) and in the report.
    pub name: &'static str,
    /// What the case asserts, in a sentence.
    pub asserts: &'static str,
    pub(super) run: CaseFn,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("name", &self.name)
            .field("asserts", &self.asserts)
            .finish()
    }
}

/// Every case, in the order [`check_all`](super::check_all) runs them.
pub const CASES: &[Case] = &[
    Case {
        name: "every_status_is_an_answer",
        asserts: "2xx, 4xx and 5xx answers come back as Ok with their status and whole body",
        run: every_status_is_an_answer,
    },
    Case {
        name: "request_goes_out_as_given",
        asserts: "method, target, each header once with its value, the body with a \
                  Content-Length (none without a body), no Expect; bodies up to 256 KiB",
        run: request_goes_out_as_given,
    },
    Case {
        name: "wanted_response_headers_are_kept",
        asserts: "the response headers the request wants are kept, matched without regard \
                  to case; without a list, every header is",
        run: wanted_response_headers_are_kept,
    },
    Case {
        name: "a_large_head_is_read",
        asserts: "an answer whose head is 12 KiB (more than nginx lets through by default: \
                  4 or 8 KiB) is read whole, its last header included",
        run: a_large_head_is_read,
    },
    Case {
        name: "redirects_are_answers",
        asserts: "301, 302, 303, 307 and 308 come back as answers with their Location; the \
                  target is never contacted",
        run: redirects_are_answers,
    },
    Case {
        name: "refused_connection_is_connect",
        asserts: "a refused connection is a Connect error",
        run: refused_connection_is_connect,
    },
    Case {
        name: "reset_in_the_head_is_io",
        asserts: "a reset in the middle of the answer's head is an Io error",
        run: reset_in_the_head_is_io,
    },
    Case {
        name: "reset_in_the_body_is_io",
        asserts: "a reset in the middle of the body is an Io error",
        run: reset_in_the_body_is_io,
    },
    Case {
        name: "truncated_body_is_io",
        asserts: "a body shorter than its Content-Length, then a normal close, is an Io error",
        run: truncated_body_is_io,
    },
    Case {
        name: "closed_without_an_answer_is_io",
        asserts: "a connection closed after the request, with no answer, is an Io error",
        run: closed_without_an_answer_is_io,
    },
    Case {
        name: "garbage_is_io",
        asserts: "bytes that are not HTTP are an Io error",
        run: garbage_is_io,
    },
    Case {
        name: "body_until_close_is_whole",
        asserts: "an answer with neither Content-Length nor chunks ends at the close, whole",
        run: body_until_close_is_whole,
    },
    Case {
        name: "silence_times_out",
        asserts: "a server that reads the request and never answers: Timeout at the \
                  request's timeout",
        run: silence_times_out,
    },
    Case {
        name: "trickled_answer_times_out",
        asserts: "an answer sent a byte every 100 ms: Timeout at the request's timeout \
                  (a per-read timeout would never end it)",
        run: trickled_answer_times_out,
    },
    Case {
        name: "trickled_body_times_out",
        asserts: "a prompt head, then the body a byte every 100 ms: Timeout at the \
                  request's timeout",
        run: trickled_body_times_out,
    },
    Case {
        name: "each_request_has_its_own_timeout",
        asserts: "one transport: a short timeout, then a long one a slow server fits in, \
                  then a short one again, each honoured",
        run: each_request_has_its_own_timeout,
    },
    Case {
        name: "unaccepted_connection_times_out",
        asserts: "a connection the server never accepts (its backlog full): Timeout at the \
                  request's timeout",
        run: unaccepted_connection_times_out,
    },
    Case {
        name: "huge_content_length_stops_at_the_limit",
        asserts: "Content-Length: 10000000000 and zeros without end: BodyTooLarge at once",
        run: huge_content_length_stops_at_the_limit,
    },
    Case {
        name: "endless_chunked_body_stops_at_the_limit",
        asserts: "a chunked body without end: BodyTooLarge",
        run: endless_chunked_body_stops_at_the_limit,
    },
    Case {
        name: "body_at_the_limit_is_whole",
        asserts: "a body of exactly the limit is whole (by Content-Length and chunked); one \
                  byte more is BodyTooLarge",
        run: body_at_the_limit_is_whole,
    },
    Case {
        name: "connections_are_reused",
        asserts: "sequential calls, an error answer among them, and a call from another \
                  thread after them, share one kept-alive connection",
        run: connections_are_reused,
    },
    Case {
        name: "concurrent_calls_get_their_own_answers",
        asserts: "4 threads sending 5 requests each at once: each gets its own answer",
        run: concurrent_calls_get_their_own_answers,
    },
];

/// The header value no error may show.
const SECRET: &str = "Bearer c0nformance-s3cret-7qk2xw";
/// The headers every request carries.
const HEADERS: &[(&str, &str)] = &[
    ("Authorization", SECRET),
    ("Accept", "application/json"),
    ("X-Requested-With", "XMLHttpRequest"),
];
/// The response headers the session reads.
const WANTED: &[&str] = mattermost_status::transport::SESSION_RESPONSE_HEADERS;
const PATH: &str = "/api/v4/users/me/status";
/// The body limit of every case.
const LIMIT: u64 = 64 * 1024;
/// The timeout of cases that are not about timeouts: never reached when all is well.
const PATIENCE: Duration = Duration::from_secs(5);
/// How much later than its timeout a request may end (a loaded 2-core machine).
const MARGIN: Duration = Duration::from_millis(1000);
const STATUS_BODY: &str = r#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"online","manual":false,"last_activity_at":1700000000123,"dnd_end_time":0}"#;

macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(Miss::Fail(format!($($arg)+)));
        }
    };
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn setup<T>(what: &str, result: std::io::Result<T>) -> Result<T, Miss> {
    result.map_err(|e| Miss::Fail(format!("setting up {what} failed: {e}")))
}

fn start(script: impl Fn(usize) -> Fault + Send + Sync + 'static) -> Result<FaultServer, Miss> {
    setup("a loopback server", FaultServer::start(script))
}

/// A request with the suite's headers and wanted response headers.
fn request<'a>(method: Method, url: &'a str, timeout: Duration) -> HttpRequest<'a> {
    HttpRequest::new(method, url)
        .with_headers(HEADERS)
        .with_timeout(timeout)
        .with_max_response_bytes(LIMIT)
        .with_response_headers(WANTED)
}

/// Sends `request`, timing it.
fn timed(
    transport: &dyn Transport,
    request: &HttpRequest<'_>,
) -> (Result<HttpResponse, TransportError>, Duration) {
    let start = Instant::now();
    let result = transport.send(request);
    (result, start.elapsed())
}

/// What an error shows: `Display`, `Debug`, and those of its sources.
fn texts(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        out.push(e.to_string());
        out.push(format!("{e:?}"));
        next = e.source();
    }
    out
}

/// The answer, or a failure saying what came instead.
fn answer(result: Result<HttpResponse, TransportError>, what: &str) -> Result<HttpResponse, Miss> {
    result.map_err(|e| Miss::Fail(format!("{what}: expected an answer, got the error {e}")))
}

/// Checks that `result` is an error of `kind` that does not show the secret header.
fn error_of_kind(
    result: Result<HttpResponse, TransportError>,
    kind: TransportErrorKind,
    what: &str,
) -> Result<TransportError, Miss> {
    let error = match result {
        Ok(response) => {
            return Err(Miss::Fail(format!(
                "{what}: expected a {kind:?} error, got an answer with status {}",
                response.status()
            )))
        }
        Err(e) => e,
    };
    let secret = &SECRET["Bearer ".len()..];
    for text in texts(&error) {
        ensure!(
            !text.contains(secret),
            "{what}: an error shows the Authorization header's value: {text}"
        );
    }
    ensure!(
        error.kind() == kind,
        "{what}: expected a {kind:?} error, got {:?}: {error}",
        error.kind()
    );
    Ok(error)
}

/// Checks that a timeout ended within `timeout` (not much earlier, not much later).
fn within(elapsed: Duration, timeout: Duration, what: &str) -> Result<(), Miss> {
    ensure!(
        elapsed >= timeout.mul_f64(0.9),
        "{what}: ended after {} ms, before the timeout of {} ms",
        elapsed.as_millis(),
        timeout.as_millis()
    );
    ensure!(
        elapsed <= timeout + MARGIN,
        "{what}: ended after {} ms, {} ms past the timeout of {} ms",
        elapsed.as_millis(),
        (elapsed - timeout).as_millis(),
        timeout.as_millis()
    );
    Ok(())
}

fn every_status_is_an_answer(make: &Make<'_>) -> Result<String, Miss> {
    const STATUSES: [u16; 13] = [
        200, 201, 204, 400, 401, 403, 404, 413, 429, 500, 502, 503, 504,
    ];
    fn body(status: u16) -> Vec<u8> {
        match status {
            204 => Vec::new(),
            _ => format!("answer {status}").into_bytes(),
        }
    }
    let server = start(|n| {
        let status = STATUSES.get(n).copied().unwrap_or(500);
        Fault::Reply(response(
            status,
            &[("Content-Type", "text/plain")],
            &body(status),
        ))
    })?;
    let transport = make();
    let url = format!("{}{PATH}", server.url());
    for status in STATUSES {
        let what = format!("status {status}");
        let got = answer(transport.send(&request(Method::Get, &url, PATIENCE)), &what)?;
        ensure!(
            got.status() == status,
            "{what}: came back as {}",
            got.status()
        );
        ensure!(
            got.body() == body(status),
            "{what}: the body came back as {:?}",
            String::from_utf8_lossy(got.body())
        );
    }
    Ok(format!("{} statuses", STATUSES.len()))
}

fn request_goes_out_as_given(make: &Make<'_>) -> Result<String, Miss> {
    let server = start(|_| Fault::Reply(json(200, r#"{"status":"OK"}"#)))?;
    let transport = make();
    let base = server.url();
    let big: Vec<u8> = (0..256 * 1024).map(|i| b'a' + (i % 26) as u8).collect();
    let json_body = br#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"away"}"#;
    let with_type: &[(&str, &str)] = &[
        ("Authorization", SECRET),
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("User-Agent", "conformance/1"),
    ];
    /// Method, target, body, headers.
    type Sent<'a> = (Method, String, Option<&'a [u8]>, &'a [(&'a str, &'a str)]);
    let sent: Vec<Sent<'_>> = vec![
        (Method::Get, format!("{PATH}?since=1"), None, HEADERS),
        (Method::Put, PATH.to_owned(), Some(json_body), with_type),
        (
            Method::Post,
            "/api/v4/users/status/ids".to_owned(),
            Some(br#"["4xp9fdt77pncbef59f4k1qe83o"]"#),
            with_type,
        ),
        (Method::Delete, format!("{PATH}/custom"), None, HEADERS),
        (
            Method::Delete,
            format!("{PATH}/custom/recent"),
            Some(br#"{"emoji":"","text":"x"}"#),
            with_type,
        ),
        (Method::Put, format!("{PATH}/custom"), Some(&big), with_type),
    ];
    for (method, target, body, headers) in &sent {
        let url = format!("{base}{target}");
        let mut req = request(*method, &url, PATIENCE).with_headers(headers);
        if let Some(body) = body {
            req = req.with_body(body);
        }
        let what = format!("{method} {target}");
        let got = answer(transport.send(&req), &what)?;
        ensure!(got.status() == 200, "{what}: status {}", got.status());
    }
    let seen = server.requests();
    ensure!(
        seen.len() == sent.len(),
        "the server read {} requests, {} were sent",
        seen.len(),
        sent.len()
    );
    for ((method, target, body, headers), got) in sent.iter().zip(&seen) {
        let what = format!("{method} {target}");
        check_request(got, *method, target, *body, headers, &what)?;
    }
    Ok(format!(
        "{} requests, bodies up to {} bytes",
        sent.len(),
        big.len()
    ))
}

fn check_request(
    got: &Recorded,
    method: Method,
    target: &str,
    body: Option<&[u8]>,
    headers: &[(&str, &str)],
    what: &str,
) -> Result<(), Miss> {
    let line = got.request_line();
    ensure!(
        line.starts_with(&format!("{} {target} HTTP/1.", method.as_str())),
        "{what}: the request line was {line:?}"
    );
    for (name, value) in headers {
        let values = got.header_values(name);
        ensure!(
            values == [*value],
            "{what}: header {name} arrived as {} value(s){}",
            values.len(),
            if name.eq_ignore_ascii_case("Authorization") {
                String::new()
            } else {
                format!(": {values:?}")
            }
        );
    }
    ensure!(
        got.header("Expect").is_none(),
        "{what}: sent Expect: {:?} (a round trip more, and proxies that do not answer it)",
        got.header("Expect")
    );
    ensure!(
        got.header("Transfer-Encoding").is_none(),
        "{what}: sent Transfer-Encoding: {:?} instead of a Content-Length",
        got.header("Transfer-Encoding")
    );
    match body {
        Some(body) => {
            ensure!(
                got.header("Content-Length") == Some(body.len().to_string()),
                "{what}: Content-Length {:?} for a body of {} bytes",
                got.header("Content-Length"),
                body.len()
            );
            ensure!(
                got.body == body,
                "{what}: the body arrived as {} other bytes",
                got.body.len()
            );
        }
        None => ensure!(
            matches!(got.header("Content-Length").as_deref(), None | Some("0")),
            "{what}: a request without a body sent Content-Length {:?}",
            got.header("Content-Length")
        ),
    }
    Ok(())
}

fn wanted_response_headers_are_kept(make: &Make<'_>) -> Result<String, Miss> {
    let server = FaultServer::always(response(
        200,
        &[
            ("content-type", "application/json"),
            ("X-REQUEST-ID", "req-abc123"),
            ("Retry-After", "7"),
            ("X-Unwanted", "zzz"),
            ("x-ratelimit-remaining", "0"),
        ],
        STATUS_BODY.as_bytes(),
    ));
    let server = setup("a loopback server", server)?;
    let transport = make();
    let url = format!("{}{PATH}", server.url());
    let got = answer(
        transport.send(&request(Method::Get, &url, PATIENCE)),
        "wanted headers",
    )?;
    for (name, value) in [
        ("Content-Type", "application/json"),
        ("X-Request-Id", "req-abc123"),
        ("Retry-After", "7"),
        ("X-RateLimit-Remaining", "0"),
    ] {
        ensure!(
            got.header(name) == Some(value),
            "header {name} came back as {:?}",
            got.header(name)
        );
    }
    let plain = HttpRequest::new(Method::Get, &url)
        .with_headers(HEADERS)
        .with_timeout(PATIENCE)
        .with_max_response_bytes(LIMIT);
    let got = answer(transport.send(&plain), "no list of wanted headers")?;
    ensure!(
        got.header("X-Unwanted") == Some("zzz"),
        "without a list of wanted headers, X-Unwanted came back as {:?}",
        got.header("X-Unwanted")
    );
    Ok("4 wanted headers, and all without a list".into())
}

fn a_large_head_is_read(make: &Make<'_>) -> Result<String, Miss> {
    // 12 headers of 1,000 bytes, then the one the session reads.
    let filler = "p".repeat(1_000);
    let names: Vec<String> = (0..12).map(|i| format!("X-Filler-{i}")).collect();
    let mut headers: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), filler.as_str()))
        .collect();
    headers.push(("X-Request-Id", "req-last"));
    let server = FaultServer::always(response(200, &headers, STATUS_BODY.as_bytes()));
    let server = setup("a loopback server", server)?;
    let url = format!("{}{PATH}", server.url());
    let got = answer(
        make().send(&request(Method::Get, &url, PATIENCE)),
        "a 12 KiB head",
    )?;
    ensure!(
        got.header("X-Request-Id") == Some("req-last") && got.body() == STATUS_BODY.as_bytes(),
        "a 12 KiB head: X-Request-Id came back as {:?}, the body as {:?}",
        got.header("X-Request-Id"),
        String::from_utf8_lossy(got.body())
    );
    Ok("12 KiB of headers".into())
}

fn redirects_are_answers(make: &Make<'_>) -> Result<String, Miss> {
    const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];
    let other = setup(
        "a loopback server",
        FaultServer::always(json(200, STATUS_BODY)),
    )?;
    let location = format!("{}{PATH}", other.url());
    let target = location.clone();
    let first = start(move |n| {
        let status = STATUSES.get(n / 2).copied().unwrap_or(302);
        Fault::Reply(response(status, &[("Location", &target)], b"moved"))
    })?;
    let transport = make();
    let url = format!("{}{PATH}", first.url());
    for status in STATUSES {
        for method in [Method::Get, Method::Put] {
            let what = format!("{status} to {method}");
            let mut req = request(method, &url, PATIENCE);
            if method == Method::Put {
                req = req.with_body(br#"{"status":"away"}"#);
            }
            let got = answer(transport.send(&req), &what)?;
            ensure!(
                got.status() == status,
                "{what}: came back as {}",
                got.status()
            );
            ensure!(
                got.header("Location") == Some(location.as_str()),
                "{what}: Location came back as {:?}",
                got.header("Location")
            );
        }
    }
    ensure!(
        other.connections() == 0,
        "the redirect's target was contacted {} time(s): redirects were followed",
        other.connections()
    );
    Ok(format!(
        "{} redirects, target never contacted",
        2 * STATUSES.len()
    ))
}

fn refused_connection_is_connect(make: &Make<'_>) -> Result<String, Miss> {
    let url = format!("{}{PATH}", setup("a refused address", refused_url())?);
    let transport = make();
    let (result, elapsed) = timed(&*transport, &request(Method::Get, &url, PATIENCE));
    error_of_kind(result, TransportErrorKind::Connect, "refused")?;
    ensure!(
        elapsed < ms(2000),
        "a refused connection took {} ms to report",
        elapsed.as_millis()
    );
    Ok(format!("Connect after {} ms", elapsed.as_millis()))
}

/// Sends one GET to a server playing `fault` and expects an error of `kind`.
fn one_fault(
    make: &Make<'_>,
    fault: Fault,
    kind: TransportErrorKind,
    what: &str,
) -> Result<String, Miss> {
    let server = start(move |_| fault.clone())?;
    let transport = make();
    let url = format!("{}{PATH}", server.url());
    let (result, elapsed) = timed(&*transport, &request(Method::Get, &url, PATIENCE));
    let error = error_of_kind(result, kind, what)?;
    ensure!(
        server.attempts() == 1,
        "{what}: the server read {} requests; one was sent",
        server.attempts()
    );
    Ok(format!(
        "{kind:?} after {} ms: {error}",
        elapsed.as_millis()
    ))
}

/// A head promising 500 bytes, and 20 of them.
fn short_body() -> Vec<u8> {
    let mut bytes =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
            .to_vec();
    bytes.extend_from_slice(&STATUS_BODY.as_bytes()[..20]);
    bytes
}

fn reset_in_the_head_is_io(make: &Make<'_>) -> Result<String, Miss> {
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: appli".to_vec();
    one_fault(
        make,
        Fault::ResetAfter(head),
        TransportErrorKind::Io,
        "reset in the head",
    )
}

fn reset_in_the_body_is_io(make: &Make<'_>) -> Result<String, Miss> {
    one_fault(
        make,
        Fault::ResetAfter(short_body()),
        TransportErrorKind::Io,
        "reset in the body",
    )
}

fn truncated_body_is_io(make: &Make<'_>) -> Result<String, Miss> {
    one_fault(
        make,
        Fault::Reply(short_body()),
        TransportErrorKind::Io,
        "truncated body",
    )
}

fn closed_without_an_answer_is_io(make: &Make<'_>) -> Result<String, Miss> {
    one_fault(
        make,
        Fault::Reply(Vec::new()),
        TransportErrorKind::Io,
        "closed without an answer",
    )
}

fn garbage_is_io(make: &Make<'_>) -> Result<String, Miss> {
    let garbage = b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe garbage \x07\r\n\r\n".to_vec();
    one_fault(
        make,
        Fault::Reply(garbage),
        TransportErrorKind::Io,
        "garbage",
    )
}

fn body_until_close_is_whole(make: &Make<'_>) -> Result<String, Miss> {
    let mut bytes =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n".to_vec();
    bytes.extend_from_slice(STATUS_BODY.as_bytes());
    let server = start(move |_| Fault::Reply(bytes.clone()))?;
    let transport = make();
    let url = format!("{}{PATH}", server.url());
    let got = answer(
        transport.send(&request(Method::Get, &url, PATIENCE)),
        "body until close",
    )?;
    ensure!(
        got.body() == STATUS_BODY.as_bytes(),
        "the body came back as {} bytes: {:?}",
        got.body().len(),
        String::from_utf8_lossy(got.body())
    );
    Ok(format!("{} bytes", got.body().len()))
}

/// Sends one GET with `timeout` to a server playing `fault`; expects a timeout then.
fn times_out(make: &Make<'_>, fault: Fault, timeout: Duration, what: &str) -> Result<String, Miss> {
    let server = start(move |_| fault.clone())?;
    let transport = make();
    let url = format!("{}{PATH}", server.url());
    let (result, elapsed) = timed(&*transport, &request(Method::Get, &url, timeout));
    error_of_kind(result, TransportErrorKind::Timeout, what)?;
    within(elapsed, timeout, what)?;
    Ok(format!(
        "Timeout after {} ms of {} ms",
        elapsed.as_millis(),
        timeout.as_millis()
    ))
}

fn silence_times_out(make: &Make<'_>) -> Result<String, Miss> {
    times_out(make, Fault::Stall, ms(500), "silence")
}

fn trickled_answer_times_out(make: &Make<'_>) -> Result<String, Miss> {
    let fault = Fault::Trickle {
        prompt: Vec::new(),
        slow: json(200, STATUS_BODY),
        interval: ms(100),
    };
    times_out(make, fault, ms(600), "trickled answer")
}

fn trickled_body_times_out(make: &Make<'_>) -> Result<String, Miss> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        STATUS_BODY.len()
    );
    let fault = Fault::Trickle {
        prompt: head.into_bytes(),
        slow: STATUS_BODY.as_bytes().to_vec(),
        interval: ms(100),
    };
    times_out(make, fault, ms(600), "trickled body")
}

fn each_request_has_its_own_timeout(make: &Make<'_>) -> Result<String, Miss> {
    let silent = start(|_| Fault::Stall)?;
    let slow = start(|_| Fault::Delay(ms(700), json(200, STATUS_BODY)))?;
    let transport = make();
    let silent_url = format!("{}{PATH}", silent.url());
    let slow_url = format!("{}{PATH}", slow.url());
    let short = ms(300);
    let (result, first) = timed(&*transport, &request(Method::Get, &silent_url, short));
    error_of_kind(result, TransportErrorKind::Timeout, "first short timeout")?;
    within(first, short, "first short timeout")?;
    let (result, long) = timed(&*transport, &request(Method::Get, &slow_url, ms(3000)));
    let got = answer(result, "an answer after 700 ms, with a timeout of 3 s")?;
    ensure!(
        got.status() == 200,
        "the slow answer came back as {}",
        got.status()
    );
    let (result, again) = timed(&*transport, &request(Method::Get, &silent_url, short));
    error_of_kind(result, TransportErrorKind::Timeout, "second short timeout")?;
    within(again, short, "second short timeout")?;
    Ok(format!(
        "{} ms of 300, answer after {} ms of 3000, {} ms of 300",
        first.as_millis(),
        long.as_millis(),
        again.as_millis()
    ))
}

fn unaccepted_connection_times_out(make: &Make<'_>) -> Result<String, Miss> {
    use socket2::{Domain, Socket, Type};
    let listener = setup("a listener", Socket::new(Domain::IPV4, Type::STREAM, None))?;
    let any: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    setup("a listener", listener.bind(&any.into()))?;
    setup("a listener", listener.listen(0))?;
    let addr = setup("a listener", listener.local_addr())?
        .as_socket()
        .ok_or_else(|| Miss::Fail("the listener has no IP address".into()))?;
    // Fill the backlog (never accepted) until a connection attempt hangs.
    let mut fillers = Vec::new();
    let mut hangs = false;
    for _ in 0..8 {
        match TcpStream::connect_timeout(&addr, ms(200)) {
            Ok(stream) => fillers.push(stream),
            Err(_) => {
                hangs = true;
                break;
            }
        }
    }
    if !hangs {
        return Err(Miss::Skip(
            "this system accepts connections beyond a full backlog; no hanging connect to test"
                .into(),
        ));
    }
    let transport = make();
    let url = format!("http://{addr}{PATH}");
    let timeout = ms(500);
    let (result, elapsed) = timed(&*transport, &request(Method::Get, &url, timeout));
    error_of_kind(result, TransportErrorKind::Timeout, "unaccepted connection")?;
    within(elapsed, timeout, "unaccepted connection")?;
    drop(fillers);
    Ok(format!(
        "Timeout after {} ms of {} ms",
        elapsed.as_millis(),
        timeout.as_millis()
    ))
}

/// Sends one GET to a server flooding after `head`; expects `BodyTooLarge` soon.
fn flood(make: &Make<'_>, head: &[u8], what: &str) -> Result<String, Miss> {
    let head = head.to_vec();
    let server = start(move |_| Fault::Flood(head.clone()))?;
    let transport = make();
    let url = format!("{}{PATH}", server.url());
    let (result, elapsed) = timed(&*transport, &request(Method::Get, &url, PATIENCE));
    error_of_kind(result, TransportErrorKind::BodyTooLarge, what)?;
    ensure!(
        elapsed < ms(2000),
        "{what}: took {} ms to stop at a limit of {LIMIT} bytes",
        elapsed.as_millis()
    );
    Ok(format!("BodyTooLarge after {} ms", elapsed.as_millis()))
}

fn huge_content_length_stops_at_the_limit(make: &Make<'_>) -> Result<String, Miss> {
    flood(
        make,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n",
        "10 GB Content-Length",
    )
}

fn endless_chunked_body_stops_at_the_limit(make: &Make<'_>) -> Result<String, Miss> {
    flood(
        make,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10000000\r\n",
        "endless chunked body",
    )
}

fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    let half = body.len() / 2;
    for part in [&body[..half], &body[half..]] {
        out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn body_at_the_limit_is_whole(make: &Make<'_>) -> Result<String, Miss> {
    let exact = vec![b'x'; LIMIT as usize];
    let over = vec![b'x'; LIMIT as usize + 1];
    let replies = [
        (
            "exactly the limit, by Content-Length",
            response(200, &[], &exact),
            true,
        ),
        ("exactly the limit, chunked", chunked(&exact), true),
        (
            "one byte over, by Content-Length",
            response(200, &[], &over),
            false,
        ),
        ("one byte over, chunked", chunked(&over), false),
    ];
    let transport = make();
    for (what, reply, fits) in replies {
        let server = setup("a loopback server", FaultServer::always(reply))?;
        let url = format!("{}{PATH}", server.url());
        let result = transport.send(&request(Method::Get, &url, PATIENCE));
        if fits {
            let got = answer(result, what)?;
            ensure!(
                got.body() == exact,
                "{what}: the body came back as {} bytes",
                got.body().len()
            );
        } else {
            error_of_kind(result, TransportErrorKind::BodyTooLarge, what)?;
        }
    }
    Ok(format!("limit {LIMIT} bytes"))
}

fn connections_are_reused(make: &Make<'_>) -> Result<String, Miss> {
    const CALLS: usize = 10;
    let server = start(|n| {
        if n == 4 {
            let body = br#"{"id":"api.context.404.app_error","status_code":404}"#;
            Fault::KeepAlive(keep_alive_response(
                404,
                &[("Content-Type", "application/json")],
                body,
            ))
        } else {
            Fault::KeepAlive(keep_alive_response(
                200,
                &[("Content-Type", "application/json")],
                STATUS_BODY.as_bytes(),
            ))
        }
    })?;
    let transport = make();
    let url = format!("{}{PATH}", server.url());
    for i in 0..CALLS {
        let mut req = request(Method::Get, &url, PATIENCE);
        if i % 2 == 1 {
            req = request(Method::Put, &url, PATIENCE).with_body(br#"{"status":"online"}"#);
        }
        answer(transport.send(&req), &format!("call {}", i + 1))?;
    }
    ensure!(
        server.connections() == 1,
        "{CALLS} sequential calls opened {} connections",
        server.connections()
    );
    let other_thread = std::thread::scope(|scope| {
        scope
            .spawn(|| transport.send(&request(Method::Get, &url, PATIENCE)))
            .join()
    });
    let result =
        other_thread.map_err(|_| Miss::Fail("the call on another thread panicked".into()))?;
    answer(result, "a call from another thread")?;
    ensure!(
        server.connections() == 1,
        "a call from another thread, after the others, opened a connection of its own \
         ({} in all)",
        server.connections()
    );
    Ok(format!("{} calls, 1 connection", CALLS + 1))
}

fn concurrent_calls_get_their_own_answers(make: &Make<'_>) -> Result<String, Miss> {
    const THREADS: usize = 4;
    const EACH: usize = 5;
    let server = setup(
        "a loopback server",
        FaultServer::start_with(|_, request| {
            let body = request.target().as_bytes().to_vec();
            Fault::KeepAlive(keep_alive_response(
                200,
                &[("Content-Type", "text/plain")],
                &body,
            ))
        }),
    )?;
    let transport = make();
    let base = server.url();
    let results: Vec<Result<(), Miss>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (transport, base) = (&transport, &base);
                scope.spawn(move || -> Result<(), Miss> {
                    for i in 0..EACH {
                        let target = format!("/echo/{t}/{i}");
                        let url = format!("{base}{target}");
                        let what = format!("thread {t} call {i}");
                        let got =
                            answer(transport.send(&request(Method::Get, &url, PATIENCE)), &what)?;
                        ensure!(
                            got.body() == target.as_bytes(),
                            "{what}: got the answer to {:?}",
                            String::from_utf8_lossy(got.body())
                        );
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Miss::Fail("a thread panicked".into())))
            })
            .collect()
    });
    for result in results {
        result?;
    }
    Ok(format!(
        "{} calls on {} connections",
        THREADS * EACH,
        server.connections()
    ))
}
