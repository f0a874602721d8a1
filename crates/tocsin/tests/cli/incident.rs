//! `tocsin incident declare` against a running `tocsin serve`: a declared incident is numbered
//! and readable through the API; a bad declaration exits 1 naming each field as an option.
use serde_json::{Value, json};

use super::cluster::{Cluster, call};
use super::support::{run, targets, tocsin};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incident_declare_declares_through_the_api_and_names_bad_fields() {
    for target in targets().await {
        let name = target.name();
        let mut cluster = Cluster::default();
        let (node, before) = cluster.start(&target, "node", &["--listen", "127.0.0.1:0"]);
        let token = before
            .iter()
            .find_map(|line| line.trim().strip_prefix("API token:"))
            .map(str::trim)
            .unwrap_or_else(|| panic!("{name}: no API token printed"))
            .to_owned();
        let url = cluster.nodes[node].url.clone();
        let client = reqwest::Client::new();
        let service = call(
            &client,
            &token,
            reqwest::Method::POST,
            format!("{url}/api/v1/services"),
            &json!({ "name": "checkout" }),
        )
        .await;

        let declare = |extra: &[&str]| {
            let mut command = tocsin(target.dir.path());
            command.args(["incident", "declare"]);
            command
                .args(["--url", &url, "--service", "checkout"])
                .args(extra);
            command.env("TOCSIN_TOKEN", &token);
            command
        };
        let (output, stdout, stderr) = run(&mut declare(&[
            "--title",
            "Checkout errors",
            "--type",
            "security",
            "--tag",
            "payments",
            "--no-page",
        ]));
        assert!(output.status.success(), "{name}: {stdout}{stderr}");
        assert!(
            stdout.starts_with("Declared incident #1: Checkout errors"),
            "{name}: {stdout}"
        );
        assert!(
            stdout.contains("visibility: restricted"),
            "{name}: {stdout}"
        );
        let page: Value = call(
            &client,
            &token,
            reqwest::Method::GET,
            format!("{url}/api/v1/incidents"),
            &Value::Null,
        )
        .await;
        let incident = &page["items"][0];
        assert_eq!(incident["title"], "Checkout errors", "{name}");
        assert_eq!(incident["service_id"], service["id"], "{name}");
        assert_eq!(incident["tags"], json!(["payments"]), "{name}");

        let (output, stdout, stderr) = run(&mut declare(&["--title", " ", "--severity", "urgent"]));
        assert_eq!(output.status.code(), Some(1), "{name}: {stdout}{stderr}");
        assert!(
            stderr.contains("--title: must be 1 to 255"),
            "{name}: {stderr}"
        );
        assert!(
            stderr.contains("--severity: must be critical"),
            "{name}: {stderr}"
        );

        let mut unknown = tocsin(target.dir.path());
        unknown
            .args([
                "incident",
                "declare",
                "--url",
                &url,
                "--service",
                "no-such-service",
                "--title",
                "x",
            ])
            .env("TOCSIN_TOKEN", &token);
        let (output, _, stderr) = run(&mut unknown);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains("no service is named"), "{name}: {stderr}");
    }
}
