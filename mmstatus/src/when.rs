//! Durations, times and the time zone, as typed on the command line.

use std::cell::OnceCell;
use std::time::{Duration, SystemTime};

use jiff::civil::{DateTime, Time};
use mattermost_status::expiry::{self, TimeZone};
use mattermost_status::CustomStatusDuration;

use crate::failure::{usage_error, Failure};

/// The zone of `--tz`, else of TZ or the system. An explicit `--tz` is checked at once
/// (a bad one is refused before any request); the system's zone is read only the first
/// time a time is printed or parsed, so `mmstatus get --json` never reads it.
pub(crate) struct Zone {
    loaded: OnceCell<Loaded>,
}

/// The zone as jiff and as the library want it.
struct Loaded {
    jiff: jiff::tz::TimeZone,
    lib: TimeZone,
}

impl Loaded {
    fn from_jiff(jiff: jiff::tz::TimeZone) -> Loaded {
        Loaded {
            lib: TimeZone::from(jiff.clone()),
            jiff,
        }
    }
}

impl Zone {
    /// The zone as jiff wants it, to print and parse local times.
    pub(crate) fn jiff(&self) -> &jiff::tz::TimeZone {
        &self.get().jiff
    }

    /// The zone as the library's expiry helpers want it.
    pub(crate) fn lib(&self) -> &TimeZone {
        &self.get().lib
    }

    /// Whether the zone has been read (the system's is read on first use).
    #[cfg(test)]
    fn is_loaded(&self) -> bool {
        self.loaded.get().is_some()
    }

    fn get(&self) -> &Loaded {
        self.loaded.get_or_init(|| {
            // TZ, else /etc/localtime, read directly (no scan of the zoneinfo tree).
            let lib = TimeZone::system();
            Loaded {
                jiff: lib.to_jiff(),
                lib,
            }
        })
    }
}

pub(crate) fn zone(arg: Option<&str>) -> Result<Zone, Failure> {
    let jiff = match arg {
        None => {
            return Ok(Zone {
                loaded: OnceCell::new(),
            })
        }
        Some(s) if s.starts_with(['+', '-']) || s == "Z" => {
            let offset = s
                .parse::<expiry::UtcOffset>()
                .map_err(|e| bad_zone(s, &e.to_string()))?;
            let offset = jiff::tz::Offset::from_seconds(offset.seconds())
                .map_err(|e| bad_zone(s, &e.to_string()))?;
            jiff::tz::TimeZone::fixed(offset)
        }
        Some(name) => jiff::tz::TimeZone::get(name).map_err(|e| bad_zone(name, &e.to_string()))?,
    };
    Ok(Zone {
        loaded: OnceCell::from(Loaded::from_jiff(jiff)),
    })
}

fn bad_zone(value: &str, why: &str) -> Failure {
    usage_error(
        clap::error::ErrorKind::ValueValidation,
        format!("invalid value '{value}' for '--tz <ZONE>': {why}"),
    )
}

/// `--until` before it is put in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeSpec {
    /// RFC 3339 with an offset: an exact instant.
    Instant(SystemTime),
    /// A date and a time on the local clock.
    Local(DateTime),
    /// A time of day: the next time the local clock shows it.
    Clock(Time),
}

pub(crate) fn parse_time(s: &str) -> Result<TimeSpec, String> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return SystemTime::try_from(ts)
            .map(TimeSpec::Instant)
            .map_err(|e| e.to_string());
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return Ok(TimeSpec::Local(dt));
    }
    if let Ok(t) = s.parse::<Time>() {
        return Ok(TimeSpec::Clock(t));
    }
    Err("expected a time like 18:00, \"2025-05-03 18:00\" or 2025-05-03T18:00:00+02:00".into())
}

pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let signed = match s.strip_suffix('d').map(str::parse::<u32>) {
        Some(Ok(days)) => jiff::SignedDuration::from_hours(i64::from(days) * 24),
        _ => s
            .parse::<jiff::SignedDuration>()
            .map_err(|_| "expected a duration like 30m, 1h30m, 2h or 1d".to_owned())?,
    };
    let d = Duration::try_from(signed).map_err(|_| "must not be negative".to_owned())?;
    if d.is_zero() {
        return Err("must be more than zero".into());
    }
    Ok(d)
}

