//! Parsing the command line, with a short cut for the plainest `get`.
//!
//! clap builds the whole definition (every subcommand, every argument, the global
//! options copied into each subcommand) before it reads a word: for a one-shot
//! `mmstatus get`, a third of its CPU time and a fifth of its page faults. A command
//! line of `get`, users, `--json` and the global options written `--name value` or
//! `--name=value` is read here by hand ([`plain_get`]), into the same [`Cli`] clap
//! gives; anything else (another subcommand, `--`, a short option, a value starting
//! with `-`, an option given twice, a user clap would refuse, `--help`, `--version`,
//! an environment variable that is set but empty or not UTF-8) goes to clap, which
//! parses it and prints its messages as usual. The tests check, over thousands of
//! command lines and environments, that whatever the short cut accepts clap accepts
//! the same way.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches};

use crate::args::{parse_user, Cli, Command, GetArgs, Global};

/// The command line of this process and the names of the subcommands it runs (for
/// usage errors found later); exits on `--help`, `--version` and usage errors, as clap
/// does.
pub(crate) fn parse() -> (Cli, Vec<String>) {
    let argv: Vec<OsString> = std::env::args_os().collect();
    if let Some(cli) = plain_get(&argv, |name| std::env::var_os(name)) {
        return (cli, vec!["get".to_owned()]);
    }
    // The definition lives until exit: dropping its tree of commands and arguments
    // costs about as much as building it.
    let matches = Box::leak(Box::new(Cli::command()))
        .try_get_matches_from_mut(argv)
        .unwrap_or_else(|e| e.exit());
    let mut path = Vec::new();
    let mut m = &matches;
    while let Some((name, sub)) = m.subcommand() {
        path.push(name.to_owned());
        m = sub;
    }
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => (cli, path),
        Err(e) => e.exit(),
    }
}

/// `argv` read by hand when it is a plain `get` (see the module docs), with the
/// environment variables clap would read from `env`; `None` leaves it to clap.
fn plain_get(argv: &[OsString], env: impl Fn(&str) -> Option<OsString>) -> Option<Cli> {
    let mut seen_get = false;
    let mut url: Option<String> = None;
    let mut token_file: Option<PathBuf> = None;
    let mut ca_file: Option<PathBuf> = None;
    let mut proxy: Option<String> = None;
    let mut tz: Option<String> = None;
    let mut json = false;
    let mut users = Vec::new();
    let mut args = argv.iter().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_str()?;
        let Some(option) = text.strip_prefix("--") else {
            if text.starts_with('-') {
                return None;
            }
            if !seen_get {
                if text != "get" {
                    return None;
                }
                seen_get = true;
            } else {
                users.push(parse_user(text).ok()?);
            }
            continue;
        };
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(OsStr::new(value))),
            None => (option, None),
        };
        if name == "json" {
            if !seen_get || json || inline.is_some() {
                return None;
            }
            json = true;
            continue;
        }
        let value = match inline {
            Some(value) => value,
            None => args.next()?,
        };
        let value_text = value.to_str();
        // An empty value, or (as a word of its own) one that is not UTF-8 or starts with
        // `-`: clap's to judge (it takes `--tz -03:00`, and refuses `--url -x`).
        let separate_and_odd = inline.is_none() && value_text.is_none_or(|v| v.starts_with('-'));
        if value.is_empty() || separate_and_odd {
            return None;
        }
        match name {
            "url" => set_once(&mut url, value_text?.to_owned())?,
            "proxy" => set_once(&mut proxy, value_text?.to_owned())?,
            "tz" => set_once(&mut tz, value_text?.to_owned())?,
            "token-file" => set_once(&mut token_file, PathBuf::from(value))?,
            "ca-file" => set_once(&mut ca_file, PathBuf::from(value))?,
            _ => return None,
        }
    }
    if !seen_get {
        return None;
    }
    // clap judges a variable that is set but empty even when the option is given.
    let env_url = from_env(&env, "MM_URL")?;
    let env_ca_file = from_env(&env, "MM_CA_FILE")?;
    let url = match url {
        Some(url) => Some(url),
        None => env_url.map(OsString::into_string).transpose().ok()?,
    };
    let ca_file = ca_file.or(env_ca_file.map(PathBuf::from));
    #[cfg(feature = "curl")]
    if env("MM_TRANSPORT").is_some() {
        return None;
    }
    Some(Cli {
        global: Global {
            url,
            token_file,
            ca_file,
            proxy,
            #[cfg(feature = "curl")]
            transport: crate::args::TransportChoice::Ureq,
            tz,
        },
        command: Command::Get(GetArgs { users, json }),
    })
}

/// Sets `slot` to `value`; `None` if it was set already (clap refuses an option given
/// twice).
fn set_once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

