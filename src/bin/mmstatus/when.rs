//! Durations, times and the time zone, as typed on the command line.

use std::time::{Duration, SystemTime};

use jiff::civil::{DateTime, Time};
use mattermost_status::expiry::{self, TimeZone};
use mattermost_status::CustomStatusDuration;

use crate::failure::{usage_error, Failure};

/// The zone of `--tz`, TZ or the system, as jiff and as the library want it.
pub(crate) struct Zone {
    pub jiff: jiff::tz::TimeZone,
    pub lib: TimeZone,
}

pub(crate) fn zone(arg: Option<&str>) -> Result<Zone, Failure> {
    let jiff = match arg {
        None => jiff::tz::TimeZone::system(),
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
        lib: TimeZone::from(jiff.clone()),
        jiff,
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
            &format!(
                "{} is not in the future",
                crate::output::time(t, &zone.jiff)
            ),
        ));
    }
    Ok(Some(t))
}

fn resolve(spec: TimeSpec, zone: &Zone, now: SystemTime) -> Result<SystemTime, Failure> {
    let fail = |e: jiff::Error| invalid("--until <TIME>", &e.to_string());
    match spec {
        TimeSpec::Instant(t) => Ok(t),
        TimeSpec::Local(dt) => SystemTime::try_from(
            zone.jiff
                .to_ambiguous_timestamp(dt)
                .compatible()
                .map_err(fail)?,
        )
        .map_err(fail),
        TimeSpec::Clock(t) => {
            let now_ts = jiff::Timestamp::try_from(now).map_err(fail)?;
            let today = zone.jiff.to_datetime(now_ts).date();
            let mut candidate = zone
                .jiff
                .to_ambiguous_timestamp(today.to_datetime(t))
                .compatible()
                .map_err(fail)?;
            if candidate <= now_ts {
                let tomorrow = today.tomorrow().map_err(fail)?;
                candidate = zone
                    .jiff
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
        let t = expiry::expires_at(d, &zone.lib, now)?;
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
