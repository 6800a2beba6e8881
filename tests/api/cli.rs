use std::process::Command;

fn scrutiny() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scrutiny"))
}

#[test]
fn help_explains_each_command() {
    let out = scrutiny().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("serve"), "{text}");
    assert!(text.contains("migrate"), "{text}");
    assert!(text.contains("DATABASE_URL"), "{text}");
}

#[test]
fn migrate_creates_the_sqlite_file_and_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("nested/folder/scrutiny.db");
    let out = scrutiny()
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(db.exists());
}

#[test]
fn bad_configuration_is_refused_with_the_variable_named() {
    let out = scrutiny().arg("migrate").env("DATABASE_URL", "mysql://nope").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("DATABASE_URL"), "{err}");
}
