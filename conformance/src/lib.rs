//! The [`Transport`] contract of [`mattermost-status`](mattermost_status) as a test
//! suite: run it against your transport to know that a
//! [`Session`](mattermost_status::Session) on it keeps its promises (deadlines, body
//! limits, no redirects followed, errors the retry policy can trust).
//!
//! [`check_all`] starts a [`FaultServer`](server::FaultServer) on 127.0.0.1 for each
//! case, sends it requests through a fresh transport from your function, and returns a
//! [`Report`]: each case passed, failed (and why) or skipped (and why), with its time.
//! Every case sends a secret `Authorization` header and checks that no error shows it.
//! Nothing goes anywhere but loopback; the whole suite takes about 4 seconds, most of it
//! in the timeout cases, whose deadlines are a few hundred milliseconds.
//!
//! The repository runs it against `UreqTransport`, `CurlTransport` and the fake in
//! process (this package's `tests/transports.rs`). For your own transport, add this
//! package as a dev-dependency (`mattermost-status-conformance = "0.1"`) and write one
//! test:
//!
//! ```no_run
//! use mattermost_status::transport::{HttpRequest, HttpResponse, Transport};
//! use mattermost_status::TransportError;
//! use mattermost_status_conformance as conformance;
//!
//! #[derive(Debug)]
//! struct MyTransport { /* your HTTP client */ }
//!
//! impl Transport for MyTransport {
//!     fn send(&self, request: &HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
//!         todo!("send it with your HTTP client")
//!     }
//! }
//!
//! #[test]
//! fn my_transport_keeps_the_contract() {
//!     let report = conformance::check_all(|| MyTransport { /* ... */ });
//!     println!("{report}"); // one line per case, with its time
//!     assert!(report.passed(), "{report}");
//! }
//! ```
//!
//! To run one case while you work on it: [`check`] with its name from [`CASES`].
//!
//! The cases (see [`CASES`] for each one's name and what it asserts) cover: every status
//! is an answer; the request goes out as given (method, target, headers once each with
//! their values, the body with a `Content-Length`, no `Expect`); the wanted response
//! headers are kept; a redirect is an answer, and its target is never contacted; a
//! refused connection is `Connect`; a reset, a truncated answer, garbage or a connection
//! closed without an answer is `Io` (never `Connect`: the request may have been
//! handled); a silent server, an answer trickled byte by byte, and a connection that is
//! never accepted end at the request's timeout with `Timeout`, and each request gets its
//! own timeout; a body over the limit is `BodyTooLarge` whatever `Content-Length` says,
//! one at the limit is whole; connections are reused; calls from several threads at
//! once each get their own answer.

mod cases;
pub mod server;

use std::fmt;
use std::time::{Duration, Instant};

use mattermost_status::transport::Transport;

pub use self::cases::{Case, CASES};

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The transport did what the contract says; the text has the figures.
    Passed(String),
    /// It did not; the text says what happened instead.
    Failed(String),
    /// The case could not be set up here (say, the loopback trick it needs does not
    /// work on this system); the text says why. Not a failure.
    Skipped(String),
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseReport {
    name: &'static str,
    outcome: Outcome,
    elapsed: Duration,
}

impl CaseReport {
    /// The case's name, as in [`CASES`].
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// How it ended.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// How long it took, servers included.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed(_))
    }
}

impl fmt::Display for CaseReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (word, text) = match &self.outcome {
            Outcome::Passed(t) => ("ok", t),
            Outcome::Failed(t) => ("FAILED", t),
            Outcome::Skipped(t) => ("skipped", t),
        };
        write!(
            f,
            "{word:<7} {} ({} ms): {text}",
            self.name,
            self.elapsed.as_millis()
        )
    }
}

/// What [`check_all`] found: a line per case, and a closing count.
#[derive(Debug, Clone)]
pub struct Report {
    transport: String,
    cases: Vec<CaseReport>,
}

impl Report {
    /// True when no case failed (skipped cases are not failures).
    pub fn passed(&self) -> bool {
        !self.cases.iter().any(CaseReport::failed)
    }

    /// Every case, in the order run.
    pub fn cases(&self) -> &[CaseReport] {
        &self.cases
    }

    /// The cases that failed.
    pub fn failures(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| c.failed())
    }

    /// The transport's type name, as the report's title.
    pub fn transport(&self) -> &str {
        &self.transport
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "conformance of {}:", self.transport)?;
        let mut counts = [0usize; 3];
        for case in &self.cases {
            writeln!(f, "  {case}")?;
            counts[match case.outcome {
                Outcome::Passed(_) => 0,
                Outcome::Failed(_) => 1,
                Outcome::Skipped(_) => 2,
            }] += 1;
        }
        write!(
            f,
            "conformance: {} passed, {} failed, {} skipped",
            counts[0], counts[1], counts[2]
        )
    }
}

/// Runs every case of [`CASES`] against transports from `make_transport` (a fresh one
/// per case), one case after another.
pub fn check_all<T: Transport + 'static>(make_transport: impl Fn() -> T) -> Report {
    let make = || -> Box<dyn Transport> { Box::new(make_transport()) };
    let transport = std::any::type_name::<T>().to_owned();
    let cases = CASES
        .iter()
        .map(|case| run(case.name, case.run, &make))
        .collect();
    Report { transport, cases }
}

/// Runs the case named `name` (see [`CASES`]); `None` when there is no such case.
pub fn check<T: Transport + 'static>(
    name: &str,
    make_transport: impl Fn() -> T,
) -> Option<CaseReport> {
    let make = || -> Box<dyn Transport> { Box::new(make_transport()) };
    let case = CASES.iter().find(|c| c.name == name)?;
    Some(run(case.name, case.run, &make))
}

fn run(name: &'static str, case: cases::CaseFn, make: &cases::Make<'_>) -> CaseReport {
    let start = Instant::now();
    let outcome = match case(make) {
        Ok(figures) => Outcome::Passed(figures),
        Err(cases::Miss::Fail(why)) => Outcome::Failed(why),
        Err(cases::Miss::Skip(why)) => Outcome::Skipped(why),
    };
    CaseReport {
        name,
        outcome,
        elapsed: start.elapsed(),
    }
}