/// The variable `name`: `Some(None)` when it is not set, `None` (clap's to judge) when
/// it is set but empty.
fn from_env(env: &impl Fn(&str) -> Option<OsString>, name: &str) -> Option<Option<OsString>> {
    match env(name) {
        None => Some(None),
        Some(value) if value.is_empty() => None,
        Some(value) => Some(Some(value)),
    }
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

    /// clap's reading of `args`, with the process's environment.
    fn full(args: &[OsString]) -> Result<Cli, clap::Error> {
        let matches = Cli::command().try_get_matches_from(args)?;
        Cli::from_arg_matches(&matches)
    }

    /// The environment variables clap reads for `get`.
    const VARS: &[&str] = &["MM_URL", "MM_CA_FILE", "MM_TRANSPORT"];

    /// Sets the process's environment to `vars` (those not named are removed).
    fn set_env(vars: &[(&str, &str)]) {
        for name in VARS {
            std::env::remove_var(name);
        }
        for (name, value) in vars {
            std::env::set_var(name, value);
        }
    }

    /// A small deterministic generator (xorshift), so that a failure repeats.
    struct Dice(u64);

    impl Dice {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    // The only test in this binary that reads or sets the process's environment (clap
    // reads it in `full`): everything that compares with clap is here, in sequence.
    #[test]
    fn whatever_the_short_cut_accepts_clap_accepts_the_same_way() {
        let written: &[&[&str]] = &[
            &["get"],
            &["get", "--json"],
            &["get", "alice", "@bob", "me", "--json"],
            &["get", "--json", "4xp9fdt77pncbef59f4k1qe83o", "Alice"],
            &["--tz", "+02:00", "get", "alice"],
            &["get", "--url", "http://127.0.0.1:1", "--tz", "Europe/Paris"],
            &[
                "--proxy",
                "http://p:3128",
                "--token-file",
                "/t",
                "get",
                "me",
            ],
            &[
                "--url=http://x",
                "get",
                "--ca-file",
                "ca.pem",
                "--tz=-03:00",
            ],
            &["get", "get", "help"],
        ];
        let environments: &[&[(&str, &str)]] = &[
            &[],
            &[("MM_URL", "http://env.example:8065")],
            &[
                ("MM_URL", "http://env.example"),
                ("MM_CA_FILE", "/etc/ca.pem"),
            ],
        ];
        for vars in environments {
            set_env(vars);
            for args in written {
                let line = argv(args);
                let quick = plain_get(&line, |n| std::env::var_os(n))
                    .unwrap_or_else(|| panic!("{args:?} {vars:?}: not taken by the short cut"));
                let clap = full(&line).unwrap();
                assert_eq!(
                    format!("{quick:?}"),
                    format!("{clap:?}"),
                    "{args:?} {vars:?}"
                );
            }
        }

        // Random command lines from words that matter to either parser, most of them
        // from those a plain `get` is made of.
        const PLAIN: &[&str] = &[
            "--json",
            "alice",
            "@bob",
            "me",
            "Alice",
            "4xp9fdt77pncbef59f4k1qe83o",
            "get",
            "--url=http://v",
            "--tz=-03:00",
            "--token-file=/u",
            "--ca-file=c.pem",
            "--proxy=http://p:3128",
        ];
        // ... and the rest.
        const OTHER: &[&str] = &[
            "not an id!",
            "",
            "-",
            "--",
            "-h",
            "--help",
            "--version",
            "help",
            "set",
            "online",
            "--url",
            "http://u",
            "--url=http://v",
            "--url=",
            "--url=-x",
            "--proxy=-p",
            "--tz",
            "+02:00",
            "-03:00",
            "--tz=-03:00",
            "Europe/Paris",
            "--token-file",
            "/t",
            "--token-file=/u",
            "--ca-file",
            "ca.pem",
            "--proxy",
            "http://p:3128",
            "--proxy=",
            "--bogus",
            "--json=1",
            "--jso",
            "--transport",
            "curl",
            "ureq",
            "watch",
        ];
        let environments: &[&[(&str, &str)]] = &[
            &[],
            &[("MM_URL", "http://env")],
            &[("MM_URL", "")],
            &[("MM_CA_FILE", "/ca.pem"), ("MM_URL", "http://env")],
            &[("MM_CA_FILE", "")],
            &[("MM_TRANSPORT", "curl")],
        ];
        let mut dice = Dice(0x5eed_1234_abcd_0042);
        let (mut taken, mut tried) = (0, 0);
        for vars in environments {
            set_env(vars);
            for _ in 0..1_500 {
                let n = dice.below(7);
                let words: Vec<&str> = (0..n)
                    .map(|_| match dice.below(5) {
                        0 => OTHER[dice.below(OTHER.len())],
                        _ => PLAIN[dice.below(PLAIN.len())],
                    })
                    .collect();
                // Most lines get a `get` first, so that many are plain gets.
                let words: Vec<&str> = if dice.below(3) > 0 {
                    std::iter::once("get").chain(words).collect()
                } else {
                    words
                };
                let line = argv(&words);
                tried += 1;
                if let Some(quick) = plain_get(&line, |n| std::env::var_os(n)) {
                    taken += 1;
                    let clap = full(&line).unwrap_or_else(|e| {
                        panic!("{words:?} {vars:?}: taken by the short cut, refused by clap: {e}")
                    });
                    assert_eq!(
                        format!("{quick:?}"),
                        format!("{clap:?}"),
                        "{words:?} {vars:?}"
                    );
                }
            }
        }
        set_env(&[]);
        // Not a test that passes by taking nothing.
        assert!(
            taken > tried / 10,
            "the short cut took {taken} of {tried} lines"
        );
        println!("the short cut took {taken} of {tried} random command lines");
    }

    #[test]
    fn everything_else_goes_to_clap() {
        let env = |name: &str| match name {
            "MM_URL" => Some(OsString::from("http://env")),
            _ => None,
        };
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
            &["get", "--url", "http://a", "--url", "http://b"],
            &["get", "--tz", "-03:00"],
            &["get", "--", "me"],
            &["get", "--url"],
            &["set", "online", "--tz", "get"],
            &["watch", "get"],
            &["--json", "get"],
            &["gte"],
        ] {
            assert!(plain_get(&argv(args), env).is_none(), "{args:?}");
        }
        let empty = |name: &str| (name == "MM_URL").then(OsString::new);
        assert!(
            plain_get(&argv(&["get"]), empty).is_none(),
            "MM_URL set but empty"
        );
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let not_utf8 = |name: &str| (name == "MM_URL").then(|| OsString::from_vec(vec![0xff]));
            assert!(
                plain_get(&argv(&["get"]), not_utf8).is_none(),
                "MM_URL not UTF-8"
            );
        }
    }
}
