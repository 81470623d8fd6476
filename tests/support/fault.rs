//! The scripted misbehaving HTTP server of the transport suite
//! (`mattermost-status-conformance`), for the session's fault tests.

#![allow(dead_code)] // each test binary uses its own part of it

pub use mattermost_status_conformance::server;

/// Starts a fault server playing `script(n)` for the n-th request.
pub fn start_server(
    script: impl Fn(usize) -> server::Fault + Send + Sync + 'static,
) -> server::FaultServer {
    server::FaultServer::start(script).expect("start a fault server on 127.0.0.1")
}

/// Starts a fault server answering every request with `reply`.
pub fn serve_always(reply: Vec<u8>) -> server::FaultServer {
    server::FaultServer::always(reply).expect("start a fault server on 127.0.0.1")
}

/// A base URL where nothing listens.
pub fn refused() -> String {
    server::refused_url().expect("bind 127.0.0.1")
}
