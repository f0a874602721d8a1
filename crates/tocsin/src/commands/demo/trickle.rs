//! The demo's live trickle: after the server listens, alerts arrive through the real intake
//! (HTTP to the server's own generic and Alertmanager endpoints on 127.0.0.1, with the demo
//! keys) at a bounded pace: repeats of open alerts (deduplicated), resolves, and every round a
//! new problem that opens an incident. What to send at each tick is a pure function (tested).
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::time::MissedTickBehavior;

use super::services::DemoKey;

/// The pace in `tocsin serve --demo`: one request per this interval, never faster.
pub const EVERY: Duration = Duration::from_secs(4);
/// Ticks per round; each round opens one new problem of each kind and resolves it.
const ROUND: u64 = 10;

/// One alert to post.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The path under the server's address.
    pub path: String,
    pub body: Value,
    /// For the debug log line: the service, the dedup key and whether it fires or resolves.
    pub service: String,
    pub dedup: String,
    pub firing: bool,
}

fn generic(key: &DemoKey, dedup: &str, title: &str, firing: bool) -> Delivery {
    Delivery {
        path: format!("/api/v1/integrations/{}/generic", key.secret),
        body: json!({
            "id": dedup, "title": title, "severity": "error", "source": "demo",
            "status": if firing { "firing" } else { "resolved" },
        }),
        service: key.service.clone(),
        dedup: dedup.to_owned(),
        firing,
    }
}

fn alertmanager(key: &DemoKey, instance: &str, firing: bool, now: Timestamp) -> Delivery {
    let status = if firing { "firing" } else { "resolved" };
    let ends = if firing {
        "0001-01-01T00:00:00Z".to_owned()
    } else {
        now.to_string()
    };
    let alert = json!({
        "status": status,
        "labels": {"alertname": "InstanceDown", "instance": instance, "job": "node", "severity": "warning"},
        "annotations": {"summary": format!("{instance} is down")},
        "startsAt": now.to_string(), "endsAt": ends,
        "generatorURL": "http://prometheus.demo.example:9090/graph?g0.expr=up+%3D%3D+0",
        "fingerprint": format!("demo-{instance}"),
    });
    Delivery {
        path: format!("/api/v1/integrations/{}/alertmanager", key.secret),
        body: json!({
            "version": "4", "groupKey": "{}:{alertname=\"InstanceDown\"}", "truncatedAlerts": 0,
            "status": status, "receiver": "tocsin", "groupLabels": {"alertname": "InstanceDown"},
            "commonLabels": {"alertname": "InstanceDown"}, "commonAnnotations": {},
            "externalURL": "http://alertmanager.demo.example:9093", "alerts": [alert],
        }),
        service: key.service.clone(),
        dedup: format!("demo-{instance}"),
        firing,
    }
}

/// What to send at `tick` (none when the keys lack a kind). Each round of ten: a new generic
/// problem fires, repeats twice and resolves; a node goes down, repeats and comes back; and a
/// slow burn that never resolves repeats in between.
pub fn delivery(tick: u64, keys: &[DemoKey], now: Timestamp) -> Option<Delivery> {
    let of_kind = |kind: &str| keys.iter().filter(|k| k.kind == kind).collect::<Vec<_>>();
    let (generics, managers) = (of_kind("generic"), of_kind("alertmanager"));
    let round = tick / ROUND;
    let pick = |list: &[&DemoKey]| {
        let index = usize::try_from(round).unwrap_or(0) % list.len().max(1);
        list.get(index).copied().cloned()
    };
    let (generic_key, manager_key) = (pick(&generics), pick(&managers));
    let problem = format!("demo-errors-{round}");
    let title = |key: &DemoKey| format!("{}: error rate above 5% (demo)", key.service);
    let instance = format!("node-{}", round % 3 + 1);
    match tick % ROUND {
        0 | 2 | 5 => generic_key.map(|k| generic(&k, &problem, &title(&k), true)),
        7 => generic_key.map(|k| generic(&k, &problem, &title(&k), false)),
        1 | 4 => manager_key.map(|k| alertmanager(&k, &instance, true, now)),
        8 => manager_key.map(|k| alertmanager(&k, &instance, false, now)),
        _ => generics.first().map(|k| {
            generic(
                k,
                "demo-slow-burn",
                "Error budget burning slowly (demo)",
                true,
            )
        }),
    }
}

/// Posts one delivery per `every` (at most) to `base_url`, `limit` times or until the task is
/// dropped; answers how many the intake accepted. Failures are logged at debug and skipped.
pub async fn run(base_url: String, keys: Vec<DemoKey>, every: Duration, limit: Option<u64>) -> u64 {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::warn!(%error, "the demo alert trickle cannot start");
            return 0;
        }
    };
    let base = base_url.trim_end_matches('/').to_owned();
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut accepted = 0;
    let mut tick = 0;
    while limit.is_none_or(|limit| tick < limit) {
        ticker.tick().await;
        let Some(delivery) = delivery(tick, &keys, Timestamp::now()) else {
            break;
        };
        tick += 1;
        let sent = client
            .post(format!("{base}{}", delivery.path))
            .json(&delivery.body)
            .send()
            .await;
        let status = sent.as_ref().map(|r| r.status().as_u16()).unwrap_or(0);
        tracing::debug!(
            service = %delivery.service, dedup = %delivery.dedup, firing = delivery.firing, status,
            "demo alert"
        );
        if sent.is_ok_and(|r| r.status().is_success()) {
            accepted += 1;
        }
    }
    accepted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<DemoKey> {
        let key = |service: &str, kind: &str| DemoKey {
            service: service.to_owned(),
            kind: kind.to_owned(),
            secret: format!("secret-{service}"),
        };
        vec![
            key("payments-api", "generic"),
            key("ledger", "generic"),
            key("kubernetes", "alertmanager"),
        ]
    }

    fn now() -> Timestamp {
        "2026-11-28T12:00:00Z".parse().expect("a timestamp")
    }

    #[test]
    fn a_round_fires_repeats_and_resolves_the_same_problem() {
        let round: Vec<Delivery> = (0..ROUND)
            .map(|t| delivery(t, &keys(), now()).expect("keys of both kinds"))
            .collect();
        let problem: Vec<&Delivery> = round
            .iter()
            .filter(|d| d.dedup == "demo-errors-0")
            .collect();
        assert_eq!(problem.len(), 4);
        assert!(problem[..3].iter().all(|d| d.firing) && !problem[3].firing);
        assert!(
            problem
                .iter()
                .all(|d| d.path == "/api/v1/integrations/secret-payments-api/generic")
        );
        let node: Vec<&Delivery> = round
            .iter()
            .filter(|d| d.path.ends_with("/alertmanager"))
            .collect();
        assert_eq!(node.len(), 3);
        assert_eq!(node[2].body["alerts"][0]["status"], "resolved");
        assert_eq!(node[0].body["alerts"][0]["labels"]["instance"], "node-1");
    }

    #[test]
    fn the_next_round_opens_a_new_problem_on_the_next_service() {
        let next = delivery(ROUND, &keys(), now()).expect("a delivery");
        assert_eq!(next.dedup, "demo-errors-1");
        assert_eq!(next.service, "ledger");
        assert!(next.firing);
    }

    #[test]
    fn without_keys_nothing_is_sent() {
        assert_eq!(delivery(0, &[], now()), None);
    }
}
