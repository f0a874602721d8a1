//! Request bodies, written straight into a reused buffer (no JSON tree per alert): Alertmanager
//! webhook notifications (payload version 4) for Tocsin, and arrays of postable alerts for
//! Alertmanager's `POST /api/v2/alerts`. Both carry the same labels and annotations per alert.
use std::fmt::Write as _;

/// Which endpoint a body is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Tocsin's Alertmanager webhook receiver: one notification holding the alerts.
    TocsinWebhook,
    /// Alertmanager's own API: a JSON array of postable alerts.
    AlertmanagerApi,
    /// No body: a `GET` of a health endpoint, which stores nothing (the request floor).
    HealthProbe,
}

/// What the alerts of one run share: a nonce keeping runs apart, and the start time sent.
#[derive(Debug, Clone)]
pub struct Run {
    pub nonce: u32,
    pub starts_at: String,
}

impl Run {
    pub fn new() -> Self {
        let now = jiff::Timestamp::now();
        Self {
            nonce: now.subsec_nanosecond().unsigned_abs() ^ (now.as_second() as u32),
            starts_at: now.to_string(),
        }
    }
}

/// Appends the body for alerts `numbers` of scenario `tag` to `out` (cleared first).
pub fn write_body(
    out: &mut String,
    format: Format,
    run: &Run,
    tag: u32,
    numbers: impl Iterator<Item = u64>,
) {
    out.clear();
    match format {
        Format::HealthProbe => return,
        Format::TocsinWebhook => out.push_str(
            "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"BenchAlert\\\"}\",\
             \"status\":\"firing\",\"receiver\":\"tocsin\",\"groupLabels\":{\"alertname\":\"BenchAlert\"},\
             \"commonLabels\":{\"alertname\":\"BenchAlert\"},\"commonAnnotations\":{},\
             \"externalURL\":\"http://alertmanager.bench:9093\",\"truncatedAlerts\":0,\"alerts\":[",
        ),
        Format::AlertmanagerApi => out.push('['),
    }
    for (index, number) in numbers.enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_alert(out, format, run, tag, number);
    }
    out.push(']');
    if format == Format::TocsinWebhook {
        out.push('}');
    }
}

fn write_alert(out: &mut String, format: Format, run: &Run, tag: u32, number: u64) {
    let nonce = run.nonce;
    out.push('{');
    if format == Format::TocsinWebhook {
        out.push_str("\"status\":\"firing\",");
    }
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "\"labels\":{{\"alertname\":\"BenchAlert\",\"instance\":\"host-{number}.bench:9100\",\
         \"job\":\"bench\",\"severity\":\"critical\",\"run\":\"{nonce:08x}\",\"scenario\":\"{tag}\"}},\
         \"annotations\":{{\"summary\":\"Bench alert {number} of scenario {tag}\"}},\
         \"startsAt\":\"{}\",\"generatorURL\":\"http://prometheus.bench:9090/graph\"",
        run.starts_at
    );
    if format == Format::TocsinWebhook {
        let _ = write!(
            out,
            ",\"endsAt\":\"0001-01-01T00:00:00Z\",\"fingerprint\":\"{nonce:08x}{tag:02x}{number:06x}\""
        );
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> Run {
        Run {
            nonce: 0xabc,
            starts_at: "2026-11-27T12:00:00Z".into(),
        }
    }

    #[test]
    fn health_probes_carry_no_body() {
        let mut out = "left over".to_owned();
        write_body(&mut out, Format::HealthProbe, &run(), 1, 0..3);
        assert!(out.is_empty());
    }

    #[test]
    fn webhook_bodies_are_version_4_notifications() {
        let mut out = String::new();
        write_body(&mut out, Format::TocsinWebhook, &run(), 3, 0..2);
        let value: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(value["version"], "4");
        let alerts = value["alerts"].as_array().expect("alerts");
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[1]["fingerprint"], "00000abc03000001");
        assert_eq!(alerts[1]["labels"]["instance"], "host-1.bench:9100");
    }

    #[test]
    fn api_bodies_are_arrays_of_postable_alerts() {
        let mut out = String::new();
        write_body(
            &mut out,
            Format::AlertmanagerApi,
            &run(),
            1,
            [7].into_iter(),
        );
        let value: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        let alerts = value.as_array().expect("an array");
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0]["labels"]["scenario"], "1");
        assert!(alerts[0].get("status").is_none());
    }
}
