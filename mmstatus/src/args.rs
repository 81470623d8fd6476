//! The command line, declared with clap's derive API.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use mattermost_status::{CustomStatusDuration, StatusKind, UserRef};

use crate::when::{self, TimeSpec};

const AFTER_LONG_HELP: &str = "\
ENVIRONMENT:
  MM_URL     The site address, as --url.
  MM_TOKEN   A personal access token (Profile > Security > Personal Access Tokens) or a
             session token. Read unless --token-file is given. There is no --token
             option: a token on the command line shows in `ps` and in shell history.
  TZ         The time zone for \"today\", \"this week\" and local times, unless --tz.
  MM_CA_FILE A PEM file of extra CA certificates, as --ca-file.
  SSL_CERT_FILE  The CA bundle to use as the system's store (as for curl and OpenSSL);
             default: the distribution's (/etc/ssl/certs/ca-certificates.crt on Debian).
  https_proxy, HTTPS_PROXY, http_proxy, all_proxy, ALL_PROXY, no_proxy, NO_PROXY
             The proxy, read as curl reads them (http_proxy only in lower case).

TIMES AND DURATIONS:
  DURATION   30m, 1h30m, 90s, 2h, 1d (a day is 24 hours), PT1H.
  TIME       2025-05-03T18:00:00+02:00 or ...Z (an exact instant);
             \"2025-05-03 18:00\" (in --tz); 18:00 (the next 18:00 in --tz).

EXIT STATUS:
  0    Success.
  1    The server refused the request, or could not be reached.
  2    A usage error: a missing or invalid argument, option or environment variable.
  dnd  exits with the command's own status; 126 if it cannot be run, 127 if it is
       not found, 128+N if it was killed by signal N.

EXAMPLES:
  export MM_URL=https://chat.example.com MM_TOKEN=...
  mmstatus get
  mmstatus get me @alice 4xp9fdt77pncbef59f4k1qe83o --json
  mmstatus set dnd --for 1h
  mmstatus custom set 'In a meeting' --emoji calendar --duration one_hour
  mmstatus custom recent
  mmstatus dnd cargo test --release
  mmstatus watch alice --until online && notify-send 'alice is back'
  mmstatus completions bash > ~/.local/share/bash-completion/completions/mmstatus";

/// Read and set Mattermost statuses: online, away, offline, Do Not Disturb, and the
/// custom status (emoji, text, expiry).
#[derive(Debug, Parser)]
#[command(
    name = "mmstatus",
    version,
    after_long_help = AFTER_LONG_HELP,
    after_help = "See `mmstatus --help` for the environment, times, exit status and examples."
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every subcommand.
#[derive(Debug, Args)]
pub(crate) struct Global {
    #[arg(
        long,
        env = "MM_URL",
        value_name = "URL",
        global = true,
        help = "The Mattermost site, such as https://chat.example.com"
    )]
    pub url: Option<String>,

    /// Read the token from this file (surrounding whitespace ignored) instead of MM_TOKEN
    #[arg(long, value_name = "PATH", global = true)]
    pub token_file: Option<PathBuf>,

    /// Also trust the CA certificate(s) in this PEM file (a company CA); the system's
    /// store is trusted in any case
    #[arg(long, env = "MM_CA_FILE", value_name = "PATH", global = true)]
    pub ca_file: Option<PathBuf>,

    /// Send requests through this proxy (http://user:password@host:port, user and port
    /// optional) instead of the one https_proxy / http_proxy / all_proxy name; NO_PROXY
    /// still applies
    #[arg(long, value_name = "URL", global = true)]
    pub proxy: Option<String>,

    /// The HTTP client: ureq (built in, rustls) or curl (the system's libcurl: its TLS
    /// library and store, and proxies as curl reads them; libcurl opens no websocket,
    /// so `watch` then polls over HTTP)
    #[cfg(feature = "curl")]
    #[arg(
        long,
        env = "MM_TRANSPORT",
        value_enum,
        value_name = "CLIENT",
        default_value = "ureq",
        global = true
    )]
    pub transport: TransportChoice,

    /// Time zone for local times, "today" and "this week": an IANA name
    /// (Europe/Paris) or a UTC offset (+02:00). Default: TZ, else the system's
    #[arg(long, value_name = "ZONE", global = true, allow_hyphen_values = true)]
    pub tz: Option<String>,
}

