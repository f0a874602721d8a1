//! A 202 from intake means committed: `kill -9` of the server in the middle of a load of 10,000
//! distinct PagerDuty events loses none that were answered 202 (on every backend).
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use super::cluster::kill_9;
use super::serve::start;
use super::support::targets;

const EVENTS: usize = 10_000;
const CONCURRENCY: usize = 64;
/// The server is killed once this many events were accepted (or after the time limit).
const KILL_AFTER_ACCEPTED: usize = 2_000;
const KILL_AT_THE_LATEST: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_event_answered_202_is_lost_to_a_kill_9() {
    for target in targets().await {
        let name = target.name();
        let (mut child, address, before) = start(&mut target.command(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--intake-rate-per-second",
            "1000000",
            "--intake-burst",
            "1000000",
            // Nobody reads the server's stderr here: request logs would fill the pipe and stall it.
            "--log",
            "warn",
        ]));
        let token = before
            .iter()
            .find_map(|line| line.trim().strip_prefix("API token:"))
            .map(|t| t.trim().to_owned())
            .unwrap_or_else(|| panic!("{name}: no API token printed"));
        let client = reqwest::Client::new();
        let base = format!("http://{address}");
        let service: serde_json::Value = client
            .post(format!("{base}/api/v1/services"))
            .bearer_auth(&token)
            .json(&json!({ "name": "durable" }))
            .send()
            .await
            .expect("create a service")
            .json()
            .await
            .expect("service json");
        // Every distinct event must be stored as an alert: lift the open-alert cap above EVENTS
        // (beyond it new triggers are folded into a counter, also committed, but not alert rows).
        client
            .put(format!(
                "{base}/api/v1/services/{}/incident-lifecycle",
                service["id"].as_str().expect("id")
            ))
            .bearer_auth(&token)
            .json(&json!({ "max_open_alerts": 100_000 }))
            .send()
            .await
            .expect("lift the open-alert cap")
            .error_for_status()
            .expect("the cap is lifted");
        let key: serde_json::Value = client
            .post(format!(
                "{base}/api/v1/services/{}/integration-keys",
                service["id"].as_str().expect("id")
            ))
            .bearer_auth(&token)
            .json(&json!({ "name": "load", "kind": "pagerduty" }))
            .send()
            .await
            .expect("create a key")
            .json()
            .await
            .expect("key json");
        let routing_key = key["secret"].as_str().expect("secret").to_owned();

        let next = Arc::new(AtomicUsize::new(0));
        let accepted_count = Arc::new(AtomicUsize::new(0));
        let mut senders = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENCY {
            let (client, base, routing_key) = (client.clone(), base.clone(), routing_key.clone());
            let (next, accepted_count) = (next.clone(), accepted_count.clone());
            senders.spawn(async move {
                let mut accepted = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= EVENTS {
                        break;
                    }
                    let dedup_key = format!("event-{n:05}");
                    let answer = client
                        .post(format!("{base}/v2/enqueue"))
                        .timeout(Duration::from_secs(10))
                        .json(&json!({
                            "routing_key": routing_key, "event_action": "trigger", "dedup_key": dedup_key,
                            "payload": { "summary": format!("load {n}"), "source": "load", "severity": "error" }
                        }))
                        .send()
                        .await;
                    match answer {
                        Ok(response) if response.status().as_u16() == 202 => {
                            accepted.push(dedup_key);
                            accepted_count.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) => {}
                        // The server is gone: nothing more will be accepted.
                        Err(_) => break,
                    }
                }
                accepted
            });
        }
        let started = Instant::now();
        while accepted_count.load(Ordering::Relaxed) < KILL_AFTER_ACCEPTED
            && started.elapsed() < KILL_AT_THE_LATEST
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        kill_9(&mut child);
        let accepted: Vec<String> = senders.join_all().await.into_iter().flatten().collect();
        assert!(
            accepted.len() >= KILL_AFTER_ACCEPTED.min(100),
            "{name}: only {} accepted",
            accepted.len()
        );
        eprintln!(
            "{name}: {} of {EVENTS} events answered 202 before the kill -9",
            accepted.len()
        );

        let store = target.db.open().await;
        let stored: std::collections::HashSet<String> =
            tocsin_store::with_reader!(store.reader(), p =>
            sqlx::query_scalar("SELECT dedup_key FROM alerts").fetch_all(p).await)
            .expect("read the alerts back")
            .into_iter()
            .collect();
        store.close().await;
        let lost: Vec<&String> = accepted
            .iter()
            .filter(|key| !stored.contains(*key))
            .collect();
        assert!(
            lost.is_empty(),
            "{name}: {} answered 202 but lost, e.g. {:?}",
            lost.len(),
            lost.first()
        );
    }
}
