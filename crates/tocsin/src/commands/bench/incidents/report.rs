//! Printing the incidents bench: one row per case (p50/p95/p99/max in milliseconds) and the
//! verdict against the budget: a filtered first page answers within 20 ms at p99.
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::measure::{Case, Measured, Reader};
use super::pages::PAGE_BUDGET;

pub const P99_BUDGET: Duration = Duration::from_millis(20);

pub fn bar(length: usize, message: &str) -> ProgressBar {
    let bar = ProgressBar::new(length as u64);
    let style =
        ProgressStyle::with_template("{msg:<44} [{bar:30}] {pos}/{len} ({per_sec}, {elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_message(message.to_owned());
    bar
}

fn ms(value: Option<Duration>) -> String {
    value.map_or_else(
        || "-".to_owned(),
        |d| format!("{:.2}", d.as_secs_f64() * 1000.0),
    )
}

pub fn print_table(rows: &[(Case, Measured)]) {
    println!();
    println!("Incident reads over HTTP, one request at a time (milliseconds, body received)");
    println!(
        "  {:<40} {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "case", "requests", "items", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"
    );
    for (case, measured) in rows {
        let run = &measured.latencies;
        println!(
            "  {:<40} {:>8} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7}",
            case.name,
            run.measured.len(),
            measured
                .items
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
            ms(run.quantile(0.5)),
            ms(run.quantile(0.95)),
            ms(run.quantile(0.99)),
            ms(run.measured.last().copied()),
            run.errors,
        );
    }
    for (case, measured) in rows {
        if let Some(error) = &measured.latencies.first_error {
            println!("  first error of {}: {error}", case.name);
        }
    }
}

/// The verdict over the filtered first pages: the worst p99 against the budget.
pub fn print_verdict(rows: &[(Case, Measured)]) {
    println!();
    let worst = rows
        .iter()
        .filter(|(case, _)| case.filtered)
        .filter_map(|(case, m)| m.latencies.quantile(0.99).map(|p99| (p99, case, m)))
        .max_by_key(|(p99, _, _)| *p99);
    let failed = rows.iter().any(|(case, m)| {
        case.filtered && (m.latencies.errors > 0 || m.latencies.measured.is_empty())
    });
    match worst {
        Some((p99, case, _)) if !failed => println!(
            "Verdict: filtered first page p99 <= {} ms: {} (worst {} ms, {})",
            P99_BUDGET.as_millis(),
            if p99 <= P99_BUDGET { "PASS" } else { "FAIL" },
            ms(Some(p99)),
            case.name.trim(),
        ),
        _ => println!(
            "Verdict: filtered first page p99 <= {} ms: FAIL (requests failed)",
            P99_BUDGET.as_millis()
        ),
    }
}

/// The verdict over the console pages: the worst p99 against the page-render budget.
pub fn print_page_verdict(rows: &[(Case, Measured)]) {
    let pages: Vec<_> = rows
        .iter()
        .filter(|(case, _)| matches!(case.reader, Reader::Browser(_)))
        .collect();
    let failed = pages
        .iter()
        .any(|(_, m)| m.latencies.errors > 0 || m.latencies.measured.is_empty());
    let worst = pages
        .iter()
        .filter_map(|(case, m)| m.latencies.quantile(0.99).map(|p99| (p99, case)))
        .max_by_key(|(p99, _)| *p99);
    match worst {
        Some((p99, case)) if !failed => println!(
            "Verdict: console page p99 <= {} ms: {} (worst {} ms, {})",
            PAGE_BUDGET.as_millis(),
            if p99 <= PAGE_BUDGET { "PASS" } else { "FAIL" },
            ms(Some(p99)),
            case.name.trim(),
        ),
        _ => println!(
            "Verdict: console page p99 <= {} ms: FAIL (requests failed)",
            PAGE_BUDGET.as_millis()
        ),
    }
}
