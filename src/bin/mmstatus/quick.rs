//! Parsing the command line, with a short cut for `get`.
//!
//! clap builds the whole definition (every subcommand, every argument, the global
//! options copied into each subcommand) before it reads a word: for a one-shot
//! `mmstatus get`, a third of its CPU time and a fifth of its page faults. A command
//! line naming `get` is first parsed by [`QuickGet`], the same global options and the
//! same `get` alone. What `QuickGet` accepts, the full definition accepts the same way
//! (it is a part of it: same root options, same `get`); anything else (another
//! subcommand, a mistake, `--help`, `--version`) is parsed again by the full
//! definition, which prints its messages as usual.

use std::ffi::OsString;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::args::{Cli, Command, GetArgs, Global};

/// The global options and `get`, nothing else (not even `--help` or `help`: they are
/// refused here, and so answered by the full definition).
#[derive(Debug, Parser)]
#[command(
    name = "mmstatus",
    disable_help_flag = true,
    disable_help_subcommand = true
)]
struct QuickGet {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: OnlyGet,
}

#[derive(Debug, Subcommand)]
enum OnlyGet {
    #[command(disable_help_flag = true)]
    Get(GetArgs),
}

/// The command line of this process, and clap's matches for it; exits on `--help`,
/// `--version` and usage errors, as clap does.
pub(crate) fn parse() -> (Cli, ArgMatches) {
    let argv: Vec<OsString> = std::env::args_os().collect();
    if let Some(parsed) = quick(&argv) {
        return parsed;
    }
    // The definition lives until exit: dropping its tree of commands and arguments
    // costs about as much as building it.
    let matches = Box::leak(Box::new(Cli::command()))
        .try_get_matches_from_mut(argv)
        .unwrap_or_else(|e| e.exit());
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => (cli, matches),
        Err(e) => e.exit(),
    }
}

/// `argv` parsed by [`QuickGet`]; `None` when it does not name `get` or is not
/// accepted as it stands.
fn quick(argv: &[OsString]) -> Option<(Cli, ArgMatches)> {
    if !argv.iter().skip(1).any(|a| a == "get") {
        return None;
    }
    let matches = Box::leak(Box::new(QuickGet::command()))
        .try_get_matches_from_mut(argv)
        .ok()?;
    let QuickGet {
        global,
        command: OnlyGet::Get(get),
    } = QuickGet::from_arg_matches(&matches).ok()?;
    let cli = Cli {
        global,
        command: Command::Get(get),
    };
    Some((cli, matches))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("mmstatus")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn full(args: &[&str]) -> Result<(Cli, ArgMatches), clap::Error> {
        let matches = Cli::command().try_get_matches_from(argv(args))?;
        Ok((Cli::from_arg_matches(&matches)?, matches))
    }

    #[test]
    fn the_short_cut_is_a_part_of_the_full_definition() {
        QuickGet::command().debug_assert();
    }

    #[test]
    fn a_get_parses_as_the_full_definition_parses_it() {
        for args in [
            &["get"][..],
            &["get", "--json"],
            &["get", "alice", "@bob", "me", "--json"],
            &["--tz", "+02:00", "get", "alice"],
            &["get", "--url", "http://127.0.0.1:1", "--tz", "Europe/Paris"],
            &[
                "--proxy",
                "http://p:3128",
                "--token-file",
                "/t",
                "get",
                "--",
                "me",
            ],
            &[
                "--url=http://x",
                "get",
                "--ca-file",
                "ca.pem",
                "4xp9fdt77pncbef59f4k1qe83o",
            ],
        ] {
            let (quick_cli, quick_matches) = quick(&argv(args)).expect("taken by the short cut");
            let (full_cli, full_matches) = full(args).unwrap();
            assert_eq!(
                format!("{quick_cli:?}"),
                format!("{full_cli:?}"),
                "{args:?}"
            );
            assert_eq!(
                quick_matches.subcommand_name(),
                full_matches.subcommand_name(),
                "{args:?}"
            );
        }
    }

    #[test]
    fn everything_else_goes_to_the_full_definition() {
        for args in [
            &[][..],
            &["--help"],
            &["--version"],
            &["get", "--help"],
            &["get", "-h"],
            &["help", "get"],
            &["get", "--bogus"],
            &["get", "not an id!"],
            &["get", "--json", "--json"],
            &["set", "online", "--tz", "get"],
            &["watch", "get"],
            &["gte"],
        ] {
            assert!(quick(&argv(args)).is_none(), "{args:?}");
        }
    }
}
