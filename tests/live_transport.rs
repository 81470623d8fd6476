//! The live stream's byte stream through the built-in transport: TLS with the session's
//! trust (an added root; the default roots refuse a private CA with the HTTP side's
//! advice), and a `CONNECT` tunnel through the session's proxy (its credentials as
//! Basic, its password never shown).
#![cfg(feature = "live")]

mod live_script;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use live_script::certs::{CA_PEM, SERVER_KEY_PEM, SERVER_PEM};
use live_script::*;
use mattermost_status::{Error, Session, TransportErrorKind};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tungstenite::protocol::Role;
use tungstenite::WebSocket;

/// A TLS websocket server on 127.0.0.1 for one connection: hello, then answers pings
/// for a while. Returns its port and its thread.
fn tls_server() -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let certs = vec![CertificateDer::from_pem_slice(SERVER_PEM.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY_PEM.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let config = Arc::new(config);
    let thread = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let Some(head) = read_head(&mut tls) else {
            return; // the client refused the certificate
        };
        let key = head.header("Sec-WebSocket-Key").unwrap_or_default();
        let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
        write!(
            tls,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\n\r\n"
        )
        .unwrap();
        tls.sock
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut ws = WebSocket::from_raw_socket(tls, Role::Server, None);
        let _ = ws.send(tungstenite::Message::text(format!(
            r#"{{"event":"hello","data":{{"connection_id":"{CONN_A}"}},"broadcast":{{"user_id":"{ME}"}},"seq":0}}"#
        )));
        let end = std::time::Instant::now() + Duration::from_secs(1);
        while std::time::Instant::now() < end {
            match ws.read() {
                Ok(tungstenite::Message::Text(t)) => {
                    let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
                    let seq = v["seq"].as_i64().unwrap();
                    let _ = ws.send(tungstenite::Message::text(format!(
                        r#"{{"status":"OK","seq_reply":{seq}}}"#
                    )));
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => break,
            }
        }
    });
    (port, thread)
}

#[test]
fn wss_trusts_the_sessions_added_root() {
    let (port, server) = tls_server();
    let session = Session::builder(format!("https://127.0.0.1:{port}"))
        .token(TOKEN)
        .no_proxy()
        .add_root_certificate(CA_PEM)
        .build()
        .unwrap();
    let live = session.live().unwrap();
    assert_eq!(live.connection_id(), Some(CONN_A));
    live.close().unwrap();
    server.join().unwrap();
}

#[test]
fn wss_with_the_default_roots_refuses_a_private_ca_as_the_http_side_does() {
    let (port, server) = tls_server();
    let session = Session::builder(format!("https://127.0.0.1:{port}"))
        .token(TOKEN)
        .no_proxy()
        .build()
        .unwrap();
    let err = session.live().unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!(t.kind(), TransportErrorKind::Tls, "{t}"),
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("signed by a CA this client does not trust"),
        "{text}"
    );
    assert!(text.contains("add_root_certificate_file"), "{text}");
    server.join().unwrap();
}

#[test]
fn through_the_proxy_with_basic_credentials_by_name() {
    let connects = Arc::new(Mutex::new(Vec::new()));
    let seen = connects.clone();
    // The proxy answers CONNECT with 200 and is then the tunnel's far end itself: the
    // websocket server.
    let proxy = Script::start(move |_, head, stream, stop| {
        seen.lock().unwrap().push(head.clone());
        let mut tunnel = stream;
        let _ = tunnel.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let Some(upgrade_head) = read_head(&tunnel) else {
            return;
        };
        assert_eq!(upgrade_head.target, "/api/v4/websocket");
        assert_eq!(upgrade_head.header("Host"), Some("mm.example.invalid:8065"));
        let mut ws = upgrade(tunnel.try_clone().unwrap(), &upgrade_head);
        hello(&mut ws, CONN_A);
        serve_actions(&mut ws, stop, Duration::from_millis(500), &|_| {
            "online".into()
        });
        let _ = tunnel.read(&mut [0u8; 1]);
    });
    let proxy_url = proxy
        .url()
        .replace("http://", "http://alice:s3cret%3Apass@");
    // A host name only the proxy could resolve: nothing is looked up here.
    let session = Session::builder("http://mm.example.invalid:8065")
        .token(TOKEN)
        .proxy(&proxy_url)
        .build()
        .unwrap();
    let live = session.live().unwrap();
    assert_eq!(live.connection_id(), Some(CONN_A));
    live.close().unwrap();
    drop(proxy);
    let connects = connects.lock().unwrap();
    assert_eq!(connects[0].method, "CONNECT");
    assert_eq!(connects[0].target, "mm.example.invalid:8065");
    // base64("alice:s3cret:pass")
    assert_eq!(
        connects[0].header("Proxy-Authorization"),
        Some("Basic YWxpY2U6czNjcmV0OnBhc3M=")
    );
}

#[test]
fn a_proxy_that_refuses_says_so_without_its_password() {
    let proxy = Script::start(|n, _head, stream, _| match n {
        0 => http(
            stream,
            407,
            &[("Proxy-Authenticate", "Basic realm=\"x\"")],
            "",
        ),
        _ => http(stream, 403, &[], "CONNECT to port 8065 is not allowed"),
    });
    let proxy_url = proxy.url().replace("http://", "http://alice:s3cretpass@");
    let session = Session::builder("http://mm.example.invalid:8065")
        .token(TOKEN)
        .proxy(&proxy_url)
        .build()
        .unwrap();
    for wanted in ["wants credentials", "refused to open a tunnel"] {
        let err = session.live().unwrap_err();
        match &err {
            Error::Transport(t) => assert_eq!(t.kind(), TransportErrorKind::Connect, "{t}"),
            other => panic!("{other:?}"),
        }
        let shown = format!("{err} {err:?}");
        assert!(shown.contains(wanted), "{shown}");
        assert!(shown.contains("alice:[redacted]@127.0.0.1"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}

#[test]
fn nothing_listening_is_a_connect_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let session = Session::builder(format!("http://127.0.0.1:{port}"))
        .token(TOKEN)
        .no_proxy()
        .build()
        .unwrap();
    let err = session.live().unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{err:?}"
    );
}
