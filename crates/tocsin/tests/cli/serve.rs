//! `serve`: announces the bound address, accepts connections, and exits 0 on SIGTERM.
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::support::targets;

const LISTENING: &str = "Tocsin is listening on http://";

/// Reads the child's stdout on a thread until the listening line, returning the address.
fn wait_for_listening(child: &mut Child) -> (SocketAddr, Vec<String>) {
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

#[tokio::test]
async fn serve_listens_and_stops_cleanly_on_sigterm() {
    for target in targets().await {
        let name = target.name();
        let mut child = target
            .command(&["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tocsin serve");
        let (address, _) = wait_for_listening(&mut child);
        assert!(address.ip().is_loopback(), "{name}: {address}");
        assert_ne!(address.port(), 0, "{name}: the real port is printed");
        TcpStream::connect_timeout(&address, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("{name}: connect to {address}: {e}"));

        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success());
        let status = wait_for_exit(&mut child, Duration::from_secs(10));
        let output = child.wait_with_output().expect("collect output");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(status.success(), "{name}: {status:?}\n{stderr}");
        let first_log = stderr.lines().next().unwrap_or_default();
        assert!(
            serde_json::from_str::<serde_json::Value>(first_log).is_ok(),
            "{name}: JSON logs expected, got {first_log:?}"
        );
        assert!(stderr.contains("SIGTERM"), "{name}: {stderr}");
    }
}
