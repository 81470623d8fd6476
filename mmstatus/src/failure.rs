//! Why the tool stops, and with which exit code.

use mattermost_status::Error;

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

/// A usage error found after parsing; `main` prints it like clap's own, with the usage
/// of the subcommand that was run, and exits with 2.
pub(crate) fn usage_error(
    kind: clap::error::ErrorKind,
    message: impl std::fmt::Display,
) -> Failure {
    Failure::Usage(kind, message.to_string())
}

/// 2 for what the user typed (the library refused it before sending), 1 for the rest.
pub(crate) fn exit_code_of(e: &Error) -> u8 {
    match e {
        Error::InvalidInput { .. } => 2,
        _ => 1,
    }
}
