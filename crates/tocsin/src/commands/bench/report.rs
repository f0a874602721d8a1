//! The printed tables: each system's scenarios, the Tocsin/Alertmanager ratios with the budgets
//! (single-alert >= 2x, batches >= 3x), the request floor (what the same load generator gets from
//! each server when a request does no work at all), and resident memory per active alert (<= 1 KB).
use std::time::Duration;

use super::load::{Outcome, Scenario};
use super::memory::Footprint;

/// Single-alert requests: Tocsin must take at least this many times Alertmanager's alerts/s.
pub const SINGLE_BUDGET: f64 = 2.0;
/// Batched requests: the same, for batches.
pub const BATCH_BUDGET: f64 = 3.0;
/// Resident memory per active alert, in KB.
pub const MEMORY_BUDGET_KB: f64 = 1.0;

/// Everything measured on one system.
#[derive(Debug, Default)]
pub struct SystemReport {
    pub name: &'static str,
    pub target: String,
    pub rows: Vec<(Scenario, Outcome)>,
    /// Bodiless `GET`s of the server's health endpoint: the most requests per second this load
    /// generator gets from that server on this machine when a request stores nothing.
    pub floor: Option<Outcome>,
    pub memory: Option<Footprint>,
    /// Why memory was not measured.
    pub memory_note: Option<String>,
}

fn ms(latency: Option<Duration>) -> String {
    latency.map_or_else(
        || "-".to_owned(),
        |d| format!("{:.2}", d.as_secs_f64() * 1e3),
    )
}

/// One system's scenario table.
pub fn print_system(report: &SystemReport) {
    println!();
    println!("{} ({})", report.name, report.target);
    println!(
        "  {:<30} {:>8} {:>8} {:>11} {:>8} {:>8} {:>7}",
        "scenario", "alerts", "requests", "alerts/s", "p50 ms", "p99 ms", "errors"
    );
    let floor = report.floor.as_ref().map(|floor| (&FLOOR_ROW, floor));
    for (scenario, outcome) in report.rows.iter().map(|(s, o)| (s, o)).chain(floor) {
        let cut = if outcome.cut_short {
            " (time limit)"
        } else {
            ""
        };
        println!(
            "  {:<30} {:>8} {:>8} {:>11.0} {:>8} {:>8} {:>7}{cut}",
            scenario.name,
            outcome.accepted_alerts,
            outcome.requests,
            outcome.alerts_per_second(),
            ms(outcome.latency(0.50)),
            ms(outcome.latency(0.99)),
            outcome.errors,
        );
        if let Some(error) = &outcome.first_error {
            println!("    first error: {error}");
        }
    }
}

/// How the request floor is labelled in a system's table (its "alerts" are requests).
pub const FLOOR_ROW: Scenario = Scenario {
    name: "request floor: GET health",
    tag: 0,
    per_request: 1,
    repeated: false,
    batch: false,
};

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

/// The ratios Tocsin/Alertmanager per scenario, against the budgets.
pub fn print_ratios(tocsin: &SystemReport, peer: &SystemReport) {
    println!();
    println!("Tocsin / Alertmanager (alerts/s)");
    println!(
        "  {:<30} {:>11} {:>13} {:>8} {:>7} {:>8}",
        "scenario", "Tocsin", "Alertmanager", "ratio", "budget", "verdict"
    );
    for ((scenario, ours), (_, theirs)) in tocsin.rows.iter().zip(&peer.rows) {
        let budget = if scenario.batch {
            BATCH_BUDGET
        } else {
            SINGLE_BUDGET
        };
        let (ours, theirs) = (ours.alerts_per_second(), theirs.alerts_per_second());
        let ratio = (theirs > 0.0).then(|| ours / theirs);
        let shown = ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"));
        let wanted = format!(">={budget}x");
        println!(
            "  {:<30} {:>11.0} {:>13.0} {:>8} {:>7} {:>8}",
            scenario.name,
            ours,
            theirs,
            shown,
            wanted,
            ratio.map_or("-", |r| verdict(r >= budget)),
        );
    }
    print_floor(tocsin, peer);
}

/// What the single-alert budget asks of Tocsin next to what Tocsin serves when a request does
/// nothing: a budget above the floor cannot be met by any change behind the HTTP layer.
fn print_floor(tocsin: &SystemReport, peer: &SystemReport) {
    let (Some(ours), Some(theirs)) = (&tocsin.floor, &peer.floor) else {
        return;
    };
    let single = peer
        .rows
        .iter()
        .find(|(scenario, _)| !scenario.batch && !scenario.repeated);
    println!();
    println!("Request floor (bodiless GET of a health endpoint: nothing parsed, nothing stored)");
    println!(
        "  Tocsin {:.0} requests/s, Alertmanager {:.0} requests/s",
        ours.alerts_per_second(),
        theirs.alerts_per_second()
    );
    if let Some((_, single)) = single {
        let needed = SINGLE_BUDGET * single.alerts_per_second();
        println!(
            "  single-alert budget needs {needed:.0} alerts/s ({SINGLE_BUDGET} x Alertmanager's distinct rate): {}",
            floor_verdict(needed, ours.alerts_per_second())
        );
    }
}

/// Whether a needed rate of one-alert requests is within the request floor.
fn floor_verdict(needed: f64, floor: f64) -> String {
    if needed > floor {
        format!(
            "{:.2}x Tocsin's floor, out of reach on this machine however little a request does",
            needed / floor.max(f64::MIN_POSITIVE)
        )
    } else {
        format!("{:.0}% of Tocsin's floor", 100.0 * needed / floor)
    }
}

/// Resident memory per active alert, for each system measured.
pub fn print_memory(systems: &[&SystemReport]) {
    println!();
    println!("Resident memory per active alert");
    println!(
        "  {:<14} {:>8} {:>12} {:>12} {:>9} {:>8} {:>8}",
        "system", "alerts", "RSS before", "RSS after", "KB/alert", "budget", "verdict"
    );
    for system in systems {
        let Some(footprint) = system.memory else {
            let note = system.memory_note.as_deref().unwrap_or("not measured");
            println!("  {:<14} {note}", system.name);
            continue;
        };
        let per_alert = footprint.kb_per_alert();
        let (budget, judged) = if system.name == "Tocsin" {
            (
                format!("<={MEMORY_BUDGET_KB} KB"),
                per_alert.map_or("-", |kb| verdict(kb <= MEMORY_BUDGET_KB)),
            )
        } else {
            ("-".to_owned(), "-")
        };
        println!(
            "  {:<14} {:>8} {:>9} KB {:>9} KB {:>9} {:>8} {:>8}",
            system.name,
            footprint.alerts,
            footprint.before_kb,
            footprint.after_kb,
            per_alert.map_or_else(|| "-".to_owned(), |kb| format!("{kb:.3}")),
            budget,
            judged,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_need_above_the_floor_is_out_of_reach() {
        assert_eq!(
            floor_verdict(30_000.0, 20_000.0),
            "1.50x Tocsin's floor, out of reach on this machine however little a request does"
        );
        assert_eq!(floor_verdict(10_000.0, 40_000.0), "25% of Tocsin's floor");
    }
}
