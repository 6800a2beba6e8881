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
    let out = scrutiny().arg("migrate").env("DATABASE_URL", format!("sqlite://{}", db.display())).output().unwrap();
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

#[test]
fn cards_create_writes_the_pdf_and_prints_the_batch_id_then_void_works() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cli.db", tmp.path().display());
    let pdf = tmp.path().join("batch.pdf");
    let out = scrutiny()
        .args([
            "cards",
            "create",
            "--label",
            "Print room",
            "--count",
            "25",
            "--area",
            "North",
            "--layout",
            "a4",
            "--out",
        ])
        .arg(&pdf)
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id: i64 = String::from_utf8(out.stdout).unwrap().trim().parse().expect("prints the batch id");
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    assert!(
        info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 6")),
        "25 cards = 3 sheets, fronts and backs: {info}"
    );

    let out = scrutiny().args(["cards", "void", &id.to_string()]).env("DATABASE_URL", &db).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("void"));
    let out = scrutiny().args(["cards", "void", "4242"]).env("DATABASE_URL", &db).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no batch 4242"));
}

#[test]
fn cards_create_refuses_bad_counts_naming_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scrutiny()
        .args(["cards", "create", "--label", "X", "--count", "0", "--out"])
        .arg(tmp.path().join("x.pdf"))
        .env("DATABASE_URL", format!("sqlite://{}/x.db", tmp.path().display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--count"));
}

#[test]
fn user_add_disable_and_reset_password() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/users.db", tmp.path().display());
    let run = |args: &[&str], password: Option<&str>| {
        let mut c = scrutiny();
        c.args(args).env("DATABASE_URL", &db);
        if let Some(p) = password {
            c.env("SCRUTINY_PASSWORD", p);
        }
        c.output().unwrap()
    };
    let out =
        run(&["user", "add", "--email", "coord@force.example", "--role", "coordinator"], Some("long enough password"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dup = run(&["user", "add", "--email", "COORD@force.example", "--role", "viewer"], Some("long enough password"));
    assert!(!dup.status.success());
    let weak = run(&["user", "add", "--email", "x@force.example", "--role", "viewer"], Some("short"));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("12 characters"));
    let bad_role = run(&["user", "add", "--email", "y@force.example", "--role", "root"], Some("long enough password"));
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("--role"));
    assert!(run(&["user", "reset-password", "coord@force.example"], Some("another long password")).status.success());
    assert!(run(&["user", "disable", "coord@force.example"], None).status.success());
    assert!(!run(&["user", "disable", "ghost@force.example"], None).status.success());
}

#[test]
fn card_wording_can_be_changed_per_force_and_reset() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/w.db", tmp.path().display());
    let body = tmp.path().join("front.txt");
    std::fs::write(&body, "First paragraph of our own.\n\nSecond paragraph.").unwrap();
    let out = scrutiny()
        .args(["cards", "wording", "--heading", "Know your rights (Kent)", "--body-file"])
        .arg(&body)
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Know your rights (Kent)"), "{text}");
    assert!(text.contains("Second paragraph."));
    let out = scrutiny().args(["cards", "wording", "--reset"]).env("DATABASE_URL", &db).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Stopped and searched? Know your rights") && text.contains("IOPC"),
        "default wording back: {text}"
    );
}

#[test]
fn a_report_piped_into_head_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/pipe.db", tmp.path().display());
    assert!(scrutiny().arg("migrate").env("DATABASE_URL", &db).output().unwrap().status.success());
    // The reader goes away before the report is written (as `| head` does once it has its lines).
    let mut child = scrutiny()
        .args(["report", "demographics"])
        .env("DATABASE_URL", &db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
}

