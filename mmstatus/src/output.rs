//! What the tool prints: tables, JSON, one-line confirmations, error messages.
//!
//! Every write goes through [`out`] or [`warn`]: never `println!`/`eprintln!`, which
//! panic when the other end of the pipe is gone (`mmstatus get | head -1`). A closed
//! stdout ends the tool quietly with exit 0, as `ls | head` does: the reader got what
//! it wanted. Rust ignores SIGPIPE in its programs, so a closed pipe is an `EPIPE`
//! error here, not a signal; the commands `mmstatus dnd` runs get the default SIGPIPE
//! back (the standard library resets it before `exec`).

use std::io::{self, Write};
use std::time::SystemTime;

use mattermost_status::{CustomStatus, Error, Status, TransportErrorKind};

use crate::failure::Failure;
use crate::when::Zone;

/// Writes `text` and a newline to stdout. A reader that went away is a quiet
/// `Failure::Code(0)`; any other write error is reported (exit 1).
pub(crate) fn out(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    written.map_err(stdout_failed)
}

/// Writes raw bytes to stdout (generated completions, the man page), as [`out`].
pub(crate) fn out_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(stdout_failed)
}

fn stdout_failed(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::Code(0)
    } else {
        warn(&format!("mmstatus: cannot write to stdout: {e}"));
        Failure::Code(1)
    }
}

/// Writes a line to stderr; a stderr that cannot be written to is ignored (there is no
/// one left to tell).
pub(crate) fn warn(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.write_all(b"\n"));
}

/// `2025-05-07 23:30:00 +02:00`: a time on the local clock of `zone`, with its offset.
pub(crate) fn time(t: SystemTime, zone: &Zone) -> String {
    match jiff::Timestamp::try_from(t) {
        Ok(ts) => ts
            .to_zoned_datetime(zone.jiff().clone())
            .strftime("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
        Err(_) => format!("{t:?}"),
    }
}

fn opt_time(t: Option<SystemTime>, zone: &Zone) -> String {
    t.map_or_else(|| "-".to_owned(), |t| time(t, zone))
}

/// `dnd until 2025-05-07 23:30:00 +02:00`, or just `away`.
pub(crate) fn status_line(status: &Status, zone: &Zone) -> String {
    match status.dnd_end() {
        Some(end) => format!("{} until {}", status.status, time(end, zone)),
        None => status.status.to_string(),
    }
}

/// `custom status set: :calendar: In a meeting (until ...)`.
pub(crate) fn custom_status_line(cs: &CustomStatus, zone: &Zone) -> String {
    format!("custom status set:{}", custom_status_text(cs, zone))
}

/// ` :calendar: In a meeting (until ...)`, with its leading space.
pub(crate) fn custom_status_text(cs: &CustomStatus, zone: &Zone) -> String {
    let mut line = String::new();
    if !cs.emoji.is_empty() {
        line.push_str(&format!(" :{}:", safe(&cs.emoji)));
    }
    if !cs.text.is_empty() {
        line.push(' ');
        line.push_str(&safe(&cs.text));
    }
    match cs.expires_at {
        Some(t) => line.push_str(&format!(" (until {})", time(t, zone))),
        None => line.push_str(" (does not expire)"),
    }
    line
}

/// One status to print, with the username when it is known.
pub(crate) struct Row<'a> {
    pub status: &'a Status,
    pub username: Option<&'a str>,
}

/// A JSON object whose members keep the order they were pushed in.
pub(crate) struct Ordered(pub Vec<(String, serde_json::Value)>);

impl serde::Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The server's status object, in the server's field order, with `username` beside
/// `user_id` (`null` when unknown) and `dnd_end_time` only while in DND (else `0`).
pub(crate) fn status_json(row: &Row<'_>) -> Result<Ordered, Failure> {
    let mut status = row.status.clone();
    status.dnd_end_time = row.status.dnd_end();
    let value = serde_json::to_value(&status).map_err(|e| {
        warn(&format!("mmstatus: could not write JSON: {e}"));
        Failure::Code(1)
    })?;
    let mut fields = match value {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let mut ordered = Vec::with_capacity(fields.len() + 1);
    for key in [
        "user_id",
        "status",
        "manual",
        "last_activity_at",
        "dnd_end_time",
    ] {
        if let Some(v) = fields.remove(key) {
            ordered.push((key.to_owned(), v));
        }
        if key == "user_id" {
            ordered.push((
                "username".to_owned(),
                row.username.map_or(serde_json::Value::Null, Into::into),
            ));
        }
    }
    ordered.extend(fields);
    Ok(Ordered(ordered))
}

pub(crate) fn print_json(rows: &[Row<'_>]) -> Result<(), Failure> {
    let values = rows
        .iter()
        .map(status_json)
        .collect::<Result<Vec<_>, _>>()?;
    match serde_json::to_string_pretty(&values) {
        Ok(json) => out(&json),
        Err(e) => {
            warn(&format!("mmstatus: could not write JSON: {e}"));
            Err(Failure::Code(1))
        }
    }
}

pub(crate) fn print_table(rows: &[Row<'_>], zone: &Zone) -> Result<(), Failure> {
    let header = [
        "USER",
        "USERNAME",
        "STATUS",
        "MANUAL",
        "LAST ACTIVITY",
        "DND ENDS",
    ];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let s = r.status;
            [
                s.user_id.to_string(),
                r.username
                    .map_or_else(|| "-".to_owned(), |u| format!("@{}", safe(u))),
                s.status.to_string(),
                if s.manual { "yes" } else { "no" }.to_owned(),
                opt_time(s.last_activity_at, zone),
                opt_time(s.dnd_end(), zone),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        text.trim_end().to_owned()
    };
    let mut table = line(&header);
    for row in &cells {
        table.push('\n');
        table.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    out(&table)
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

/// `2025-05-07T21:30:00Z`: an instant for machines.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t).map_or_else(|_| format!("{t:?}"), |ts| ts.to_string())
}

/// Text the server sent, safe to print on a terminal: control characters (escape
/// sequences included) become U+FFFD.
pub(crate) fn safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}
