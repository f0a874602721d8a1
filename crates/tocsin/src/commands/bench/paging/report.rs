//! Printing the paging bench: the latency table, the timer lateness, and the verdicts against
//! the budgets (p50 <= 2 ms and p99 <= 10 ms idle; timers at most 50 ms late at p99).
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::latency::Latencies;
use super::lateness::Lateness;

const P50_BUDGET: Duration = Duration::from_millis(2);
const P99_BUDGET: Duration = Duration::from_millis(10);
const LATENESS_BUDGET: Duration = Duration::from_millis(50);

pub fn bar(length: usize, message: &str) -> ProgressBar {
    let bar = ProgressBar::new(length as u64);
    let style =
        ProgressStyle::with_template("{msg:<40} [{bar:30}] {pos}/{len} ({per_sec}, {elapsed})")
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

pub fn print_latencies(rows: &[(&str, &str, &Latencies)]) {
    println!();
    println!(
        "Alert accepted -> first notification at the local webhook sink (one alert at a time)"
    );
    println!(
        "  {:<13} {:<13} {:>7} {:>8} {:>8} {:>8} {:>6} {:>7} {:>14}",
        "system", "load", "alerts", "p50 ms", "p99 ms", "max ms", "lost", "errors", "background/s"
    );
    for (system, load, run) in rows {
        println!(
            "  {:<13} {:<13} {:>7} {:>8} {:>8} {:>8} {:>6} {:>7} {:>14}",
            system,
            load,
            run.measured.len(),
            ms(run.quantile(0.5)),
            ms(run.quantile(0.99)),
            ms(run.measured.last().copied()),
            run.lost,
            run.errors,
            run.background_per_second
                .map_or_else(|| "-".to_owned(), |rate| format!("{rate:.0}")),
        );
        if let Some(error) = &run.first_error {
            println!("      first error: {error}");
        }
    }
}

pub fn print_lateness(run: &Lateness) {
    println!();
    println!(
        "Escalation timers: {} incidents opened, {} timers pending when the second steps came due",
        run.opened, run.pending_at_peak
    );
    println!(
        "  second-step pages committed after their due instant: p50 {} ms, p99 {} ms, max {} ms \
         ({} measured{})",
        ms(run.quantile(0.5)),
        ms(run.quantile(0.99)),
        ms(run.late.last().copied()),
        run.late.len(),
        if run.missed > 0 {
            format!(", {} bus events missed", run.missed)
        } else {
            String::new()
        },
    );
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "NOT met",
        None => "not measured",
    }
}

pub fn print_verdicts(idle: &Latencies, lateness: Option<&Lateness>, peer: Option<&Latencies>) {
    println!();
    println!("Budgets");
    let p50 = idle.quantile(0.5);
    let p99 = idle.quantile(0.99);
    let late = lateness.and_then(|run| run.quantile(0.99));
    println!(
        "  p50 <= 2 ms idle:            {:>8} ms  {}",
        ms(p50),
        verdict(p50.map(|d| d <= P50_BUDGET))
    );
    println!(
        "  p99 <= 10 ms idle:           {:>8} ms  {}",
        ms(p99),
        verdict(p99.map(|d| d <= P99_BUDGET))
    );
    println!(
        "  timers p99 <= 50 ms late:    {:>8} ms  {}",
        ms(late),
        verdict(late.map(|d| d <= LATENESS_BUDGET))
    );
    if let Some(peer) = peer {
        let ratio = |ours: Option<Duration>, theirs: Option<Duration>| match (ours, theirs) {
            (Some(ours), Some(theirs)) if !ours.is_zero() => {
                format!("{:.2}x", theirs.as_secs_f64() / ours.as_secs_f64())
            }
            _ => "-".to_owned(),
        };
        println!(
            "  Alertmanager idle p50 / Tocsin idle p50: {}   p99: {}  (above 1x: Tocsin pages sooner)",
            ratio(p50, peer.quantile(0.5)),
            ratio(p99, peer.quantile(0.99)),
        );
    }
}
