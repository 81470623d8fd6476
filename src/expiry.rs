//! When a custom status ends: `expires_at` for each [`CustomStatusDuration`], computed the
//! way Mattermost's own apps compute it.
//!
//! The server only checks that `expires_at` is not in the past; the *client* turns the
//! duration the user picked into a time. Mattermost's web and mobile apps do it like this,
//! and so does [`expires_at`]:
//!
//! | duration | `expires_at` |
//! |---|---|
//! | `thirty_minutes` | now + 30 min, seconds and milliseconds set to zero |
//! | `one_hour` | now + 1 h, seconds and milliseconds set to zero |
//! | `four_hours` | now + 4 h, seconds and milliseconds set to zero |
//! | `today` | the end of the user's day: the next local midnight, `00:00:00.000` |
//! | `this_week` | the end of the user's week: Saturday `23:59:59.999`, local time |
//! | `date_and_time` | the time the user chose; see [`date_and_time`] |
//!
//! "Local" is the user's time zone, a [`TimeZone`]: a fixed [`UtcOffset`] always, or with
//! the cargo feature `tz` an IANA zone name (`Europe/Paris`), whose offset changes with
//! daylight saving time. The week is the apps' default (English locale): Sunday to
//! Saturday.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use mattermost_status::expiry::{expires_at, TimeZone, UtcOffset};
//! use mattermost_status::CustomStatusDuration;
//!
//! // Wednesday 2025-05-07 22:30:00 UTC, which is already Thursday 00:30 in UTC+02:00.
//! let now = UNIX_EPOCH + Duration::from_secs(1_746_657_000);
//! let paris_summer = TimeZone::fixed("+02:00".parse::<UtcOffset>()?);
//!
//! let end = expires_at(CustomStatusDuration::Today, &paris_summer, now)?;
//! // Midnight between Thursday and Friday, local time: 2025-05-08T22:00:00Z.
//! assert_eq!(end, UNIX_EPOCH + Duration::from_secs(1_746_741_600));
//! # Ok::<(), mattermost_status::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use crate::error::{Error, ParseError, Result};
use crate::model::time::{from_unix, unix_seconds};
use crate::model::CustomStatusDuration;

#[cfg(all(feature = "tz", unix))]
mod system_zone;

const SECS_PER_DAY: i64 = 86_400;
/// The largest offset accepted: ±25:59:59, as jiff and RFC 9557 allow.
const MAX_OFFSET_SECS: i32 = 25 * 3600 + 59 * 60 + 59;

/// A fixed offset from UTC, such as `+02:00` or `-05:30`.
///
/// Parses `Z`, `+HH:MM`, `-HH:MM`, `+HHMM`, `+HH` and `+HH:MM:SS`.
///
/// ```
/// use mattermost_status::expiry::UtcOffset;
///
/// let offset: UtcOffset = "-05:30".parse()?;
/// assert_eq!(offset.seconds(), -(5 * 3600 + 30 * 60));
/// assert_eq!(offset.to_string(), "-05:30");
/// assert_eq!("Z".parse::<UtcOffset>()?, UtcOffset::UTC);
/// assert!("+26:00".parse::<UtcOffset>().is_err());
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UtcOffset {
    seconds: i32,
}

impl UtcOffset {
    /// UTC itself: `+00:00`.
    pub const UTC: UtcOffset = UtcOffset { seconds: 0 };

    /// An offset of `seconds` east of UTC (negative: west), at most ±25:59:59.
    pub fn from_seconds(seconds: i32) -> Result<Self, ParseError> {
        if seconds.unsigned_abs() > MAX_OFFSET_SECS.unsigned_abs() {
            return Err(ParseError::new(
                "utc_offset",
                format!("{seconds} s is more than 25:59:59 away from UTC"),
            ));
        }
        Ok(UtcOffset { seconds })
    }

