//! How a call's deadline reaches ureq (rows "Duration::MAX" and "per-request config" of
//! `WORKAROUNDS.md`).
//!
//! - **Capped.** ureq adds a timeout to the clock (`Instant + Duration`), which panics on
//!   overflow: with `Duration::MAX` every call panicked inside ureq ("overflow when adding
//!   duration to instant"). Every timeout given to ureq goes through [`capped`] first
//!   ([`MAX_TIMEOUT`], one year), whatever the session already did.
//! - **No per-request copy of the agent's configuration.** ureq changes a request's
//!   timeout by cloning the agent's whole configuration into the request (a map and a
//!   copy on every call), and each attempt carries what is left of the call's deadline,
//!   so it always differs. The session's transport sets the agent's own global timeout
//!   [`AGENT_TIMEOUT_SLACK`] under the session's timeout, and [`run_within`] runs a
//!   request whose timeout is at most that much longer (a first attempt) on the agent's
//!   configuration as it is: it may end up to that much *earlier* than asked, never
//!   later.

use std::time::Duration;

use ureq::http;
use ureq::Agent;

use crate::session::MAX_TIMEOUT;

/// `timeout`, at most [`MAX_TIMEOUT`]: what ureq can add to the clock.
pub(super) fn capped(timeout: Duration) -> Duration {
    timeout.min(MAX_TIMEOUT)
}

/// How much earlier than asked a request may time out so that it can run on the agent's
/// own configuration (see [`run_within`]).
const AGENT_TIMEOUT_SLACK: Duration = Duration::from_millis(1);

/// The agent's own global timeout for a session whose calls take at most `timeout`:
/// [`AGENT_TIMEOUT_SLACK`] under it; none without a session timeout, or for one of
/// the slack or less.
pub(super) fn agent_timeout(timeout: Option<Duration>) -> Option<Duration> {
    timeout
        .map(capped)
        .and_then(|t| t.checked_sub(AGENT_TIMEOUT_SLACK))
        .filter(|t| !t.is_zero())
}

/// Whether the agent's own global timeout `own` may stand for a request's `timeout`:
/// never longer, and at most [`AGENT_TIMEOUT_SLACK`] shorter.
fn agent_timeout_fits(own: Option<Duration>, timeout: Duration) -> bool {
    own.is_some_and(|own| own <= timeout && timeout - own <= AGENT_TIMEOUT_SLACK)
}

/// Runs `req` so that it ends within `timeout`: on the agent's configuration when its
/// own global timeout fits (see the module), else on a per-request copy with `timeout`.
pub(super) fn run_within<B: ureq::AsSendBody>(
    agent: &Agent,
    req: http::Request<B>,
    timeout: Duration,
) -> Result<http::Response<ureq::Body>, ureq::Error> {
    let timeout = capped(timeout);
    if agent_timeout_fits(agent.config().timeouts().global, timeout) {
        return agent.run(req);
    }
    let req = agent
        .configure_request(req)
        .timeout_global(Some(timeout))
        .build();
    agent.run(req)
}

#[cfg(test)]
mod tests {
    use super::super::UreqTransport;
    use super::*;
    use crate::transport::TransportOptions;

    #[test]
    fn the_agent_timeout_stands_in_only_when_never_later_and_at_most_1ms_earlier() {
        let ms = Duration::from_millis;
        let session = ms(30_000);
        let options = |connect| TransportOptions {
            connect_timeout: connect,
            ..TransportOptions::default()
        };
        let transport = UreqTransport::build(&options(ms(10_000)), Some(session)).unwrap();
        let own = transport.agents.direct.config().timeouts().global;
        assert_eq!(own, Some(session - AGENT_TIMEOUT_SLACK));
        // A first attempt: what is left, microseconds under the session timeout.
        assert!(agent_timeout_fits(own, session - Duration::from_micros(3)));
        assert!(agent_timeout_fits(own, session));
        // A retry, with less left than the agent's own: the request's own timeout.
        assert!(!agent_timeout_fits(own, session - ms(2)));
        // Longer than the agent's by more than the slack: likewise.
        assert!(!agent_timeout_fits(own, session + ms(5)));
        // A plain transport (or a custom agent without a global timeout).
        assert!(!agent_timeout_fits(None, session));
        let plain = UreqTransport::new(ms(10_000));
        assert_eq!(plain.agents.direct.config().timeouts().global, None);
        // A session timeout of 1 ms or less leaves the agent without one.
        let tiny = UreqTransport::build(&options(ms(10_000)), Some(ms(1))).unwrap();
        assert_eq!(tiny.agents.direct.config().timeouts().global, None);
    }
}
