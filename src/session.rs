//! [`Session`]: one Mattermost site, one token, one transport, shared by every request.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::model::UserId;
use crate::response::check_status;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::site_url::{self, SiteUrl};
use crate::transport::{
    HttpRequest, HttpResponse, Method, ProxySetting, Transport, TransportOptions,
};
use crate::{TransportError, TransportErrorKind};

/// The default time one whole call may take, retries and waits included: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time to set up a connection (built-in transport): 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest [`timeout`](SessionBuilder::timeout) and
/// [`connect_timeout`](SessionBuilder::connect_timeout): one year. A longer one (such
/// as `Duration::MAX`, for "no practical limit") is capped to it, because HTTP layers
/// add timeouts to the clock, and `Instant + Duration::MAX` overflows (ureq panics).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// The default largest response body: 8 MiB, room for the statuses of ~60,000 users.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;
/// The default number of idle connections the built-in transport keeps for reuse: 16.
pub const DEFAULT_MAX_IDLE_CONNECTIONS: usize = 16;
/// The `User-Agent` the crate sends unless told otherwise: `mattermost-status/<version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("mattermost-status/", env!("CARGO_PKG_VERSION"));

const JSON: &str = "application/json";

/// A connection to one Mattermost site as one user.
///
/// Build it once with [`Session::builder`] and share it: it is `Send + Sync`, and
/// cloning it is cheap (the clones share the transport and its kept-alive connections).
/// Its `Debug` never shows the token.
///
/// # Reliability
///
/// Every call is bounded by the session's [`timeout`](SessionBuilder::timeout), from the
/// first byte sent to the last one read, retries and the waits between them included;
/// each attempt gets what is left of it. A call that fails in a way that is safe to try
/// again (could not connect; 429; 502, 503 or 504 for idempotent requests) is retried
/// according to the session's [`RetryPolicy`], whose documentation has the table of
/// which request is retried when. Redirects are never followed
/// ([`Error::Redirect`]), so the `Authorization` header never goes to another host. No
/// error carries the token, even when a server echoes it back.
///
/// Besides running the requests' `send`, a session sets a status for a while and puts
/// the previous one back: [`dnd`](Session::dnd), [`dnd_until`](Session::dnd_until) and
/// [`status_guard`](Session::status_guard), which return a [`StatusGuard`](crate::StatusGuard).
///
/// ```no_run
/// use mattermost_status::{GetStatus, Session, UserId};
///
/// let session = Session::builder("https://chat.example.com")
///     .token_from_env("MM_TOKEN")
///     .build()?;
/// let status = GetStatus::new(UserId::me()).send(&session)?;
/// println!("I am {}", status.status);
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    site: SiteUrl,
    api_base: String,
    authorization: Secret,
    user_agent: String,
    transport: Arc<dyn Transport>,
    timeout: Duration,
    max_response_bytes: u64,
    retry: RetryPolicy,
    clock: Option<Clock>,
    me: OnceLock<UserId>,
}

/// A clock given to [`SessionBuilder::clock`].
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

impl Session {
    /// Starts building a session for the site at `base_url` (`https://chat.example.com`,
    /// or with a path prefix, `https://example.com/chat`; a trailing slash is fine).
    pub fn builder(base_url: impl Into<String>) -> SessionBuilder {
        SessionBuilder {
            base_url: base_url.into(),
            token: None,
            transport: None,
            options: TransportOptions::default(),
            deferred: None,
            built_in_setting: None,
            #[cfg(feature = "curl")]
            curl: false,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry: RetryPolicy::new(),
            clock: None,
        }
    }

