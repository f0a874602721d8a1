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
