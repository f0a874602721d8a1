//! `tocsin bench ingest` end to end with tiny numbers and no peer: it starts its own server,
//! sends every scenario, measures memory and prints the tables. Only the output's shape is
//! checked, never a speed.
use crate::support::{run, tocsin};

#[test]
fn bench_ingest_runs_end_to_end_and_prints_its_tables() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let (output, stdout, stderr) = run(tocsin(dir.path()).args([
        "bench",
        "ingest",
        "--alerts",
        "200",
        "--concurrency",
        "4",
        "--batch-size",
        "20",
        "--memory-alerts",
        "400",
        "--duration-limit",
        "120",
        "--no-peer",
    ]));
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for heading in [
        "Ingest bench: 200 alerts per scenario, 4 requests in flight, batches of 20",
        "Tocsin (http://127.0.0.1:",
        "answered after commit",
        "alerts/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "No Alertmanager to compare with",
        "Resident memory per active alert",
        "KB/alert",
    ] {
        assert!(stdout.contains(heading), "no {heading:?} in:\n{stdout}");
    }
    for scenario in [
        "single alert, distinct",
        "single alert, repeated",
        "batch, distinct",
        "batch, repeated",
    ] {
        let row = stdout
            .lines()
            .find(|line| line.trim_start().starts_with(scenario))
            .unwrap_or_else(|| panic!("no row for {scenario:?} in:\n{stdout}"));
        let columns: Vec<&str> = row.trim_start()[scenario.len()..]
            .split_whitespace()
            .collect();
        assert_eq!(columns[0], "200", "every alert accepted: {row}");
        assert_eq!(columns[5], "0", "no errors: {row}");
    }
    let memory = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("Tocsin ") && line.contains(" KB "))
        .unwrap_or_else(|| panic!("no memory row in:\n{stdout}"));
    assert!(memory.contains(" 400 "), "400 alerts opened: {memory}");
}

/// The columns after a row's case name in the incidents bench table.
fn incident_row<'a>(stdout: &'a str, case: &str) -> Vec<&'a str> {
    let row = stdout
        .lines()
        .find(|line| line.trim_start().starts_with(case))
        .unwrap_or_else(|| panic!("no row for {case:?} in:\n{stdout}"));
    row.trim_start()[case.len()..].split_whitespace().collect()
}

/// `tocsin bench incidents` with tiny numbers, plus `extra` flags; answers its output.
fn bench_incidents(dir: &std::path::Path, extra: &[&str]) -> String {
    let (output, stdout, stderr) = run(tocsin(dir)
        .args([
            "bench",
            "incidents",
            "--incidents",
            "3000",
            "--services",
            "10",
            "--requests",
            "50",
            "--duration-limit",
            "120",
        ])
        .args(extra));
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

#[test]
fn bench_incidents_seeds_measures_every_case_and_prints_the_verdict() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let stdout = bench_incidents(dir.path(), &[]);
    assert!(
        stdout.contains("(SQLite, Tocsin in this process"),
        "{stdout}"
    );
    check_incident_table(&stdout);
}

#[tokio::test]
async fn bench_incidents_runs_on_a_fresh_postgresql_database_when_given_one() {
    let Some(target) = crate::support::targets()
        .await
        .into_iter()
        .find(|t| t.name() == "postgres")
    else {
        eprintln!("bench incidents on PostgreSQL: skipped, TOCSIN_TEST_DATABASE_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().expect("a scratch directory");
    let (path, flags) = (dir.path().to_owned(), target.args.clone());
    let stdout = tokio::task::spawn_blocking(move || {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        bench_incidents(&path, &flags)
    })
    .await
    .expect("the bench ran");
    assert!(
        stdout.contains("(PostgreSQL, Tocsin in this process"),
        "{stdout}"
    );
    check_incident_table(&stdout);
}

/// The incidents bench table: every case timed, full pages where they should be, no errors.
fn check_incident_table(stdout: &str) {
    for heading in [
        "Incidents bench: 3000 incidents over 10 services, 50 requests per case",
        "Seeded 3000 incidents in ",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "Verdict: filtered first page p99 <= 20 ms: ",
    ] {
        assert!(stdout.contains(heading), "no {heading:?} in:\n{stdout}");
    }
    // Full pages wherever 50 incidents match; one incident for the detail read.
    for (case, items) in [
        ("(a) first page", "50"),
        ("(c) status=resolved", "50"),
        ("(d) service_id=...", "50"),
        ("(e) page from a cursor half-way", "50"),
        ("(f) one incident by id", "1"),
        ("(g) first page, sees normal only", "50"),
        ("(g) first page, restricted participant", "50"),
    ] {
        let columns = incident_row(stdout, case);
        assert_eq!(columns[0], "50", "every request timed: {case} {columns:?}");
        assert_eq!(columns[1], items, "items of {case}: {columns:?}");
        assert_eq!(columns[6], "0", "no errors: {case} {columns:?}");
        let p50: f64 = columns[2].parse().expect("p50 in ms");
        let max: f64 = columns[5].parse().expect("max in ms");
        assert!(p50 > 0.0 && p50 <= max, "{case}: {columns:?}");
    }
    // About 0.4% of the incidents are triggered: a short page, and fewer still on one service.
    let triggered = incident_row(stdout, "(b) status=triggered");
    let found: usize = triggered[1].parse().expect("an item count");
    assert!((1..50).contains(&found), "{triggered:?}");
    assert_eq!(triggered[6], "0", "{triggered:?}");
    let on_service = incident_row(stdout, "(h) service_id=... and status=triggered");
    let on_service_found: usize = on_service[1].parse().expect("an item count");
    assert!(on_service_found <= found, "{on_service:?}");
    assert_eq!(on_service[6], "0", "{on_service:?}");
}