    /// The site address, normalized (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.inner.site.as_str()
    }

    /// The site address in parts (scheme, host, port, path prefix).
    pub fn site_url(&self) -> &SiteUrl {
        &self.inner.site
    }

    /// The time one whole call may take, retries and waits included.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// When and how failed calls are retried.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// The largest response body accepted.
    pub fn max_response_bytes(&self) -> u64 {
        self.inner.max_response_bytes
    }

    /// The real id of the token's user: what `me` stands for.
    ///
    /// The first call asks the server (`GET /users/me/status`, whose answer carries the
    /// id); the session remembers the answer, so later calls send nothing.
    pub fn current_user_id(&self) -> Result<UserId> {
        self.call().current_user_id()
    }

    /// The session's time: the machine's clock, or the one given to
    /// [`SessionBuilder::clock`]. Rules about time ("an end time in the future") are
    /// checked against it.
    pub fn now(&self) -> SystemTime {
        match &self.inner.clock {
            Some(clock) => clock(),
            None => SystemTime::now(),
        }
    }

    /// A call that starts now: its deadline is now plus the session's timeout.
    pub(crate) fn call(&self) -> Call<'_> {
        Call {
            session: self,
            deadline: deadline_after(Instant::now(), self.inner.timeout),
        }
    }

    /// Validates `endpoint`, then makes its calls ([`Endpoint::run`]: one, or several
    /// that share one deadline) and reads the answers: the one path of every request.
    pub(crate) fn execute<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output> {
        endpoint.validate(self)?;
        endpoint.run(&self.call())
    }

    /// Sends one validated `endpoint` and reads the answer, by `deadline`.
    fn send_validated<E: Endpoint>(&self, endpoint: &E, deadline: Instant) -> Result<E::Output> {
        let body = endpoint.body()?;
        let mut url = String::with_capacity(self.inner.api_base.len() + 64);
        url.push_str(&self.inner.api_base);
        endpoint.write_path(&mut url);
        let response = match self.round_trip(
            endpoint.method(),
            &url,
            body.as_deref(),
            endpoint.idempotent(),
            deadline,
        ) {
            Ok(response) => response,
            Err(e) => return endpoint.recover(&e).ok_or(e),
        };
        endpoint
            .parse(&response)
            .map_err(|e| e.redact(self.token()))
    }

    /// The `Authorization` header value (`Bearer <token>`): for the live stream's upgrade.
    #[cfg(feature = "live")]
    pub(crate) fn authorization(&self) -> &str {
        self.inner.authorization.expose()
    }

    /// The `User-Agent` header value: for the live stream's upgrade.
    #[cfg(feature = "live")]
    pub(crate) fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The transport: for the live stream's byte stream.
    #[cfg(feature = "live")]
    pub(crate) fn transport(&self) -> &dyn Transport {
        &*self.inner.transport
    }

    /// The bare token, for [`Error::redact`].
    pub(crate) fn token(&self) -> &str {
        let header = self.inner.authorization.expose();
        header.strip_prefix("Bearer ").unwrap_or(header)
    }

    /// Sends one call: attempts, waits and the deadline, see [`RetryPolicy`].
    fn round_trip(
        &self,
        method: Method,
        url: &str,
        body: Option<&[u8]>,
        idempotent: bool,
        deadline: Instant,
    ) -> Result<HttpResponse> {
        let inner = &*self.inner;
        let start = Instant::now();
        let common = [
            ("Authorization", inner.authorization.expose()),
            ("Accept", JSON),
            ("User-Agent", inner.user_agent.as_str()),
            ("X-Requested-With", "XMLHttpRequest"),
        ];
        // Content-Type only goes with a body.
        let with_body;
        let headers: &[(&str, &str)] = if body.is_some() {
            let [a, b, c, d] = common;
            with_body = [a, b, c, d, ("Content-Type", JSON)];
            &with_body
        } else {
            &common
        };
        let mut attempt = 1;
        // A reused kept-alive connection the server had closed: sent again at once.
        let mut stale_retried = false;
        let result = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                attempt -= 1;
                break Err(out_of_time(inner.timeout, attempt));
            }
            let mut request = HttpRequest::new(method, url)
                .with_headers(headers)
                .with_timeout(left)
                .with_max_response_bytes(inner.max_response_bytes)
                .with_response_headers(crate::transport::SESSION_RESPONSE_HEADERS);
            if let Some(body) = body {
                request = request.with_body(body);
            }
            let outcome = inner.transport.send(&request);
            if let Err(e) = &outcome {
                // As Go's net/http does: a request that failed on a reused connection
                // before any byte of the answer came is sent again at once, on a fresh
                // connection, when it is idempotent; not an attempt, no backoff.
                if e.is_stale_connection() && idempotent && !stale_retried {
                    stale_retried = true;
                    continue;
                }
            }
            let wait = inner.retry.next_wait(attempt, &outcome, idempotent);
            let result = outcome.map_err(Error::from).and_then(check_status);
            let Some(wait) = wait else {
                break result;
            };
            // Retry only when the wait leaves the next attempt a useful share of the
            // time; otherwise the last answer says more than a timeout would.
            let left = deadline.saturating_duration_since(Instant::now());
            if wait.saturating_add(MIN_ATTEMPT_TIME) > left {
                break result;
            }
            std::thread::sleep(wait);
            attempt += 1;
            stale_retried = false;
        };
        // Redacted before it is logged, not only before it is returned.
        let result = result.map_err(|e| e.redact(self.token()));
        crate::logging::finish(method, url, &result, attempt, start);
        result
    }
}

