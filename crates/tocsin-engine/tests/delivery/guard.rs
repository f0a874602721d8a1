//! The outbound-address guard end to end: literal private addresses, names resolving to loopback,
//! redirects towards cloud metadata, the allow-list, the SMTP relay and credentials on redirects.
//! Nothing here connects anywhere but 127.0.0.1: refused destinations are refused before any
//! connection is attempted.
use tocsin_domain::delivery::{Channel, MessageKind, Outcome};
use tocsin_engine::delivery::{DeliveryConfig, Destination, SmtpConfig, SmtpSecurity};
use tocsin_testkit::sinks::{ScriptedResponse, SmtpSink, WebhookSink};

use super::support::*;

fn refused_reason(outcome: Outcome) -> String {
    match outcome {
        Outcome::Permanent { reason } => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn webhook(url: &str) -> Destination {
    Destination::Webhook {
        url: url.parse().expect("url"),
        secret: secret(),
    }
}

#[tokio::test]
async fn private_and_metadata_literals_are_refused_without_allow_listing() {
    let sender = sender(&config(&[]));
    let page = sample(MessageKind::Page, Channel::Webhook);
    for (url, class) in [
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.1.10:8080/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fd00::1]/hook", "private"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://100.64.0.1/hook", "CGNAT"),
        (
            "http://metadata.google.internal/computeMetadata/v1/",
            "metadata",
        ),
    ] {
        let reason = refused_reason(sender.send(&webhook(url), delivery(&page, &key())).await);
        assert!(reason.contains(class), "{url}: {reason}");
    }
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_unless_allow_listed() {
    let sink = WebhookSink::start().await;
    let url = format!("http://localhost:{}/hook", sink.port());
    let page = sample(MessageKind::Page, Channel::Webhook);

    let refused = sender(&config(&[]))
        .send(&webhook(&url), delivery(&page, &key()))
        .await;
    assert!(refused_reason(refused).contains("loopback"));
    assert!(sink.requests().is_empty(), "nothing reached the sink");

    let allowed = loopback_sender()
        .send(&webhook(&url), delivery(&page, &key()))
        .await;
    assert!(allowed.is_delivered(), "{allowed:?}");
    assert_eq!(sink.requests().len(), 1);
}

#[tokio::test]
async fn a_redirect_from_an_allowed_host_to_cloud_metadata_is_refused() {
    let sink = WebhookSink::start().await;
    sink.respond(
        1,
        ScriptedResponse::status(302)
            .header("location", "http://169.254.169.254/latest/meta-data/iam"),
    );
    let page = sample(MessageKind::Page, Channel::Webhook);
    let outcome = loopback_sender()
        .send(&webhook(&sink.url("/hook")), delivery(&page, &key()))
        .await;
    assert!(refused_reason(outcome).contains("169.254.169.254"));
    assert_eq!(sink.requests().len(), 1, "only the first hop was made");
}

#[tokio::test]
async fn allowed_redirects_are_followed_with_the_same_request_and_bounded() {
    let sink = WebhookSink::start().await;
    sink.respond(
        1,
        ScriptedResponse::status(307).header("location", "/moved"),
    );
    let page = sample(MessageKind::Page, Channel::Webhook);
    let sender = loopback_sender();
    let outcome = sender
        .send(&webhook(&sink.url("/hook")), delivery(&page, &key()))
        .await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    let [first, second] = sink.requests().try_into().expect("two hops");
    assert_eq!(second.path, "/moved");
    assert_eq!(second.body, first.body);
    assert_eq!(
        second.header("webhook-signature"),
        first.header("webhook-signature")
    );

    let looping = WebhookSink::start().await;
    looping.respond(
        100,
        ScriptedResponse::status(308).header("location", "/again"),
    );
    let outcome = sender
        .send(&webhook(&looping.url("/hook")), delivery(&page, &key()))
        .await;
    assert!(refused_reason(outcome).contains("more than 5 redirects"));
    assert_eq!(
        looping.requests().len(),
        6,
        "the first request and five redirects"
    );
}

#[tokio::test]
async fn credentials_are_not_forwarded_to_another_origin() {
    let twilio_like = WebhookSink::start().await;
    let elsewhere = WebhookSink::start().await;
    twilio_like.respond(
        1,
        ScriptedResponse::status(307).header("location", &elsewhere.url("/capture")),
    );
    let mut config = config(&["127.0.0.1"]);
    config.twilio = Some(tocsin_engine::delivery::TwilioConfig {
        base_url: twilio_like.url("").parse().expect("url"),
        account_sid: "AC1".into(),
        auth_token: tocsin_engine::delivery::Secret::new("token"),
        from_number: "+15005550006".into(),
    });
    let sms = sample(MessageKind::Page, Channel::Sms);
    let outcome = sender(&config)
        .send(
            &Destination::Sms {
                number: "+1415".into(),
            },
            delivery(&sms, &key()),
        )
        .await;
    assert!(outcome.is_delivered(), "{outcome:?}");
    assert!(twilio_like.requests()[0].header("authorization").is_some());
    let [captured] = elsewhere.requests().try_into().expect("one request");
    assert_eq!(captured.header("authorization"), None);
}

/// Emails the sample page through `sink` with `smtp` adjusted by `adjust` and the sender
/// allowing `allow`; answers why it was refused, checking nothing reached the sink.
async fn email_refusal(allow: &[&str], adjust: impl FnOnce(&mut SmtpConfig)) -> String {
    let sink = SmtpSink::start().await;
    let mut smtp = smtp_config(&sink);
    adjust(&mut smtp);
    let config = DeliveryConfig {
        smtp: Some(smtp),
        ..config(allow)
    };
    let page = sample(MessageKind::Page, Channel::Email);
    let destination = Destination::Email {
        address: "ada@example.org".into(),
    };
    let outcome = sender(&config)
        .send(&destination, delivery(&page, &key()))
        .await;
    assert!(sink.received().is_empty(), "nothing reached the sink");
    refused_reason(outcome)
}

#[tokio::test]
async fn the_smtp_relay_address_is_checked_too() {
    let reason = email_refusal(&[], |smtp| smtp.host = "localhost".into()).await;
    assert!(reason.contains("loopback"), "{reason}");
}

#[tokio::test]
async fn starttls_is_required_when_configured_so_mail_never_goes_in_plain_text() {
    let reason = email_refusal(&["127.0.0.1"], |smtp| {
        smtp.security = SmtpSecurity::StartTls
    })
    .await;
    assert!(reason.to_lowercase().contains("starttls"), "{reason}");
}
