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
