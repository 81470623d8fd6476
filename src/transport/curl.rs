//! [`CurlTransport`]: the transport on the system's libcurl (cargo feature `curl`).

use std::cell::Cell;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use curl::easy::{Easy, List};

use super::options::ROOT_FIELD;
use super::TransportOptions;
use super::{HttpRequest, HttpResponse, Method, ProxySetting, RootCertificate, Transport};
use crate::error::{Error, TransportError, TransportErrorKind};

/// The most idle handles (each with its kept-alive connection) a transport keeps.
const MAX_IDLE_HANDLES: usize = 8;

/// A transport on libcurl, as the system has it: its TLS library and trust store, and the
/// proxies its users have set in the environment.
///
/// It honours the same contract as [`UreqTransport`](crate::transport::UreqTransport) (see
/// [`Transport`]): the request's timeout bounds the whole exchange (`CURLOPT_TIMEOUT_MS`),
/// the body limit stops reading at the limit (`CURLOPT_MAXFILESIZE` for a
/// `Content-Length` over it, and the write callback for everything else, allocating
/// nothing ahead of the bytes), redirects are answers, never followed, 4xx and 5xx are
/// answers, only the response headers the request wants are kept, and the connections
/// are kept alive and reused: it holds a small pool of curl easy handles, so calls from
/// several threads run side by side and a thread's next call reuses a connection.
///
/// What it takes from the system, as the `curl` command does:
///
/// - **TLS**: libcurl's TLS library and its default CA bundle (on Debian, OpenSSL and
///   `/etc/ssl/certs/ca-certificates.crt`). Like the `curl` command, it reads
///   `CURL_CA_BUNDLE`, else `SSL_CERT_FILE` and `SSL_CERT_DIR`, once, when the transport
///   is built (libcurl itself reads none of them; the command does).
/// - **Proxies**: libcurl reads `http_proxy` (lower case only), `HTTPS_PROXY`,
///   `ALL_PROXY` and `NO_PROXY` itself, on every request, exactly as `curl` does.
///
/// It never turns on curl's verbose output, so no header value (the token) is ever
/// written anywhere, and it sends no header of its own beyond `Host`, `Content-Length`
/// and HTTP/2 framing (curl's default `Accept: */*` and `Expect: 100-continue` are
/// suppressed).
///
/// ```no_run
/// use std::time::Duration;
/// use mattermost_status::{GetStatus, Session, UserId, transport::CurlTransport};
///
/// let session = Session::builder("https://chat.example.com")
///     .token_from_env("MM_TOKEN")
///     .transport(CurlTransport::new(Duration::from_secs(10)))
///     .build()?;
/// let status = GetStatus::new(UserId::me()).send(&session)?;
/// # Ok::<(), mattermost_status::Error>(())
/// ```
pub struct CurlTransport {
    idle: Mutex<Vec<Easy>>,
    /// How many handles (each with its kept-alive connection) `idle` keeps.
    max_idle: usize,
    connect_timeout: Duration,
    ca: CaSource,
    proxy: ProxySetting,
}

/// Where the CA certificates come from, when not libcurl's compiled-in default.
#[derive(Clone, PartialEq, Eq)]
enum CaSource {
    /// libcurl's default bundle.
    Default,
    /// `CURL_CA_BUNDLE` / `SSL_CERT_FILE` / `SSL_CERT_DIR`, as the `curl` command reads them.
    Environment {
        file: Option<PathBuf>,
        dir: Option<PathBuf>,
    },
    /// The system's bundle and the added roots, as one PEM text (`CURLOPT_CAINFO_BLOB`,
    /// which stands for `CURLOPT_CAINFO`); `dir` as above.
    Blob {
        pem: Vec<u8>,
        added: usize,
        dir: Option<PathBuf>,
    },
}

impl fmt::Debug for CaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaSource::Default => f.write_str("Default"),
            CaSource::Environment { file, dir } => f
                .debug_struct("Environment")
                .field("file", file)
                .field("dir", dir)
                .finish(),
            CaSource::Blob { pem, added, dir } => f
                .debug_struct("Blob")
                .field("pem_len", &pem.len())
                .field("added_roots", added)
                .field("dir", dir)
                .finish(),
        }
    }
}

