//! `mmstatus watch` over the server's websocket: one's own status as it is pushed, the
//! others' polled on the same socket, custom statuses as pushed; see
//! [`mattermost_status::live`] for what the server sends to whom.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use mattermost_status::live::{LiveEvent, LiveOptions, Reconnect, StatusChange};
use mattermost_status::{
    CustomStatus, Error, GetStatus, GetStatusesByIds, GetUsersByIds, LiveErrorKind, Session,
    Status, StatusKind, UserId,
};

use crate::failure::Failure;
use crate::output::{self, Row};
use crate::users::Named;
use crate::watch::{self, Options};
use crate::when::Zone;

/// Test timings for the stream, in milliseconds: `ping,stale,backoff_min,backoff_max`
/// (jitter then 0), for the tool's own tests and the field suite; not documented.
const TIMINGS_ENV: &str = "MMSTATUS_LIVE_TIMINGS_MS";

/// How a watch over the websocket ended.
pub(crate) enum Outcome {
    /// With this exit code (`--until` met, stdout closed).
    Done(ExitCode),
    /// The websocket could not be opened (or stopped being usable): why, for stderr;
    /// the caller polls over HTTP instead.
    Poll(String),
}

/// What was printed of one user.
#[derive(Default)]
struct Shown {
    status: Option<(StatusKind, Option<std::time::SystemTime>)>,
    custom: Option<Option<CustomStatus>>,
}

pub(crate) fn run(
    session: &Session,
    users: &[Named],
    options: &Options,
    zone: &Zone,
) -> Result<Outcome, Failure> {
    let me = session.current_user_id()?;
    let mut stream = match live_options().open(session) {
        Ok(stream) => stream,
        Err(e) if gives_up(&e) => return Err(Failure::Api(e)),
        Err(e) => return Ok(Outcome::Poll(why_not(&e))),
    };
    let others: Vec<UserId> = users.iter().map(|u| u.id).filter(|id| *id != me).collect();
    if !others.is_empty() {
        stream.watch(others, options.interval)?;
    }
    let mut shown: HashMap<UserId, Shown> =
        users.iter().map(|u| (u.id, Shown::default())).collect();
    let mut printer = Printer {
        users,
        options,
        zone,
        shown: &mut shown,
    };
    // Where everyone stands now, in one request: the stream yields changes only (and
    // the socket's first poll answers what is printed here already).
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    match GetStatusesByIds::new(ids.iter().copied()).send(session) {
        Ok(statuses) => {
            for (id, status) in statuses.in_order_of(&ids) {
                if let Some(status) = status {
                    printer.status(id, status.clone())?;
                }
            }
        }
        Err(e) if watch::fatal(&e) => return Err(Failure::Api(e)),
        Err(e) => output::warn(&format!("mmstatus: {}", output::describe_error(&e))),
    }
    // Their custom statuses now, unprinted: a later profile update that leaves one as
    // it was is then no change to show (a failure here only makes the first one shown).
    let real: Vec<UserId> = ids.iter().copied().filter(|id| !id.is_me()).collect();
    if !real.is_empty() {
        if let Ok(profiles) = GetUsersByIds::new(real).send(session) {
            for user in profiles {
                if let Some(shown) = printer.shown.get_mut(&user.id) {
                    shown.custom = Some(user.custom_status());
                }
            }
        }
    }
    if printer.until_met() {
        return Ok(Outcome::Done(ExitCode::SUCCESS));
    }
    loop {
        match stream.next_timeout(Duration::from_secs(3600)) {
            Ok(None) => {}
            Ok(Some(LiveEvent::Status(StatusChange {
                user_id, status, ..
            }))) => {
                if !printer.shown.contains_key(&user_id) {
                    continue; // one's own, pushed, while watching others only
                }
                // The pushed or polled change carries the status alone: the rest
                // (DND end, manual, last activity) is read over HTTP, as printed today.
                let full = match GetStatus::new(user_id).send(session) {
                    Ok(s) if s.status == status => s,
                    _ => Status::new(user_id, status),
                };
                if printer.status(user_id, full)? && printer.until_met() {
                    return Ok(Outcome::Done(ExitCode::SUCCESS));
                }
            }
            Ok(Some(LiveEvent::CustomStatus(change))) => {
                printer.custom(change.user_id, change.custom_status)?;
            }
            Ok(Some(LiveEvent::Reconnected(Reconnect::Resumed))) => output::warn(
                "mmstatus: the websocket was cut and is back; the server resumed it, nothing \
                 was missed",
            ),
            Ok(Some(LiveEvent::Reconnected(Reconnect::Resynced))) => output::warn(
                "mmstatus: the websocket was cut and is back; the server could not resume \
                 it, so the statuses were read again over HTTP (a change and its undoing \
                 while cut off are not seen)",
            ),
            Ok(Some(_)) => {}
            Err(e) if gives_up(&e) => return Err(Failure::Api(e)),
            Err(e) if ended(&e) => {
                let _ = stream.close();
                return Ok(Outcome::Poll(why_not(&e)));
            }
            Err(e) => output::warn(&format!(
                "mmstatus: {} (the websocket reconnects)",
                output::describe_error(&e)
            )),
        }
    }
}

