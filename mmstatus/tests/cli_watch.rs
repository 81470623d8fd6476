//! `mmstatus watch` over the websocket, against the embedded fake over HTTP on
//! 127.0.0.1: pushed changes within a second, others polled on the socket, pushed
//! custom statuses, reconnects said once on stderr and nothing printed twice, and the
//! fallback to HTTP polling when something in front of the server refuses the upgrade.
//! The polling path itself: tests/cli_people.rs.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mattermost_status::fake::FakeUser;
use mattermost_status::{Session, Status, StatusKind, UpdateCustomStatus, UserId};

mod common;

use common::{assert_code, start_server, stderr, stdout, TestServer};

/// `mmstatus watch ARGS` at `url`, socket polls allowed down to 50 ms, quick reconnects.
fn watch_at(url: &str, token: &str, args: &[&str]) -> Command {
    let mut cmd = common::mmstatus(url, token);
    cmd.env("MMSTATUS_MIN_INTERVAL_MS", "50")
        .env("MMSTATUS_LIVE_TIMINGS_MS", "200,600,20,100")
        .arg("watch")
        .args(args);
    cmd
}

fn watch(server: &TestServer, args: &[&str]) -> Command {
    watch_at(server.http.url(), &server.me.token, args)
}

/// A running `watch` whose stdout lines arrive on a channel (with the instant each was
/// read), killed when dropped.
struct Running {
    child: Child,
    lines: mpsc::Receiver<(Instant, String)>,
}

impl Running {
    fn start(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines() {
                let Ok(line) = line else { break };
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }

    /// The next line within 5 s, which must come.
    fn line(&self) -> (Instant, String) {
        self.lines
            .recv_timeout(Duration::from_secs(5))
            .expect("a line within 5 s")
    }

    /// No line within `d`.
    fn quiet_for(&self, d: Duration) {
        if let Ok((_, line)) = self.lines.recv_timeout(d) {
            panic!("unexpected line: {line}");
        }
    }

    /// Stops it (SIGINT, as Ctrl-C): exit 130; what it wrote on stderr.
    fn stop(mut self) -> String {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: plain kill(2) on our own child.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "stderr: {err}");
        err
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn manual(id: UserId, status: StatusKind) -> Status {
    let mut s = Status::new(id, status);
    s.manual = true;
    s
}

fn session(server: &TestServer, user: &FakeUser) -> Session {
    Session::builder(server.http.url())
        .token(&user.token)
        .no_proxy()
        .build()
        .unwrap()
}

#[test]
fn watch_me_prints_a_pushed_change_within_a_second() {
    let server = start_server();
    // The default interval (5 s): only a push can show the change within a second.
    let running = Running::start(watch(&server, &["me"]));
    let (_, first) = running.line();
    assert!(first.ends_with(" @alice online"), "{first}");
    // Wait until the stream is surely up, then change alice's status from elsewhere.
    std::thread::sleep(Duration::from_millis(300));
    let mut times = Vec::new();
    for status in [StatusKind::Dnd, StatusKind::Away, StatusKind::Online] {
        let sent = Instant::now();
        let mut s = Status::new(server.me.id, status.clone());
        s.manual = true;
        server.fake.set_status(&s);
        let (at, line) = running.line();
        assert!(line.ends_with(&format!(" @alice {status}")), "{line}");
        times.push(at - sent);
    }
    assert!(
        times.iter().all(|t| *t < Duration::from_secs(1)),
        "a pushed change took {times:?}"
    );
    running.quiet_for(Duration::from_millis(300));
    let err = running.stop();
    assert!(err.is_empty(), "{err}");
    let requests = server.fake.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("GET /api/v4/websocket")),
        "{requests:?}"
    );
    // One first read of everyone; afterwards one status read per change (its DND end,
    // manual, last activity), and no poll.
    let polls = requests
        .iter()
        .filter(|r| *r == "POST /api/v4/users/status/ids")
        .count();
    assert_eq!(polls, 1, "{requests:?}");
}

#[test]
fn a_pushed_timed_dnd_shows_its_end_as_polling_does() {
    let server = start_server();
    let running = Running::start(watch(&server, &["me", "--json"]));
    let _ = running.line();
    std::thread::sleep(Duration::from_millis(300));
    let end = server.fake.now() + Duration::from_secs(3600);
    mattermost_status::UpdateStatus::new(UserId::me())
        .status(StatusKind::Dnd)
        .until(end)
        .send(&session(&server, &server.me))
        .unwrap();
    let (_, line) = running.line();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["status"], "dnd", "{line}");
    assert_eq!(v["username"], "alice", "{line}");
    assert_eq!(v["manual"], true, "{line}");
    assert!(v["dnd_end_time"].as_i64().unwrap() > 0, "{line}");
    let _ = running.stop();
}

