//! `mmstatus watch USER...`: print status changes, optionally stop at a status; over the
//! websocket ([`crate::push`]) or, when it cannot be opened or with `--poll`, by polling
//! over HTTP (here).

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use mattermost_status::{CustomStatus, Error, GetStatusesByIds, Session, StatusKind, UserId};

use crate::failure::{usage_error, Failure};
use crate::output::{self, Row};
use crate::users::Named;
use crate::when::Zone;

/// The shortest `--interval`: a status tool has no business polling a server faster.
pub(crate) const MIN_INTERVAL: Duration = Duration::from_secs(5);
/// The longest pause after repeated failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Lowers [`MIN_INTERVAL`] (milliseconds), for the tool's own tests; not documented.
const MIN_INTERVAL_ENV: &str = "MMSTATUS_MIN_INTERVAL_MS";

pub(crate) struct Options {
    pub until: Option<StatusKind>,
    pub interval: Duration,
    pub json: bool,
    /// `--poll`: HTTP polling, no websocket.
    pub poll: bool,
    /// Why the websocket is not tried (`--transport curl`), said on stderr once.
    pub no_stream: Option<&'static str>,
}

/// Set while watching over the websocket: Ctrl-C then exits at once (the stream's read
/// is not woken by the handler, and polling a flag would wake the tool needlessly).
static EXIT_ON_CTRL_C: AtomicBool = AtomicBool::new(false);

/// The shortest interval allowed in this run.
pub(crate) fn min_interval() -> Duration {
    std::env::var(MIN_INTERVAL_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(MIN_INTERVAL, Duration::from_millis)
}

pub(crate) fn check_interval(interval: Duration) -> Result<(), Failure> {
    let min = min_interval();
    if interval < min {
        return Err(usage_error(
            clap::error::ErrorKind::ValueValidation,
            format!(
                "invalid value for '--interval <DURATION>': at least {}s, to spare the server",
                min.as_secs()
            ),
        ));
    }
    Ok(())
}

/// What is printed about one user; a line is printed when it changes.
#[derive(PartialEq, Eq, Clone)]
struct Seen {
    status: StatusKind,
    dnd_end: Option<SystemTime>,
}

pub(crate) fn run(
    session: &Session,
    users: &[Named],
    options: &Options,
    zone: &Zone,
) -> Result<ExitCode, Failure> {
    let (tx, rx) = mpsc::channel::<()>();
    if let Err(e) = ctrlc::set_handler(move || {
        if EXIT_ON_CTRL_C.load(Ordering::SeqCst) {
            // Every line written was flushed: nothing is lost by not unwinding.
            std::process::exit(130);
        }
        let _ = tx.send(());
    }) {
        output::warn(&format!("mmstatus: cannot handle Ctrl-C ({e})"));
        return Err(Failure::Code(1));
    }
    if let Some(why) = options.no_stream.filter(|_| !options.poll) {
        output::warn(&format!("mmstatus: {why}: watching by HTTP polling"));
    } else if !options.poll {
        EXIT_ON_CTRL_C.store(true, Ordering::SeqCst);
        match crate::push::run(session, users, options, zone)? {
            crate::push::Outcome::Done(code) => return Ok(code),
            crate::push::Outcome::Poll(why) => {
                EXIT_ON_CTRL_C.store(false, Ordering::SeqCst);
                output::warn(&format!(
                    "mmstatus: {why}; watching by HTTP polling every {:?} instead",
                    options.interval
                ));
            }
        }
    }
    poll(session, users, options, zone, &rx)
}

/// Polls over HTTP: all the users in one request, every `--interval`.
fn poll(
    session: &Session,
    users: &[Named],
    options: &Options,
    zone: &Zone,
    rx: &mpsc::Receiver<()>,
) -> Result<ExitCode, Failure> {
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let mut seen: Vec<Option<Seen>> = vec![None; users.len()];
    let mut failures = 0u32;
    loop {
        let wait = match GetStatusesByIds::new(ids.iter().copied()).send(session) {
            Ok(statuses) => {
                failures = 0;
                let mut all_there = true;
                for ((user, last), (_, status)) in users
                    .iter()
                    .zip(seen.iter_mut())
                    .zip(statuses.in_order_of(&ids))
                {
                    let Some(status) = status else {
                        all_there = false;
                        continue;
                    };
                    let now = Seen {
                        status: status.status.clone(),
                        dnd_end: status.dnd_end(),
                    };
                    if last.as_ref() != Some(&now) {
                        let row = Row {
                            status,
                            username: user.username.as_deref(),
                        };
                        print_change(&row, options.json, zone)?;
                        *last = Some(now);
                    }
                    if options
                        .until
                        .as_ref()
                        .is_some_and(|want| *want != status.status)
                    {
                        all_there = false;
                    }
                }
                if options.until.is_some() && all_there {
                    return Ok(ExitCode::SUCCESS);
                }
                options.interval
            }
            Err(e) => {
                if fatal(&e) {
                    return Err(Failure::Api(e));
                }
                failures = failures.saturating_add(1);
                let backoff = options
                    .interval
                    .saturating_mul(1 << failures.min(8))
                    .min(MAX_BACKOFF)
                    .max(options.interval);
                let wait = match &e {
                    Error::RateLimited(r) => {
                        r.retry_after().unwrap_or(backoff).max(options.interval)
                    }
                    _ => backoff,
                };
                output::warn(&format!(
                    "mmstatus: {} (trying again in {}s)",
                    output::describe_error(&e),
                    wait.as_secs()
                ));
                wait
            }
        };
        match rx.recv_timeout(wait) {
            Ok(()) => return Ok(ExitCode::from(130)),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Failure::Code(1)),
        }
    }
}