/// `pdftotext -raw` of a file (text in the order it is drawn, not in columns as
/// pdftotext guesses them from an A4 sheet of cards), whitespace collapsed.
fn pdf_text(pdf: &std::path::Path) -> String {
    let out = Command::new("pdftotext").args(["-raw", "-enc", "UTF-8"]).arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn cards_in_welsh_and_english_print_each_wording_welsh_first_and_every_qr_decodes() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/cy.db", tmp.path().display());
    let body = tmp.path().join("cy.txt");
    std::fs::write(&body, "Paragraff cyntaf: ŵyr, ŷd a'r heddlu.\n\nAil baragraff gyda ŵ ac ŷ.").unwrap();
    let out = scrutiny()
        .args([
            "cards",
            "wording",
            "--lang",
            "cy",
            "--heading",
            "Eich hawliau: ŵyr ac ŷd",
            "--invitation",
            "Ymunwch â'r panel ŵyr",
            "--body-file",
        ])
        .arg(&body)
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.starts_with("Eich hawliau: ŵyr ac ŷd") && shown.contains("Ail baragraff gyda ŵ ac ŷ."), "{shown}");
    // The English wording is untouched by a Welsh change.
    let en = scrutiny().args(["cards", "wording", "--lang", "en"]).env("DATABASE_URL", &db).output().unwrap();
    assert!(String::from_utf8(en.stdout).unwrap().starts_with("Stopped and searched? Know your rights"));

    let pdf = tmp.path().join("cy.pdf");
    // Asked English first: Welsh is still printed first.
    let out = scrutiny()
        .args(["cards", "create", "--label", "Bilingual", "--count", "12", "--languages", "en,cy", "--out"])
        .arg(&pdf)
        .env("DATABASE_URL", &db)
        .env("SCRUTINY_BASE_URL", "https://panel.example.police.uk")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cy,en"));
    let text = pdf_text(&pdf);
    let (cy, en) =
        (text.find("Eich hawliau: ŵyr ac ŷd").expect(&text), text.find("Stopped and searched?").expect(&text));
    assert!(cy < en, "Welsh first: {text}");
    for want in ["Paragraff cyntaf: ŵyr, ŷd a'r heddlu.", "Ail baragraff gyda ŵ ac ŷ.", "Ymunwch â'r panel ŵyr"] {
        assert!(text.contains(want), "{want:?} not in {text}");
    }
    // Every card's QR code still scans (12 cards: two A4 sheets, four pages), each card read
    // on its own, as a phone reads one card: zbar reading a whole page of ten codes missed one
    // in about 90 runs (a known zbar weakness with many codes in a grid, mchehab/zbar#182),
    // while that card, cut out, read at every resolution and with another decoder.
    let mut urls = Vec::new();
    for page in 1..=4 {
        for slot in 0..10 {
            let (col, row) = (slot % 2, slot / 2);
            // The grid of 2 x 5 cards of 85.6 x 54 mm is centred on the A4 page (fronts and
            // backs alike); at 300 dpi.
            let px = |mm: f64| ((mm * 300.0 / 25.4).round() as i64).to_string();
            let (x, y) = (
                px((210.0 - 2.0 * 85.6) / 2.0 + col as f64 * 85.6),
                px((297.0 - 5.0 * 54.0) / 2.0 + row as f64 * 54.0),
            );
            let card = tmp.path().join(format!("card-{page}-{slot}"));
            let status = Command::new("pdftoppm")
                .args(["-r", "300", "-png", "-singlefile", "-f", &page.to_string(), "-l", &page.to_string()])
                .args(["-x", &x, "-y", &y, "-W", &px(85.6), "-H", &px(54.0)])
                .arg(&pdf)
                .arg(&card)
                .status()
                .unwrap();
            assert!(status.success());
            let out = Command::new("zbarimg")
                .args(["--raw", "-q", "-Sdisable", "-Sqrcode.enable"])
                .arg(card.with_extension("png"))
                .output()
                .unwrap();
            let found: Vec<String> =
                String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(String::from).collect();
            assert!(found.len() <= 1, "one code per card: page {page}, slot {slot}: {found:?}");
            urls.extend(found);
        }
    }
    let read = urls.len();
    urls.sort();
    urls.dedup();
    assert_eq!((urls.len(), read), (12, 12), "{urls:?}");
    assert!(urls.iter().all(|u| u.starts_with("https://panel.example.police.uk/j/")));
}

