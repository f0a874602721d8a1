//! Runs the real `tocsin` binary: configuration, migrations, audit verification and serving, on
//! SQLite always and on PostgreSQL when `TOCSIN_TEST_DATABASE_URL` is set.
mod bench;
mod cluster;
mod config;
mod incident;
mod intake_durability;
mod serve;
mod storage;
mod support;
mod two_nodes;