/// The end time given by `--for` or `--until` (at most one of them), checked to be in the
/// future.
pub(crate) fn end_time(
    for_: Option<Duration>,
    until: Option<TimeSpec>,
    zone: &Zone,
    now: SystemTime,
) -> Result<Option<SystemTime>, Failure> {
    if let Some(d) = for_ {
        return now
            .checked_add(d)
            .map(Some)
            .ok_or_else(|| invalid("--for <DURATION>", "is too long"));
    }
    let Some(spec) = until else {
        return Ok(None);
    };
    let t = resolve(spec, zone, now)?;
    if t <= now {
        return Err(invalid(
            "--until <TIME>",
            &format!("{} is not in the future", crate::output::time(t, zone)),
        ));
    }
    Ok(Some(t))
}

fn resolve(spec: TimeSpec, zone: &Zone, now: SystemTime) -> Result<SystemTime, Failure> {
    let fail = |e: jiff::Error| invalid("--until <TIME>", &e.to_string());
    match spec {
        TimeSpec::Instant(t) => Ok(t),
        TimeSpec::Local(dt) => SystemTime::try_from(
            zone.jiff()
                .to_ambiguous_timestamp(dt)
                .compatible()
                .map_err(fail)?,
        )
        .map_err(fail),
        TimeSpec::Clock(t) => {
            let now_ts = jiff::Timestamp::try_from(now).map_err(fail)?;
            let today = zone.jiff().to_datetime(now_ts).date();
            let mut candidate = zone
                .jiff()
                .to_ambiguous_timestamp(today.to_datetime(t))
                .compatible()
                .map_err(fail)?;
            if candidate <= now_ts {
                let tomorrow = today.tomorrow().map_err(fail)?;
                candidate = zone
                    .jiff()
                    .to_ambiguous_timestamp(tomorrow.to_datetime(t))
                    .compatible()
                    .map_err(fail)?;
            }
            SystemTime::try_from(candidate).map_err(fail)
        }
    }
}

/// The custom status's duration label and end time from `--duration`, `--for`, `--until`.
pub(crate) fn custom_expiry(
    duration: Option<CustomStatusDuration>,
    for_: Option<Duration>,
    until: Option<TimeSpec>,
    zone: &Zone,
    now: SystemTime,
) -> Result<(Option<CustomStatusDuration>, Option<SystemTime>), Failure> {
    if let Some(d) = duration {
        let t = expiry::expires_at(d, zone.lib(), now)?;
        return Ok((Some(d), Some(t)));
    }
    match end_time(for_, until, zone, now)? {
        Some(t) => {
            let t = expiry::date_and_time(t, now)?;
            Ok((Some(CustomStatusDuration::DateAndTime), Some(t)))
        }
        None => Ok((None, None)),
    }
}

fn invalid(argument: &str, why: &str) -> Failure {
    usage_error(
        clap::error::ErrorKind::ValueValidation,
        format!("invalid value for '{argument}': {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        for bad in ["", "45", "-5m", "0s", "soon", "1w"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_system_zone_is_read_on_first_use_and_tz_at_once() {
        let system = zone(None).ok().unwrap();
        assert!(!system.is_loaded());
        let _ = system.jiff();
        assert!(system.is_loaded());
        let given = zone(Some("+02:00")).ok().unwrap();
        assert!(given.is_loaded());
        assert_eq!(given.lib().offset_at(SystemTime::now()).seconds(), 7200);
    }

    #[test]
    fn clock_times_are_the_next_occurrence() {
        let zone = zone(Some("+02:00")).ok().unwrap();
        // 2025-05-07T16:30:00Z is 18:30 at +02:00.
        let now = SystemTime::try_from("2025-05-07T16:30:00Z".parse::<jiff::Timestamp>().unwrap())
            .unwrap();
        let at = |s: &str| {
            let t = resolve(parse_time(s).unwrap(), &zone, now).ok().unwrap();
            jiff::Timestamp::try_from(t).unwrap().to_string()
        };
        assert_eq!(at("19:00"), "2025-05-07T17:00:00Z");
        assert_eq!(at("18:00"), "2025-05-08T16:00:00Z");
        assert_eq!(at("2025-05-07 18:00"), "2025-05-07T16:00:00Z");
        assert_eq!(at("2025-05-07T18:00:00Z"), "2025-05-07T18:00:00Z");
        assert!(parse_time("tomorrow").is_err());
    }
}
