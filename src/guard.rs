//! [`StatusGuard`]: set a status for as long as a value lives, then put the old one back.

use std::fmt;
use std::time::SystemTime;

use crate::error::{Error, Result};
use crate::model::{Status, StatusKind};
use crate::{GetStatus, Session, UpdateStatus, UserId};

impl Session {
    /// Sets the token's user to Do Not Disturb until `end`, and returns a guard that puts
    /// the status it replaced back when it is dropped (or [`restore`](StatusGuard::restore)d).
    ///
    /// The server ends DND by itself at `end` too (within a minute), so even a guard that
    /// never runs its restore (the process is killed) does not leave the user in DND
    /// for longer than asked.
    ///
    /// ```no_run
    /// use std::time::{Duration, SystemTime};
    /// use mattermost_status::Session;
    ///
    /// let session = Session::builder("https://chat.example.com")
    ///     .token_from_env("MM_TOKEN")
    ///     .build()?;
    /// {
    ///     let _dnd = session.dnd_until(SystemTime::now() + Duration::from_secs(3600))?;
    ///     // ... focused work: notifications are muted ...
    /// } // the previous status is back here
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    pub fn dnd_until(&self, end: SystemTime) -> Result<StatusGuard> {
        self.status_guard(StatusKind::Dnd, Some(end))
    }

    /// Sets the token's user to Do Not Disturb with no end time, and returns a guard that
    /// puts the status it replaced back when dropped. See [`StatusGuard`] for what
    /// happens when the process dies first (here: DND stays until changed by hand).
    ///
    /// ```no_run
    /// # let session = mattermost_status::Session::builder("https://chat.example.com")
    /// #     .token("t").build()?;
    /// let dnd = session.dnd()?;
    /// // ... work ...
    /// dnd.restore()?; // or just drop it; restore() reports errors
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    pub fn dnd(&self) -> Result<StatusGuard> {
        self.status_guard(StatusKind::Dnd, None)
    }

    /// Sets the token's user's status to `status` (`until` only with
    /// [`StatusKind::Dnd`]) and returns a guard that puts the replaced status back.
    ///
    /// Sends `GET /users/me/status` (the status to restore, and the real user id), then
    /// `PUT /users/{id}/status`.
    ///
    /// Refused with [`Error::InvalidInput`] (field `status`), before anything is changed,
    /// when the current status cannot be set again through the API: `ooo` (the server's
    /// auto-responder, which any status change would turn off for good) or a value this
    /// crate does not know.
    ///
    /// ```no_run
    /// use mattermost_status::StatusKind;
    /// # let session = mattermost_status::Session::builder("https://chat.example.com")
    /// #     .token("t").build()?;
    /// let away = session.status_guard(StatusKind::Away, None)?;
    /// assert_eq!(away.set().status, StatusKind::Away);
    /// println!("was {}", away.previous().status);
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    pub fn status_guard(
        &self,
        status: StatusKind,
        until: Option<SystemTime>,
    ) -> Result<StatusGuard> {
        let update = |user_id: UserId| {
            let update = UpdateStatus::new(user_id).status(status.clone());
            match until {
                Some(end) => update.until(end),
                None => update,
            }
        };
        // Check the new status before anything is sent.
        crate::endpoint::Endpoint::validate(&update(UserId::me()), self)?;
        let previous = GetStatus::new(UserId::me()).send(self)?;
        if !previous.status.is_settable() {
            return Err(Error::invalid(
                "status",
                format!(
                    "the current status is {:?}, which cannot be set again through the API \
                     (changing it would turn the auto-responder off); nothing was changed",
                    previous.status.as_str()
                ),
            ));
        }
        let set = update(previous.user_id).send(self)?;
        Ok(StatusGuard {
            session: self.clone(),
            previous,
            set,
            armed: true,
        })
    }
}

/// A status set for a while: dropping the guard puts the replaced status back.
///
/// Made by [`Session::dnd_until`], [`Session::dnd`] and [`Session::status_guard`].
///
/// # What "back" means
///
/// - Before restoring, the guard reads the status again. If it is no longer the one the
///   guard set (the user changed it meanwhile, or the server ended DND at its end
///   time), the guard leaves it alone.
/// - A previous `online`, or any previous status the server had set automatically
///   (`manual = false`), is restored as `online`: that puts the user back on automatic,
///   and the server follows their activity again.
/// - A previous manual `away` or `offline` is set again.
/// - A previous `dnd` is set again with its end time, if that is still in the future;
///   without an end time, as DND with no end. If its end time has passed meanwhile
///   the server would have ended it, so the user is put back on automatic (`online`).
///
/// # Limits
///
/// - **Errors on drop are lost**: `Drop` cannot return them (with the `log` feature they
///   are logged at `warn`). Call [`restore`](StatusGuard::restore) to see them.
/// - **A killed process restores nothing**: `Drop` does not run on `SIGKILL`, on
///   `std::process::exit`, on a panic with `panic = "abort"`, or when the machine or the
///   network goes away. Give DND an end time ([`Session::dnd_until`]) and the server
///   ends it by itself at that time; with no end time, DND stays until changed.
/// - Ctrl-C (`SIGINT`) kills a Rust program without running `Drop` unless the program
///   handles the signal (the `mmstatus dnd` command does).
/// - The custom status is not touched.
///
/// ```no_run
/// use std::time::{Duration, SystemTime};
/// # let session = mattermost_status::Session::builder("https://chat.example.com")
/// #     .token("t").build()?;
/// let guard = session.dnd_until(SystemTime::now() + Duration::from_secs(1800))?;
/// let result = std::process::Command::new("make").status();
/// let restored = guard.restore()?; // reports a failed restore, unlike a drop
/// println!("back to {}", restored.status);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "dropping the guard at once restores the previous status at once"]
pub struct StatusGuard {
    session: Session,
    previous: Status,
    set: Status,
    armed: bool,
}