/// One request's calls, once it is validated: they share one deadline (resolving `me`,
/// the runs of a long id list, the call itself). [`Endpoint::run`] makes them.
pub(crate) struct Call<'s> {
    session: &'s Session,
    deadline: Instant,
}

impl Call<'_> {
    /// Sends `endpoint` (validated with the request it is part of) and reads the answer.
    pub(crate) fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output> {
        self.session.send_validated(endpoint, self.deadline)
    }

    /// The session's clock ([`Session::now`]).
    pub(crate) fn now(&self) -> SystemTime {
        self.session.now()
    }

    /// The real id of the token's user (see [`Session::current_user_id`]), asked at most
    /// once per session.
    pub(crate) fn current_user_id(&self) -> Result<UserId> {
        let me = &self.session.inner.me;
        if let Some(id) = me.get() {
            return Ok(*id);
        }
        let status = self.send(&crate::GetStatus::new(UserId::me()))?;
        Ok(*me.get_or_init(|| status.user_id))
    }
}

/// `start + timeout`, or the latest instant the platform can represent near it.
fn deadline_after(start: Instant, timeout: Duration) -> Instant {
    start
        .checked_add(timeout)
        .or_else(|| start.checked_add(FAR_FUTURE))
        .unwrap_or(start)
}

/// A deadline that is as good as none: about 136 years.
const FAR_FUTURE: Duration = Duration::from_secs(u32::MAX as u64);

/// A retry is not started with less time than this left after its wait.
const MIN_ATTEMPT_TIME: Duration = Duration::from_millis(50);

fn out_of_time(timeout: Duration, attempts: u32) -> Error {
    Error::Transport(TransportError::new(
        TransportErrorKind::Timeout,
        format!(
            "the call's timeout of {} s passed after {attempts} attempt(s)",
            timeout.as_secs_f64()
        ),
    ))
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("base_url", &self.inner.site)
            .field("token", &self.inner.authorization)
            .field("user_agent", &self.inner.user_agent)
            .field("timeout", &self.inner.timeout)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .field("retry", &self.inner.retry)
            .field(
                "clock",
                &self.inner.clock.as_ref().map_or("system", |_| "custom"),
            )
            .field("transport", &self.inner.transport)
            .finish()
    }
}

/// Builds a [`Session`]; from [`Session::builder`].
///
/// Nothing is checked or read until [`build`](SessionBuilder::build), which reports the
/// first problem as [`Error::InvalidInput`] naming the setting (`base_url`, `token`,
/// `timeout`, ...).
#[must_use = "a builder does nothing until `.build()`"]
pub struct SessionBuilder {
    base_url: String,
    token: Option<Result<Secret>>,
    transport: Option<Arc<dyn Transport>>,
    /// Trust, proxy and connect timeout for the built-in transport.
    options: TransportOptions,
    /// The first setting refused by a setter that cannot fail, reported by `build`.
    deferred: Option<Error>,
    /// The first setter of the built-in transport called (`proxy(..)`, ...): refused
    /// beside a transport of the caller's own.
    built_in_setting: Option<&'static str>,
    /// Build the libcurl transport instead of the default one.
    #[cfg(feature = "curl")]
    curl: bool,
    timeout: Duration,
    max_response_bytes: u64,
    user_agent: String,
    retry: RetryPolicy,
    clock: Option<Clock>,
}