// The arguments of `get`, a struct of their own so that `crate::quick` can build a
// `get` without clap.
#[derive(Debug, Args)]
pub(crate) struct GetArgs {
    /// Usernames (alice or @alice), user ids (26 characters) or `me`; default `me`
    #[arg(value_name = "USER", value_parser = parse_user)]
    pub users: Vec<UserRef>,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

/// The HTTP client behind `--transport`.
#[cfg(feature = "curl")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TransportChoice {
    /// ureq and rustls
    Ureq,
    /// the system's libcurl
    Curl,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show the status of users (yourself by default)
    ///
    /// Prints a table: user id, username, status, whether it was set by hand, last
    /// activity and when Do Not Disturb ends (only while in DND). The usernames of users
    /// given by id or `me` take one more request. With --json, a JSON array of the
    /// server's status objects with a `username` beside `user_id` (null for a user the
    /// server did not name), in the order the users were given.
    Get(GetArgs),

    /// Set your status
    ///
    /// `dnd` lasts until changed, or until --for/--until, when the server puts back the
    /// status you had before. `online` puts you back on automatic (the server follows
    /// your activity); `away` and `offline` stay until changed.
    Set {
        /// The new status
        #[arg(value_enum)]
        status: Settable,
        #[command(flatten)]
        end: End,
    },

    /// Set, clear or forget custom statuses (emoji and text)
    #[command(subcommand)]
    Custom(CustomCommand),

    /// Run a command in Do Not Disturb, then put the previous status back
    ///
    /// Sets DND, runs COMMAND, and when it ends (success, failure, or Ctrl-C)
    /// restores the status you had, then exits with the command's exit status. If the
    /// status was changed meanwhile (by you, or by the server at the DND end time), it
    /// is left alone. Ctrl-C reaches the command as usual; if the command is still
    /// running a second later, mmstatus passes the interrupt on (then SIGTERM, then
    /// SIGKILL on further interrupts). If mmstatus itself is killed (SIGKILL), nothing
    /// is restored: give --for or --until so that the server ends DND by itself.
    Dnd {
        #[command(flatten)]
        end: End,
        /// The command and its arguments; everything after the command's name is its
        /// own (put `--` first if the command's name starts with `-`)
        #[arg(
            value_name = "COMMAND",
            required = true,
            trailing_var_arg = true,
            num_args = 1..,
            allow_hyphen_values = true
        )]
        command: Vec<OsString>,
    },

    /// Watch users' statuses and print each change
    ///
    /// Prints the current statuses first, then a line whenever a user's status (or DND
    /// end) changes. With --json, one JSON object per line (for status bars). With
    /// --until STATUS, exits 0 as soon as every user has that status. Ctrl-C stops it
    /// (exit 130).
    ///
    /// Over the server's websocket (/api/v4/websocket): your own status (`me`) is
    /// printed as the server pushes it, within a second; the server pushes no one
    /// else's, so other users' statuses are asked for on the same socket every
    /// --interval (at least 5s), and their custom status changes are printed as pushed
    /// (a line `custom status: ...` or `custom status cleared`). Reconnects are said on
    /// stderr (resumed: nothing missed; resynced: statuses read again over HTTP);
    /// nothing is printed twice.
    ///
    /// When the websocket cannot be opened (a proxy or nginx that does not pass the
    /// upgrade on, a 4xx/5xx answer to it), says why on stderr, once, and polls over
    /// HTTP instead: all the users in one request every --interval. --poll always
    /// does. While polling, a 429 answer is waited out as the server asks; other
    /// failures are retried with growing pauses (up to 5 minutes), except a refused
    /// token or a missing user.
    ///
    /// The websocket goes where the requests go: --url's path prefix, --proxy and the
    /// proxy variables (CONNECT, NO_PROXY), --ca-file / MM_CA_FILE and the system's
    /// store. With --transport curl, libcurl opens no websocket: watch polls over HTTP,
    /// through libcurl, and says so.
    Watch {
        /// Usernames (alice or @alice), user ids or `me`
        #[arg(value_name = "USER", required = true, value_parser = parse_user)]
        users: Vec<UserRef>,
        /// Exit 0 once every user has this status: online, away, offline, dnd or ooo
        #[arg(long, value_name = "STATUS", value_parser = parse_watch_status)]
        until: Option<StatusKind>,
        /// Time between polls: 5s, 30s, 1m ... (at least 5s)
        #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
        interval: Duration,
        /// Print JSON lines instead of text
        #[arg(long)]
        json: bool,
        /// Poll over HTTP every --interval, without the websocket
        #[arg(long)]
        poll: bool,
    },

    /// Print a shell completion script: bash, zsh or fish
    ///
    /// For bash: `mmstatus completions bash > ~/.local/share/bash-completion/completions/mmstatus`;
    /// for zsh, into a file named `_mmstatus` in a folder of your $fpath; for fish, into
    /// ~/.config/fish/completions/mmstatus.fish.
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: Shell,
    },

    /// Print the manual page (roff), from the same definition as --help
    ///
    /// `mmstatus man > mmstatus.1 && man ./mmstatus.1`, or install it in a man1 folder.
    Man,
}