/// The stream's options: the library's defaults (the web app's timings), the watch
/// interval floor of `--interval`, and test timings when [`TIMINGS_ENV`] is set.
fn live_options() -> LiveOptions {
    let options = LiveOptions::new().min_watch_interval(watch::min_interval());
    let Ok(timings) = std::env::var(TIMINGS_ENV) else {
        return options;
    };
    let ms: Vec<Duration> = timings
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .map(Duration::from_millis)
        .collect();
    match ms[..] {
        [ping, stale, min, max] => options
            .ping_interval(ping)
            .stale_after(stale)
            .reconnect_backoff(min, max)
            .reconnect_jitter(Duration::ZERO),
        _ => options,
    }
}

/// Failures that polling would meet as well: a refused token, a forbidden user, a bad
/// argument.
fn gives_up(e: &Error) -> bool {
    matches!(e, Error::InvalidInput { .. })
        || e.is_unauthorized()
        || e.is_forbidden()
        || matches!(e, Error::Live(l) if *l.kind() == LiveErrorKind::NotAuthenticated)
}

/// The stream has ended (an upgrade refused on a reconnect, ...): later calls fail too.
fn ended(e: &Error) -> bool {
    matches!(e, Error::Live(l) if matches!(l.kind(), LiveErrorKind::Closed | LiveErrorKind::UpgradeRefused { .. }))
        || matches!(e, Error::Api(_) | Error::Redirect { .. })
}

fn why_not(e: &Error) -> String {
    format!(
        "the websocket could not be opened: {}",
        output::describe_error(e)
    )
}

/// Prints each change once, whatever path it came by (first read, push, socket poll,
/// resume, resync).
struct Printer<'a> {
    users: &'a [Named],
    options: &'a Options,
    zone: &'a Zone,
    shown: &'a mut HashMap<UserId, Shown>,
}

impl Printer<'_> {
    fn username(&self, id: UserId) -> Option<&str> {
        self.users
            .iter()
            .find(|u| u.id == id)
            .and_then(|u| u.username.as_deref())
    }

    /// Prints `status` if it is not what was printed last; whether it was.
    fn status(&mut self, id: UserId, status: Status) -> Result<bool, Failure> {
        let now = (status.status.clone(), status.dnd_end());
        let Some(shown) = self.shown.get_mut(&id) else {
            return Ok(false);
        };
        if shown.status.as_ref() == Some(&now) {
            return Ok(false);
        }
        shown.status = Some(now);
        let row = Row {
            status: &status,
            username: self.username(id),
        };
        watch::print_change(&row, self.options.json, self.zone)?;
        Ok(true)
    }

    /// Prints a custom status change of a watched user: one that differs from what was
    /// read at start or shown since (when nothing could be read at start, the first one
    /// learned is printed only when one is set).
    fn custom(&mut self, id: UserId, custom: Option<CustomStatus>) -> Result<(), Failure> {
        let Some(shown) = self.shown.get_mut(&id) else {
            return Ok(());
        };
        match &shown.custom {
            Some(last) if *last == custom => return Ok(()),
            None if custom.is_none() => {
                shown.custom = Some(None);
                return Ok(());
            }
            _ => {}
        }
        shown.custom = Some(custom.clone());
        watch::print_custom_change(
            id,
            self.username(id),
            custom.as_ref(),
            self.options.json,
            self.zone,
        )
    }

    /// `--until STATUS`: every user has it.
    fn until_met(&self) -> bool {
        let Some(want) = &self.options.until else {
            return false;
        };
        self.shown
            .values()
            .all(|s| s.status.as_ref().is_some_and(|(kind, _)| kind == want))
    }
}