impl SessionBuilder {
    /// The personal access token (or session token) to send as
    /// `Authorization: Bearer <token>`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Ok(Secret::new(token.into())));
        self
    }

    /// Reads the token from the environment variable `name` at build time.
    pub fn token_from_env(mut self, name: &str) -> Self {
        self.token = Some(match std::env::var(name) {
            Ok(value) => Ok(Secret::new(value.trim().to_owned())),
            Err(std::env::VarError::NotPresent) => Err(Error::invalid(
                "token",
                format!("the environment variable {name} is not set"),
            )),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::invalid(
                "token",
                format!("the environment variable {name} is not valid UTF-8"),
            )),
        });
        self
    }

    /// Reads the token from the file at `path` at build time (surrounding whitespace,
    /// such as the final newline, is dropped).
    pub fn token_from_file(mut self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        self.token = Some(match std::fs::read_to_string(path) {
            Ok(value) => Ok(Secret::new(value.trim().to_owned())),
            Err(e) => Err(Error::invalid(
                "token",
                format!("could not read the token file {}: {e}", path.display()),
            )),
        });
        self
    }

    /// The transport to use instead of the built-in one. The settings of the built-in
    /// transport ([`connect_timeout`](Self::connect_timeout),
    /// [`max_idle_connections`](Self::max_idle_connections), the root certificates,
    /// [`system_roots`](Self::system_roots), [`proxy`](Self::proxy),
    /// [`no_proxy`](Self::no_proxy), `curl`) are then refused by [`build`](Self::build):
    /// configure your transport itself.
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// How long the built-in transport may take to connect (default 10 s); longer than
    /// [`MAX_TIMEOUT`] (one year) is capped to it, zero is refused. Refused beside your own
    /// [`transport`](SessionBuilder::transport).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.built_in("connect_timeout(..)");
        self.options.connect_timeout = timeout;
        self
    }

    /// How many idle connections to the server the built-in transport keeps open for
    /// the next calls (default [`DEFAULT_MAX_IDLE_CONNECTIONS`], 16). A session shared
    /// by N threads needs N of them to never open a connection once warm: with fewer,
    /// every call that ends while that many are already idle closes its connection, and
    /// some later call opens a new one. Idle connections are closed after 15 seconds
    /// unused; 0 closes every connection after its call. Refused beside your own
    /// [`transport`](SessionBuilder::transport).
    ///
    /// ```
    /// use mattermost_status::Session;
    ///
    /// // One session for a pool of 32 worker threads.
    /// let builder = Session::builder("https://chat.example.com")
    ///     .token("t")
    ///     .max_idle_connections(32);
    /// assert_eq!(builder.transport_options().max_idle_connections, 32);
    /// ```
    pub fn max_idle_connections(mut self, connections: usize) -> Self {
        self.built_in("max_idle_connections(..)");
        self.options.max_idle_connections = connections;
        self
    }

    /// Trusts the CA certificate(s) in `pem` (PEM text, one or more `-----BEGIN
    /// CERTIFICATE-----` blocks) for the built-in transport: the way to reach a server
    /// whose certificate comes from a company CA. Which roots are trusted then, with and
    /// without [`system_roots`](Self::system_roots), is in
    /// [`transport::TransportOptions`](crate::transport::TransportOptions#which-roots-are-trusted):
    /// added roots alone replace Mozilla's compiled-in ones. A damaged certificate is
    /// refused by [`build`](Self::build) as [`Error::InvalidInput`] for
    /// `root_certificate`.
    ///
    /// ```no_run
    /// use mattermost_status::Session;
    ///
    /// let pem = std::fs::read("/usr/local/share/ca-certificates/company-ca.crt")?;
    /// let session = Session::builder("https://chat.corp.example")
    ///     .token_from_env("MM_TOKEN")
    ///     .add_root_certificate(pem)
    ///     .system_roots(true) // and the public CAs too
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.built_in("add_root_certificate(..)");
        if let Err(e) = self.options.add_root_certificate(pem) {
            self.deferred.get_or_insert(e);
        }
        self
    }

    /// As [`add_root_certificate`](Self::add_root_certificate), from a PEM file. The file
    /// is read at once; an unreadable file or one without a certificate is refused by
    /// [`build`](Self::build) with an [`Error::InvalidInput`] for `root_certificate` that
    /// names the file.
    pub fn add_root_certificate_file(mut self, path: impl AsRef<Path>) -> Self {
        self.built_in("add_root_certificate_file(..)");
        if let Err(e) = self.options.add_root_certificate_file(path) {
            self.deferred.get_or_insert(e);
        }
        self
    }

    /// Trusts the system's certificate store too (default `false`: Mozilla's roots,
    /// compiled in). With the cargo feature `platform-verifier`, the operating system
    /// verifies; without it, the system's CA bundle file is read (`SSL_CERT_FILE`, else
    /// the distribution's, such as `/etc/ssl/certs/ca-certificates.crt`); see
    /// [`TransportOptions`](crate::transport::TransportOptions#which-roots-are-trusted).
    pub fn system_roots(mut self, trust: bool) -> Self {
        self.built_in("system_roots(..)");
        self.options.system_roots = trust;
        self
    }

    /// Sends every request through this proxy (`http://user:password@host:port`; see
    /// [`ProxyUrl`](crate::transport::ProxyUrl)), except to the hosts that
    /// `no_proxy`/`NO_PROXY` lists, as curl's `--proxy` does. Without this, the proxy
    /// comes from the environment, read as curl reads it
    /// ([`ProxySetting`](crate::transport::ProxySetting)). The password never appears in
    /// `Debug` or in errors. A malformed URL is refused by [`build`](Self::build).
    pub fn proxy(mut self, url: &str) -> Self {
        self.built_in("proxy(..)");
        match crate::transport::ProxyUrl::parse(url) {
            Ok(url) => self.options.proxy = ProxySetting::Url(url),
            Err(e) => {
                self.deferred.get_or_insert(e);
            }
        }
        self
    }

    /// Connects directly, whatever the proxy environment variables say.
    pub fn no_proxy(mut self) -> Self {
        self.built_in("no_proxy()");
        self.options.proxy = ProxySetting::None;
        self
    }

    /// Builds the session on libcurl ([`CurlTransport`](crate::transport::CurlTransport),
    /// cargo feature `curl`) instead of ureq, with this builder's trust, proxy and
    /// connect timeout (see [`CurlTransport::from_options`](crate::transport::CurlTransport::from_options)
    /// for what each means there): the system's TLS library and store, and the proxy
    /// environment as `curl` reads it.
    ///
    /// ```no_run
    /// use mattermost_status::Session;
    ///
    /// let session = Session::builder("https://chat.example.com")
    ///     .token_from_env("MM_TOKEN")
    ///     .add_root_certificate_file("/etc/company/ca.pem")
    ///     .curl()
    ///     .build()?;
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    #[cfg(feature = "curl")]
    pub fn curl(mut self) -> Self {
        self.built_in("curl()");
        self.curl = true;
        self
    }

    /// Notes that a setting of the built-in transport was given.
    fn built_in(&mut self, setter: &'static str) {
        self.built_in_setting.get_or_insert(setter);
    }

    /// The connection settings the built-in transport will be made with.
    pub fn transport_options(&self) -> &TransportOptions {
        &self.options
    }

    /// How long one whole call may take, from connecting to the last byte of the
    /// answer, retries and the waits between them included (default 30 s). Each attempt
    /// gets what is left. A server that accepts the connection and then never answers,
    /// or trickles its answer, ends the call with a
    /// [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout) error within
    /// this bound (with the built-in transport, or any that honours
    /// [`HttpRequest::timeout`]).
    ///
    /// A timeout longer than [`MAX_TIMEOUT`] (one year) is capped to it, so
    /// `Duration::MAX` is fine; zero is refused by [`build`](Self::build).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// When and how failed calls are retried (default [`RetryPolicy::new`]: 3 attempts,
    /// backoff from 250 ms); [`RetryPolicy::none`] turns retries off.
    ///
    /// ```
    /// use mattermost_status::{RetryPolicy, Session};
    ///
    /// let builder = Session::builder("https://chat.example.com")
    ///     .token_from_env("MM_TOKEN")
    ///     .retry(RetryPolicy::new().max_attempts(5));
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body to accept (default 8 MiB); a larger answer is a
    /// [`TransportErrorKind::BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge) error.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The clock the session checks times against (an end time must be in the future),
    /// instead of the machine's: for tests whose server has a clock of its own, such as
    /// the [`fake`] server's `FakeServer::clock`. It is read once per call
    /// that has a time to check.
    ///
    /// ```
    /// # #[cfg(feature = "ureq")] {
    /// use std::time::{Duration, SystemTime};
    /// use mattermost_status::Session;
    ///
    /// let tomorrow = SystemTime::now() + Duration::from_secs(86_400);
    /// let session = Session::builder("https://chat.example.com")
    ///     .token("t")
    ///     .clock(move || tomorrow)
    ///     .build()?;
    /// assert_eq!(session.now(), tomorrow);
    /// # }
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    #[cfg_attr(feature = "fake", doc = "[`fake`]: crate::fake")]
    #[cfg_attr(
        not(feature = "fake"),
        doc = "[`fake`]: https://docs.rs/mattermost-status/0.1/mattermost_status/fake/index.html"
    )]
    pub fn clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(now));
        self
    }

    /// The `User-Agent` header (default `mattermost-status/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Checks the settings and builds the session. Sends nothing.
    pub fn build(self) -> Result<Session> {
        let site = SiteUrl::parse(&self.base_url)?;
        let token = match self.token {
            Some(token) => token?,
            None => {
                return Err(Error::invalid(
                    "token",
                    "is required: every status endpoint needs a logged-in user; \
                     call .token(..), .token_from_env(..) or .token_from_file(..)",
                ))
            }
        };
        check_header_value("token", token.expose(), false)?;
        check_header_value("user_agent", &self.user_agent, true)?;
        if self.timeout.is_zero() {
            return Err(Error::invalid("timeout", "must be more than zero"));
        }
        if self.options.connect_timeout.is_zero() {
            return Err(Error::invalid("connect_timeout", "must be more than zero"));
        }
        if let Some(e) = self.deferred {
            return Err(e);
        }
        let timeout = self.timeout.min(MAX_TIMEOUT);
        let mut options = self.options;
        options.connect_timeout = options.connect_timeout.min(MAX_TIMEOUT);
        let transport = match self.transport {
            Some(transport) => {
                // One rule for every setting of the built-in transport: beside a
                // transport of your own, it would do nothing, so it is refused.
                if let Some(setter) = self.built_in_setting {
                    return Err(Error::invalid(
                        "transport",
                        format!(
                            ".{setter} configures the built-in transport, and .transport(..) \
                             replaces it; configure your transport itself instead"
                        ),
                    ));
                }
                transport
            }
            #[cfg(feature = "curl")]
            None if self.curl => Arc::new(crate::transport::CurlTransport::from_options(&options)?),
            None => default_transport(&options, timeout)?,
        };
        let api_base = format!("{site}/api/v4");
        Ok(Session {
            inner: Arc::new(Inner {
                site,
                api_base,
                authorization: Secret::new(format!("Bearer {}", token.expose())),
                user_agent: self.user_agent,
                transport,
                timeout,
                max_response_bytes: self.max_response_bytes,
                retry: self.retry,
                clock: self.clock,
                me: OnceLock::new(),
            }),
        })
    }
}

