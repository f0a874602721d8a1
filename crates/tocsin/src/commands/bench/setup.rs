//! Preparing a Tocsin to receive the load: a service of its own (with the highest open-alert cap,
//! so distinct alerts are stored rather than folded into a counter) and an `alertmanager`
//! integration key, made through the public API with the bearer token.
use anyhow::Context;
use serde_json::{Value, json};
use tocsin_domain::alerting::lifecycle::MAX_OPEN_ALERTS_LIMIT;

/// Creates a service and a key; answers the webhook URL to post to.
pub async fn webhook_url(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    nonce: u32,
) -> anyhow::Result<String> {
    let base_url = base_url.trim_end_matches('/');
    let service = send(
        client,
        reqwest::Method::POST,
        &format!("{base_url}/api/v1/services"),
        token,
        &json!({ "name": format!("Ingest bench {nonce:08x}") }),
    )
    .await
    .context("cannot create the bench service")?;
    let service_id = service["id"]
        .as_str()
        .context("the created service has no id")?;
    send(
        client,
        reqwest::Method::PUT,
        &format!("{base_url}/api/v1/services/{service_id}/incident-lifecycle"),
        token,
        &json!({ "max_open_alerts": MAX_OPEN_ALERTS_LIMIT }),
    )
    .await
    .context("cannot lift the bench service's open-alert cap")?;
    let key = send(
        client,
        reqwest::Method::POST,
        &format!("{base_url}/api/v1/services/{service_id}/integration-keys"),
        token,
        &json!({ "name": "ingest bench", "kind": "alertmanager" }),
    )
    .await
    .context("cannot create the bench integration key")?;
    let secret = key["secret"]
        .as_str()
        .context("the created key has no secret")?;
    Ok(format!(
        "{base_url}/api/v1/integrations/{secret}/alertmanager"
    ))
}

pub(super) async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: &Value,
) -> anyhow::Result<Value> {
    let response = client
        .request(method.clone(), url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .with_context(|| format!("{method} {url} failed"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    anyhow::ensure!(
        status.is_success(),
        "{method} {url} answered {status}: {text}"
    );
    serde_json::from_str(&text).with_context(|| format!("{method} {url} did not answer JSON"))
}
