//! `tocsin incident declare`: declares an incident on a running Tocsin through its API, so the
//! declaration follows the same rules, permissions and timeline as one made in the browser.
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Value, json};

use crate::cli::DeclareArgs;

/// Declares the incident and prints its number, title and address; a refusal prints each field at
/// fault and exits 1.
pub async fn declare(args: DeclareArgs) -> anyhow::Result<ExitCode> {
    let base = args.url.trim_end_matches('/').to_owned();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .context("cannot build the HTTP client")?;
    let service = resolve_service(&client, &base, &args.token, &args.service).await?;
    let mut body = json!({
        "title": args.title,
        "service_id": service,
        "severity": args.severity,
        "tags": args.tags,
        "page": !args.no_page,
    });
    for (key, value) in [
        ("summary", args.summary),
        ("incident_type", args.incident_type),
        ("visibility", args.visibility),
    ] {
        if let Some(value) = value {
            body[key] = Value::String(value);
        }
    }
    let response = client
        .post(format!("{base}/api/v1/incidents"))
        .bearer_auth(&args.token)
        .json(&body)
        .send()
        .await
        .with_context(|| format!("cannot reach Tocsin at {base}"))?;
    let status = response.status();
    let answer: Value = response
        .json()
        .await
        .with_context(|| format!("Tocsin at {base} answered {status} without JSON"))?;
    if !status.is_success() {
        eprintln!("{}", describe_problem(&answer, status.as_u16()));
        return Ok(ExitCode::from(1));
    }
    let number = answer["number"].as_i64().unwrap_or_default();
    let id = answer["id"].as_str().unwrap_or_default();
    println!(
        "Declared incident #{number}: {}",
        answer["title"].as_str().unwrap_or_default()
    );
    println!(
        "  status:     {}",
        answer["status"].as_str().unwrap_or_default()
    );
    println!(
        "  visibility: {}",
        answer["visibility"].as_str().unwrap_or_default()
    );
    println!("  {base}/api/v1/incidents/{id}");
    Ok(ExitCode::SUCCESS)
}

/// The service's id: `service` is an id, or a service's exact name.
async fn resolve_service(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    service: &str,
) -> anyhow::Result<String> {
    if uuid::Uuid::parse_str(service).is_ok() {
        return Ok(service.to_owned());
    }
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            None => format!("{base}/api/v1/services?limit=200"),
            Some(cursor) => format!("{base}/api/v1/services?limit=200&cursor={cursor}"),
        };
        let response = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .with_context(|| format!("cannot reach Tocsin at {base}"))?;
        let status = response.status();
        let page: Value = response
            .json()
            .await
            .context("the service list is not JSON")?;
        if !status.is_success() {
            anyhow::bail!("{}", describe_problem(&page, status.as_u16()));
        }
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if let Some(found) = items.iter().find(|s| s["name"].as_str() == Some(service)) {
            return Ok(found["id"].as_str().unwrap_or_default().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => anyhow::bail!("no service is named {service:?} (give its name or id)"),
        }
    }
}

/// A problem document in lines a person reads: the title or detail, then each field at fault.
pub fn describe_problem(problem: &Value, status: u16) -> String {
    let detail = problem["detail"]
        .as_str()
        .or(problem["title"].as_str())
        .unwrap_or("the request was refused");
    let mut text = format!("error: {detail} (HTTP {status})");
    for error in problem["errors"].as_array().into_iter().flatten() {
        let pointer = error["pointer"].as_str().unwrap_or("");
        let field = pointer.trim_start_matches('/').replace('/', ".");
        text.push_str(&format!(
            "\n  --{}: {}",
            if field.is_empty() { "request" } else { &field },
            error["detail"].as_str().unwrap_or("")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_each_field_as_an_option() {
        let problem = json!({
            "title": "Validation failed", "detail": "invalid input",
            "errors": [{"pointer": "/title", "detail": "must be 1 to 255 characters"},
                       {"pointer": "/tags/1", "detail": "must be 1 to 64 characters without spaces"}],
        });
        let text = describe_problem(&problem, 422);
        assert!(
            text.starts_with("error: invalid input (HTTP 422)"),
            "{text}"
        );
        assert!(
            text.contains("--title: must be 1 to 255 characters"),
            "{text}"
        );
        assert!(text.contains("--tags.1: must be"), "{text}");
    }
}
