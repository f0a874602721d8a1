//! The Prometheus Alertmanager to compare with: one already running (`--peer-alertmanager`), or
//! one started here on a free 127.0.0.1 port with its own storage, clustering off, and a route to
//! a receiver that notifies nobody (or, for the paging bench, a webhook), stopped when the bench
//! ends.
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// How long a started Alertmanager gets to become ready.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// A running Alertmanager: its base URL and, when known, its pid.
pub struct Peer {
    pub url: String,
    pub pid: Option<u32>,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `alertmanager` on the PATH, else Debian's `/usr/bin/prometheus-alertmanager`, if installed.
pub fn find_binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("alertmanager"));
    on_path
        .chain(std::iter::once(PathBuf::from(
            "/usr/bin/prometheus-alertmanager",
        )))
        .find(|candidate| candidate.is_file())
}

const CONFIG: &str = "route:\n  receiver: nobody\n  group_by: ['alertname']\n\
                      receivers:\n  - name: nobody\n";

impl Peer {
    /// One already running at `url`.
    pub fn external(url: &str, pid: Option<u32>) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned(),
            pid,
            child: None,
            _dir: None,
        }
    }

    /// Starts `binary` with a route to a receiver that notifies nobody, and waits until it
    /// answers `/-/ready`.
    pub async fn start(binary: &Path, client: &reqwest::Client) -> anyhow::Result<Self> {
        Self::start_with(binary, client, CONFIG).await
    }

    /// Starts `binary` with the configuration `config` (YAML) and waits until it is ready.
    pub async fn start_with(
        binary: &Path,
        client: &reqwest::Client,
        config_yaml: &str,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("tocsin-bench-alertmanager-")
            .tempdir()
            .context("cannot create a directory for Alertmanager")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("cannot find a free port")?
            .port();
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(&config, config_yaml).context("cannot write the Alertmanager config")?;
        let log = std::fs::File::create(dir.path().join("alertmanager.log"))
            .context("cannot create the Alertmanager log")?;
        let errors = log.try_clone().context("cannot share the log file")?;
        let child = Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(errors)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let peer = Self {
            url: format!("http://127.0.0.1:{port}"),
            pid: Some(child.id()),
            child: Some(child),
            _dir: Some(dir),
        };
        peer.wait_ready(client).await?;
        Ok(peer)
    }

    async fn wait_ready(&self, client: &reqwest::Client) -> anyhow::Result<()> {
        let deadline = Instant::now() + READY_WITHIN;
        let ready = format!("{}/-/ready", self.url);
        loop {
            if let Ok(response) = client.get(&ready).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "Alertmanager did not become ready within {READY_WITHIN:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Where alerts are posted.
    pub fn alerts_url(&self) -> String {
        format!("{}/api/v2/alerts", self.url)
    }
}
