//! Preparing a Tocsin to receive the load: a service of its own and an `alertmanager` integration
//! key, made through the public API with the bearer token.
use anyhow::Context;
use serde_json::{Value, json};

/// Creates a service and a key; answers the webhook URL to post to.
pub async fn webhook_url(
    client: &reqwest::Client,
    base_url: &str,
    token: &str,
    nonce: u32,
) -> anyhow::Result<String> {
    let base_url = base_url.trim_end_matches('/');
    let service = post(
        client,
        &format!("{base_url}/api/v1/services"),
        token,
        &json!({ "name": format!("Ingest bench {nonce:08x}") }),
    )
    .await
    .context("cannot create the bench service")?;
    let service_id = service["id"]
        .as_str()
        .context("the created service has no id")?;
    let key = post(
        client,
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

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> anyhow::Result<Value> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .with_context(|| format!("POST {url} failed"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    anyhow::ensure!(status.is_success(), "POST {url} answered {status}: {text}");
    serde_json::from_str(&text).with_context(|| format!("POST {url} did not answer JSON"))
}