impl CaSource {
    /// The `curl` command's rule (`tool_operate.c`): `CURL_CA_BUNDLE` if set, else
    /// `SSL_CERT_DIR` and `SSL_CERT_FILE`.
    fn from_env() -> Self {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(bundle) = var("CURL_CA_BUNDLE") {
            return CaSource::Environment {
                file: Some(bundle.into()),
                dir: None,
            };
        }
        let file = var("SSL_CERT_FILE").map(PathBuf::from);
        let dir = var("SSL_CERT_DIR").map(PathBuf::from);
        if file.is_none() && dir.is_none() {
            CaSource::Default
        } else {
            CaSource::Environment { file, dir }
        }
    }
}

impl CaSource {
    /// The system's bundle (as [`from_env`](Self::from_env) finds it, else the
    /// distribution's) and `roots`, as one PEM text.
    fn with_roots(roots: &[RootCertificate]) -> Result<Self, Error> {
        let (file, dir) = match CaSource::from_env() {
            CaSource::Environment { file, dir } => (file, dir),
            _ => (None, None),
        };
        let file = file.or_else(super::system_roots::bundle_path);
        let mut pem = match &file {
            Some(path) => std::fs::read(path).map_err(|e| {
                Error::invalid(
                    ROOT_FIELD,
                    format!(
                        "could not read the system's CA bundle {}: {e}",
                        path.display()
                    ),
                )
            })?,
            None => Vec::new(),
        };
        for root in roots {
            if !pem.is_empty() && !pem.ends_with(b"\n") {
                pem.push(b'\n');
            }
            pem.extend_from_slice(root.pem().as_bytes());
        }
        Ok(CaSource::Blob {
            pem,
            added: roots.len(),
            dir,
        })
    }
}

impl CurlTransport {
    /// A transport whose connections time out after `connect_timeout` (the request's
    /// own timeout bounds the whole exchange, connecting included).
    pub fn new(connect_timeout: Duration) -> Self {
        curl::init();
        CurlTransport {
            idle: Mutex::new(Vec::new()),
            max_idle: MAX_IDLE_HANDLES,
            connect_timeout,
            ca: CaSource::from_env(),
            proxy: ProxySetting::Environment,
        }
    }

    /// A transport with the settings a [`SessionBuilder`](crate::SessionBuilder) gathers
    /// (and that [`SessionBuilder::curl`](crate::SessionBuilder::curl) hands it):
    ///
    /// - [`root_certificates`](TransportOptions::root_certificates) are trusted *besides*
    ///   the system's store: the system's CA bundle file (`CURL_CA_BUNDLE`, else
    ///   `SSL_CERT_FILE`, else the distribution's) and the added roots go to libcurl as
    ///   one PEM text (`CURLOPT_CAINFO_BLOB`); libcurl's CA directory stays.
    /// - [`system_roots`](TransportOptions::system_roots) changes nothing: libcurl
    ///   always trusts the system's store.
    /// - [`proxy`](TransportOptions::proxy): the environment, read by libcurl itself
    ///   ([`ProxySetting::Environment`]); none ([`ProxySetting::None`]: `CURLOPT_PROXY`
    ///   empty, which ignores the environment); or one proxy (`CURLOPT_PROXY`), which
    ///   libcurl skips for the hosts `NO_PROXY` lists, as `curl --proxy` does.
    ///
    /// Fails, as [`Error::InvalidInput`] naming `root_certificate`, when the system's CA
    /// bundle file cannot be read.
    pub fn from_options(options: &TransportOptions) -> Result<Self, Error> {
        let mut transport = CurlTransport::new(options.connect_timeout);
        if !options.root_certificates.is_empty() {
            transport.ca = CaSource::with_roots(&options.root_certificates)?;
        }
        transport.proxy = options.proxy.clone();
        transport.max_idle = options.max_idle_connections;
        Ok(transport)
    }

