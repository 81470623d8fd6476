//! The three ways Mattermost writes a point in time, to and from [`SystemTime`].
//!
//! - `last_activity_at`: Unix time in milliseconds (`0` = never).
//! - `dnd_end_time`: Unix time in *seconds* (`0` = no end).
//! - `expires_at`: a Go `time.Time` in JSON, RFC 3339 with an optional fraction. Go writes
//!   it with `RFC3339Nano`: the fraction's trailing zeros trimmed, and the zero value as
//!   `0001-01-01T00:00:00Z`. The crate writes UTC (`Z`) in exactly that form, because the
//!   server compares stored custom statuses with the bytes of their JSON.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Go's zero `time.Time`, as `encoding/json` writes it: "no expiry".
pub(crate) const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Go's zero time in Unix seconds.
const GO_ZERO_UNIX_SECONDS: i64 = -62_135_596_800;

/// Seconds and nanoseconds since the Unix epoch; negative seconds for earlier times.
fn to_unix(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() == 0 {
                (-secs, 0)
            } else {
                (-secs - 1, 1_000_000_000 - d.subsec_nanos())
            }
        }
    }
}

/// Seconds (negative before 1970) and nanoseconds since the Unix epoch to a time; `None`
/// when `SystemTime` cannot hold it.
pub(crate) fn from_unix(secs: i64, nanos: u32) -> Option<SystemTime> {
    if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::new(secs.unsigned_abs(), nanos))
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(secs.unsigned_abs()))?
            .checked_add(Duration::from_nanos(u64::from(nanos)))
    }
}

/// Whole Unix seconds, rounded down (the server's `dnd_end_time`).
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    to_unix(t).0
}

/// Unix seconds to a time; `0` (and anything not representable) is `None`.
pub(crate) fn from_unix_seconds(secs: i64) -> Option<SystemTime> {
    if secs == 0 {
        None
    } else {
        from_unix(secs, 0)
    }
}

/// Whole Unix milliseconds, rounded down (the server's `last_activity_at`).
pub(crate) fn unix_millis(t: SystemTime) -> i64 {
    let (secs, nanos) = to_unix(t);
    secs.saturating_mul(1000)
        .saturating_add(i64::from(nanos / 1_000_000))
}

/// Unix milliseconds to a time; `0` (and anything not representable) is `None`.
pub(crate) fn from_unix_millis(millis: i64) -> Option<SystemTime> {
    if millis == 0 {
        return None;
    }
    let secs = millis.div_euclid(1000);
    let rem = u32::try_from(millis.rem_euclid(1000)).unwrap_or(0);
    from_unix(secs, rem * 1_000_000)
}

// Days since 1970-01-01 to a civil date, and back (proleptic Gregorian calendar).
// Howard Hinnant's algorithms, valid over the whole i64 day range used here.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Writes `t` as Go's `encoding/json` writes a UTC `time.Time`:
/// `2025-05-03T23:59:59.999Z` (fraction without trailing zeros, none when whole).
pub(crate) fn format_rfc3339(t: SystemTime) -> String {
    use std::fmt::Write;

    let (secs, nanos) = to_unix(t);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(32);
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if nanos != 0 {
        let mut fraction = format!("{nanos:09}");
        while fraction.ends_with('0') {
            fraction.pop();
        }
        out.push('.');
        out.push_str(&fraction);
    }
    out.push('Z');
    out
}

/// Reads an RFC 3339 time as Go's `time.Time` JSON decoding accepts it (`Z` or a
/// `±hh:mm` offset, an optional fraction of up to 9 digits). Go's zero value is `None`.
pub(crate) fn parse_rfc3339(s: &str) -> Result<Option<SystemTime>, String> {
    let bad = || format!("{s:?} is not an RFC 3339 time (like 2025-05-03T23:59:59Z)");
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<u32, String> {
        let part = s.get(range).ok_or_else(bad)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' {
        return Err(bad());
    }
    if b[16] != b':'
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(i64::from(year), month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(bad());
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start || end - start > 9 {
            return Err(bad());
        }
        let digits = &s[start..end];
        nanos = digits.parse::<u32>().map_err(|_| bad())? * 10u32.pow(9 - digits.len() as u32);
        i = end;
    }
    let offset_secs: i64 = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err(bad());
            }
            let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let m = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if h > 23 || m > 59 {
                return Err(bad());
            }
            let total = h * 3600 + m * 60;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return Err(bad()),
    };
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset_secs;
    if secs == GO_ZERO_UNIX_SECONDS && nanos == 0 {
        // Go's zero time.Time (0001-01-01T00:00:00Z, at any offset): no time at all.
        return Ok(None);
    }
    from_unix(secs, nanos).map(Some).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64, nanos: u32) -> SystemTime {
        from_unix(secs, nanos).unwrap()
    }

    #[test]
    fn formats_like_go_rfc3339nano() {
        assert_eq!(format_rfc3339(at(0, 0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_rfc3339(at(1_746_316_799, 999_000_000)),
            "2025-05-03T23:59:59.999Z"
        );
        assert_eq!(
            format_rfc3339(at(1_746_316_799, 120_000_000)),
            "2025-05-03T23:59:59.12Z"
        );
        assert_eq!(
            format_rfc3339(at(951_782_400, 1)),
            "2000-02-29T00:00:00.000000001Z"
        );
        assert_eq!(
            format_rfc3339(at(-1, 500_000_000)),
            "1969-12-31T23:59:59.5Z"
        );
    }

    #[test]
    fn parses_offsets_fractions_and_zero() {
        assert_eq!(parse_rfc3339(GO_ZERO_TIME).unwrap(), None);
        assert_eq!(
            parse_rfc3339("2025-05-03T23:59:59.999Z").unwrap(),
            Some(at(1_746_316_799, 999_000_000))
        );
        assert_eq!(
            parse_rfc3339("2025-05-04T01:59:59+02:00").unwrap(),
            Some(at(1_746_316_799, 0))
        );
        assert_eq!(
            parse_rfc3339("2025-05-03T20:59:59.5-03:00").unwrap(),
            Some(at(1_746_316_799, 500_000_000))
        );
        for bad in [
            "",
            "2025-05-03",
            "2025-13-03T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2025-05-03T24:00:00Z",
            "2025-05-03T23:59:59",
            "2025-05-03T23:59:59.Z",
            "2025-05-03T23:59:59.1234567891Z",
            "2025-05-03T23:59:59+0200",
            "2025-05-03 23:59:59Z",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn round_trips_across_calendar_edges() {
        for secs in [
            -62_135_596_800 + 1, // 0001-01-01T00:00:01Z
            -86_400,
            0,
            951_782_400,   // 2000-02-29
            4_102_444_800, // 2100-01-01
            253_402_300_799,
        ] {
            for nanos in [0, 1, 999_999_999, 100_000_000] {
                let t = at(secs, nanos);
                assert_eq!(parse_rfc3339(&format_rfc3339(t)).unwrap(), Some(t));
            }
        }
    }

    #[test]
    fn unix_units() {
        let t = at(1_700_000_000, 999_999_999);
        assert_eq!(unix_seconds(t), 1_700_000_000);
        assert_eq!(unix_millis(t), 1_700_000_000_999);
        assert_eq!(from_unix_seconds(0), None);
        assert_eq!(from_unix_millis(0), None);
        assert_eq!(
            from_unix_millis(1_700_000_000_123),
            Some(at(1_700_000_000, 123_000_000))
        );
        assert_eq!(unix_seconds(at(-1, 500_000_000)), -1);
    }
}
