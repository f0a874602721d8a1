//! Helpers shared by the contact-method tests: creating methods, reading a sent code back from a
//! sink's message, and verifying a webhook method through the webhook sink.
#![allow(dead_code)]

use serde_json::{Value, json};
use tocsin_testkit::Client;
use tocsin_testkit::sinks::WebhookSink;

/// The id of the user `client` acts as.
pub async fn me(client: &Client) -> String {
    let me = client.get("/api/v1/me").await.expect_status(200).json();
    me["id"].as_str().expect("my id").to_owned()
}

/// The path of a user's contact methods.
pub fn methods(user: &str) -> String {
    format!("/api/v1/users/{user}/contact-methods")
}

/// Creates a contact method; answers its JSON (201 expected).
pub async fn create(client: &Client, user: &str, channel: &str, address: &str) -> Value {
    client
        .post(
            &methods(user),
            &json!({"channel": channel, "address": address, "label": channel}),
        )
        .await
        .expect_status(201)
        .json()
}

/// The 6-digit code following "code is " in a message.
pub fn code_in(text: &str) -> String {
    let start = text.find("code is ").expect("a verification message") + "code is ".len();
    let code: String = text[start..]
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    assert_eq!(code.len(), 6, "{text}");
    code
}

/// Asks for a code for `method` (200 expected).
pub async fn request_code(client: &Client, user: &str, method: &str) -> Value {
    client
        .post(
            &format!("{}/{method}/verification", methods(user)),
            &json!({}),
        )
        .await
        .expect_status(200)
        .json()
}

/// Enters `code` for `method`.
pub async fn enter(
    client: &Client,
    user: &str,
    method: &str,
    code: &str,
) -> tocsin_testkit::TestResponse {
    client
        .post(
            &format!("{}/{method}/verify", methods(user)),
            &json!({"code": code}),
        )
        .await
}

/// The code of the latest request the webhook sink received.
pub fn latest_webhook_code(sink: &WebhookSink) -> String {
    let requests = sink.requests();
    let last = requests.last().expect("a webhook request");
    code_in(&last.body_text())
}

/// A verified webhook method of `user` posting to `sink`; answers its id.
pub async fn verified_webhook(
    client: &Client,
    user: &str,
    sink: &WebhookSink,
    path: &str,
) -> String {
    let created = create(client, user, "webhook", &sink.url(path)).await;
    let id = created["id"].as_str().expect("id").to_owned();
    request_code(client, user, &id).await;
    let code = latest_webhook_code(sink);
    enter(client, user, &id, &code).await.expect_status(200);
    id
}
