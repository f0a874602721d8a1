//! The catalogue of settings (key, flag, environment variable, default, meaning) and the commented
//! example `tocsin.toml` printed by `tocsin config default`.
use std::fmt::Write;

/// One setting as documented.
#[derive(Debug, Clone, Copy)]
pub struct SettingDoc {
    /// The TOML table holding the key (`None` = top level).
    pub table: Option<&'static str>,
    pub key: &'static str,
    pub flag: &'static str,
    pub env: &'static str,
    /// The default as a TOML value; `None` when unset by default (shown commented out).
    pub default: Option<&'static str>,
    /// An example value for settings without a default.
    pub example: &'static str,
    pub help: &'static str,
}

/// Every setting, in the order the example file lists them.
pub const SETTINGS: &[SettingDoc] = &[
    SettingDoc {
        table: None,
        key: "listen",
        flag: "--listen",
        env: "TOCSIN_LISTEN",
        default: Some("\"127.0.0.1:8080\""),
        example: "",
        help: "Address and port the HTTP server listens on (serve only). Port 0 picks a free port;\n\
               \"0.0.0.0:8080\" listens on every interface.",
    },
    SettingDoc {
        table: None,
        key: "public_url",
        flag: "--public-url",
        env: "TOCSIN_PUBLIC_URL",
        default: None,
        example: "\"https://tocsin.example.com\"",
        help: "The URL users reach Tocsin at, used in links and notifications. Defaults to\n\
               http://<listen address>. An https:// URL marks session cookies Secure.",
    },
    SettingDoc {
        table: None,
        key: "data_dir",
        flag: "--data-dir",
        env: "TOCSIN_DATA_DIR",
        default: Some("\"./tocsin-data\""),
        example: "",
        help: "Directory of the embedded SQLite database (<data_dir>/tocsin.db), created if missing.\n\
               Unused when database_url is set.",
    },
    SettingDoc {
        table: None,
        key: "database_url",
        flag: "--database-url",
        env: "TOCSIN_DATABASE_URL",
        default: None,
        example: "\"postgres://tocsin@db.internal:5432/tocsin\"",
        help: "Use this database instead of the embedded SQLite file: postgres://... (several nodes\n\
               may share it) or sqlite:/path/to/file.db. Prefer the environment variable when the URL\n\
               holds a password; Tocsin never prints the password.",
    },
    SettingDoc {
        table: None,
        key: "log_format",
        flag: "--log-format",
        env: "TOCSIN_LOG_FORMAT",
        default: Some("\"text\""),
        example: "",
        help: "Log format on standard error: \"text\" (human-readable) or \"json\" (one object per line).",
    },
    SettingDoc {
        table: None,
        key: "log",
        flag: "--log",
        env: "TOCSIN_LOG",
        default: Some("\"info\""),
        example: "",
        help: "Log filter in tracing's EnvFilter syntax, e.g. \"info\" or \"info,tocsin_store=debug\".",
    },
    SettingDoc {
        table: Some("server"),
        key: "body_limit_bytes",
        flag: "--body-limit-bytes",
        env: "TOCSIN_BODY_LIMIT_BYTES",
        default: Some("1048576"),
        example: "",
        help: "Largest request body accepted, in bytes; larger requests are answered 413.",
    },
    SettingDoc {
        table: Some("server"),
        key: "session_idle_timeout_secs",
        flag: "--session-idle-timeout-secs",
        env: "TOCSIN_SESSION_IDLE_TIMEOUT_SECS",
        default: Some("43200"),
        example: "",
        help: "A web session ends after this many seconds without activity (12 hours).",
    },
    SettingDoc {
        table: Some("server"),
        key: "session_max_age_secs",
        flag: "--session-max-age-secs",
        env: "TOCSIN_SESSION_MAX_AGE_SECS",
        default: Some("604800"),
        example: "",
        help: "A web session ends this many seconds after login, active or not (7 days).",
    },
    SettingDoc {
        table: Some("server"),
        key: "login_max_failures",
        flag: "--login-max-failures",
        env: "TOCSIN_LOGIN_MAX_FAILURES",
        default: Some("5"),
        example: "",
        help: "Failed logins allowed per account and per client address within login_window_secs;\n\
               further attempts are refused until the window passes.",
    },
    SettingDoc {
        table: Some("server"),
        key: "login_window_secs",
        flag: "--login-window-secs",
        env: "TOCSIN_LOGIN_WINDOW_SECS",
        default: Some("900"),
        example: "",
        help: "The failed-login window, in seconds (15 minutes).",
    },
    SettingDoc {
        table: Some("server"),
        key: "shutdown_grace_secs",
        flag: "--shutdown-grace-secs",
        env: "TOCSIN_SHUTDOWN_GRACE_SECS",
        default: Some("30"),
        example: "",
        help: "On SIGINT/SIGTERM, in-flight requests get this many seconds to finish before open\n\
               connections are dropped; pending database writes are committed either way.",
    },
    SettingDoc {
        table: Some("server"),
        key: "owner_email",
        flag: "--owner-email",
        env: "TOCSIN_OWNER_EMAIL",
        default: Some("\"owner@tocsin.local\""),
        example: "",
        help: "Email of the owner account created on the first start (when the database has no\n\
               users). Changing it later has no effect on existing accounts.",
    },
    SettingDoc {
        table: Some("server"),
        key: "intake_rate_per_second",
        flag: "--intake-rate-per-second",
        env: "TOCSIN_INTAKE_RATE_PER_SECOND",
        default: Some("1000"),
        example: "",
        help: "Alerts per second each integration key may send, sustained; faster keys get 429 with Retry-After.",
    },
    SettingDoc {
        table: Some("server"),
        key: "intake_burst",
        flag: "--intake-burst",
        env: "TOCSIN_INTAKE_BURST",
        default: Some("10000"),
        example: "",
        help: "Alerts an integration key may send at once before its rate applies.",
    },
    SettingDoc {
        table: Some("server"),
        key: "intake_max_in_flight",
        flag: "--intake-max-in-flight",
        env: "TOCSIN_INTAKE_MAX_IN_FLIGHT",
        default: Some("4096"),
        example: "",
        help: "Intake requests being committed at once, over all keys; beyond it intake answers 503 with Retry-After instead of queueing.",
    },
    SettingDoc {
        table: Some("database"),
        key: "max_connections",
        flag: "--max-connections",
        env: "TOCSIN_DATABASE_MAX_CONNECTIONS",
        default: Some("16"),
        example: "",
        help: "PostgreSQL connections this node opens at most (at least 2). Ignored on SQLite, which\n\
               uses one writer connection and a small reader pool.",
    },
];

