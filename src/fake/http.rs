//! [`FakeHttpServer`]: the fake server on a real socket, through tiny_http.

use std::fmt;
use std::io::{self, Read};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::state::MAX_BODY_BYTES;
use super::FakeServer;

/// A [`FakeServer`] listening for HTTP on a socket; from [`FakeServer::serve`].
///
/// Any HTTP client can talk to it: the crate's own [`UreqTransport`](crate::UreqTransport),
/// curl, or the tool under test. Connections are kept alive (HTTP/1.1). It stops when
/// [`stop`](FakeHttpServer::stop) is called or when it is dropped: both stop accepting
/// requests and wait for the thread that answers them to finish. The state stays in the
/// [`FakeServer`], which can be served again.
pub struct FakeHttpServer {
    addr: SocketAddr,
    url: String,
    server: Arc<tiny_http::Server>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeHttpServer {
    pub(crate) fn start(fake: FakeServer, addr: impl ToSocketAddrs) -> io::Result<Self> {
        let server = tiny_http::Server::http(addr).map_err(io::Error::other)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("the fake server is not on an IP address"))?;
        let server = Arc::new(server);
        let stopping = Arc::new(AtomicBool::new(false));
        let thread = {
            let server = Arc::clone(&server);
            let stopping = Arc::clone(&stopping);
            std::thread::Builder::new()
                .name("mattermost-status-fake".to_owned())
                .spawn(move || serve(&fake, &server, &stopping))?
        };
        Ok(FakeHttpServer {
            addr,
            url: format!("http://{addr}"),
            server,
            stopping,
            thread: Some(thread),
        })
    }

    /// The site address to give [`Session::builder`](crate::Session::builder):
    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting requests and waits for the serving thread to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            // The thread never panics on its own; a panic there is already reported.
            let _ = thread.join();
        }
    }
}

impl Drop for FakeHttpServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl fmt::Debug for FakeHttpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeHttpServer")
            .field("url", &self.url)
            .field("running", &self.thread.is_some())
            .finish()
    }
}

fn serve(fake: &FakeServer, server: &tiny_http::Server, stopping: &AtomicBool) {
    loop {
        match server.recv() {
            Ok(request) => answer(fake, request),
            Err(_) if stopping.load(Ordering::SeqCst) => return,
            // A failed accept or a broken connection: keep serving the others.
            Err(_) => continue,
        }
    }
}

fn answer(fake: &FakeServer, mut request: tiny_http::Request) {
    let method = request.method().as_str().to_owned();
    let target = request.url().to_owned();
    let authorization = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.as_str().to_owned());
    let mut body = Vec::new();
    // A body that breaks off is answered with what arrived, as a server would try to.
    let _ = request
        .as_reader()
        .take(MAX_BODY_BYTES)
        .read_to_end(&mut body);
    let answer = fake.answer(&method, &target, authorization.as_deref(), &body);
    let mut response = tiny_http::Response::from_data(answer.body).with_status_code(answer.status);
    for (name, value) in &answer.headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // The client may have gone; nothing to do about it.
    let _ = request.respond(response);
}
