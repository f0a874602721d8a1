//! Timing the list and detail reads (JSON API or console pages) over HTTP, one request at a
//! time, each case bounded by a number of requests and a duration. The latencies are kept like the paging bench's
//! (`Latencies`, with its quantiles).
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use serde_json::Value;

use super::super::paging::latency::Latencies;

/// Requests sent before timing each case, to warm the connection and the caches.
const WARM_UP: usize = 20;

/// One row of the table: what is read, as whom.
pub struct Case {
    pub name: String,
    /// Requests cycle through these (one for a list page, many for detail reads).
    pub urls: Vec<String>,
    pub reader: Reader,
    /// A filtered first page: judged against the budget.
    pub filtered: bool,
}

/// Who reads: an API token, or a browser session (a client holding the session cookie) reading
/// console pages, whose budget is the page-render one.
#[derive(Clone)]
pub enum Reader {
    Token(String),
    Browser(reqwest::Client),
}

/// What one case measured.
pub struct Measured {
    pub latencies: Latencies,
    /// Items on the first answer (1 for a detail read).
    pub items: Option<usize>,
}

pub async fn run(
    client: &reqwest::Client,
    case: &Case,
    requests: usize,
    limit: Duration,
    bar: ProgressBar,
) -> Measured {
    let mut latencies = Latencies::default();
    let mut items = None;
    for (index, url) in case.urls.iter().cycle().take(WARM_UP).enumerate() {
        let answer = fetch(client, url, &case.reader).await;
        if index == 0 {
            items = answer.ok().map(|body| count(&body));
        }
    }
    let deadline = Instant::now() + limit;
    for url in case.urls.iter().cycle().take(requests) {
        if Instant::now() >= deadline {
            break;
        }
        let sent = Instant::now();
        match fetch(client, url, &case.reader).await {
            Ok(_) => latencies.measured.push(sent.elapsed()),
            Err(error) => {
                latencies.errors += 1;
                latencies.first_error.get_or_insert(error);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    latencies.measured.sort_unstable();
    Measured { latencies, items }
}

/// One GET, the body read in full (the time includes receiving it); a page answers its HTML as a
/// JSON string.
async fn fetch(client: &reqwest::Client, url: &str, reader: &Reader) -> Result<Value, String> {
    let request = match reader {
        Reader::Token(token) => client.get(url).bearer_auth(token),
        Reader::Browser(browser) => browser.get(url),
    };
    let response = request.send().await.map_err(|error| error.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("GET {url} answered {status}"));
    }
    match reader {
        Reader::Token(_) => response.json().await.map_err(|error| error.to_string()),
        Reader::Browser(_) => response
            .text()
            .await
            .map(Value::String)
            .map_err(|error| error.to_string()),
    }
}

/// The items of a page (table rows of an HTML page), or 1 for a single incident.
fn count(body: &Value) -> usize {
    match body {
        Value::String(html) => html.matches("<tr").count().saturating_sub(1),
        _ => body["items"].as_array().map_or(1, Vec::len),
    }
}
