//! The event log's hash chain: each event's hash covers the previous hash, a canonical envelope
//! (stream, sequence, kind, actor, time) and the SHA-256 digest of its payload. Because the chain
//! covers the payload's digest rather than the payload, a payload can be redacted later and the
//! chain still verifies.
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A SHA-256 output.
pub type Hash = [u8; 32];

/// The "previous hash" of the first event in a stream.
pub const GENESIS: Hash = [0; 32];

/// The fields of an event that the chain commits to, besides the payload digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<'a> {
    pub stream_id: Uuid,
    pub seq: i64,
    pub kind: &'a str,
    pub actor: &'a str,
    /// Microseconds since the Unix epoch (UTC).
    pub occurred_at_us: i64,
}

impl Envelope<'_> {
    /// The canonical byte encoding: versioned, one field per line, lengths prefixed for the free
    /// text fields so no two envelopes encode alike.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        format!(
            "tocsin-event-v1\nstream:{}\nseq:{}\nkind:{}:{}\nactor:{}:{}\nat_us:{}\n",
            self.stream_id.as_hyphenated(),
            self.seq,
            self.kind.len(),
            self.kind,
            self.actor.len(),
            self.actor,
            self.occurred_at_us
        )
        .into_bytes()
    }
}

/// SHA-256 of the payload bytes as stored.
pub fn payload_digest(payload: &[u8]) -> Hash {
    Sha256::digest(payload).into()
}

/// The hash of one link: SHA-256(previous hash || canonical envelope || payload digest).
pub fn link_hash(previous: &Hash, envelope: &Envelope<'_>, digest: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(envelope.canonical_bytes());
    hasher.update(digest);
    hasher.finalize().into()
}

/// One stored event as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredLink {
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    pub occurred_at_us: i64,
    pub payload: String,
    pub payload_digest: Vec<u8>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    /// A redacted event's payload was replaced on purpose; only its digest is checked by the chain.
    pub redacted: bool,
}

/// Where and why a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stream {stream_id} breaks at sequence {seq}: {reason}")]
pub struct ChainBreak {
    pub stream_id: Uuid,
    pub seq: i64,
    pub reason: String,
}

/// Checks a stream's events one by one, in sequence order.
#[derive(Debug)]
pub struct ChainVerifier {
    stream_id: Uuid,
    expected_seq: i64,
    previous: Hash,
}

impl ChainVerifier {
    pub fn new(stream_id: Uuid) -> Self {
        Self {
            stream_id,
            expected_seq: 1,
            previous: GENESIS,
        }
    }

    /// The stream being checked.
    pub fn stream_id(&self) -> Uuid {
        self.stream_id
    }

    /// Events checked so far.
    pub fn verified(&self) -> i64 {
        self.expected_seq - 1
    }

    /// Checks the next link; the first failure names the sequence number at fault.
    pub fn check(&mut self, link: &StoredLink) -> Result<(), ChainBreak> {
        let fail = |reason: &str| ChainBreak {
            stream_id: self.stream_id,
            seq: link.seq,
            reason: reason.to_owned(),
        };
        if link.seq != self.expected_seq {
            return Err(ChainBreak {
                stream_id: self.stream_id,
                seq: self.expected_seq,
                reason: format!(
                    "sequence gap: expected {}, found {}",
                    self.expected_seq, link.seq
                ),
            });
        }
        if link.prev_hash.as_slice() != self.previous.as_slice() {
            return Err(fail(
                "previous hash does not match the hash of the event before it",
            ));
        }
        let digest: Hash = link
            .payload_digest
            .as_slice()
            .try_into()
            .map_err(|_| fail("stored payload digest is not 32 bytes"))?;
        if !link.redacted && payload_digest(link.payload.as_bytes()) != digest {
            return Err(fail("payload does not match its digest"));
        }
        let envelope = Envelope {
            stream_id: self.stream_id,
            seq: link.seq,
            kind: &link.kind,
            actor: &link.actor,
            occurred_at_us: link.occurred_at_us,
        };
        let recomputed = link_hash(&self.previous, &envelope, &digest);
        if link.hash.as_slice() != recomputed.as_slice() {
            return Err(fail("hash does not match the envelope and payload digest"));
        }
        self.previous = recomputed;
        self.expected_seq += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(stream_id: Uuid, payloads: &[&str]) -> Vec<StoredLink> {
        let mut previous = GENESIS;
        let mut links = Vec::new();
        for (index, payload) in payloads.iter().enumerate() {
            let seq = index as i64 + 1;
            let digest = payload_digest(payload.as_bytes());
            let envelope = Envelope {
                stream_id,
                seq,
                kind: "team.created",
                actor: "system",
                occurred_at_us: 1_000 * seq,
            };
            let hash = link_hash(&previous, &envelope, &digest);
            links.push(StoredLink {
                seq,
                kind: "team.created".into(),
                actor: "system".into(),
                occurred_at_us: 1_000 * seq,
                payload: (*payload).into(),
                payload_digest: digest.to_vec(),
                prev_hash: previous.to_vec(),
                hash: hash.to_vec(),
                redacted: false,
            });
            previous = hash;
        }
        links
    }

    fn verify(stream_id: Uuid, links: &[StoredLink]) -> Result<i64, ChainBreak> {
        let mut verifier = ChainVerifier::new(stream_id);
        for link in links {
            verifier.check(link)?;
        }
        Ok(verifier.verified())
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let id = Uuid::nil();
        assert_eq!(
            verify(id, &chain(id, &["{}", "{\"a\":1}", "{\"b\":2}"])),
            Ok(3)
        );
    }

    #[test]
    fn a_changed_payload_is_named_by_sequence() {
        let id = Uuid::nil();
        let mut links = chain(id, &["{}", "{\"a\":1}", "{\"b\":2}"]);
        links[1].payload = "{\"a\":2}".into();
        let broken = verify(id, &links).expect_err("tampering must be found");
        assert_eq!(broken.seq, 2);
        assert!(broken.reason.contains("payload"));
    }

    #[test]
    fn a_redacted_payload_still_verifies_through_its_digest() {
        let id = Uuid::nil();
        let mut links = chain(id, &["{}", "{\"email\":\"a@b.c\"}"]);
        links[1].payload = "{\"redacted\":true}".into();
        links[1].redacted = true;
        assert_eq!(verify(id, &links), Ok(2));
    }

    #[test]
    fn a_changed_envelope_or_missing_event_is_found() {
        let id = Uuid::nil();
        let mut links = chain(id, &["{}", "{}", "{}"]);
        links[2].actor = "user:mallory".into();
        assert_eq!(verify(id, &links).expect_err("actor change").seq, 3);

        let mut links = chain(id, &["{}", "{}", "{}"]);
        links.remove(1);
        assert_eq!(verify(id, &links).expect_err("gap").seq, 2);
    }

    #[test]
    fn envelope_encoding_is_unambiguous() {
        let a = Envelope {
            stream_id: Uuid::nil(),
            seq: 1,
            kind: "a\nactor:5:b",
            actor: "",
            occurred_at_us: 0,
        };
        let b = Envelope {
            stream_id: Uuid::nil(),
            seq: 1,
            kind: "a",
            actor: "b",
            occurred_at_us: 0,
        };
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
    }
}
