//! The system's CA bundle is read at the first request that can meet TLS, not when the
//! session is built: a tool that only talks to an `http://` site never reads it. One test
//! in its own binary, since it sets `SSL_CERT_FILE` for the process.
#![cfg(all(feature = "ureq", feature = "fake"))]

use mattermost_status::fake::FakeServer;
use mattermost_status::transport::{
    HttpRequest, Method, Transport, TransportOptions, UreqTransport,
};
use mattermost_status::{GetStatus, Session, TransportErrorKind, UserId};

/// A throwaway self-signed root: with it added, the bundle is read even under the
/// `platform-verifier` feature (the platform's verifier cannot take extra roots).
const ADDED_ROOT: &str = "-----BEGIN CERTIFICATE-----
MIIBozCCAUmgAwIBAgIUH2B+Aj3mwrnPY3aHDRgMWBwGLbEwCgYIKoZIzj0EAwIw
JjEkMCIGA1UEAwwbbWF0dGVybW9zdC1zdGF0dXMgdGVzdCByb290MCAXDTI2MTIw
NjE5NTQwM1oYDzIxMjYxMTEyMTk1NDAzWjAmMSQwIgYDVQQDDBttYXR0ZXJtb3N0
LXN0YXR1cyB0ZXN0IHJvb3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARga31q
t5R/8fERi7HG95oAmozkAmIja83574VLZbzYerJJY3v928QUdZY1MzCG540kbuF8
4H088UtdD4hesauEo1MwUTAdBgNVHQ4EFgQUP6oGxlFi/rR/nBmrgf/0+o1R+fww
HwYDVR0jBBgwFoAUP6oGxlFi/rR/nBmrgf/0+o1R+fwwDwYDVR0TAQH/BAUwAwEB
/zAKBggqhkjOPQQDAgNIADBFAiEA720gN4Mym9Lzc9NJVf34n1QrOfeLFXMh5KXx
mcxbi5oCIEqFqm/tmNbmAFlkOKEd+N2Awobwa8vnzt7HsFNMFS2S
-----END CERTIFICATE-----
";

#[test]
fn the_system_bundle_is_read_only_when_tls_can_happen() {
    // A bundle file that exists (so the setting is sound when built) but holds no
    // certificate: reading it fails, which shows when it is read.
    let dir = std::env::temp_dir().join(format!("mm-status-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("broken-bundle.pem");
    std::fs::write(&bundle, "not a certificate\n").unwrap();
    std::env::set_var("SSL_CERT_FILE", &bundle);

    // An http:// site: built and answered, the bundle never read.
    let fake = FakeServer::new();
    let alice = fake.user("alice").unwrap();
    let http = fake.serve().unwrap();
    let session = Session::builder(http.url())
        .token(alice.token.clone())
        .add_root_certificate(ADDED_ROOT)
        .system_roots(true)
        .build()
        .expect("built without reading the bundle");
    GetStatus::new(UserId::me()).send(&session).unwrap();

    // The first https:// request reads it, and says what is wrong with it, before
    // connecting anywhere (nothing listens on port 1).
    let mut options = TransportOptions::default();
    options.system_roots = true;
    options.add_root_certificate(ADDED_ROOT).unwrap();
    let transport = UreqTransport::from_options(&options).unwrap();
    let request = HttpRequest::new(Method::Get, "https://127.0.0.1:1/api/v4/users/me/status");
    let err = transport.send(&request).unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Tls, "{err}");
    assert!(err.to_string().contains("CA bundle"), "{err}");
    // Plain http on the same transport still works without it.
    let url = format!("{}/api/v4/system/ping", http.url());
    transport
        .send(&HttpRequest::new(Method::Get, &url))
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
}
