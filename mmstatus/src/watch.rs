//! `mmstatus watch USER...`: poll statuses, print changes, optionally stop at a status.

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use mattermost_status::{Error, GetStatusesByIds, Session, StatusKind, UserId};

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
}

/// The shortest interval allowed in this run.
fn min_interval() -> Duration {
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
        let _ = tx.send(());
    }) {
        output::warn(&format!("mmstatus: cannot handle Ctrl-C ({e})"));
        return Err(Failure::Code(1));
    }
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
fn fatal(e: &Error) -> bool {
    matches!(e, Error::InvalidInput { .. } | Error::Redirect { .. })
        || e.is_unauthorized()
        || e.is_forbidden()
        || e.is_not_found()
}

fn print_change(row: &Row<'_>, json: bool, zone: &Zone) -> Result<(), Failure> {
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
