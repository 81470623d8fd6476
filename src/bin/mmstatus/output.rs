//! What the tool prints: tables, JSON, one-line confirmations, error messages.

use std::io::Write;
use std::time::SystemTime;

use mattermost_status::{CustomStatus, Error, Status, TransportErrorKind};

use crate::failure::Failure;

/// `2025-05-07 23:30:00 +02:00`: a time on the local clock of `zone`, with its offset.
pub(crate) fn time(t: SystemTime, zone: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::try_from(t) {
        Ok(ts) => ts
            .to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
        Err(_) => format!("{t:?}"),
    }
}

fn opt_time(t: Option<SystemTime>, zone: &jiff::tz::TimeZone) -> String {
    t.map_or_else(|| "-".to_owned(), |t| time(t, zone))
}

/// `dnd until 2025-05-07 23:30:00 +02:00`, or just `away`.
pub(crate) fn status_line(status: &Status, zone: &jiff::tz::TimeZone) -> String {
    match status.dnd_end_time {
        Some(end) => format!("{} until {}", status.status, time(end, zone)),
        None => status.status.to_string(),
    }
}

/// `custom status set: :calendar: In a meeting (until ...)`.
pub(crate) fn custom_status_line(cs: &CustomStatus, zone: &jiff::tz::TimeZone) -> String {
    let mut line = String::from("custom status set:");
    if !cs.emoji.is_empty() {
        line.push_str(&format!(" :{}:", cs.emoji));
    }
    if !cs.text.is_empty() {
        line.push(' ');
        line.push_str(&cs.text);
    }
    match cs.expires_at {
        Some(t) => line.push_str(&format!(" (until {})", time(t, zone))),
        None => line.push_str(" (does not expire)"),
    }
    line
}

pub(crate) fn print_json(statuses: &[Status]) -> Result<(), Failure> {
    match serde_json::to_string_pretty(statuses) {
        Ok(json) => {
            println!("{json}");
            Ok(())
        }
        Err(e) => {
            eprintln!("mmstatus: could not write JSON: {e}");
            Err(Failure::Code(1))
        }
    }
}

pub(crate) fn print_table(statuses: &[Status], zone: &jiff::tz::TimeZone) {
    let header = ["USER", "STATUS", "MANUAL", "LAST ACTIVITY", "DND ENDS"];
    let rows: Vec<[String; 5]> = statuses
        .iter()
        .map(|s| {
            [
                s.user_id.to_string(),
                s.status.to_string(),
                if s.manual { "yes" } else { "no" }.to_owned(),
                opt_time(s.last_activity_at, zone),
                opt_time(s.dnd_end_time, zone),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = std::io::stdout().lock();
    let mut line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(&header);
    for row in &rows {
        line(&row.each_ref().map(String::as_str));
    }
}

/// The error, with a hint where one helps.
pub(crate) fn describe_error(e: &Error) -> String {
    let hint = if e.is_unauthorized() {
        " (is the token in MM_TOKEN or --token-file right, and not revoked?)"
    } else if e.is_forbidden() {
        " (the token's user may not do this)"
    } else if matches!(e, Error::Transport(t) if t.kind() == TransportErrorKind::Connect) {
        " (is --url / MM_URL right, and the server up?)"
    } else {
        ""
    };
    format!("{e}{hint}")
}
