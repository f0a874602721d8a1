//! `serve`: announces the bound address, accepts connections, and exits 0 on SIGTERM.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::support::targets;

pub const LISTENING: &str = "Tocsin is listening on http://";

/// Reads the child's stdout on a thread until the listening line, returning the address.
pub fn wait_for_listening(child: &mut Child) -> (SocketAddr, Vec<String>) {
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(address) = line.strip_prefix(LISTENING) {
                    let address = address.trim().parse().expect("a socket address");
                    return (address, seen);
                }
                seen.push(line);
            }
            Err(_) => break,
        }
    }
    let _ = child.kill();
    panic!("no listening line; stdout so far: {seen:?}");
}

fn wait_for_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("poll the child") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("tocsin did not exit within {within:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `GET path` over a plain TCP connection; returns the status line.
fn get(address: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("connect to {address}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_owned()
}

/// Starts `serve`, returns the address and what it printed before the listening line.
pub fn start(command: &mut Command) -> (Child, SocketAddr, Vec<String>) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tocsin serve");
    let (address, before) = wait_for_listening(&mut child);
    (child, address, before)
}

/// Sends SIGTERM and returns stderr once the process has exited 0.
fn terminate(mut child: Child, name: &str) -> String {
    // The shell's builtin `kill`, so the test needs no procps.
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let status = wait_for_exit(&mut child, Duration::from_secs(10));
    let output = child.wait_with_output().expect("collect output");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(status.success(), "{name}: {status:?}\n{stderr}");
    stderr
}

#[tokio::test]
async fn serve_listens_prints_the_first_login_once_and_stops_cleanly_on_sigterm() {
    for target in targets().await {
        let name = target.name();
        let serve = [
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--owner-email",
            "admin@example.com",
        ];
        let (child, address, before) = start(&mut target.command(&serve));
        assert!(address.ip().is_loopback(), "{name}: {address}");
        assert_ne!(address.port(), 0, "{name}: the real port is printed");
        let printed = before.join("\n");
        assert!(printed.contains("admin@example.com"), "{name}: {printed}");
        assert!(
            printed.contains(&format!("http://{address}")),
            "{name}: {printed}"
        );
        assert!(
            printed.contains("will not be shown again"),
            "{name}: {printed}"
        );
        let password = before
            .iter()
            .find_map(|line| line.trim().strip_prefix("One-time password:"))
            .map(str::trim)
            .unwrap_or_else(|| panic!("{name}: no password in {printed}"))
            .to_owned();
        let status = get(address, "/healthz");
        assert!(status.starts_with("HTTP/1.1 200"), "{name}: {status}");

        let stderr = terminate(child, name);
        let first_log = stderr.lines().next().unwrap_or_default();
        assert!(
            serde_json::from_str::<serde_json::Value>(first_log).is_ok(),
            "{name}: JSON logs expected, got {first_log:?}"
        );
        assert!(stderr.contains("SIGTERM"), "{name}: {stderr}");
        assert!(
            !stderr.contains(&password),
            "{name}: the password was logged"
        );

        let (child, _, before) = start(&mut target.command(&serve));
        assert!(
            !before.iter().any(|line| line.contains("password")),
            "{name}: credentials printed again: {before:?}"
        );
        terminate(child, name);
    }
}

/// Every write that was answered 201 before or during shutdown is in the database afterwards:
/// SIGTERM arrives in the middle of a burst of concurrent creates.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_accepted_before_sigterm_are_all_committed() {
    for target in targets().await {
        let name = target.name();
        let (child, address, before) =
            start(&mut target.command(&["serve", "--listen", "127.0.0.1:0"]));
        let token = before
            .iter()
            .find_map(|line| line.trim().strip_prefix("API token:"))
            .map(|t| t.trim().to_owned())
            .unwrap_or_else(|| panic!("{name}: no API token printed"));
        let client = reqwest::Client::new();
        let mut burst = tokio::task::JoinSet::new();
        for n in 0..300 {
            let (client, token) = (client.clone(), token.clone());
            burst.spawn(async move {
                let team = format!("team {n:03}");
                let answer = client
                    .post(format!("http://{address}/api/v1/teams"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({ "name": team }))
                    .send()
                    .await;
                answer
                    .ok()
                    .filter(|r| r.status().as_u16() == 201)
                    .map(|_| team)
            });
        }
        // Let part of the burst land, then stop the server while the rest is in flight.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let stopper = tokio::task::spawn_blocking(move || terminate(child, name));
        let accepted: Vec<String> = burst.join_all().await.into_iter().flatten().collect();
        stopper.await.expect("the server stopped cleanly");
        assert!(
            !accepted.is_empty(),
            "{name}: some creates were accepted before shutdown"
        );
        eprintln!(
            "{name}: {} of 300 creates accepted around the SIGTERM",
            accepted.len()
        );

        let store = target.db.open().await;
        let stored: Vec<String> = tocsin_store::with_reader!(store.reader(), p =>
            sqlx::query_scalar("SELECT name FROM teams").fetch_all(p).await)
        .expect("read the teams back");
        store.close().await;
        let missing: Vec<&String> = accepted
            .iter()
            .filter(|team| !stored.contains(team))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: accepted but lost: {missing:?} ({} accepted)",
            accepted.len()
        );
    }
}