    /// The libcurl this transport runs on, and its TLS library: `libcurl/7.88.1
    /// (OpenSSL/3.0.19)`.
    pub fn libcurl_version() -> String {
        let version = curl::Version::get();
        match version.ssl_version() {
            Some(ssl) => format!("libcurl/{} ({ssl})", version.version()),
            None => format!("libcurl/{} (no TLS)", version.version()),
        }
    }

    fn take_handle(&self) -> Easy {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        idle.unwrap_or_else(Easy::new)
    }

    fn give_back(&self, handle: Easy) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < self.max_idle {
            idle.push(handle);
        }
    }

    /// Sets every option of one request on a handle just reset.
    fn configure(&self, easy: &mut Easy, request: &HttpRequest<'_>) -> Result<(), curl::Error> {
        easy.signal(false)?;
        easy.verbose(false)?;
        easy.url(request.url())?;
        easy.follow_location(false)?;
        let timeout = at_least_a_millisecond(request.timeout());
        easy.timeout(timeout)?;
        easy.connect_timeout(at_least_a_millisecond(self.connect_timeout.min(timeout)))?;
        easy.max_filesize(request.max_response_bytes())?;
        match request.body() {
            Some(body) => {
                easy.post(true)?;
                easy.post_fields_copy(body)?;
            }
            None => easy.get(true)?,
        }
        match request.method() {
            Method::Get if request.body().is_none() => {}
            Method::Post if request.body().is_some() => {}
            other => easy.custom_request(other.as_str())?,
        }
        let mut headers = List::new();
        for (name, value) in request.headers() {
            headers.append(&format!("{name}: {value}"))?;
        }
        // curl adds these unless told not to; the request is sent as it is.
        if request.header("Accept").is_none() {
            headers.append("Accept:")?;
        }
        if request.body().is_some() && request.header("Content-Type").is_none() {
            headers.append("Content-Type:")?;
        }
        headers.append("Expect:")?;
        easy.http_headers(headers)?;
        match &self.ca {
            CaSource::Default => {}
            CaSource::Environment { file, dir } => {
                if let Some(file) = file {
                    easy.cainfo(file)?;
                }
                if let Some(dir) = dir {
                    easy.capath(dir)?;
                }
            }
            CaSource::Blob { pem, dir, .. } => {
                easy.ssl_cainfo_blob(pem)?;
                if let Some(dir) = dir {
                    easy.capath(dir)?;
                }
            }
        }
        match &self.proxy {
            ProxySetting::Url(url) => easy.proxy(&url.url_with_credentials())?,
            ProxySetting::None => easy.proxy("")?,
            // libcurl reads the environment itself.
            _ => {}
        }
        Ok(())
    }

    fn perform(
        &self,
        easy: &mut Easy,
        request: &HttpRequest<'_>,
    ) -> Result<HttpResponse, TransportError> {
        self.configure(easy, request)
            .map_err(|e| convert_error(&e, false, false))?;
        let limit = request.max_response_bytes();
        let http = crate::site_url::origin(request.url()).is_some_and(|o| {
            o.scheme.eq_ignore_ascii_case("http") || o.scheme.eq_ignore_ascii_case("https")
        });
        let mut body: Vec<u8> = Vec::new();
        let too_large = Cell::new(false);
        let mut headers: Vec<(String, String)> = Vec::new();
        {
            let mut transfer = easy.transfer();
            transfer
                .header_function(|line| {
                    keep_header(line, request, &mut headers);
                    true
                })
                .map_err(|e| convert_error(&e, false, false))?;
            transfer
                .write_function(|data| {
                    if !append_within(&mut body, data, limit) {
                        too_large.set(true);
                        return Ok(0); // aborts the transfer: CURLE_WRITE_ERROR
                    }
                    Ok(data.len())
                })
                .map_err(|e| convert_error(&e, false, false))?;
            transfer
                .perform()
                .map_err(|e| convert_error(&e, too_large.get(), http))?;
        }
        let status = easy
            .response_code()
            .map_err(|e| convert_error(&e, false, false))?;
        let status = u16::try_from(status).map_err(|_| {
            TransportError::new(
                TransportErrorKind::Io,
                format!("the server answered with status {status}, which is not HTTP"),
            )
        })?;
        let mut response = HttpResponse::new(status, body);
        for (name, value) in headers {
            response.push_header(name, value);
        }
        Ok(response)
    }
}

