//! End to end with a real Prometheus Alertmanager: an alert posted to Alertmanager reaches Tocsin
//! through the webhook receiver and opens an alert with an incident; ending it in Alertmanager
//! resolves both. Skipped with a notice when no `alertmanager` binary is installed, except in CI
//! (`CI=true`), where the binary is required and its absence fails the test.
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tocsin_domain::alerting::dedup::AlertState;
use tocsin_domain::incident::IncidentStatus;
use tocsin_store::alert::{Alert, AlertFilter};
use tocsin_testkit::{TestApp, TestIntake, spawn_app};

const WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(200);

/// The Alertmanager binary: `$TOCSIN_ALERTMANAGER` when set (and then only it), else
/// `alertmanager` on the PATH, else Debian's `/usr/bin/prometheus-alertmanager`.
fn find_alertmanager() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os("TOCSIN_ALERTMANAGER") {
        return Some(PathBuf::from(explicit)).filter(|path| path.is_file());
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join("alertmanager"));
    let debian = PathBuf::from("/usr/bin/prometheus-alertmanager");
    on_path
        .chain(std::iter::once(debian))
        .find(|candidate| candidate.is_file())
}

/// A running Alertmanager, killed when dropped.
struct Alertmanager {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Alertmanager {
    fn start(binary: &Path, dir: &Path, webhook_url: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let config = dir.join("alertmanager.yml");
        std::fs::write(&config, config_yaml(webhook_url)).expect("write the config");
        let log = dir.join("alertmanager.log");
        let output = File::create(&log).expect("create the log");
        let errors = output.try_clone().expect("clone the log handle");
        let child = Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .arg("--log.level=debug")
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .expect("start alertmanager");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Group at once, flush every second, so the test sees notifications promptly.
fn config_yaml(webhook_url: &str) -> String {
    format!(
        "global:\n  resolve_timeout: 5m\n\
         route:\n  receiver: tocsin\n  group_by: ['alertname']\n  group_wait: 0s\n  \
         group_interval: 1s\n  repeat_interval: 1h\n\
         receivers:\n  - name: tocsin\n    webhook_configs:\n      - url: '{webhook_url}'\n        \
         send_resolved: true\n"
    )
}

/// Polls `check` until it gives a value, for at most `WAIT`.
async fn wait_for<T, F, Fut>(what: &str, am: &Alertmanager, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {WAIT:?} waiting for {what}; alertmanager log:\n{}",
            am.log()
        );
        tokio::time::sleep(POLL).await;
    }
}

async fn alerts_of(app: &TestApp, intake: &TestIntake) -> Vec<Alert> {
    let filter = AlertFilter {
        service_id: Some(intake.service_id),
        ..AlertFilter::default()
    };
    tocsin_store::alert::list(app.store.reader(), &filter, None, 100)
        .await
        .expect("list alerts")
}

fn the_alert(starts_at: &str, ends_at: Option<&str>) -> Value {
    let mut alert = json!({
        "labels": { "alertname": "TocsinEndToEnd", "instance": "e2e.example.com:9100",
                    "job": "node", "severity": "critical" },
        "annotations": { "summary": "End-to-end alert through a real Alertmanager" },
        "startsAt": starts_at,
        "generatorURL": "http://prometheus.example.com:9090/graph"
    });
    if let Some(ends_at) = ends_at {
        alert["endsAt"] = json!(ends_at);
    }
    json!([alert])
}

async fn post_alerts(http: &reqwest::Client, am: &Alertmanager, alerts: &Value) {
    let response = http
        .post(format!("{}/api/v2/alerts", am.url))
        .json(alerts)
        .send()
        .await
        .expect("alertmanager answers");
    assert!(
        response.status().is_success(),
        "alertmanager refused the alert: {}; log:\n{}",
        response.status(),
        am.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_flow_from_a_real_alertmanager_and_resolve() {
    let Some(binary) = find_alertmanager() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI requires the alertmanager binary (apt-get install prometheus-alertmanager)"
        );
        eprintln!(
            "NOTICE: skipping the Alertmanager end-to-end test: no `alertmanager` on the PATH and \
             no /usr/bin/prometheus-alertmanager, or TOCSIN_ALERTMANAGER names no file"
        );
        return;
    };
    let app = spawn_app().await;
    let intake = app.intake("End to end", "alertmanager").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let webhook = format!(
        "{}/api/v1/integrations/{}/alertmanager",
        app.base_url, intake.secret
    );
    let am = Alertmanager::start(&binary, dir.path(), &webhook);
    let http = reqwest::Client::new();
    wait_for("alertmanager to be ready", &am, || async {
        let ready = http.get(format!("{}/-/ready", am.url)).send().await;
        ready.ok().filter(|r| r.status().is_success()).map(|_| ())
    })
    .await;

    let started = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(60);
    post_alerts(&http, &am, &the_alert(&started.to_string(), None)).await;
    let opened = wait_for("Tocsin to open the alert", &am, || async {
        let alerts = alerts_of(&app, &intake).await;
        alerts
            .into_iter()
            .find(|a| a.state == AlertState::Triggered && a.incident_id.is_some())
    })
    .await;
    assert_eq!(
        opened.summary,
        "End-to-end alert through a real Alertmanager"
    );
    assert_eq!(opened.source.as_deref(), Some("e2e.example.com:9100"));
    assert_eq!(opened.fields.get("alertname"), "TocsinEndToEnd");
    assert_eq!(opened.details["receiver"], "tocsin");
    let incident_id = opened.incident_id.expect("an incident");
    let incident = tocsin_store::incident::get(app.store.reader(), incident_id)
        .await
        .expect("the incident");
    assert_eq!(incident.status, IncidentStatus::Triggered);

    let ended = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1);
    let ending = the_alert(&started.to_string(), Some(&ended.to_string()));
    post_alerts(&http, &am, &ending).await;
    wait_for(
        "Tocsin to resolve the alert and its incident",
        &am,
        || async {
            let alert = tocsin_store::alert::get(app.store.reader(), opened.id)
                .await
                .ok()?;
            let incident = tocsin_store::incident::get(app.store.reader(), incident_id)
                .await
                .ok()?;
            (alert.state == AlertState::Resolved && incident.status == IncidentStatus::Resolved)
                .then_some(())
        },
    )
    .await;
    let all = alerts_of(&app, &intake).await;
    assert_eq!(all.len(), 1, "one Alertmanager alert is one Tocsin alert");
    drop(am);
    app.shutdown().await;
}