impl fmt::Debug for SessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionBuilder")
            .field("base_url", &site_url::masked(&self.base_url))
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("transport_options", &self.options)
            .finish_non_exhaustive()
    }
}

/// A header value must be visible ASCII (and, for the token, not empty and without
/// spaces). The reason never repeats the value: it may be a secret.
fn check_header_value(field: &'static str, value: &str, allow_space: bool) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "is empty"));
    }
    let bad = value
        .bytes()
        .position(|b| !(b.is_ascii_graphic() || (allow_space && b == b' ')));
    match bad {
        Some(i) => Err(Error::invalid(
            field,
            format!(
                "has a character that cannot go in an HTTP header (at byte {}); \
                 only visible ASCII{} is allowed",
                i + 1,
                if allow_space { " and spaces" } else { "" }
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(feature = "ureq")]
fn default_transport(options: &TransportOptions, timeout: Duration) -> Result<Arc<dyn Transport>> {
    Ok(Arc::new(crate::transport::UreqTransport::build(
        options,
        Some(timeout),
    )?))
}

#[cfg(not(feature = "ureq"))]
fn default_transport(
    _options: &TransportOptions,
    _timeout: Duration,
) -> Result<Arc<dyn Transport>> {
    Err(Error::invalid(
        "transport",
        "none given, and the built-in one needs the cargo feature `ureq`; \
         enable it or call .transport(..)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn session_is_send_sync_and_hides_the_token() {
        assert_send_sync::<Session>();
        #[derive(Debug)]
        struct Never;
        impl Transport for Never {
            fn send(
                &self,
                _: &HttpRequest<'_>,
            ) -> std::result::Result<HttpResponse, crate::TransportError> {
                Err(crate::TransportError::new(
                    crate::TransportErrorKind::Other,
                    "never",
                ))
            }
        }
        let builder = Session::builder("https://a.example")
            .token("s3cr3t-t0ken")
            .transport(Never);
        assert!(!format!("{builder:?}").contains("s3cr3t"));
        let session = builder.build().unwrap();
        let shown = format!("{session:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn refuses_bad_tokens_without_repeating_them() {
        for token in ["", "has space", "new\nline"] {
            let err = Session::builder("https://a.example")
                .token(token)
                .build()
                .unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with("invalid token: "), "{text}");
            if !token.is_empty() {
                assert!(!text.contains(token), "{text}");
            }
        }
        let err = Session::builder("https://a.example").build().unwrap_err();
        assert!(err.to_string().contains("is required"));
    }
}