#[test]
fn watch_others_polls_on_the_socket_and_prints_their_pushed_custom_statuses() {
    let server = start_server();
    let running = Running::start(watch(&server, &["bob", "--interval", "100ms"]));
    let (_, first) = running.line();
    assert!(first.ends_with(" @bob away"), "{first}");
    std::thread::sleep(Duration::from_millis(300));
    server
        .fake
        .set_status(&Status::new(server.bob.id, StatusKind::Online));
    let (_, line) = running.line();
    assert!(line.ends_with(" @bob online"), "{line}");
    UpdateCustomStatus::new(UserId::me())
        .emoji("calendar")
        .text("In a meeting")
        .send(&session(&server, &server.bob))
        .unwrap();
    let (_, line) = running.line();
    assert!(
        line.ends_with(" @bob custom status: :calendar: In a meeting (does not expire)"),
        "{line}"
    );
    mattermost_status::UnsetCustomStatus::new(UserId::me())
        .send(&session(&server, &server.bob))
        .unwrap();
    let (_, line) = running.line();
    assert!(line.ends_with(" @bob custom status cleared"), "{line}");
    // Alice's own changes are pushed to her stream but not watched: not printed.
    server
        .fake
        .set_status(&Status::new(server.me.id, StatusKind::Dnd));
    running.quiet_for(Duration::from_millis(500));
    let _ = running.stop();
    let requests = server.fake.requests();
    let polls = requests
        .iter()
        .filter(|r| *r == "POST /api/v4/users/status/ids")
        .count();
    assert_eq!(
        polls, 1,
        "polled on the socket, not over HTTP: {requests:?}"
    );
}

/// The custom statuses at start are read (one `POST /users/ids`), not printed: a
/// `user_updated` that leaves one as it was prints nothing, a change prints.
#[test]
fn a_custom_status_set_before_watch_starts_is_not_printed_again() {
    let server = start_server();
    let bob = session(&server, &server.bob);
    let lunch = || {
        UpdateCustomStatus::new(UserId::me())
            .emoji("hamburger")
            .text("Lunch")
    };
    lunch().send(&bob).unwrap();
    let running = Running::start(watch(&server, &["bob", "--interval", "100ms"]));
    let (_, first) = running.line();
    assert!(first.ends_with(" @bob away"), "{first}");
    std::thread::sleep(Duration::from_millis(300));
    // The same custom status again: the server pushes user_updated, nothing changed.
    lunch().send(&bob).unwrap();
    running.quiet_for(Duration::from_millis(500));
    UpdateCustomStatus::new(UserId::me())
        .emoji("calendar")
        .text("In a meeting")
        .send(&bob)
        .unwrap();
    let (_, line) = running.line();
    assert!(
        line.ends_with(" @bob custom status: :calendar: In a meeting (does not expire)"),
        "{line}"
    );
    let _ = running.stop();
}

#[test]
fn until_on_push_exits_0_once_everyone_has_the_status() {
    let server = start_server();
    let fake = server.fake.clone();
    let (me, bob) = (server.me.id, server.bob.id);
    let changer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        fake.set_status(&Status::new(me, StatusKind::Dnd));
        std::thread::sleep(Duration::from_millis(200));
        fake.set_status(&Status::new(bob, StatusKind::Dnd));
    });
    let start = Instant::now();
    let o = watch(
        &server,
        &["me", "bob", "--until", "dnd", "--interval", "100ms"],
    )
    .output()
    .unwrap();
    changer.join().unwrap();
    assert_code(&o, 0);
    assert!(start.elapsed() < Duration::from_secs(10));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].ends_with(" @alice online"), "{out}");
    assert!(lines[1].ends_with(" @bob away"), "{out}");
    assert!(lines[2].ends_with(" @alice dnd"), "{out}");
    assert!(lines[3].ends_with(" @bob dnd"), "{out}");
}

#[test]
fn a_resume_is_said_once_on_stderr_and_the_missed_change_printed_once() {
    let server = start_server();
    // A manual status: the server's offline when the last socket goes (and online when
    // one comes back) would be real changes, printed too.
    server
        .fake
        .set_status(&manual(server.me.id, StatusKind::Away));
    let running = Running::start(watch(&server, &["me"]));
    let (_, first) = running.line();
    assert!(first.ends_with(" @alice away"), "{first}");
    std::thread::sleep(Duration::from_millis(300));
    // The socket is cut; the change happens while the stream is away.
    server.fake.drop_live_connections();
    server
        .fake
        .set_status(&manual(server.me.id, StatusKind::Dnd));
    let (_, line) = running.line();
    assert!(line.ends_with(" @alice dnd"), "{line}");
    running.quiet_for(Duration::from_millis(800));
    let err = running.stop();
    assert_eq!(err.matches("resumed").count(), 1, "{err}");
    assert!(err.contains("nothing was missed"), "{err}");
}

