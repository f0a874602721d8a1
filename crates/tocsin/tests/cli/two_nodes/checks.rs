//! What the two-node test checks once every page is in: the sink's pages against the store's
//! incidents (each expected page under exactly one webhook-id, nothing else), and each incident's
//! timeline (each page escalated, queued and delivered once, then the escalation's end).
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use tocsin_store::Store;

use super::{INCIDENTS, Page, SERVICES, STEPS};

/// Every expected (incident, person) page arrived under exactly one webhook-id, nothing else did;
/// answers how many requests were re-deliveries.
pub async fn pages(store: &Store, pages: &[Page], urls: &[String]) -> usize {
    let incidents: Vec<(uuid::Uuid, String)> = tocsin_store::with_reader!(store.reader(), p =>
        sqlx::query_as("SELECT id, title FROM incidents").fetch_all(p).await)
    .expect("read the incidents");
    assert_eq!(incidents.len(), INCIDENTS, "one incident per trigger");
    let mut expected: BTreeSet<(String, usize)> = BTreeSet::new();
    for (id, title) in &incidents {
        let n: usize = title
            .strip_prefix("incident ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("an unexpected incident title {title:?}"));
        for step in 0..STEPS {
            expected.insert((id.to_string(), (n % SERVICES) * STEPS + step));
        }
    }
    let unexpected: Vec<&Page> = pages
        .iter()
        .filter(|p| {
            p.kind != "notification.page" || !expected.contains(&(p.incident.clone(), p.person))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} unexpected pages, e.g. {:?}",
        unexpected.len(),
        unexpected.first()
    );

    let mut ids_per_page: BTreeMap<(String, usize), BTreeSet<&str>> = BTreeMap::new();
    let mut pages_per_id: HashMap<&str, BTreeSet<(String, usize)>> = HashMap::new();
    for p in pages {
        let key = (p.incident.clone(), p.person);
        ids_per_page
            .entry(key.clone())
            .or_default()
            .insert(&p.webhook_id);
        pages_per_id.entry(&p.webhook_id).or_default().insert(key);
    }
    let missing: Vec<_> = expected
        .iter()
        .filter(|k| !ids_per_page.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "{} pages never arrived, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    let doubled: Vec<_> = ids_per_page
        .iter()
        .filter(|(_, ids)| ids.len() != 1)
        .collect();
    assert!(
        doubled.is_empty(),
        "{} pages arrived under several webhook-ids, e.g. {:?}",
        doubled.len(),
        doubled.first()
    );
    let shared: Vec<_> = pages_per_id
        .iter()
        .filter(|(id, keys)| id.is_empty() || keys.len() != 1)
        .collect();
    assert!(
        shared.is_empty(),
        "webhook-ids missing or shared by pages: {:?}",
        shared.first()
    );

    let redelivered = pages.len() - pages_per_id.len();
    let per_node: Vec<(String, usize)> = urls
        .iter()
        .map(|url| {
            (
                url.clone(),
                pages.iter().filter(|p| &p.sent_by == url).count(),
            )
        })
        .collect();
    assert_eq!(
        per_node.iter().map(|(_, n)| n).sum::<usize>(),
        pages.len(),
        "every page names its node"
    );
    assert!(
        per_node.iter().all(|(_, n)| *n > 0),
        "both nodes sent pages: {per_node:?}"
    );
    eprintln!(
        "two_nodes: {} requests for {} pages: {redelivered} re-deliveries under the same webhook-id; sent per node {per_node:?}",
        pages.len(),
        pages_per_id.len()
    );
    redelivered
}

/// Each incident's timeline shows each of its three pages once (escalated, queued, delivered)
/// and the escalation's end after the last step; no timer is left armed.
pub async fn timelines(store: &Store) {
    let armed: i64 = tocsin_store::with_reader!(store.reader(), p =>
        sqlx::query_scalar("SELECT COUNT(*) FROM escalation_timers WHERE due_at IS NOT NULL")
            .fetch_one(p).await)
    .expect("count armed timers");
    assert_eq!(
        armed, 0,
        "escalation timers still armed after the last step"
    );
    let events: Vec<(uuid::Uuid, String, String)> = tocsin_store::with_reader!(store.reader(), p =>
        sqlx::query_as("SELECT stream_id, kind, payload FROM events WHERE kind IN \
            ('incident.escalated', 'notification.queued', 'notification.delivered', \
             'notification.attempt_failed', 'notification.failed', 'incident.escalation_exhausted')")
            .fetch_all(p).await)
    .expect("read the timelines");
    let mut per_incident: HashMap<uuid::Uuid, BTreeMap<&str, Vec<String>>> = HashMap::new();
    for (incident, kind, payload) in &events {
        let payload: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
        let recipient = payload["recipient_user_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        per_incident
            .entry(*incident)
            .or_default()
            .entry(kind.as_str())
            .or_default()
            .push(recipient);
    }
    assert_eq!(
        per_incident.len(),
        INCIDENTS,
        "every incident has a timeline"
    );
    for (incident, kinds) in &per_incident {
        let count = |kind: &str| kinds.get(kind).map_or(0, Vec::len);
        assert_eq!(
            (
                count("incident.escalated"),
                count("notification.queued"),
                count("notification.delivered")
            ),
            (STEPS, STEPS, STEPS),
            "incident {incident}: {kinds:?}"
        );
        assert_eq!(
            count("notification.attempt_failed") + count("notification.failed"),
            0,
            "incident {incident}: {kinds:?}"
        );
        // Paging the third step ended the escalation (no repeat): nothing more will page.
        assert_eq!(
            count("incident.escalation_exhausted"),
            1,
            "incident {incident}: {kinds:?}"
        );
        let delivered: BTreeSet<&String> = kinds["notification.delivered"].iter().collect();
        assert_eq!(
            delivered.len(),
            STEPS,
            "incident {incident}: one delivery per person: {kinds:?}"
        );
    }
}
