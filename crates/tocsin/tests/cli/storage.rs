//! `migrate` and `audit verify` against a real database, including a tampered log and a database
//! newer than the binary.
use tocsin_store::NewEvent;
use uuid::Uuid;

use super::support::{run, targets};

const FUTURE_MIGRATION_SQLITE: &str = "INSERT INTO _sqlx_migrations \
    (version, description, success, checksum, execution_time) \
    VALUES (99990101000000, 'from a future Tocsin', 1, X'00', 0)";
const FUTURE_MIGRATION_POSTGRES: &str = "INSERT INTO _sqlx_migrations \
    (version, description, success, checksum, execution_time) \
    VALUES (99990101000000, 'from a future Tocsin', TRUE, decode('00', 'hex'), 0)";

fn event(stream_id: Uuid, n: u32) -> NewEvent {
    NewEvent {
        stream_id,
        stream_type: "team",
        kind: "team.renamed",
        actor: "system".to_owned(),
        occurred_at: jiff::Timestamp::now(),
        payload: serde_json::json!({ "name": format!("name {n}") }),
    }
}

#[tokio::test]
async fn migrate_then_verify_and_a_tampered_row_is_named() {
    for target in targets().await {
        let name = target.name();
        let (output, stdout, stderr) = run(&mut target.command(&["migrate"]));
        assert!(output.status.success(), "{name}: {stderr}");
        assert!(stdout.contains("Created the schema"), "{name}: {stdout}");
        let (output, stdout, _) = run(&mut target.command(&["migrate"]));
        assert!(output.status.success());
        assert!(stdout.contains("nothing to apply"), "{name}: {stdout}");

        let (output, stdout, stderr) = run(&mut target.command(&["audit", "verify"]));
        assert!(output.status.success(), "{name}: {stderr}");
        assert_eq!(
            stdout.trim(),
            "OK: 0 events in 0 streams verified",
            "{name}"
        );

        let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
        let store = target.db.open().await;
        let positions = store
            .write(move |tx| {
                Box::pin(async move {
                    let mut positions = Vec::new();
                    for n in 1..=3 {
                        tx.append(event(first, n)).await?;
                    }
                    for n in 1..=2 {
                        positions.push(tx.append(event(second, n)).await?.position);
                    }
                    Ok(positions)
                })
            })
            .await
            .expect("append events");
        store.close().await;

        let (output, stdout, stderr) = run(&mut target.command(&["audit", "verify"]));
        assert!(output.status.success(), "{name}: {stderr}");
        assert_eq!(
            stdout.trim(),
            "OK: 5 events in 2 streams verified",
            "{name}"
        );

        target
            .db
            .tamper(&format!(
                "UPDATE events SET actor = 'mallory' WHERE position = {}",
                positions[1]
            ))
            .await;
        let (output, stdout, stderr) = run(&mut target.command(&["audit", "verify"]));
        assert_eq!(output.status.code(), Some(1), "{name}: {stdout} {stderr}");
        assert!(
            stdout.starts_with(&format!("BROKEN: stream {second} at sequence 2: ")),
            "{name}: {stdout}"
        );
    }
}

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused() {
    for target in targets().await {
        let name = target.name();
        let (output, _, stderr) = run(&mut target.command(&["migrate"]));
        assert!(output.status.success(), "{name}: {stderr}");
        target
            .db
            .tamper(if target.db.is_postgres() {
                FUTURE_MIGRATION_POSTGRES
            } else {
                FUTURE_MIGRATION_SQLITE
            })
            .await;
        for subcommand in [&["migrate"][..], &["serve", "--listen", "127.0.0.1:0"]] {
            let (output, stdout, stderr) = run(&mut target.command(subcommand));
            assert_eq!(
                output.status.code(),
                Some(2),
                "{name} {subcommand:?}: {stderr}"
            );
            assert!(
                stderr.contains("newer than this Tocsin binary"),
                "{name} {subcommand:?}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert!(!stdout.contains("listening"), "{stdout}");
        }
        let (output, _, stderr) = run(&mut target.command(&["audit", "verify"]));
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains("newer than this Tocsin binary"), "{stderr}");
    }
}