fn comment(out: &mut String, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "# {}", line.trim_start());
    }
}

/// Every documented setting: the general ones, then notification delivery's.
pub fn all_settings() -> impl Iterator<Item = &'static SettingDoc> {
    SETTINGS
        .iter()
        .chain(super::delivery_docs::DELIVERY_SETTINGS)
}

/// The commented example configuration: every key at its default (keys without a default are
/// commented out with an example value), so the file parses back to the defaults.
pub fn default_toml() -> String {
    let mut out = String::new();
    comment(
        &mut out,
        "Tocsin configuration (tocsin.toml).\n\
         Read from --config FILE or TOCSIN_CONFIG, else ./tocsin.toml when it exists.\n\
         Precedence: command-line flags > TOCSIN_* environment variables > this file > defaults.\n\
         Unknown keys are an error. Every value below is the default.",
    );
    let mut table = None;
    for setting in all_settings() {
        if setting.table != table {
            table = setting.table;
            if let Some(name) = table {
                let _ = writeln!(out, "\n[{name}]");
            }
        }
        out.push('\n');
        comment(&mut out, setting.help);
        let _ = writeln!(out, "# Flag {}, environment {}.", setting.flag, setting.env);
        match setting.default {
            Some(value) => {
                let _ = writeln!(out, "{} = {value}", setting.key);
            }
            None => {
                let _ = writeln!(out, "# {} = {}", setting.key, setting.example);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{Layer, Settings};

    #[test]
    fn the_example_parses_back_to_the_defaults() {
        let layer = Layer::parse(&default_toml(), Path::new("default.toml")).expect("parses");
        assert_eq!(
            Settings::from_layer(layer).expect("valid"),
            Settings::default()
        );
    }

    #[test]
    fn the_example_sets_every_key_and_uncommenting_examples_parses() {
        let uncommented: String = default_toml()
            .lines()
            .map(|line| {
                all_settings()
                    .find(|s| line.starts_with(&format!("# {} = ", s.key)))
                    .map_or(line, |_| &line[2..])
                    .to_owned()
                    + "\n"
            })
            .collect();
        let layer = Layer::parse(&uncommented, Path::new("full.toml")).expect("parses");
        let serialized = toml::to_string(&layer).expect("serializes");
        for setting in all_settings() {
            assert!(
                serialized.contains(&format!("{} = ", setting.key)),
                "{} missing from the example",
                setting.key
            );
        }
    }

    #[test]
    fn the_operations_guide_documents_every_setting() {
        let guide = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/operations.md"
        ));
        for setting in all_settings() {
            for needle in [setting.key, setting.flag, setting.env] {
                assert!(
                    guide.contains(&format!("`{needle}`")),
                    "docs/operations.md does not mention `{needle}`"
                );
            }
            if let Some(default) = setting.default {
                let table = setting.table.map_or(String::new(), |t| format!("[{t}] "));
                assert!(
                    guide.contains(&format!("`{default}`")),
                    "docs/operations.md does not give the default of {table}{}",
                    setting.key
                );
            }
        }
    }
}
