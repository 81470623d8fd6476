//! `mmstatus`: read and set Mattermost statuses from the command line.
//!
//! Built with the cargo feature `cli`: `cargo install mattermost-status --features cli`.
//! See `mmstatus --help`, and docs/cli.md in the repository.
#![forbid(unsafe_code)]

mod args;
mod dnd;
mod output;
mod when;

use std::process::ExitCode;
use std::time::SystemTime;

use clap::{CommandFactory, FromArgMatches};
use mattermost_status::{
    CustomStatus, CustomStatusDuration, Error, GetStatus, GetStatusesByIds,
    RemoveRecentCustomStatus, Session, UnsetCustomStatus, UpdateCustomStatus, UpdateStatus, UserId,
};

use args::{Cli, Command, CustomCommand, Global};

/// Why the tool stops, and with which exit code.
pub(crate) enum Failure {
    /// A bad argument found after parsing: printed as clap prints its own, exit 2.
    Usage(clap::error::ErrorKind, String),
    /// The library refused or the server failed.
    Api(Error),
    /// Exit with this code; the message was printed already.
    Code(u8),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Api(e)
    }
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(code) => code,
        Err(Failure::Usage(kind, message)) => {
            // "error: ..." and the subcommand's usage on stderr, as clap does.
            let _ = args::render_usage_error(&matches, kind, &message).print();
            ExitCode::from(2)
        }
        Err(Failure::Api(e)) => {
            eprintln!("mmstatus: {}", output::describe_error(&e));
            ExitCode::from(exit_code_of(&e))
        }
        Err(Failure::Code(code)) => ExitCode::from(code),
    }
}

