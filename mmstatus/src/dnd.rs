//! `mmstatus dnd -- COMMAND`: DND while a command runs, then the previous status back.
//!
//! Signals: Ctrl-C in a terminal goes to the whole foreground process group, so the
//! command gets it directly, and mmstatus (which handles SIGINT, SIGTERM and SIGHUP
//! through the `ctrlc` crate instead of dying) just waits for it to end. A signal sent to
//! mmstatus alone (`kill -INT <pid>`) does not reach the command, so if the command is
//! still running a second after a signal, mmstatus passes on SIGINT; on a second
//! signal, SIGTERM; after that, SIGKILL. Whatever ends the command, the status is then
//! restored and mmstatus exits with the command's status (128+N for signal N).

use std::ffi::OsString;
use std::process::{Command, ExitCode, ExitStatus};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use mattermost_status::Session;

use crate::failure::Failure;

/// How long the command has to end by itself after a signal before it is passed on.
const GRACE: Duration = Duration::from_secs(1);

enum Event {
    Signal,
    Exited,
}

pub(crate) fn run(
    session: &Session,
    until: Option<SystemTime>,
    command: &[OsString],
) -> Result<ExitCode, Failure> {
    let Some((program, args)) = command.split_first() else {
        return Err(Failure::Code(2));
    };
    let (tx, rx) = mpsc::channel();
    let signal_tx = tx.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = signal_tx.send(Event::Signal);
    }) {
        crate::output::warn(&format!(
            "mmstatus: cannot handle Ctrl-C ({e}); not changing the status"
        ));
        return Err(Failure::Code(1));
    }

    let guard = match until {
        Some(end) => session.dnd_until(end)?,
        None => session.dnd()?,
    };

    let mut child = match Command::new(program).args(args).spawn() {
        Ok(child) => child,
        Err(e) => {
            crate::output::warn(&format!(
                "mmstatus: cannot run {}: {e}",
                program.to_string_lossy()
            ));
            restore(guard);
            return Ok(ExitCode::from(match e.kind() {
                std::io::ErrorKind::NotFound => 127,
                _ => 126,
            }));
        }
    };
    let pid = child.id();
    let forwarder = std::thread::spawn(move || forward_signals(&rx, pid));
    let waited = child.wait();
    let _ = tx.send(Event::Exited);
    let _ = forwarder.join();

    let restored = restore(guard);
    let code = match waited {
        Ok(status) => exit_code(status),
        Err(e) => {
            crate::output::warn(&format!("mmstatus: lost track of the command: {e}"));
            1
        }
    };
    // The command's failure wins; a failed restore fails an otherwise good run.
    Ok(ExitCode::from(if code == 0 && !restored {
        1
    } else {
        code
    }))
}

fn restore(guard: mattermost_status::StatusGuard) -> bool {
    match guard.restore() {
        Ok(_) => true,
        Err(e) => {
            crate::output::warn(&format!(
                "mmstatus: could not restore the previous status: {}",
                crate::output::describe_error(&e)
            ));
            false
        }
    }
}

/// Passes signals on to the command until it exits (see the module docs).
fn forward_signals(rx: &mpsc::Receiver<Event>, pid: u32) {
    let mut signals = 0u32;
    loop {
        match rx.recv() {
            Ok(Event::Signal) => signals += 1,
            Ok(Event::Exited) | Err(_) => return,
        }
        if signals == 1 {
            // The command probably got the same Ctrl-C from the terminal: give it time.
            match rx.recv_timeout(GRACE) {
                Ok(Event::Exited) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                Ok(Event::Signal) => signals += 1,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
        send_signal(pid, signals);
    }
}

#[cfg(unix)]
fn send_signal(pid: u32, nth: u32) {
    use nix::sys::signal::{kill, Signal};
    let signal = match nth {
        0 | 1 => Signal::SIGINT,
        2 => Signal::SIGTERM,
        _ => Signal::SIGKILL,
    };
    if let Ok(pid) = i32::try_from(pid) {
        let _ = kill(nix::unistd::Pid::from_raw(pid), signal);
    }
}

#[cfg(not(unix))]
fn send_signal(_pid: u32, _nth: u32) {
    // On Windows, Ctrl-C reaches every process of the console: nothing to pass on.
}

#[cfg(unix)]
fn exit_code(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + (signal & 0x7f)).unwrap_or(1),
        (None, None) => 1,
    }
}

#[cfg(not(unix))]
fn exit_code(status: ExitStatus) -> u8 {
    status
        .code()
        .map_or(1, |code| u8::try_from(code & 0xff).unwrap_or(1))
}
