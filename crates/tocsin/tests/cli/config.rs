//! `config default`, `config show`, precedence and unknown keys.
use super::support::{run, tocsin};

#[test]
fn the_default_configuration_parses_back_to_the_defaults() {
    let dir = tempfile::tempdir().expect("dir");
    let (output, default_toml, _) = run(tocsin(dir.path()).args(["config", "default"]));
    assert!(output.status.success());
    assert!(default_toml.contains("# Flag --listen, environment TOCSIN_LISTEN."));

    let (_, defaults_shown, _) = run(tocsin(dir.path()).args(["config", "show"]));
    std::fs::write(dir.path().join("tocsin.toml"), &default_toml).expect("write");
    let (output, file_shown, stderr) = run(tocsin(dir.path()).args(["config", "show"]));
    assert!(output.status.success(), "{stderr}");
    assert_eq!(file_shown, defaults_shown);
    assert!(
        file_shown.contains("listen = \"127.0.0.1:8080\""),
        "{file_shown}"
    );
    assert!(
        file_shown.contains("public_url = \"http://127.0.0.1:8080\""),
        "{file_shown}"
    );
}

#[test]
fn flags_beat_environment_beats_file_beats_defaults() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("custom.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:1111\"\nlog = \"debug\"\n[server]\nbody_limit_bytes = 2048\n[database]\nmax_connections = 4\n",
    )
    .expect("write");
    let show = |env_listen: Option<&str>, flag_listen: Option<&str>| {
        let mut command = tocsin(dir.path());
        command.args(["config", "show"]).env("TOCSIN_CONFIG", &file);
        if let Some(listen) = env_listen {
            command.env("TOCSIN_LISTEN", listen);
        }
        if let Some(listen) = flag_listen {
            command.args(["--listen", listen]);
        }
        let (output, stdout, stderr) = run(&mut command);
        assert!(output.status.success(), "{stderr}");
        stdout
    };
    let from_file = show(None, None);
    assert!(
        from_file.contains("listen = \"127.0.0.1:1111\""),
        "{from_file}"
    );
    assert!(from_file.contains("log = \"debug\""), "{from_file}");
    assert!(from_file.contains("body_limit_bytes = 2048"), "{from_file}");
    assert!(from_file.contains("max_connections = 4"), "{from_file}");
    assert!(from_file.contains("login_max_failures = 5"), "{from_file}");
    let from_env = show(Some("127.0.0.1:2222"), None);
    assert!(
        from_env.contains("listen = \"127.0.0.1:2222\""),
        "{from_env}"
    );
    let from_flag = show(Some("127.0.0.1:2222"), Some("127.0.0.1:3333"));
    assert!(
        from_flag.contains("listen = \"127.0.0.1:3333\""),
        "{from_flag}"
    );
    assert!(from_flag.contains("body_limit_bytes = 2048"), "{from_flag}");
}

#[test]
fn database_passwords_are_never_shown() {
    let dir = tempfile::tempdir().expect("dir");
    let mut command = tocsin(dir.path());
    command.args(["config", "show"]).env(
        "TOCSIN_DATABASE_URL",
        "postgres://tocsin:hunter2@db.internal/tocsin",
    );
    let (output, stdout, stderr) = run(&mut command);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("db.internal"), "{stdout}");
    assert!(!stdout.contains("hunter2"), "{stdout}");
    let (_, help, _) = run(tocsin(dir.path()).args(["serve", "--help"]).env(
        "TOCSIN_DATABASE_URL",
        "postgres://tocsin:hunter2@db.internal/tocsin",
    ));
    assert!(!help.contains("hunter2"), "{help}");
}

#[test]
fn unknown_keys_are_an_error_naming_the_key_and_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join("tocsin.toml"),
        "listen = \"127.0.0.1:0\"\n[server]\nbody_limit = 10\n",
    )
    .expect("write");
    for subcommand in [&["serve"][..], &["migrate"], &["audit", "verify"]] {
        let (output, _, stderr) = run(tocsin(dir.path()).args(subcommand));
        assert_eq!(output.status.code(), Some(2), "{subcommand:?}: {stderr}");
        assert!(stderr.contains("unknown field `body_limit`"), "{stderr}");
        assert!(stderr.contains("tocsin.toml"), "{stderr}");
    }
    let (output, _, stderr) = run(tocsin(dir.path()).args(["migrate", "--config", "missing.toml"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("missing.toml"), "{stderr}");
}

#[test]
fn delivery_settings_come_from_the_environment_and_secrets_are_never_shown() {
    let dir = tempfile::tempdir().expect("dir");
    let mut command = tocsin(dir.path());
    command
        .args(["config", "show", "--smtp-port", "2525"])
        .env("TOCSIN_ALLOW_OUTBOUND", "10.20.0.0/16,127.0.0.1")
        .env("TOCSIN_SMTP_HOST", "smtp.internal")
        .env("TOCSIN_SMTP_FROM", "tocsin@example.com")
        .env("TOCSIN_SMTP_USERNAME", "tocsin")
        .env("TOCSIN_SMTP_PASSWORD", "smtp-hunter2")
        .env("TOCSIN_TWILIO_ACCOUNT_SID", "AC1")
        .env("TOCSIN_TWILIO_AUTH_TOKEN", "twilio-hunter3")
        .env("TOCSIN_TWILIO_FROM_NUMBER", "+15005550006");
    let (output, stdout, stderr) = run(&mut command);
    assert!(output.status.success(), "{stderr}");
    for expected in [
        "allow_outbound = [\"10.20.0.0/16\", \"127.0.0.1/32\"]",
        "host = \"smtp.internal\"",
        "port = 2525",
        "account_sid = \"AC1\"",
    ] {
        assert!(stdout.contains(expected), "{expected} missing:\n{stdout}");
    }
    for secret in ["smtp-hunter2", "twilio-hunter3"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} leaked"
        );
    }
}

#[test]
fn an_invalid_allow_list_entry_stops_startup_naming_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    let mut command = tocsin(dir.path());
    command
        .args(["config", "show"])
        .env("TOCSIN_ALLOW_OUTBOUND", "10.0.0.0/99");
    let (output, _, stderr) = run(&mut command);
    assert!(!output.status.success());
    assert!(stderr.contains("delivery.allow_outbound"), "{stderr}");
}