/// 2 for what the user typed (the library refused it before sending), 1 for the rest.
pub(crate) fn exit_code_of(e: &Error) -> u8 {
    match e {
        Error::InvalidInput { .. } => 2,
        _ => 1,
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let zone = when::zone(cli.global.tz.as_deref())?;
    match cli.command {
        Command::Get { users, json } => {
            let session = session(&cli.global)?;
            let users = if users.is_empty() {
                vec![UserId::me()]
            } else {
                users
            };
            let statuses = if let [one] = users[..] {
                vec![GetStatus::new(one).send(&session)?]
            } else {
                let me = if users.iter().any(UserId::is_me) {
                    Some(session.current_user_id()?)
                } else {
                    None
                };
                let ids: Vec<UserId> = users
                    .iter()
                    .map(|u| if u.is_me() { me.unwrap_or(*u) } else { *u })
                    .collect();
                let answer = GetStatusesByIds::new(ids.iter().copied()).send(&session)?;
                let mut found = Vec::with_capacity(ids.len());
                for (id, status) in answer.in_order_of(&ids) {
                    match status {
                        Some(s) => found.push(s.clone()),
                        None => {
                            eprintln!("mmstatus: the server sent no status for {id}");
                            return Err(Failure::Code(1));
                        }
                    }
                }
                found
            };
            if json {
                output::print_json(&statuses)?;
            } else {
                output::print_table(&statuses, &zone.jiff);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Set { status, end } => {
            let kind = status.kind();
            let until = when::end_time(&end, &zone, SystemTime::now())?;
            if until.is_some() && kind != mattermost_status::StatusKind::Dnd {
                return Err(args::usage_error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!(
                        "--for and --until only go with `dnd` (the server keeps no end time \
                         for {kind})"
                    ),
                ));
            }
            let session = session(&cli.global)?;
            let mut update = UpdateStatus::new(UserId::me()).status(kind);
            if let Some(t) = until {
                update = update.until(t);
            }
            let status = update.send(&session)?;
            println!("{}", output::status_line(&status, &zone.jiff));
            Ok(ExitCode::SUCCESS)
        }
        Command::Custom(CustomCommand::Set {
            text,
            emoji,
            duration,
            end,
        }) => {
            let now = SystemTime::now();
            let (duration, expires_at) = when::custom_expiry(duration, &end, &zone, now)?;
            let cs = custom_status(text, emoji, duration, expires_at);
            let session = session(&cli.global)?;
            UpdateCustomStatus::new(UserId::me())
                .custom_status(cs.clone())
                .send(&session)?;
            println!("{}", output::custom_status_line(&cs, &zone.jiff));
            Ok(ExitCode::SUCCESS)
        }
        Command::Custom(CustomCommand::Clear) => {
            let session = session(&cli.global)?;
            UnsetCustomStatus::new(UserId::me()).send(&session)?;
            println!("custom status cleared");
            Ok(ExitCode::SUCCESS)
        }
        Command::Custom(CustomCommand::ForgetRecent {
            text,
            emoji,
            duration,
            expires_at,
        }) => {
            let cs = custom_status(text, emoji, duration, expires_at);
            let session = session(&cli.global)?;
            RemoveRecentCustomStatus::new(UserId::me(), cs).send(&session)?;
            println!("removed from the recent custom statuses");
            Ok(ExitCode::SUCCESS)
        }
        Command::Dnd { end, command } => {
            let until = when::end_time(&end, &zone, SystemTime::now())?;
            let session = session(&cli.global)?;
            dnd::run(&session, until, &command)
        }
    }
}

/// The session from `--url`/`MM_URL` and `--token-file`/`MM_TOKEN`.
fn session(global: &Global) -> Result<Session, Failure> {
    let Some(url) = global.url.as_deref() else {
        return Err(args::usage_error(
            clap::error::ErrorKind::MissingRequiredArgument,
            "no server address: set MM_URL or pass --url URL",
        ));
    };
    let mut builder = Session::builder(url)
        .user_agent(concat!("mmstatus/", env!("CARGO_PKG_VERSION")))
        // The system's store, as curl and git trust it.
        .system_roots(true);
    if let Some(path) = &global.ca_file {
        builder = builder.add_root_certificate_file(path);
    }
    if let Some(proxy) = &global.proxy {
        builder = builder.proxy(proxy);
    }
    #[cfg(feature = "curl")]
    if global.transport == args::TransportChoice::Curl {
        builder = builder.curl();
    }
    let builder = match &global.token_file {
        Some(path) => builder.token_from_file(path),
        None if std::env::var_os("MM_TOKEN").is_some() => builder.token_from_env("MM_TOKEN"),
        None => {
            return Err(args::usage_error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "no token: set MM_TOKEN or pass --token-file PATH \
                 (a personal access token: Profile > Security > Personal Access Tokens)",
            ))
        }
    };
    let session = builder.build().map_err(|e| match e {
        Error::InvalidInput { field, reason, .. } => {
            let argument = match field {
                "base_url" => "--url (MM_URL)",
                "token" if global.token_file.is_some() => "--token-file",
                "token" => "MM_TOKEN",
                "root_certificate" if reason.starts_with("the system's") => {
                    "system certificate store"
                }
                "root_certificate" => "--ca-file (MM_CA_FILE)",
                "proxy" if global.proxy.is_some() => "--proxy",
                other => other,
            };
            args::usage_error(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid {argument}: {reason}"),
            )
        }
        other => Failure::Api(other),
    })?;
    if let Some(host) = plain_http_host(session.base_url()) {
        eprintln!(
            "mmstatus: warning: the token goes to {host} over plain http://, unencrypted; \
             anyone on the network path can read it. Use https:// if the server has it."
        );
    }
    Ok(session)
}

/// The host of an `http://` address that is not loopback (where a token travels in
/// clear over a network); `None` for https and for 127.0.0.0/8, ::1 and localhost.
fn plain_http_host(base_url: &str) -> Option<&str> {
    let rest = base_url.strip_prefix("http://")?;
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => authority.split(':').next().unwrap_or(authority),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!loopback).then_some(host)
}

/// A custom status from the command line's parts; no duration or end unless given.
fn custom_status(
    text: String,
    emoji: String,
    duration: Option<CustomStatusDuration>,
    expires_at: Option<SystemTime>,
) -> CustomStatus {
    let mut cs = CustomStatus::new(text).emoji(emoji);
    cs.duration = duration;
    cs.expires_at = expires_at;
    cs
}

#[cfg(test)]
mod tests {
    use super::plain_http_host;

    #[test]
    fn warns_only_for_plain_http_to_a_host_that_is_not_loopback() {
        assert_eq!(
            plain_http_host("http://chat.example.com/x"),
            Some("chat.example.com")
        );
        assert_eq!(plain_http_host("http://10.0.0.5:8065"), Some("10.0.0.5"));
        assert_eq!(plain_http_host("http://[fd00::1]:8065"), Some("fd00::1"));
        for quiet in [
            "https://chat.example.com",
            "http://127.0.0.1:8065",
            "http://127.3.2.1",
            "http://localhost:8065/chat",
            "http://[::1]:8065",
        ] {
            assert_eq!(plain_http_host(quiet), None, "{quiet}");
        }
    }
}