/// Failures that waiting will not fix.
pub(crate) fn fatal(e: &Error) -> bool {
    matches!(e, Error::InvalidInput { .. } | Error::Redirect { .. })
        || e.is_unauthorized()
        || e.is_forbidden()
        || e.is_not_found()
}

pub(crate) fn print_change(row: &Row<'_>, json: bool, zone: &Zone) -> Result<(), Failure> {
    let now = SystemTime::now();
    if json {
        let mut value = output::status_json(row)?;
        value
            .0
            .insert(0, ("time".to_owned(), output::rfc3339(now).into()));
        let line = serde_json::to_string(&value).map_err(|e| {
            output::warn(&format!("mmstatus: could not write JSON: {e}"));
            Failure::Code(1)
        })?;
        return output::out(&line);
    }
    let who = row.username.map_or_else(
        || row.status.user_id.to_string(),
        |u| format!("@{}", output::safe(u)),
    );
    output::out(&format!(
        "{} {who} {}",
        output::time(now, zone),
        output::status_line(row.status, zone)
    ))
}

/// A custom status change, pushed: `TIME @user custom status: :emoji: text (until ...)`
/// or `TIME @user custom status cleared`; with `--json`, `{"time", "user_id",
/// "username", "custom_status"}` (`null` when cleared).
pub(crate) fn print_custom_change(
    user_id: UserId,
    username: Option<&str>,
    custom: Option<&CustomStatus>,
    json: bool,
    zone: &Zone,
) -> Result<(), Failure> {
    let now = SystemTime::now();
    if json {
        let custom = match custom {
            Some(cs) => serde_json::to_value(cs).map_err(|e| {
                output::warn(&format!("mmstatus: could not write JSON: {e}"));
                Failure::Code(1)
            })?,
            None => serde_json::Value::Null,
        };
        let value = output::Ordered(vec![
            ("time".to_owned(), output::rfc3339(now).into()),
            ("user_id".to_owned(), user_id.as_str().into()),
            (
                "username".to_owned(),
                username.map_or(serde_json::Value::Null, Into::into),
            ),
            ("custom_status".to_owned(), custom),
        ]);
        let line = serde_json::to_string(&value).map_err(|e| {
            output::warn(&format!("mmstatus: could not write JSON: {e}"));
            Failure::Code(1)
        })?;
        return output::out(&line);
    }
    let who = username.map_or_else(|| user_id.to_string(), |u| format!("@{}", output::safe(u)));
    let what = match custom {
        Some(cs) => format!("custom status:{}", output::custom_status_text(cs, zone)),
        None => "custom status cleared".to_owned(),
    };
    output::out(&format!("{} {who} {what}", output::time(now, zone)))
}