    /// An offset of whole hours and minutes; both take the sign of the offset
    /// (`from_hm(-5, -30)` is `-05:30`).
    pub fn from_hm(hours: i8, minutes: i8) -> Result<Self, ParseError> {
        if minutes.unsigned_abs() > 59
            || (hours != 0 && minutes != 0 && (hours < 0) != (minutes < 0))
        {
            return Err(ParseError::new(
                "utc_offset",
                format!("{hours} h {minutes} min: minutes must be 0-59 with the sign of the hours"),
            ));
        }
        Self::from_seconds(i32::from(hours) * 3600 + i32::from(minutes) * 60)
    }

    /// Seconds east of UTC.
    pub fn seconds(self) -> i32 {
        self.seconds
    }
}

impl FromStr for UtcOffset {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        let bad = || {
            ParseError::new(
                "utc_offset",
                format!(
                    "{} is not a UTC offset like +02:00, -05:30 or Z",
                    crate::error::quoted(s)
                ),
            )
        };
        if s == "Z" || s == "z" {
            return Ok(UtcOffset::UTC);
        }
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+') => (1, &s[1..]),
            Some(b'-') => (-1, &s[1..]),
            _ => return Err(bad()),
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        let colons = rest.len() - digits.len();
        let well_formed = digits.bytes().all(|b| b.is_ascii_digit())
            && match digits.len() {
                2 => colons == 0,
                4 => colons <= 1 && (colons == 0 || rest.as_bytes().get(2) == Some(&b':')),
                6 => colons == 2 || colons == 0,
                _ => false,
            };
        if !well_formed {
            return Err(bad());
        }
        let field = |i: usize| -> Result<i32, ParseError> {
            digits
                .get(i..i + 2)
                .map_or(Ok(0), |d| d.parse::<i32>().map_err(|_| bad()))
        };
        let (h, m, sec) = (field(0)?, field(2)?, field(4)?);
        if m > 59 || sec > 59 {
            return Err(bad());
        }
        UtcOffset::from_seconds(sign * (h * 3600 + m * 60 + sec))
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let abs = self.seconds.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)?;
        if abs % 60 != 0 {
            write!(f, ":{:02}", abs % 60)?;
        }
        Ok(())
    }
}

/// The user's time zone, in which "today" and "this week" end.
///
/// A fixed offset ([`TimeZone::fixed`], [`TimeZone::utc`]) is always available. With the
/// cargo feature `tz`, `TimeZone::named` takes an IANA name (`America/New_York`) and
/// `TimeZone::system` the machine's own zone, both read from the system's time-zone
/// database (bundled on Windows) through the [jiff](https://docs.rs/jiff) crate, so
/// daylight saving time is handled.
///
/// ```
/// use mattermost_status::expiry::{TimeZone, UtcOffset};
///
/// let zone = TimeZone::fixed(UtcOffset::from_hm(-3, 0)?);
/// assert_eq!(zone.to_string(), "-03:00");
/// assert_eq!(TimeZone::from(UtcOffset::UTC), TimeZone::utc());
/// # Ok::<(), mattermost_status::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TimeZone(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Fixed(UtcOffset),
    #[cfg(feature = "tz")]
    Iana(jiff::tz::TimeZone),
}

impl TimeZone {
    /// UTC.
    pub fn utc() -> Self {
        TimeZone(Repr::Fixed(UtcOffset::UTC))
    }

    /// A zone whose offset never changes.
    pub fn fixed(offset: UtcOffset) -> Self {
        TimeZone(Repr::Fixed(offset))
    }

    /// The IANA zone `name` (`Europe/Paris`), from the system's time-zone database.
    ///
    /// ```
    /// # #[cfg(feature = "tz")] {
    /// use mattermost_status::expiry::TimeZone;
    ///
    /// let err = TimeZone::named("Mars/Olympus_Mons").unwrap_err();
    /// assert!(err.to_string().starts_with("invalid time_zone:"));
    /// # }
    /// ```
    #[cfg(feature = "tz")]
    pub fn named(name: &str) -> Result<Self> {
        jiff::tz::TimeZone::get(name)
            .map(|tz| TimeZone(Repr::Iana(tz)))
            .map_err(|e| Error::invalid("time_zone", format!("{name:?}: {e}")))
    }