impl StatusGuard {
    /// The status the guard replaced: what it restores.
    pub fn previous(&self) -> &Status {
        &self.previous
    }

    /// The status the guard set, as the server answered.
    pub fn set(&self) -> &Status {
        &self.set
    }

    /// Restores the previous status now, and returns the status after that (the current
    /// one, if the guard left it alone: see [What "back" means](StatusGuard#what-back-means)).
    pub fn restore(mut self) -> Result<Status> {
        self.armed = false;
        restore(&self.session, &self.previous, &self.set)
    }

    /// Keeps the new status: the guard is dropped without restoring anything.
    ///
    /// ```no_run
    /// # let session = mattermost_status::Session::builder("https://chat.example.com")
    /// #     .token("t").build()?;
    /// let dnd = session.dnd()?;
    /// dnd.keep(); // stay in DND
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    pub fn keep(mut self) {
        self.armed = false;
    }
}

impl Drop for StatusGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        self.armed = false;
        if let Err(_error) = restore(&self.session, &self.previous, &self.set) {
            #[cfg(feature = "log")]
            log::warn!(
                target: "mattermost_status",
                "could not restore the status {} of {}: {_error}",
                self.previous.status,
                self.previous.user_id
            );
        }
    }
}

impl fmt::Debug for StatusGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusGuard")
            .field("previous", &self.previous)
            .field("set", &self.set)
            .field("armed", &self.armed)
            .finish_non_exhaustive()
    }
}

/// What to send to put `previous` back.
pub(crate) fn restore_update(previous: &Status, now: SystemTime) -> UpdateStatus {
    let update = UpdateStatus::new(previous.user_id);
    match previous.status {
        StatusKind::Dnd => match previous.dnd_end_time {
            None => update.status(StatusKind::Dnd),
            Some(end) if end > now => update.status(StatusKind::Dnd).until(end),
            Some(_) => update.status(StatusKind::Online),
        },
        StatusKind::Away | StatusKind::Offline if previous.manual => {
            update.status(previous.status.clone())
        }
        _ => update.status(StatusKind::Online),
    }
}

fn restore(session: &Session, previous: &Status, set: &Status) -> Result<Status> {
    let current = GetStatus::new(previous.user_id).send(session)?;
    if current.status != set.status {
        // Changed meanwhile, by the user or by the server: not ours to undo.
        return Ok(current);
    }
    restore_update(previous, session.now()).send(session)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn status(kind: StatusKind, manual: bool, end: Option<SystemTime>) -> Status {
        let mut s = Status::new(UserId::parse("4xp9fdt77pncbef59f4k1qe83o").unwrap(), kind);
        s.manual = manual;
        s.dnd_end_time = end;
        s
    }

    #[test]
    fn restores_what_the_user_had() {
        let now = SystemTime::now();
        let later = now + Duration::from_secs(600);
        let earlier = now - Duration::from_secs(600);
        let id = UserId::parse("4xp9fdt77pncbef59f4k1qe83o").unwrap();
        let expect = |kind: StatusKind, until: Option<SystemTime>| {
            let u = UpdateStatus::new(id).status(kind);
            match until {
                Some(t) => u.until(t),
                None => u,
            }
        };
        use StatusKind::*;
        for (previous, want) in [
            (status(Online, false, None), expect(Online, None)),
            (status(Away, true, None), expect(Away, None)),
            (status(Away, false, None), expect(Online, None)),
            (status(Offline, true, None), expect(Offline, None)),
            (status(Offline, false, None), expect(Online, None)),
            (status(Dnd, true, None), expect(Dnd, None)),
            (status(Dnd, true, Some(later)), expect(Dnd, Some(later))),
            (status(Dnd, true, Some(earlier)), expect(Online, None)),
        ] {
            assert_eq!(restore_update(&previous, now), want, "{previous:?}");
        }
    }
}
