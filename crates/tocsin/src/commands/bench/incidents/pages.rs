//! The console pages of `tocsin bench incidents --pages`: the owner (involved in no incident) and
//! the participant (in every other restricted incident: 2,500 of a million) sign in through the
//! login form like a browser, then the home page (as each), the incident list (plain and
//! filtered) and incident pages are timed with the incidents seeded (budget: rendered within
//! 50 ms at p99).
use std::time::Duration;

use anyhow::Context;

use super::measure::{Case, Reader};
use super::seed::Seeded;

pub const PAGE_BUDGET: Duration = Duration::from_millis(50);

/// A client holding a console session of the person with `email` and `password`.
pub async fn signed_in(base: &str, email: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot build the browser client")?;
    let form = browser
        .get(format!("{base}/login"))
        .send()
        .await
        .context("GET /login")?
        .text()
        .await
        .context("read /login")?;
    let csrf = hidden_value(&form, "csrf_token").context("the login form has no CSRF token")?;
    let answer = browser
        .post(format!("{base}/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .context("POST /login")?;
    anyhow::ensure!(
        answer.status().as_u16() == 303,
        "signing in as {email} answered {}",
        answer.status()
    );
    Ok(browser)
}

fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The page cases, read by the owner's `browser` but for the participant's home page.
pub fn cases(
    base: &str,
    browser: reqwest::Client,
    participant: reqwest::Client,
    seeded: &Seeded,
) -> Vec<Case> {
    let reader = Reader::Browser(browser);
    let page = |name: &str, urls: Vec<String>| Case {
        name: name.to_owned(),
        urls,
        reader: reader.clone(),
        filtered: false,
    };
    let service = seeded.services[0];
    vec![
        page("page: home", vec![format!("{base}/")]),
        Case {
            name: "page: home, as the participant".to_owned(),
            urls: vec![format!("{base}/")],
            reader: Reader::Browser(participant),
            filtered: false,
        },
        page("page: incident list", vec![format!("{base}/incidents")]),
        page(
            "page: incident list, status=triggered",
            vec![format!("{base}/incidents?status=triggered")],
        ),
        page(
            "page: incident list, service",
            vec![format!("{base}/incidents?service_id={service}")],
        ),
        page(
            "page: one incident",
            seeded
                .sample
                .iter()
                .map(|id| format!("{base}/incidents/{id}"))
                .collect(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_token_is_read_from_the_form() {
        let html = r#"<input type="hidden" name="csrf_token" value="abc123"><input name="next" value="/">"#;
        assert_eq!(hidden_value(html, "csrf_token").as_deref(), Some("abc123"));
        assert_eq!(hidden_value(html, "missing"), None);
    }
}
