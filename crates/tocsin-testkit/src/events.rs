//! Sample events for event-log tests: event `n` of a stream, distinguishable by its payload and
//! time.
use tocsin_domain::Timestamp;
use tocsin_store::NewEvent;
use uuid::Uuid;

/// A `test.happened` event on `stream_id` carrying `{"n": n}`, occurring `n` seconds after a fixed
/// instant.
pub fn numbered_event(stream_id: Uuid, n: i64) -> NewEvent {
    NewEvent {
        stream_id,
        stream_type: "test",
        kind: "test.happened",
        actor: "system".into(),
        occurred_at: Timestamp::from_second(1_800_000_000 + n).unwrap_or(Timestamp::UNIX_EPOCH),
        payload: serde_json::json!({ "n": n }),
    }
}
