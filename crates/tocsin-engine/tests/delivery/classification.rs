//! Outcome classification against what real sinks answer: retryable (with Retry-After) versus
//! permanent, for HTTP providers, timeouts, refused connections and SMTP replies.
use std::time::Duration;

use tocsin_domain::delivery::{Channel, MessageKind, Outcome};
use tocsin_engine::delivery::{DeliveryConfig, Destination};
use tocsin_testkit::sinks::{ScriptedResponse, SmtpSink, TwilioMock, WebhookSink};

use super::support::*;

fn retry_after(outcome: &Outcome) -> Option<Duration> {
    match outcome {
        Outcome::Retryable { retry_after, .. } => *retry_after,
        other => panic!("expected a retryable outcome, got {other:?}"),
    }
}

#[tokio::test]
async fn webhook_statuses_are_classified_as_the_rules_say() {
    let sink = WebhookSink::start().await;
    let destination = Destination::Webhook {
        url: sink.url("/hook").parse().expect("url"),
        secret: secret(),
    };
    sink.script()
        .push(ScriptedResponse::status(503).retry_after("30"));
    sink.script()
        .push(ScriptedResponse::status(429).retry_after("7"));
    sink.script().push(ScriptedResponse::status(408));
    sink.script().push(ScriptedResponse::status(500));
    sink.script().push(ScriptedResponse::status(404));
    sink.script().push(ScriptedResponse::status(410));
    sink.script().push(ScriptedResponse::status(204));
    let sender = loopback_sender();
    let page = sample(MessageKind::Page, Channel::Webhook);
    let mut outcomes = Vec::new();
    for _ in 0..7 {
        outcomes.push(sender.send(&destination, delivery(&page, &key())).await);
    }
    assert_eq!(retry_after(&outcomes[0]), Some(Duration::from_secs(30)));
    assert_eq!(retry_after(&outcomes[1]), Some(Duration::from_secs(7)));
    assert_eq!(retry_after(&outcomes[2]), None);
    assert_eq!(retry_after(&outcomes[3]), None);
    assert_eq!(
        outcomes[4],
        Outcome::Permanent {
            reason: "HTTP 404".into()
        }
    );
    assert_eq!(
        outcomes[5],
        Outcome::Permanent {
            reason: "HTTP 410".into()
        }
    );
    assert!(outcomes[6].is_delivered());
    let ids: Vec<_> = sink
        .requests()
        .iter()
        .map(|r| r.header("webhook-id").map(str::to_owned))
        .collect();
    assert!(
        ids.iter().all(|id| id.as_deref() == Some(KEY)),
        "every attempt carries the same key"
    );
}

#[tokio::test]
async fn a_slow_endpoint_times_out_retryably() {
    let sink = WebhookSink::start().await;
    sink.respond(
        1,
        ScriptedResponse::status(200).delay(Duration::from_secs(3)),
    );
    let config = DeliveryConfig {
        request_timeout: Duration::from_millis(300),
        ..config(&["127.0.0.1"])
    };
    let destination = Destination::Slack {
        webhook_url: sink.url("/slow").parse().expect("url"),
    };
    let page = sample(MessageKind::Page, Channel::Slack);
    let outcome = sender(&config)
        .send(&destination, delivery(&page, &key()))
        .await;
    assert!(outcome.is_retryable(), "{outcome:?}");
}

#[tokio::test]
async fn a_refused_connection_is_retryable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let destination = Destination::Teams {
        webhook_url: format!("http://127.0.0.1:{port}/gone")
            .parse()
            .expect("url"),
    };
    let outcome = send_sample(&destination, MessageKind::Page).await;
    assert!(outcome.is_retryable(), "{outcome:?}");
}

#[tokio::test]
async fn twilio_throttling_is_retryable_and_bad_requests_are_permanent() {
    let mock = TwilioMock::start().await;
    mock.script().push(
        ScriptedResponse::status(429)
            .retry_after("12")
            .body(r#"{"code":20429,"message":"Too Many Requests"}"#),
    );
    mock.fail_next(1, 400);
    let sender = twilio_sender(&mock);
    let sms = sample(MessageKind::Page, Channel::Sms);
    let destination = Destination::Sms {
        number: "+14155550100".into(),
    };
    let throttled = sender.send(&destination, delivery(&sms, &key())).await;
    let refused = sender.send(&destination, delivery(&sms, &key())).await;
    let delivered = sender.send(&destination, delivery(&sms, &key())).await;
    assert_eq!(retry_after(&throttled), Some(Duration::from_secs(12)));
    assert_eq!(
        refused,
        Outcome::Permanent {
            reason: "HTTP 400".into()
        }
    );
    assert!(
        matches!(delivered, Outcome::Delivered { receipt: Some(_) }),
        "{delivered:?}"
    );
}

#[tokio::test]
async fn smtp_4xx_replies_are_transient_and_5xx_permanent() {
    let sink = SmtpSink::start().await;
    let sender = smtp_sender(&sink);
    let page = sample(MessageKind::Page, Channel::Email);
    let destination = Destination::Email {
        address: "ada@example.org".into(),
    };

    sink.fail_next(1, "451 4.3.0 Try again later");
    let transient = sender.send(&destination, delivery(&page, &key())).await;
    assert!(transient.is_retryable(), "{transient:?}");

    sink.fail_next(1, "550 5.1.1 No such user");
    let permanent = sender.send(&destination, delivery(&page, &key())).await;
    match &permanent {
        Outcome::Permanent { reason } => assert!(reason.starts_with("SMTP 550"), "{reason}"),
        other => panic!("{other:?}"),
    }

    let delivered = sender.send(&destination, delivery(&page, &key())).await;
    assert!(delivered.is_delivered(), "{delivered:?}");
    assert_eq!((sink.rejected(), sink.received().len()), (2, 1));
}