/// The shells `completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shell {
    /// Bash
    Bash,
    /// Zsh
    Zsh,
    /// Fish
    Fish,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CustomCommand {
    /// Set your custom status
    ///
    /// Without --for, --until or --duration it does not expire. --duration computes
    /// the end time as Mattermost's apps do: thirty_minutes, one_hour, four_hours
    /// (from now, seconds dropped), today (until midnight in --tz), this_week (until
    /// Saturday 23:59:59.999 in --tz).
    Set {
        /// The text (at most 100 characters)
        #[arg(value_name = "TEXT")]
        text: String,
        /// The emoji's name, without colons (the apps' default: speech_balloon)
        #[arg(long, value_name = "NAME", default_value = "speech_balloon")]
        emoji: String,
        /// Expire as the apps' menu does
        #[arg(long, value_name = "NAME", value_parser = parse_relative_duration,
              conflicts_with_all = ["for", "until"])]
        duration: Option<CustomStatusDuration>,
        #[command(flatten)]
        end: End,
    },

    /// Clear your custom status (the recent ones are kept)
    Clear,

    /// List your recent custom statuses, numbered (newest first)
    ///
    /// The apps offer these again in their custom status menu; the server keeps five.
    Recent,

    /// Remove entry N (as numbered by `custom recent`) from your recent custom statuses
    ForgetRecent {
        /// The entry's number in `mmstatus custom recent`
        #[arg(value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        number: u16,
    },
}

/// --for or --until, not both.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub(crate) struct End {
    /// How long: 30m, 1h30m, 2h, 1d ...
    #[arg(long = "for", id = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub for_: Option<Duration>,
    /// Until when: 18:00, "2025-05-03 18:00" (in --tz), or RFC 3339
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<TimeSpec>,
}

/// The statuses a user can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Settable {
    /// Online (back to automatic)
    Online,
    /// Away
    Away,
    /// Offline (appear offline)
    Offline,
    /// Do Not Disturb
    Dnd,
}

impl Settable {
    pub fn kind(self) -> StatusKind {
        match self {
            Settable::Online => StatusKind::Online,
            Settable::Away => StatusKind::Away,
            Settable::Offline => StatusKind::Offline,
            Settable::Dnd => StatusKind::Dnd,
        }
    }
}

/// The clap error for `failure`, rendered for the subcommands (outermost first) that
/// the command line ran.
pub(crate) fn render_usage_error(
    subcommands: &[String],
    kind: clap::error::ErrorKind,
    message: &str,
) -> clap::Error {
    let mut cmd = Cli::command();
    cmd.build();
    let mut current = cmd;
    for name in subcommands {
        match current.find_subcommand(name).cloned() {
            Some(sub) => current = sub,
            None => break,
        }
    }
    current.error(kind, message)
}

fn reason(e: mattermost_status::ParseError) -> String {
    e.reason().to_owned()
}

pub(crate) fn parse_user(s: &str) -> Result<UserRef, String> {
    UserRef::parse(s).map_err(reason)
}

fn parse_watch_status(s: &str) -> Result<StatusKind, String> {
    match StatusKind::from(s) {
        StatusKind::Other(_) => Err("expected online, away, offline, dnd or ooo".into()),
        kind => Ok(kind),
    }
}

fn parse_relative_duration(s: &str) -> Result<CustomStatusDuration, String> {
    match s.parse().map_err(reason)? {
        CustomStatusDuration::DateAndTime => {
            Err("date_and_time needs a time: use --until TIME (or --for DURATION)".into())
        }
        d => Ok(d),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    when::parse_duration(s)
}

fn parse_time(s: &str) -> Result<TimeSpec, String> {
    when::parse_time(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