    /// This machine's zone: `TZ` if set, else `/etc/localtime` (or the Windows setting).
    /// Falls back to UTC when none can be found.
    ///
    /// On Unix only the one file needed is read: `TZ` as an IANA name (`Europe/Paris`
    /// or `:Europe/Paris`, looked up in `TZDIR` and the usual zoneinfo directories), as
    /// a path to a TZif file, or as a POSIX rule (`CET-1CEST,M3.5.0,M10.5.0/3`); else
    /// `/etc/localtime`, named after its symlink target (a copied file is named by its
    /// path). An empty `TZ`, or one that cannot be read, means UTC. Unlike
    /// [`named`](Self::named), this never lists the whole time-zone database, so it
    /// costs a command-line tool almost nothing at start-up.
    ///
    /// ```
    /// # #[cfg(feature = "tz")] {
    /// let zone = mattermost_status::expiry::TimeZone::system();
    /// println!("this machine's zone: {zone}");
    /// # }
    /// ```
    #[cfg(feature = "tz")]
    pub fn system() -> Self {
        #[cfg(unix)]
        let tz = system_zone::system();
        #[cfg(not(unix))]
        let tz = jiff::tz::TimeZone::system();
        TimeZone(Repr::Iana(tz))
    }

    /// The same zone as a jiff [`TimeZone`](jiff::tz::TimeZone) (feature `tz`), to print
    /// or parse local times with.
    ///
    /// ```
    /// # #[cfg(feature = "tz")] {
    /// use mattermost_status::expiry::TimeZone;
    ///
    /// let zone = TimeZone::fixed("+05:45".parse()?).to_jiff();
    /// assert_eq!(zone.to_fixed_offset()?.seconds(), 5 * 3600 + 45 * 60);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "tz")]
    pub fn to_jiff(&self) -> jiff::tz::TimeZone {
        match &self.0 {
            // Every UtcOffset (±25:59:59) is a valid jiff offset.
            Repr::Fixed(offset) => jiff::tz::Offset::from_seconds(offset.seconds)
                .map_or(jiff::tz::TimeZone::UTC, jiff::tz::TimeZone::fixed),
            Repr::Iana(tz) => tz.clone(),
        }
    }

    /// The offset from UTC in force at `t`.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use mattermost_status::expiry::{TimeZone, UtcOffset};
    ///
    /// let zone = TimeZone::fixed("+05:45".parse()?);
    /// assert_eq!(zone.offset_at(SystemTime::now()), "+05:45".parse::<UtcOffset>()?);
    /// # Ok::<(), mattermost_status::Error>(())
    /// ```
    pub fn offset_at(&self, t: SystemTime) -> UtcOffset {
        UtcOffset {
            seconds: self.offset_secs_at(unix_seconds(t)),
        }
    }

    #[cfg_attr(not(feature = "tz"), allow(unused_variables))]
    fn offset_secs_at(&self, unix_secs: i64) -> i32 {
        match &self.0 {
            Repr::Fixed(offset) => offset.seconds,
            #[cfg(feature = "tz")]
            Repr::Iana(tz) => jiff::Timestamp::from_second(unix_secs)
                .map(|ts| tz.to_offset(ts).seconds())
                .unwrap_or(0),
        }
    }

    /// The instant at which the local clock shows `local_secs` (seconds since
    /// 1970-01-01T00:00 local). A local time skipped by a DST change maps to the instant
    /// after the gap, a repeated one to its first occurrence (RFC 5545 "compatible").
    fn instant_of_local(&self, local_secs: i64) -> Result<i64> {
        match &self.0 {
            Repr::Fixed(offset) => Ok(local_secs - i64::from(offset.seconds)),
            #[cfg(feature = "tz")]
            Repr::Iana(tz) => {
                let out_of_range =
                    |e: jiff::Error| Error::invalid("expires_at", format!("out of range: {e}"));
                let civil = jiff::tz::Offset::UTC
                    .to_datetime(jiff::Timestamp::from_second(local_secs).map_err(out_of_range)?);
                let instant = tz
                    .to_ambiguous_timestamp(civil)
                    .compatible()
                    .map_err(out_of_range)?;
                Ok(instant.as_second())
            }
        }
    }
}