#[test]
fn a_resync_is_said_once_and_what_changed_printed_once() {
    let server = start_server();
    server
        .fake
        .set_status(&manual(server.me.id, StatusKind::Away));
    // Reconnects after 300 ms: the connection is forgotten by then.
    let mut cmd = watch(&server, &["me", "bob", "--interval", "100ms"]);
    cmd.env("MMSTATUS_LIVE_TIMINGS_MS", "200,600,300,300");
    let running = Running::start(cmd);
    let _ = running.line();
    let _ = running.line();
    std::thread::sleep(Duration::from_millis(300));
    server.fake.drop_live_connections();
    // The fake's connection threads see their socket gone, then it can be forgotten.
    std::thread::sleep(Duration::from_millis(100));
    server.fake.expire_live_connections();
    assert_eq!(server.fake.resumable_live_connection_count(), 0);
    server
        .fake
        .set_status(&Status::new(server.bob.id, StatusKind::Offline));
    let (_, line) = running.line();
    assert!(line.ends_with(" @bob offline"), "{line}");
    running.quiet_for(Duration::from_millis(800));
    let err = running.stop();
    assert_eq!(err.matches("could not resume").count(), 1, "{err}");
}

#[test]
fn poll_opens_no_websocket() {
    let server = start_server();
    let o = watch(&server, &["bob", "--until", "away", "--poll"])
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let requests = server.fake.requests();
    assert!(
        !requests.iter().any(|r| r.contains("websocket")),
        "{requests:?}"
    );
}

/// A reverse proxy in front of the fake, as nginx without the websocket location's
/// headers: the upgrade request reaches the server as a plain GET (`Upgrade` and
/// `Connection` dropped); or, with `status`, it answers the upgrade itself.
fn proxy_refusing_upgrades(backend: std::net::SocketAddr, status: Option<u16>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            std::thread::spawn(move || forward(client, backend, status));
        }
    });
    url
}

fn forward(mut client: TcpStream, backend: std::net::SocketAddr, status: Option<u16>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let upgrade = text.contains("/api/v4/websocket");
    if let (true, Some(status)) = (upgrade, status) {
        let body = "<html><body>bad gateway</body></html>";
        let _ = write!(
            client,
            "HTTP/1.1 {status} Refused\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    let kept: String = text
        .split("\r\n")
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            !(upgrade && (l.starts_with("upgrade:") || l.starts_with("connection:")))
        })
        .map(|l| format!("{l}\r\n"))
        .collect();
    let Ok(mut server) = TcpStream::connect(backend) else {
        return;
    };
    let _ = server.write_all(kept.trim_end_matches("\r\n").as_bytes());
    let _ = server.write_all(b"\r\n\r\n");
    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
}

#[test]
fn an_upgrade_the_proxy_does_not_pass_on_falls_back_to_polling_said_once() {
    let server = start_server();
    let url = proxy_refusing_upgrades(server.http.addr(), None);
    let fake = server.fake.clone();
    let bob = server.bob.id;
    let changer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(800));
        fake.set_status(&Status::new(bob, StatusKind::Online));
    });
    let o = watch_at(
        &url,
        &server.me.token,
        &["bob", "--until", "online", "--interval", "100ms"],
    )
    .output()
    .unwrap();
    changer.join().unwrap();
    assert_code(&o, 0);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "said once: {err}");
    assert!(
        err.contains("the websocket could not be opened")
            && err.contains("proxy_set_header Upgrade")
            && err.contains("watching by HTTP polling every 100ms instead"),
        "{err}"
    );
    let out = stdout(&o);
    assert!(
        out.lines().last().unwrap().ends_with(" @bob online"),
        "{out}"
    );
    assert!(out.lines().count() == 2, "{out}");
}

#[test]
fn a_5xx_or_4xx_at_the_upgrade_falls_back_to_polling() {
    let server = start_server();
    for status in [502, 404] {
        let url = proxy_refusing_upgrades(server.http.addr(), Some(status));
        let o = watch_at(&url, &server.me.token, &["bob", "--until", "away"])
            .output()
            .unwrap();
        assert_code(&o, 0);
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{status}: {err}");
        assert!(
            err.contains("the websocket could not be opened") && err.contains(&status.to_string()),
            "{status}: {err}"
        );
        assert!(stdout(&o).ends_with(" @bob away\n"), "{}", stdout(&o));
    }
}

#[test]
fn a_refused_token_is_not_retried_by_polling() {
    let server = start_server();
    let o = watch_at(server.http.url(), "wrongtoken0000000000000000", &["bob"])
        .output()
        .unwrap();
    assert_code(&o, 1);
    assert!(stderr(&o).contains("token"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}