#[test]
fn card_languages_and_wording_refuse_bad_input_naming_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/bad.db", tmp.path().display());
    let run = |args: &[&str]| {
        let mut c = scrutiny();
        c.args(args).env("DATABASE_URL", &db);
        c.output().unwrap()
    };
    let pdf = tmp.path().join("x.pdf");
    let out = run(&[
        "cards",
        "create",
        "--label",
        "X",
        "--count",
        "1",
        "--languages",
        "en,fr",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--languages") && err.contains("fr"), "{err}");
    // Five languages' full text cannot fit one card: refused before any batch is made.
    let out = run(&[
        "cards",
        "create",
        "--label",
        "X",
        "--count",
        "1",
        "--languages",
        "en,cy,pl,ro,ar",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not fit"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["cards", "wording", "--lang", "de", "--heading", "Hallo"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--lang"));
    let out = run(&["cards", "wording", "--lang", "pl", "--heading", "   "]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("--heading"));
    // Nothing was saved by the refused commands.
    let out = run(&["cards", "wording", "--lang", "pl"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Zatrzymanie i przeszukanie?"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(&["cards", "void", "1"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no batch 1"), "no batch was made");
}

#[test]
fn cards_create_never_harms_the_database_or_an_existing_file_and_leaves_no_batch_on_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let db_path = tmp.path().join("keep.db");
    let db = format!("sqlite://{}", db_path.display());
    let run = |args: &[&str]| scrutiny().args(args).env("DATABASE_URL", &db).current_dir(tmp.path()).output().unwrap();
    let good = tmp.path().join("good.pdf");
    assert!(run(&["cards", "create", "--label", "Kept", "--count", "5", "--out", good.to_str().unwrap()])
        .status
        .success());
    let count = || -> String {
        let out = Command::new("sqlite3").arg(&db_path).arg("SELECT COUNT(*) FROM cards").output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(count(), "5");
    // --out naming the database itself (relative or absolute): refused, database intact.
    for target in ["keep.db", db_path.to_str().unwrap(), "keep.db-wal"] {
        let out = run(&["cards", "create", "--label", "X", "--count", "5", "--out", target]);
        assert!(!out.status.success(), "{target}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is the database"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(count(), "5", "{target}");
    }
    // A refused create leaves a file that was already there as it was.
    let before = std::fs::read(&good).unwrap();
    let out = run(&[
        "cards",
        "create",
        "--label",
        "X",
        "--count",
        "1",
        "--languages",
        "en,cy,pl,ro,ar",
        "--out",
        good.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(&good).unwrap(), before, "the old print file is untouched");
    // A disk that fills up: an error naming --out, and no batch of unprintable cards.
    if std::path::Path::new("/dev/full").exists() {
        let out = run(&["cards", "create", "--label", "Full", "--count", "50", "--out", "/dev/full"]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--out") && err.contains("No batch was made"), "{err}");
        assert_eq!(count(), "5", "the 50 cards were not kept");
    }
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains(".partial-")),
        "no half files left"
    );
}

#[test]
fn card_wording_that_cannot_print_is_refused_naming_the_flag_and_nothing_is_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/w.db", tmp.path().display());
    let run = |args: &[&str]| scrutiny().args(args).env("DATABASE_URL", &db).output().unwrap();
    let stacked = format!("Z{}a", "\u{301}".repeat(20));
    let long = "Know your rights ".repeat(40);
    let word = "A".repeat(500);
    for (flag, value, says) in [
        ("--heading", "CJK 中文 test", "cannot print 中"),
        ("--heading", "Thai ภาษาไทย", "cannot print"),
        ("--invitation", "Hello \u{7} bell", "control characters"),
        ("--heading", "evil \u{202E}live", "direction override"),
        ("--heading", stacked.as_str(), "accents"),
        ("--heading", long.as_str(), "two lines"),
        ("--heading", word.as_str(), "two lines"),
        ("--heading", "\u{200B}\u{200B}", "empty"),
    ] {
        let out = run(&["cards", "wording", "--lang", "en", flag, value]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flag} {value:?} accepted");
        assert!(err.contains(says), "{flag} {value:?}: {err}");
    }
    let out = run(&["cards", "wording", "--lang", "en"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Stopped and searched? Know your rights"),
        "nothing saved"
    );
    // Body files: endless, binary, a folder: each refused with what is wrong.
    let folder = tmp.path().to_str().unwrap();
    let latin1 = tmp.path().join("latin1.txt");
    std::fs::write(&latin1, b"Caf\xe9").unwrap();
    for (path, says) in [("/dev/zero", "16 KB"), (latin1.to_str().unwrap(), "not UTF-8"), (folder, "a folder")] {
        let out = run(&["cards", "wording", "--lang", "en", "--body-file", path]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("--body-file") && err.contains(says), "{path}: {err}");
    }
    // A line of spaces separates paragraphs; a byte-order mark is not text.
    let bom = tmp.path().join("bom.txt");
    std::fs::write(&bom, "\u{feff}First.\n   \nSecond.").unwrap();
    let out = run(&["cards", "wording", "--lang", "en", "--body-file", bom.to_str().unwrap()]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("\nFirst.\n\nSecond.\n") && !shown.contains('\u{feff}'), "{shown:?}");
}

#[test]
fn three_languages_keep_the_address_and_code_on_the_back() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/three.db", tmp.path().display());
    let pdf = tmp.path().join("three.pdf");
    let out = scrutiny()
        .args([
            "cards",
            "create",
            "--label",
            "Three",
            "--count",
            "1",
            "--languages",
            "cy,en,ar",
            "--layout",
            "cr80",
            "--out",
        ])
        .arg(&pdf)
        .env("DATABASE_URL", &db)
        .env("SCRUTINY_BASE_URL", "https://panel.example.police.uk")
        .output()
        .unwrap();
    if out.status.success() {
        let text = pdf_text(&pdf);
        assert!(text.contains("https://panel.example.police.uk/j/"), "the address is printed: {text}");
        let (code,): (String,) = (Command::new("sqlite3")
            .arg(tmp.path().join("three.db"))
            .arg("SELECT code FROM cards")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap(),);
        assert!(text.contains(&code), "the card code is printed: {text}");
    } else {
        // If it cannot fit, it is refused before anything is made.
        assert!(String::from_utf8_lossy(&out.stderr).contains("does not fit"));
        assert!(!pdf.exists());
    }
    // A long invitation that cannot fit on the back: refused, not printed without a code.
    let long = "Ymunwch â'n panel craffu cymunedol ".repeat(9);
    let out = scrutiny()
        .args(["cards", "wording", "--lang", "cy", "--invitation", &long])
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    if out.status.success() {
        let out = scrutiny()
            .args(["cards", "create", "--label", "Long", "--count", "1", "--languages", "cy,en,ar", "--out"])
            .arg(tmp.path().join("long.pdf"))
            .env("DATABASE_URL", &db)
            .output()
            .unwrap();
        assert!(!out.status.success(), "a back without room for the code is refused");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("back of the card"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