impl From<UtcOffset> for TimeZone {
    fn from(offset: UtcOffset) -> Self {
        TimeZone::fixed(offset)
    }
}

/// Any jiff time zone (feature `tz`).
///
/// ```
/// # #[cfg(feature = "tz")] {
/// use mattermost_status::expiry::TimeZone;
///
/// let zone = TimeZone::from(jiff::tz::TimeZone::UTC);
/// assert_eq!(zone.offset_at(std::time::SystemTime::now()).seconds(), 0);
/// # }
/// ```
#[cfg(feature = "tz")]
impl From<jiff::tz::TimeZone> for TimeZone {
    fn from(tz: jiff::tz::TimeZone) -> Self {
        TimeZone(Repr::Iana(tz))
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Fixed(offset) => offset.fmt(f),
            #[cfg(feature = "tz")]
            Repr::Iana(tz) => match tz.iana_name() {
                Some(name) => f.write_str(name),
                None => write!(f, "{}", tz.to_offset(jiff::Timestamp::now())),
            },
        }
    }
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeZone({self})")
    }
}

/// `expires_at` for `duration`, starting at `now`, in the user's `zone`, as the apps
/// compute it (see the [module](self) table).
///
/// [`CustomStatusDuration::DateAndTime`] has no rule (the user picks the time): it is
/// refused here; check a chosen time with [`date_and_time`].
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use mattermost_status::expiry::{expires_at, TimeZone};
/// use mattermost_status::CustomStatusDuration;
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_746_657_045); // 22:30:45 UTC
/// let end = expires_at(CustomStatusDuration::ThirtyMinutes, &TimeZone::utc(), now)?;
/// assert_eq!(end, UNIX_EPOCH + Duration::from_secs(1_746_658_800)); // 23:00:00 UTC
/// # Ok::<(), mattermost_status::Error>(())
/// ```
pub fn expires_at(
    duration: CustomStatusDuration,
    zone: &TimeZone,
    now: SystemTime,
) -> Result<SystemTime> {
    let now_secs = unix_seconds(now);
    let after_minutes = |minutes: i64| -> Result<SystemTime> {
        // Seconds and milliseconds set to zero on the local clock.
        let end = now_secs + minutes * 60;
        let offset = i64::from(zone.offset_secs_at(end));
        let local = end + offset;
        to_system_time(end - (local.rem_euclid(60)), 0)
    };
    match duration {
        CustomStatusDuration::ThirtyMinutes => after_minutes(30),
        CustomStatusDuration::OneHour => after_minutes(60),
        CustomStatusDuration::FourHours => after_minutes(240),
        CustomStatusDuration::Today => {
            let local_day = local_day(zone, now_secs);
            to_system_time(zone.instant_of_local((local_day + 1) * SECS_PER_DAY)?, 0)
        }
        CustomStatusDuration::ThisWeek => {
            let local_day = local_day(zone, now_secs);
            // 1970-01-01 was a Thursday: day 0 is weekday 4 counting from Sunday.
            let weekday_from_sunday = (local_day + 4).rem_euclid(7);
            let next_sunday = local_day + 7 - weekday_from_sunday;
            let start_of_next_week = zone.instant_of_local(next_sunday * SECS_PER_DAY)?;
            // One millisecond before: Saturday 23:59:59.999.
            to_system_time(start_of_next_week - 1, 999_000_000)
        }
        CustomStatusDuration::DateAndTime => Err(Error::invalid(
            "duration",
            "date_and_time has no rule: the user picks the time; check it with \
             expiry::date_and_time(time, now)",
        )),
    }
}

/// Checks a chosen end time for [`CustomStatusDuration::DateAndTime`]: the server refuses
/// one before now (400 `custom_status`), so it is refused here, naming `expires_at`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use mattermost_status::expiry::date_and_time;
///
/// let now = SystemTime::now();
/// let later = now + Duration::from_secs(3600);
/// assert_eq!(date_and_time(later, now)?, later);
///
/// let err = date_and_time(now - Duration::from_secs(1), now).unwrap_err();
/// assert!(err.to_string().starts_with("invalid expires_at:"));
/// # Ok::<(), mattermost_status::Error>(())
/// ```
pub fn date_and_time(chosen: SystemTime, now: SystemTime) -> Result<SystemTime> {
    if chosen < now {
        return Err(Error::invalid(
            "expires_at",
            format!(
                "{} is in the past; the server refuses it",
                crate::model::time::format_rfc3339(chosen)
            ),
        ));
    }
    Ok(chosen)
}

