//! The cache's invalidation rules, driven by a bus of our own (no clock involved).
use tokio::sync::broadcast;

use super::*;

fn key(n: u128) -> CachedKey {
    CachedKey {
        id: IntegrationKeyId(uuid::Uuid::from_u128(n)),
        service_id: ServiceId(uuid::Uuid::from_u128(100 + n)),
        kind: "alertmanager".into(),
        mapping: None,
    }
}

fn event(kind: &str) -> Arc<StoredEvent> {
    Arc::new(StoredEvent {
        position: 1,
        event_id: uuid::Uuid::from_u128(7),
        stream_id: uuid::Uuid::from_u128(8),
        stream_type: "service".into(),
        seq: 1,
        kind: kind.into(),
        actor: "test".into(),
        occurred_at: jiff::Timestamp::UNIX_EPOCH,
        payload: serde_json::Value::Null,
    })
}

fn generation(lookup: Lookup) -> u64 {
    match lookup {
        Lookup::Miss { generation } => generation,
        Lookup::Hit(key) => panic!("expected a miss, got {key:?}"),
    }
}

fn cache(capacity: usize) -> (broadcast::Sender<Arc<StoredEvent>>, KeyCache) {
    let (bus, events) = broadcast::channel(capacity);
    (bus, KeyCache::new(events, TTL))
}

#[test]
fn a_filled_key_is_a_hit_until_a_key_event_arrives() {
    let (bus, cache) = cache(16);
    let at = generation(cache.get("s1"));
    cache.fill("s1", key(1), at);
    assert!(matches!(cache.get("s1"), Lookup::Hit(found) if *found == key(1)));
    bus.send(event("alert.triggered")).expect("a receiver");
    assert!(
        matches!(cache.get("s1"), Lookup::Hit(_)),
        "other events leave it"
    );
    for kind in [
        "integration_key.revoked",
        "integration_key.mapping_set",
        "service.deleted",
    ] {
        assert!(
            matches!(cache.get("s1"), Lookup::Hit(_)),
            "cached before {kind}"
        );
        bus.send(event(kind)).expect("a receiver");
        let at = generation(cache.get("s1"));
        cache.fill("s1", key(1), at);
    }
}

#[test]
fn a_read_that_raced_with_a_revocation_is_not_cached() {
    let (bus, cache) = cache(16);
    let before = generation(cache.get("s1"));
    bus.send(event("integration_key.revoked"))
        .expect("a receiver");
    cache.fill("s1", key(1), before);
    generation(cache.get("s1"));
}

#[test]
fn falling_behind_the_bus_forgets_everything() {
    let (bus, cache) = cache(2);
    let at = generation(cache.get("s1"));
    cache.fill("s1", key(1), at);
    for _ in 0..5 {
        bus.send(event("alert.triggered")).expect("a receiver");
    }
    generation(cache.get("s1"));
}

#[test]
fn a_closed_bus_turns_caching_off() {
    let (bus, cache) = cache(2);
    drop(bus);
    let at = generation(cache.get("s1"));
    cache.fill("s1", key(1), at);
    generation(cache.get("s1"));
}

#[test]
fn entries_expire_after_the_ttl() {
    let (_bus, events) = broadcast::channel(2);
    let cache = KeyCache::new(events, Duration::ZERO);
    let at = generation(cache.get("s1"));
    cache.fill("s1", key(1), at);
    generation(cache.get("s1"));
}
