//! Preparing the paging bench through the public API: the owner gets a webhook contact method
//! pointing at the bench's sink (verified with the code the sink receives), an escalation policy
//! pages the owner, and three services share it or not: `latency` (one step, pages at once),
//! `lateness` (two steps a minute apart, paging a user nobody can reach, so only timers run) and
//! `background` (no policy: load that pages nobody).
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};
use tocsin_domain::alerting::lifecycle::MAX_OPEN_ALERTS_LIMIT;

use super::super::setup::send;
use super::sink::LatencySink;

/// The PagerDuty Events v2 routing keys of the three services.
pub struct Prepared {
    pub latency_key: String,
    pub lateness_key: String,
    pub background_key: String,
}

pub async fn prepare(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    sink: &LatencySink,
    nonce: u32,
) -> anyhow::Result<Prepared> {
    let api = |path: &str| format!("{base}/api/v1{path}");
    let me = get(client, &api("/me"), token).await?;
    let owner = me["id"].as_str().context("/me has no id")?.to_owned();
    let method = send(
        client,
        reqwest::Method::POST,
        &api(&format!("/users/{owner}/contact-methods")),
        token,
        &json!({ "channel": "webhook", "address": format!("{}/tocsin", sink.base_url), "label": "bench sink" }),
    )
    .await
    .context("cannot add the bench's webhook contact method")?;
    let method_id = method["id"].as_str().context("no contact method id")?;
    let code = sink.expect_code();
    send(
        client,
        reqwest::Method::POST,
        &api(&format!(
            "/users/{owner}/contact-methods/{method_id}/verification"
        )),
        token,
        &json!({}),
    )
    .await
    .context("cannot send the verification code")?;
    let code = tokio::time::timeout(Duration::from_secs(10), code)
        .await
        .context("the verification code did not arrive")?
        .context("the sink stopped")?;
    send(
        client,
        reqwest::Method::POST,
        &api(&format!(
            "/users/{owner}/contact-methods/{method_id}/verify"
        )),
        token,
        &json!({ "code": code }),
    )
    .await
    .context("cannot verify the bench's contact method")?;
    let unreachable = send(
        client,
        reqwest::Method::POST,
        &api("/users"),
        token,
        &json!({ "email": format!("unreachable-{nonce:08x}@bench.invalid"), "name": "Unreachable", "role": "responder" }),
    )
    .await
    .context("cannot create the unreachable user")?;
    let unreachable = unreachable["id"].as_str().context("no user id")?.to_owned();
    let pages_owner = policy(
        client,
        base,
        token,
        &format!("page at once {nonce:08x}"),
        json!([
            { "delay_minutes": 1, "targets": [{ "kind": "user", "user_id": owner }] },
        ]),
    )
    .await?;
    let two_steps = policy(
        client,
        base,
        token,
        &format!("two timers {nonce:08x}"),
        json!([
            { "delay_minutes": 1, "targets": [{ "kind": "user", "user_id": unreachable }] },
            { "delay_minutes": 1, "targets": [{ "kind": "user", "user_id": unreachable }] },
        ]),
    )
    .await?;
    Ok(Prepared {
        latency_key: service(
            client,
            base,
            token,
            &format!("latency {nonce:08x}"),
            Some(&pages_owner),
        )
        .await?,
        lateness_key: service(
            client,
            base,
            token,
            &format!("lateness {nonce:08x}"),
            Some(&two_steps),
        )
        .await?,
        background_key: service(
            client,
            base,
            token,
            &format!("background {nonce:08x}"),
            None,
        )
        .await?,
    })
}

async fn policy(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
    steps: Value,
) -> anyhow::Result<String> {
    let created = send(
        client,
        reqwest::Method::POST,
        &format!("{base}/api/v1/escalation-policies"),
        token,
        &json!({ "name": name, "steps": steps }),
    )
    .await
    .with_context(|| format!("cannot create the escalation policy {name:?}"))?;
    Ok(created["id"].as_str().context("no policy id")?.to_owned())
}

/// Creates a service (with `policy`, its open-alert cap lifted) and a PagerDuty key; answers the
/// routing key.
async fn service(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
    policy: Option<&str>,
) -> anyhow::Result<String> {
    let service = send(
        client,
        reqwest::Method::POST,
        &format!("{base}/api/v1/services"),
        token,
        &json!({ "name": name }),
    )
    .await
    .with_context(|| format!("cannot create the service {name:?}"))?;
    let id = service["id"].as_str().context("no service id")?;
    send(
        client,
        reqwest::Method::PUT,
        &format!("{base}/api/v1/services/{id}/incident-lifecycle"),
        token,
        &json!({ "max_open_alerts": MAX_OPEN_ALERTS_LIMIT }),
    )
    .await
    .context("cannot lift the open-alert cap")?;
    if let Some(policy) = policy {
        send(
            client,
            reqwest::Method::PUT,
            &format!("{base}/api/v1/services/{id}/escalation-policy"),
            token,
            &json!({ "policy_id": policy }),
        )
        .await
        .context("cannot point the service at its escalation policy")?;
    }
    let key = send(
        client,
        reqwest::Method::POST,
        &format!("{base}/api/v1/services/{id}/integration-keys"),
        token,
        &json!({ "name": "paging bench", "kind": "pagerduty" }),
    )
    .await
    .context("cannot create the integration key")?;
    Ok(key["secret"].as_str().context("no key secret")?.to_owned())
}

async fn get(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Value> {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("GET {url} failed"))?;
    let status = response.status();
    anyhow::ensure!(status.is_success(), "GET {url} answered {status}");
    response
        .json()
        .await
        .with_context(|| format!("GET {url} did not answer JSON"))
}
