//! Credentials at rest: API tokens and sessions are stored only as SHA-256 hashes; integration keys
//! are low-privilege (ingest only) and stored as issued so their URLs can be shown again.
pub mod integration_keys;
pub mod principal;
pub mod sessions;
pub mod tokens;