/// Days since 1970-01-01 on the local calendar.
fn local_day(zone: &TimeZone, unix_secs: i64) -> i64 {
    (unix_secs + i64::from(zone.offset_secs_at(unix_secs))).div_euclid(SECS_PER_DAY)
}

/// A time from Unix seconds and nanoseconds, or an error naming `expires_at`.
fn to_system_time(secs: i64, nanos: u32) -> Result<SystemTime> {
    from_unix(secs, nanos)
        .ok_or_else(|| Error::invalid("expires_at", "is out of the range of SystemTime"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::{format_rfc3339, parse_rfc3339};

    fn at(rfc3339: &str) -> SystemTime {
        parse_rfc3339(rfc3339).unwrap().unwrap()
    }

    fn fixed(s: &str) -> TimeZone {
        TimeZone::fixed(s.parse().unwrap())
    }

    fn end(d: CustomStatusDuration, zone: &TimeZone, now: &str) -> String {
        format_rfc3339(expires_at(d, zone, at(now)).unwrap())
    }

    use CustomStatusDuration::*;

    #[test]
    fn hours_from_now_drop_seconds_and_milliseconds() {
        let z = TimeZone::utc();
        assert_eq!(
            end(ThirtyMinutes, &z, "2025-05-07T22:30:45.5Z"),
            "2025-05-07T23:00:00Z"
        );
        assert_eq!(
            end(OneHour, &z, "2025-05-07T23:59:59.999Z"),
            "2025-05-08T00:59:00Z"
        );
        assert_eq!(
            end(FourHours, &z, "2025-12-31T22:00:00Z"),
            "2026-01-01T02:00:00Z"
        );
        // An offset with seconds (historic LMT): the local clock's seconds are zeroed.
        let odd = fixed("+00:09:21");
        assert_eq!(
            end(ThirtyMinutes, &odd, "2025-05-07T22:30:00Z"),
            "2025-05-07T22:59:39Z"
        );
    }

    #[test]
    fn today_ends_at_the_next_local_midnight() {
        // Just before and at local midnight, with a positive offset.
        let plus2 = fixed("+02:00");
        assert_eq!(
            end(Today, &plus2, "2025-05-07T21:59:59.999Z"), // 23:59:59.999 local
            "2025-05-07T22:00:00Z"
        );
        assert_eq!(
            end(Today, &plus2, "2025-05-07T22:00:00Z"), // 00:00 local, a new day
            "2025-05-08T22:00:00Z"
        );
        // A negative offset: still the previous day locally while UTC is past midnight.
        let minus5 = fixed("-05:00");
        assert_eq!(
            end(Today, &minus5, "2025-05-08T03:00:00Z"), // 22:00 on the 7th local
            "2025-05-08T05:00:00Z"
        );
        assert_eq!(
            end(Today, &TimeZone::utc(), "2024-02-28T12:00:00Z"),
            "2024-02-29T00:00:00Z"
        );
    }

    #[test]
    fn this_week_ends_on_saturday_night_local() {
        let utc = TimeZone::utc();
        // 2025-05-07 is a Wednesday.
        assert_eq!(
            end(ThisWeek, &utc, "2025-05-07T12:00:00Z"),
            "2025-05-10T23:59:59.999Z"
        );
        // Saturday's last millisecond is still this week (and not in the past).
        assert_eq!(
            end(ThisWeek, &utc, "2025-05-10T23:59:59.999Z"),
            "2025-05-10T23:59:59.999Z"
        );
        // Sunday 00:00 starts a new week.
        assert_eq!(
            end(ThisWeek, &utc, "2025-05-11T00:00:00Z"),
            "2025-05-17T23:59:59.999Z"
        );
        // Saturday 23:30 UTC is already Sunday in +02:00: next week there.
        assert_eq!(
            end(ThisWeek, &fixed("+02:00"), "2025-05-10T23:30:00Z"),
            "2025-05-17T21:59:59.999Z"
        );
        // Sunday 02:00 UTC is still Saturday in -05:00: the week ends in 2 hours.
        assert_eq!(
            end(ThisWeek, &fixed("-05:00"), "2025-05-11T02:00:00Z"),
            "2025-05-11T04:59:59.999Z"
        );
        // Across a year end: Wednesday 2025-12-31.
        assert_eq!(
            end(ThisWeek, &utc, "2025-12-31T08:00:00Z"),
            "2026-01-03T23:59:59.999Z"
        );
    }

    #[test]
    fn date_and_time_is_checked_not_computed() {
        let now = at("2025-05-07T12:00:00Z");
        let err = expires_at(DateAndTime, &TimeZone::utc(), now).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidInput {
                field: "duration",
                ..
            }
        ));
        assert_eq!(date_and_time(now, now).unwrap(), now);
        let past = at("2025-05-07T11:59:59.999Z");
        let err = date_and_time(past, now).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidInput {
                field: "expires_at",
                ..
            }
        ));
        assert!(err.to_string().contains("2025-05-07T11:59:59.999Z"));
    }

    #[test]
    fn offsets_parse_and_print() {
        for (text, secs, shown) in [
            ("Z", 0, "+00:00"),
            ("+02:00", 7200, "+02:00"),
            ("-0530", -19_800, "-05:30"),
            ("+05", 18_000, "+05:00"),
            ("+05:45", 20_700, "+05:45"),
            ("-00:09:21", -561, "-00:09:21"),
            ("+25:59:59", MAX_OFFSET_SECS, "+25:59:59"),
        ] {
            let offset: UtcOffset = text.parse().unwrap();
            assert_eq!(offset.seconds(), secs, "{text}");
            assert_eq!(offset.to_string(), shown, "{text}");
        }
        for bad in [
            "", "2", "+2", "+26:00", "+02:60", "02:00", "+02:0", "+0:200", "+02-00", "UTC",
        ] {
            assert!(
                bad.parse::<UtcOffset>().is_err(),
                "{bad:?} should not parse"
            );
        }
        assert_eq!(UtcOffset::from_hm(-5, -30).unwrap().seconds(), -19_800);
        assert!(UtcOffset::from_hm(5, -30).is_err());
        assert!(UtcOffset::from_hm(0, 60).is_err());
    }

    #[cfg(feature = "tz")]
    #[test]
    fn iana_zones_follow_daylight_saving_time() {
        let Ok(paris) = TimeZone::named("Europe/Paris") else {
            eprintln!("no tz database on this machine: skipped");
            return;
        };
        // Saturday 2025-03-29 12:00 UTC (13:00 CET): the week ends Saturday 23:59:59.999
        // CET = 22:59:59.999Z; "today" ends at midnight CET.
        assert_eq!(
            end(ThisWeek, &paris, "2025-03-29T12:00:00Z"),
            "2025-03-29T22:59:59.999Z"
        );
        // Sunday 2025-03-30 switches to CEST at 02:00: that day ends at 22:00Z, not 23:00Z.
        assert_eq!(
            end(Today, &paris, "2025-03-30T09:00:00Z"),
            "2025-03-30T22:00:00Z"
        );
        assert_eq!(
            end(ThisWeek, &paris, "2025-03-30T09:00:00Z"),
            "2025-04-05T21:59:59.999Z"
        );
        let ny = TimeZone::named("America/New_York").unwrap();
        // 03:00Z on 2025-01-08 is 22:00 EST on the 7th.
        assert_eq!(
            end(Today, &ny, "2025-01-08T03:00:00Z"),
            "2025-01-08T05:00:00Z"
        );
        assert_eq!(ny.to_string(), "America/New_York");
        assert!(matches!(
            TimeZone::named("Nowhere/Special"),
            Err(Error::InvalidInput {
                field: "time_zone",
                ..
            })
        ));
    }
}
