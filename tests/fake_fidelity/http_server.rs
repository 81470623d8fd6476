//! The HTTP server itself: keep-alive, chunked bodies, stopping; and the in-process transport.

use super::*;
use mattermost_status::RetryPolicy;

/// Reads one HTTP/1.1 response with a Content-Length body.
fn read_response(reader: &mut BufReader<TcpStream>) -> (String, Vec<u8>) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status_line, body)
}

#[test]
fn one_connection_serves_many_requests() {
    let env = env();
    let stream = TcpStream::connect(env.server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let body = format!(r#"{{"user_id":"{}","status":"away"}}"#, env.alice.id);
    write!(
        writer,
        "PUT /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        env.alice.token,
        body.len()
    )
    .unwrap();
    let (status, first) = read_response(&mut reader);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(String::from_utf8_lossy(&first).contains("\"away\""));
    write!(
        writer,
        "GET /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        env.alice.token
    )
    .unwrap();
    let (status, second) = read_response(&mut reader);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert_eq!(first, second);
    assert_eq!(env.fake.request_count(), 2);
}

/// Sends raw bytes on a new connection and reads one response.
fn exchange(env: &Env, request: &[u8]) -> (BufReader<TcpStream>, TcpStream, String, Vec<u8>) {
    let stream = TcpStream::connect(env.server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    writer.write_all(request).unwrap();
    let mut reader = BufReader::new(stream);
    let (status, body) = read_response(&mut reader);
    (reader, writer, status, body)
}

#[test]
fn chunked_bodies_and_expect_continue_are_understood() {
    let env = env();
    let body = format!(r#"{{"user_id":"{}","status":"away"}}"#, env.alice.id);
    let (head, tail) = body.split_at(10);
    let chunked = format!(
        "PUT /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{head}\r\n{:x};ext=1\r\n{tail}\r\n0\r\n\r\n",
        env.alice.token,
        head.len(),
        tail.len()
    );
    let (_, _, status, answer) = exchange(&env, chunked.as_bytes());
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(String::from_utf8_lossy(&answer).contains("\"away\""));

    // curl sends Expect: 100-continue for larger bodies and waits for the interim answer.
    let stream = TcpStream::connect(env.server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let body = format!(r#"{{"user_id":"{}","status":"online"}}"#, env.alice.id);
    write!(
        writer,
        "PUT /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        env.alice.token,
        body.len()
    )
    .unwrap();
    let mut interim = String::new();
    reader.read_line(&mut interim).unwrap();
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
    let mut blank = String::new();
    reader.read_line(&mut blank).unwrap();
    writer.write_all(body.as_bytes()).unwrap();
    let (status, answer) = read_response(&mut reader);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(String::from_utf8_lossy(&answer).contains("\"online\""));
}

#[test]
fn connection_close_and_malformed_requests_end_the_connection() {
    let env = env();
    let request = format!(
        "GET /api/v4/users/me/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Authorization: Bearer {}\r\n\r\n",
        env.alice.token
    );
    let (mut reader, _writer, status, _) = exchange(&env, request.as_bytes());
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "the server closed the connection");

    let (mut reader, _writer, status, _) = exchange(&env, b"NOT HTTP AT ALL\r\n\r\n");
    assert!(status.starts_with("HTTP/1.1 400"), "{status}");
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(
        env.fake.request_count(),
        1,
        "the malformed one reached no handler"
    );
}

#[test]
fn stopping_closes_kept_alive_connections_too() {
    let env = env();
    let session = env.session(&env.alice);
    GetStatus::new(UserId::me()).send(&session).unwrap();
    let Env { server, .. } = env;
    server.stop();
    // The session's pooled connection was closed by the server: the next call fails at
    // once with a connection error, not after the session's 30 s timeout.
    let err = GetStatus::new(UserId::me()).send(&session).unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_ne!(t.kind(), TransportErrorKind::Timeout, "{err}");
}

#[test]
fn the_sdk_reuses_its_connection_across_many_calls() {
    let env = env();
    let session = env.session(&env.alice);
    for i in 0..50 {
        let kind = if i % 2 == 0 {
            StatusKind::Away
        } else {
            StatusKind::Online
        };
        UpdateStatus::new(env.alice.id)
            .status(kind.clone())
            .send(&session)
            .unwrap();
        assert_eq!(env.fake.status(env.alice.id).unwrap().status, kind);
    }
    assert_eq!(env.fake.request_count(), 50);
}

#[test]
fn stop_closes_the_socket_and_the_state_can_be_served_again() {
    let env = env();
    let url = env.server.url().to_owned();
    let Env {
        fake,
        server,
        alice,
        ..
    } = env;
    UpdateStatus::new(alice.id)
        .status(StatusKind::Away)
        .send(
            &Session::builder(&url)
                .token(alice.token.clone())
                .build()
                .unwrap(),
        )
        .unwrap();
    server.stop();
    let err = GetStatus::new(UserId::me())
        .send(
            &Session::builder(&url)
                .token(alice.token.clone())
                .connect_timeout(Duration::from_secs(2))
                .retry(RetryPolicy::none()) // a refused connect is retried, with backoff
                .build()
                .unwrap(),
        )
        .unwrap_err();
    let Error::Transport(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TransportErrorKind::Connect, "{err}");
    // Dropping a second server also stops it (and joins its thread).
    let again = fake.serve().unwrap();
    let s = GetStatus::new(UserId::me())
        .send(
            &Session::builder(again.url())
                .token(alice.token.clone())
                .build()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(s.status, StatusKind::Away, "same state, new socket");
    drop(again);
}

#[test]
fn the_in_process_transport_answers_the_same() {
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let session = fake.session(&alice).unwrap();
    let s = UpdateStatus::new(UserId::me())
        .status(StatusKind::Away)
        .send(&session)
        .unwrap();
    assert_eq!(s.status, StatusKind::Away);
    let server = fake.serve().unwrap();
    let over_http = GetStatus::new(UserId::me())
        .send(
            &Session::builder(server.url())
                .token(alice.token.clone())
                .build()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(over_http, s);
    assert_api_error(
        UpdateStatus::new(fake.user("bob").unwrap().id)
            .status(StatusKind::Away)
            .send(&session),
        403,
        "api.context.permissions.app_error",
    );
    // The transport honours the session's body limit.
    let tiny = Session::builder("http://x.invalid")
        .token(alice.token.clone())
        .transport(fake.clone())
        .max_response_bytes(10)
        .build()
        .unwrap();
    let err = GetStatus::new(UserId::me()).send(&tiny).unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::BodyTooLarge),
        "{err:?}"
    );
}
