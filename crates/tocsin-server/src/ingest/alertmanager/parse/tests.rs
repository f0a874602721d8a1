//! Unit tests of the webhook parser on a real-shaped Alertmanager v4 notification.
use serde_json::json;

use super::*;

/// A version 4 notification in the shape the Prometheus documentation gives for `webhook_config`
/// (receiver "webhook", one alert firing, one resolved), with the values Alertmanager fills in.
fn documented_notification() -> Value {
    json!({
      "version": "4",
      "groupKey": "{}:{alertname=\"InstanceDown\"}",
      "truncatedAlerts": 0,
      "status": "firing",
      "receiver": "webhook",
      "groupLabels": { "alertname": "InstanceDown" },
      "commonLabels": { "alertname": "InstanceDown", "job": "node", "severity": "critical" },
      "commonAnnotations": {},
      "externalURL": "http://alertmanager.example.com:9093",
      "alerts": [
        {
          "status": "firing",
          "labels": { "alertname": "InstanceDown", "instance": "db-1.example.com:9100",
                      "job": "node", "severity": "critical" },
          "annotations": { "summary": "Instance db-1.example.com:9100 down",
                           "description": "db-1.example.com:9100 of job node has been down for more than 5 minutes." },
          "startsAt": "2024-03-01T10:15:30.123456789Z",
          "endsAt": "0001-01-01T00:00:00Z",
          "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1",
          "fingerprint": "b8f2a4d9c1e07f36"
        },
        {
          "status": "resolved",
          "labels": { "alertname": "InstanceDown", "instance": "web-2.example.com:9100",
                      "job": "node", "severity": "critical" },
          "annotations": { "description": "web-2.example.com:9100 of job node has been down for more than 5 minutes." },
          "startsAt": "2024-03-01T09:58:00Z",
          "endsAt": "2024-03-01T10:14:00Z",
          "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1",
          "fingerprint": "5c3e91f07ab2d468"
        }
      ]
    })
}

#[test]
fn the_documented_notification_maps_every_field() {
    let alerts = parse_webhook(&documented_notification()).expect("valid");
    assert_eq!(alerts.len(), 2);
    let firing = &alerts[0];
    assert_eq!(firing.action, AlertAction::Trigger);
    assert_eq!(firing.dedup_key, "b8f2a4d9c1e07f36");
    assert_eq!(firing.summary, "Instance db-1.example.com:9100 down");
    assert_eq!(firing.severity, Severity::Critical);
    assert_eq!(firing.source.as_deref(), Some("db-1.example.com:9100"));
    assert_eq!(firing.labels["job"], "node");
    assert_eq!(firing.details["receiver"], "webhook");
    assert_eq!(
        firing.details["groupKey"],
        "{}:{alertname=\"InstanceDown\"}"
    );
    assert_eq!(
        firing.details["externalURL"],
        "http://alertmanager.example.com:9093"
    );
    assert_eq!(firing.details["startsAt"], "2024-03-01T10:15:30.123456789Z");
    assert_eq!(firing.details["endsAt"], "0001-01-01T00:00:00Z");
    assert_eq!(
        firing.details["annotations"]["description"],
        "db-1.example.com:9100 of job node has been down for more than 5 minutes."
    );
    assert_eq!(
        firing.links[0]["href"],
        "http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1"
    );
    assert_eq!(
        firing.client_url.as_deref(),
        Some("http://alertmanager.example.com:9093")
    );
    let raw: Value = serde_json::from_str(&firing.raw).expect("raw is the alert's JSON");
    assert_eq!(raw["fingerprint"], "b8f2a4d9c1e07f36");

    let resolved = &alerts[1];
    assert_eq!(resolved.action, AlertAction::Resolve);
    assert_eq!(resolved.dedup_key, "5c3e91f07ab2d468");
    assert_eq!(
        resolved.summary,
        "web-2.example.com:9100 of job node has been down for more than 5 minutes."
    );
}

#[test]
fn the_summary_falls_back_to_the_alert_name_and_instance() {
    let body = json!({ "alerts": [
        { "status": "firing", "labels": { "alertname": "HighLatency", "instance": "api:8080" } },
        { "status": "firing", "labels": { "alertname": "HighLatency", "job": "api" },
          "annotations": { "summary": "   " } },
        { "status": "firing", "labels": { "team": "db" } },
        { "status": "firing", "fingerprint": "f", "annotations": { "summary": "é".repeat(2000) } },
    ]});
    let alerts = parse_webhook(&body).expect("valid");
    assert_eq!(alerts[0].summary, "HighLatency on api:8080");
    assert_eq!(alerts[1].summary, "HighLatency");
    assert_eq!(alerts[1].source.as_deref(), Some("api"));
    assert_eq!(alerts[2].summary, "Alertmanager alert");
    assert_eq!(alerts[3].summary.chars().count(), MAX_SUMMARY);
    assert!(alerts[3].summary.ends_with('…'));
}

#[test]
fn severity_comes_from_the_label_and_defaults_to_error() {
    let body = json!({ "alerts": [
        { "status": "firing", "labels": { "alertname": "a", "severity": "Warning" } },
        { "status": "firing", "labels": { "alertname": "b", "severity": "page" } },
        { "status": "firing", "labels": { "alertname": "c", "severity": "whatever" } },
        { "status": "firing", "labels": { "alertname": "d" } },
    ]});
    let severities: Vec<Severity> = parse_webhook(&body)
        .expect("valid")
        .into_iter()
        .map(|alert| alert.severity)
        .collect();
    assert_eq!(
        severities,
        [
            Severity::Warning,
            Severity::Critical,
            Severity::Error,
            Severity::Error
        ]
    );
}

#[test]
fn without_a_fingerprint_the_sorted_labels_give_a_stable_key() {
    let one = json!({ "alerts": [{ "status": "firing", "labels": { "a": "1", "b": "2" } }] });
    let same = json!({ "alerts": [{ "status": "resolved", "labels": { "b": "2", "a": "1" } }] });
    let other = json!({ "alerts": [{ "status": "firing", "labels": { "a": "12" } }] });
    let key = |body: &Value| parse_webhook(body).expect("valid")[0].dedup_key.clone();
    assert_eq!(key(&one), key(&same));
    assert_ne!(key(&one), key(&other));
    assert!(key(&one).starts_with("labels:"));
    // Lengths are hashed too, so shifting text between a name and its value changes the key.
    let shifted = json!({ "alerts": [{ "status": "firing", "labels": { "a1": "" } }] });
    let unshifted = json!({ "alerts": [{ "status": "firing", "labels": { "a": "1" } }] });
    assert_ne!(key(&shifted), key(&unshifted));
}

#[test]
fn every_problem_is_reported_with_its_pointer() {
    let body = json!({
        "version": "3",
        "alerts": [
            { "status": "firing", "labels": { "alertname": "ok" } },
            "not an object",
            { "status": "pending", "labels": { "alertname": "x", "a/b": 5 },
              "startsAt": "yesterday" },
            { "status": "firing" },
        ]
    });
    let errors = parse_webhook(&body).expect_err("invalid");
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/version",
            "/alerts/1",
            "/alerts/2/status",
            "/alerts/2/labels/a~1b",
            "/alerts/2/startsAt",
            "/alerts/3/labels"
        ]
    );
    let missing = parse_webhook(&json!({ "status": "firing" })).expect_err("invalid");
    assert_eq!(missing[0].pointer, "/alerts");
    let not_object = parse_webhook(&json!([1])).expect_err("invalid");
    assert_eq!(not_object[0].pointer, "");
}