/// `CURLE_WEIRD_SERVER_REPLY` (curl.h): the answer is not HTTP.
const CURLE_WEIRD_SERVER_REPLY: u32 = 8;

/// curl takes a timeout of zero as "none": the shortest it gets is 1 ms.
fn at_least_a_millisecond(timeout: Duration) -> Duration {
    timeout.max(Duration::from_millis(1))
}

/// Appends `data` to `body` unless that would pass `limit`; grows `body` at most to the
/// limit, never ahead of what came by more than doubling.
fn append_within(body: &mut Vec<u8>, data: &[u8], limit: u64) -> bool {
    let needed = body.len() as u64 + data.len() as u64;
    if needed > limit {
        return false;
    }
    if needed as usize > body.capacity() {
        let doubled = (body.capacity() as u64).saturating_mul(2).min(limit);
        let target = doubled.max(needed) as usize;
        body.reserve_exact(target - body.len());
    }
    body.extend_from_slice(data);
    true
}

/// Keeps one header line if the request wants it. A status line starts a new head (a
/// `100 Continue`, a proxy's answer to `CONNECT`): what came before is dropped.
fn keep_header(line: &[u8], request: &HttpRequest<'_>, headers: &mut Vec<(String, String)>) {
    if line.starts_with(b"HTTP/") {
        headers.clear();
        return;
    }
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return; // the blank line that ends the head
    };
    let Ok(name) = std::str::from_utf8(&line[..colon]) else {
        return;
    };
    let name = name.trim();
    if name.is_empty() || !request.wants_response_header(name) {
        return;
    }
    let value = String::from_utf8_lossy(&line[colon + 1..]);
    headers.push((name.to_owned(), value.trim().to_owned()));
}

impl Default for CurlTransport {
    /// Connect timeout: 10 seconds.
    fn default() -> Self {
        CurlTransport::new(Duration::from_secs(10))
    }
}

impl fmt::Debug for CurlTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let idle = self.idle.lock().map_or(0, |handles| handles.len());
        f.debug_struct("CurlTransport")
            .field("connect_timeout", &self.connect_timeout)
            .field("ca", &self.ca)
            .field("proxy", &self.proxy)
            .field("idle_handles", &idle)
            .finish()
    }
}

impl Transport for CurlTransport {
    fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let mut easy = self.take_handle();
        easy.reset();
        let result = self.perform(&mut easy, request);
        self.give_back(easy);
        result
    }
}

/// A curl error as a [`TransportError`]: the kind, and curl's own words (with the detail
/// from its error buffer) as the message; no `source`, so the cause is said once.
/// `sent`: the request was an http(s) one given to curl to perform.
fn convert_error(error: &curl::Error, too_large: bool, sent: bool) -> TransportError {
    use TransportErrorKind as K;
    let detail = error
        .extra_description()
        .map_or_else(|| error.description().to_owned(), str::to_owned);
    if too_large || error.is_filesize_exceeded() {
        return TransportError::new(
            K::BodyTooLarge,
            "the answer is larger than the limit; reading stopped there",
        );
    }
    let kind = if error.is_couldnt_connect()
        || error.is_couldnt_resolve_host()
        || error.is_couldnt_resolve_proxy()
    {
        K::Connect
    } else if error.is_operation_timedout() {
        K::Timeout
    } else if error.is_peer_failed_verification()
        || error.is_ssl_connect_error()
        || error.is_ssl_certproblem()
        || error.is_ssl_cipher()
        || error.is_ssl_cacert_badfile()
        || error.is_ssl_issuer_error()
        || error.is_ssl_crl_badfile()
        || error.is_ssl_engine_notfound()
        || error.is_ssl_engine_setfailed()
        || error.is_ssl_engine_initfailed()
        || error.is_use_ssl_failed()
    {
        K::Tls
    } else if error.is_unsupported_protocol() && sent {
        // What curl 7.x says of an answer that is not HTTP ("Received HTTP/0.9 when not
        // allowed"), the scheme being http(s).
        K::Io
    } else if error.is_url_malformed()
        || error.is_unsupported_protocol()
        || error.is_bad_function_argument()
        || error.is_unknown_option()
    {
        K::InvalidRequest
    } else if error.is_recv_error()
        || error.is_send_error()
        || error.is_got_nothing()
        || error.is_partial_file()
        || error.code() == CURLE_WEIRD_SERVER_REPLY
        || error.is_http2_error()
        || error.is_http2_stream_error()
        || error.is_chunk_failed()
        || error.is_bad_content_encoding()
        || error.is_write_error()
        || error.is_read_error()
    {
        K::Io
    } else {
        K::Other
    };
    let message = if kind == K::Tls {
        tls_advice(&detail)
    } else {
        detail
    };
    TransportError::new(kind, message)
}

