//! `mmstatus`: read and set Mattermost statuses from the command line.
//!
//! Its own package in the workspace: `cargo install mmstatus` (from the repository:
//! `cargo install --path mmstatus`).
//! See `mmstatus --help`, and docs/cli.md in the repository.
#![forbid(unsafe_code)]

mod args;
mod dnd;
mod failure;
mod output;
mod push;
mod quick;
mod users;
mod watch;
mod when;

use std::process::ExitCode;
use std::time::SystemTime;

use clap::CommandFactory;
use mattermost_status::{
    CustomStatus, CustomStatusDuration, Error, GetRecentCustomStatuses, GetStatus,
    GetStatusesByIds, RemoveRecentCustomStatus, Session, UnsetCustomStatus, UpdateCustomStatus,
    UpdateStatus, UserId, UserRef,
};

use args::{Cli, Command, CustomCommand, Global};
use failure::{exit_code_of, usage_error, Failure};

fn main() -> ExitCode {
    let (cli, subcommands) = quick::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure::Usage(kind, message)) => {
            // "error: ..." and the subcommand's usage on stderr, as clap does.
            let _ = args::render_usage_error(&subcommands, kind, &message).print();
            ExitCode::from(2)
        }
        Err(Failure::Api(e)) => {
            output::warn(&format!("mmstatus: {}", output::describe_error(&e)));
            ExitCode::from(exit_code_of(&e))
        }
        Err(Failure::Code(code)) => ExitCode::from(code),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    if let Some(done) = generated(&cli.command) {
        return done;
    }
    let zone = when::zone(cli.global.tz.as_deref())?;
    match cli.command {
        Command::Get(args::GetArgs { users, json }) => {
            let session = session(&cli.global)?;
            let users = if users.is_empty() {
                vec![UserRef::Id(UserId::me())]
            } else {
                users
            };
            let one = users.len() == 1;
            // One user: `me` or an id stays in the path (one request).
            let named = users::resolve(session, &users, !one)?;
            let statuses = if let [user] = &named[..] {
                vec![GetStatus::new(user.id).send(session)?]
            } else {
                let ids: Vec<UserId> = named.iter().map(|u| u.id).collect();
                let answer = GetStatusesByIds::new(ids.iter().copied()).send(session)?;
                let mut found = Vec::with_capacity(ids.len());
                for (id, status) in answer.in_order_of(&ids) {
                    match status {
                        Some(s) => found.push(s.clone()),
                        None => {
                            output::warn(&format!("mmstatus: the server sent no status for {id}"));
                            return Err(Failure::Code(1));
                        }
                    }
                }
                found
            };
            // The usernames of users given by id or `me`: one request for all of them,
            // with the ids the server answered (`me` is a real id there).
            let unnamed = statuses
                .iter()
                .zip(&named)
                .filter(|(_, user)| user.username.is_none())
                .map(|(status, _)| status.user_id);
            let found = users::usernames_of(session, unnamed)?;
            let rows: Vec<output::Row<'_>> = statuses
                .iter()
                .zip(&named)
                .map(|(status, user)| output::Row {
                    status,
                    username: user
                        .username
                        .as_deref()
                        .or_else(|| found.get(&status.user_id).map(String::as_str)),
                })
                .collect();
            if json {
                output::print_json(&rows)?;
            } else {
                output::print_table(&rows, &zone)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Set { status, end } => {
            let kind = status.kind();
            let until = when::end_time(end.for_, end.until, &zone, SystemTime::now())?;
            if until.is_some() && kind != mattermost_status::StatusKind::Dnd {
                return Err(usage_error(
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
            let status = update.send(session)?;
            output::out(&output::status_line(&status, &zone))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Custom(CustomCommand::Set {
            text,
            emoji,
            duration,
            end,
        }) => {
            let now = SystemTime::now();
            let (duration, expires_at) =
                when::custom_expiry(duration, end.for_, end.until, &zone, now)?;
            let cs = custom_status(text, emoji, duration, expires_at);
            let session = session(&cli.global)?;
            UpdateCustomStatus::new(UserId::me())
                .custom_status(cs.clone())
                .send(session)?;
            output::out(&output::custom_status_line(&cs, &zone))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Custom(CustomCommand::Clear) => {
            let session = session(&cli.global)?;
            UnsetCustomStatus::new(UserId::me()).send(session)?;
            output::out("custom status cleared")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Custom(CustomCommand::Recent) => {
            let session = session(&cli.global)?;
            let recent = GetRecentCustomStatuses::new(UserId::me()).send(session)?;
            if recent.is_empty() {
                output::warn("mmstatus: no recent custom statuses");
            }
            let lines: Vec<String> = recent
                .iter()
                .enumerate()
                .map(|(i, cs)| format!("{}.{}", i + 1, output::custom_status_text(cs, &zone)))
                .collect();
            if !lines.is_empty() {
                output::out(&lines.join("\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Custom(CustomCommand::ForgetRecent { number }) => {
            let session = session(&cli.global)?;
            let recent = GetRecentCustomStatuses::new(UserId::me()).send(session)?;
            let Some(cs) = recent.get(usize::from(number) - 1) else {
                output::warn(&format!(
                    "mmstatus: there is no recent custom status {number} (there are {}; \
                     see `mmstatus custom recent`)",
                    recent.len()
                ));
                return Err(Failure::Code(1));
            };
            RemoveRecentCustomStatus::new(UserId::me(), cs.clone()).send(session)?;
            output::out(&format!(
                "removed from the recent custom statuses:{}",
                output::custom_status_text(cs, &zone)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Dnd { end, command } => {
            let until = when::end_time(end.for_, end.until, &zone, SystemTime::now())?;
            let session = session(&cli.global)?;
            dnd::run(session, until, &command)
        }
        Command::Watch {
            users,
            until,
            interval,
            json,
            poll,
        } => {
            watch::check_interval(interval)?;
            let session = session(&cli.global)?;
            let mut named = users::resolve(session, &users, true)?;
            // Once, before the first poll: usernames do not change while watching.
            users::fill_usernames(session, &mut named)?;
            let options = watch::Options {
                until,
                interval,
                json,
                poll,
                no_stream: no_stream(&cli.global),
            };
            watch::run(session, &named, &options, &zone)
        }
        Command::Completions { .. } | Command::Man => unreachable_here(),
    }
}

/// `completions` and `man` are answered before anything else is read (no time zone, no
/// session): see [`generated`].
fn unreachable_here() -> Result<ExitCode, Failure> {
    output::warn("mmstatus: internal error: generator command reached the session");
    Err(Failure::Code(1))
}

/// `mmstatus completions SHELL` and `mmstatus man`: text generated from the clap
/// definition, written to stdout. `None` for every other command.
fn generated(command: &Command) -> Option<Result<ExitCode, Failure>> {
    // The clap definition is built here only for these two (building it costs a
    // one-shot `get` a tenth of its start-up).
    let mut text = Vec::new();
    match command {
        Command::Completions { shell } => {
            let shell = match shell {
                args::Shell::Bash => clap_complete::Shell::Bash,
                args::Shell::Zsh => clap_complete::Shell::Zsh,
                args::Shell::Fish => clap_complete::Shell::Fish,
            };
            // Into memory first: the generators panic when their writer fails.
            clap_complete::generate(shell, &mut Cli::command(), "mmstatus", &mut text);
        }
        Command::Man => {
            if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut text) {
                output::warn(&format!("mmstatus: could not render the man page: {e}"));
                return Some(Err(Failure::Code(1)));
            }
        }
        _ => return None,
    }
    Some(output::out_bytes(&text).map(|()| ExitCode::SUCCESS))
}

/// Why `watch` does not try the websocket with these options: `--transport curl`
/// (libcurl's transport opens no byte streams).
fn no_stream(global: &Global) -> Option<&'static str> {
    #[cfg(feature = "curl")]
    if global.transport == args::TransportChoice::Curl {
        return Some("--transport curl opens no websocket");
    }
    let _ = global;
    None
}

/// The session from `--url`/`MM_URL` and `--token-file`/`MM_TOKEN`.
fn session(global: &Global) -> Result<&'static Session, Failure> {
    let Some(url) = global.url.as_deref() else {
        return Err(usage_error(
            clap::error::ErrorKind::MissingRequiredArgument,
            "no server address: set MM_URL or pass --url URL",
        ));
    };
    let mut builder = Session::builder(url)
        .user_agent(concat!("mmstatus/", env!("CARGO_PKG_VERSION")))
        // The system's store, as curl and git trust it (read by the transport only
        // when TLS can happen: an http:// site with no https:// proxy never reads it).
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
            return Err(usage_error(
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
            usage_error(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid {argument}: {reason}"),
            )
        }
        other => Failure::Api(other),
    })?;
    if let Some(host) = plain_http_host(session.site_url()) {
        output::warn(&format!(
            "mmstatus: warning: the token goes to {host} over plain http://, unencrypted; \
             anyone on the network path can read it. Use https:// if the server has it."
        ));
    }
    // Kept until exit: the process's end closes the connection and frees the buffers
    // at once, where dropping the session would do it call by call (a `close`, two
    // `munmap`s) after the output is written.
    Ok(Box::leak(Box::new(session)))
}

/// The host of an `http://` address that is not loopback (where a token travels in
/// clear over a network); `None` for https and for 127.0.0.0/8, ::1 and localhost.
fn plain_http_host(site: &mattermost_status::SiteUrl) -> Option<&str> {
    (!site.is_https() && !site.is_loopback()).then(|| site.host())
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
    use mattermost_status::SiteUrl;

    fn plain_http_host(url: &str) -> Option<String> {
        super::plain_http_host(&SiteUrl::parse(url).unwrap()).map(str::to_owned)
    }

    #[test]
    fn warns_only_for_plain_http_to_a_host_that_is_not_loopback() {
        assert_eq!(
            plain_http_host("http://chat.example.com/x"),
            Some("chat.example.com".into())
        );
        assert_eq!(
            plain_http_host("http://10.0.0.5:8065"),
            Some("10.0.0.5".into())
        );
        assert_eq!(
            plain_http_host("http://[fd00::1]:8065"),
            Some("[fd00::1]".into())
        );
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