/// curl's TLS detail, with what a person can do about it.
fn tls_advice(detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    let advice = if lower.contains("local issuer")
        || lower.contains("self-signed")
        || lower.contains("self signed")
        || lower.contains("unknown ca")
    {
        "the server's certificate is signed by a CA this client does not trust; if it is \
         your organisation's CA, pass its certificate with --ca-file (MM_CA_FILE) or \
         SessionBuilder::add_root_certificate_file, or add it to the system's store"
    } else if lower.contains("expired") {
        "the server's certificate has expired; its administrator must renew it (or check \
         this machine's clock)"
    } else if lower.contains("not yet valid") {
        "the server's certificate is not valid yet; check this machine's clock"
    } else if lower.contains("subject name")
        || lower.contains("does not match")
        || lower.contains("hostname mismatch")
    {
        "the server's certificate is not valid for the host name in the URL; use the \
         name the certificate was issued for in the base URL"
    } else {
        "the TLS handshake failed"
    };
    format!("{advice} (curl: {detail})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_grows_to_the_limit_and_no_further() {
        let mut body = Vec::new();
        let limit = 100;
        assert!(append_within(&mut body, &[1; 60], limit));
        assert!(append_within(&mut body, &[2; 40], limit));
        assert_eq!(body.len(), 100);
        assert!(body.capacity() <= 100, "capacity {}", body.capacity());
        assert!(!append_within(&mut body, &[3], limit));
        assert_eq!(body.len(), 100, "nothing of a refused chunk is kept");
    }

    #[test]
    fn tls_failures_say_what_to_do() {
        let unknown = tls_advice("SSL certificate problem: unable to get local issuer certificate");
        assert!(unknown.contains("--ca-file"), "{unknown}");
        let expired = tls_advice("SSL certificate problem: certificate has expired");
        assert!(expired.contains("has expired"), "{expired}");
        let name = tls_advice(
            "SSL: no alternative certificate subject name matches target host name '127.0.0.1'",
        );
        assert!(name.contains("not valid for the host name"), "{name}");
    }

    #[test]
    fn only_wanted_headers_are_kept_and_a_new_head_starts_over() {
        let wanted = ["Retry-After"];
        let request =
            HttpRequest::new(Method::Get, "http://127.0.0.1/").with_response_headers(&wanted);
        let mut headers = Vec::new();
        keep_header(b"HTTP/1.1 100 Continue\r\n", &request, &mut headers);
        keep_header(b"Retry-After: 9\r\n", &request, &mut headers);
        keep_header(b"HTTP/1.1 429 Too Many\r\n", &request, &mut headers);
        keep_header(b"retry-after:  3 \r\n", &request, &mut headers);
        keep_header(b"X-Other: 1\r\n", &request, &mut headers);
        keep_header(b"\r\n", &request, &mut headers);
        assert_eq!(headers, [("retry-after".to_owned(), "3".to_owned())]);
    }
}
