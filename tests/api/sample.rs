//! `scrutiny sample` on real data.police.uk files: every sampled row is a row of the
//! source with the filter's property, the draw follows the documented method (so it is
//! the same on SQLite and PostgreSQL), the same seed gives the same sample (also after a
//! re-import), and a different seed a different one.
use std::{collections::BTreeMap, path::PathBuf};

use scrutiny::demographics::{police_uk::HEADER, sample};

use crate::{
    demographics::{scrutiny, shared_data},
    helpers::spawn_app,
};

/// A source row: (month, line the record starts on, the fields as published).
type SourceRow = (String, u64, Vec<String>);

/// The rows of the shared files for `force` from `from` to `to`, read independently of
/// the importer (line numbers counted from the bytes before each record).
fn source_rows(force: &str, from: &str, to: &str) -> (Vec<PathBuf>, Vec<SourceRow>) {
    let dir = shared_data().join("police-uk");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.ends_with(&format!("-{force}-stop-and-search.csv")) && &name[..7] >= from && &name[..7] <= to
        })
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for file in &files {
        let month = file.file_name().unwrap().to_string_lossy()[..7].to_string();
        let bytes = std::fs::read(file).unwrap();
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
        let (mut counted_to, mut breaks) = (0usize, 0u64);
        for record in reader.records() {
            let record = record.unwrap();
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            // The csv crate places a record after a CRLF at the LF; its first character is
            // the byte after that.
            let mut first = record.position().unwrap().byte() as usize;
            if bytes.get(first) == Some(&b'\n') {
                first += 1;
            }
            breaks += bytes[counted_to..first].iter().filter(|b| **b == b'\n').count() as u64;
            counted_to = first;
            let line = 1 + breaks;
            rows.push((month.clone(), line, record.iter().map(str::to_string).collect()));
        }
    }
    (files, rows)
}

fn has(only: &str, r: &[String]) -> bool {
    match only {
        "strip-search" => r[14].trim().eq_ignore_ascii_case("true"),
        "under-18" => ["under 10", "10-17"].contains(&r[7].trim().to_ascii_lowercase().as_str()),
        "section-60" => r[10].to_ascii_lowercase().contains("section 60"),
        "no-further-action" => r[12].to_ascii_lowercase().contains("no further action"),
        other => panic!("unknown filter {other}"),
    }
}

async fn draw(db: &str, force: &str, from: &str, to: &str, size: &str, seed: &str, only: &[&str]) -> (String, String) {
    let mut args = vec!["sample", "--force", force, "--from", from, "--to", to, "--size", size, "--seed", seed];
    for o in only {
        args.extend(["--only", o]);
    }
    let out = scrutiny(db, &args).await;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn records(csv_text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, HEADER, "the police.uk column names, in order");
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[tokio::test]
async fn samples_are_real_rows_drawn_by_the_documented_method_and_reproducible() {
    let app = spawn_app().await;
    let db = app.database_url.clone();
    let (files, rows) = source_rows("bedfordshire", "2022-01", "2022-12");
    assert_eq!(files.len(), 12);
    let (other_files, _) = source_rows("metropolitan", "2022-01", "2022-12");
    let mut args = vec!["import".to_string(), "police-uk".to_string()];
    args.extend(files.iter().chain(&other_files).map(|f| f.display().to_string()));
    let args_ref: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = scrutiny(&db, &args_ref).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let seed = "panel meeting 2026-11-30";
    let (first, stderr) = draw(&db, "bedfordshire", "2022-01", "2022-12", "50", seed, &[]).await;
    assert!(stderr.starts_with(&format!("50 of {} searches", rows.len())), "{stderr}");
    let drawn = records(&first);
    // The documented method, computed here from the files: the 50 smallest draw XOR key.
    let key = sample::key(seed);
    let mut expected: Vec<&SourceRow> = rows.iter().collect();
    expected.sort_by_key(|(month, line, _)| (sample::draw("bedfordshire", month, *line) ^ key, month.clone(), *line));
    let expected: Vec<Vec<String>> = expected.iter().take(50).map(|(_, _, r)| r.clone()).collect();
    assert_eq!(drawn, expected, "the sample is the documented draw, in its order");

    // Starting from a range far too narrow, the draw widens it until it holds enough
    // candidates, and comes to the same sample.
    for (seed, size) in [(seed, 50), ("1", 1), ("2", 7), ("3", 300)] {
        let narrow = scrutiny::demographics::repo::sample(
            &app.db,
            "bedfordshire",
            "2022-01",
            "2022-12",
            &[],
            &sample::Narrow::default(),
            sample::key(seed),
            size,
            0.01,
        )
        .await
        .unwrap();
        let usual = scrutiny::demographics::repo::sample(
            &app.db,
            "bedfordshire",
            "2022-01",
            "2022-12",
            &[],
            &sample::Narrow::default(),
            sample::key(seed),
            size,
            16.0,
        )
        .await
        .unwrap();
        assert_eq!(narrow.0, usual.0, "seed {seed}, size {size}");
        assert_eq!(narrow.0.len() as i64, size);
    }

    // Same seed: the same bytes, also after the files are imported again.
    assert_eq!(draw(&db, "bedfordshire", "2022-01", "2022-12", "50", seed, &[]).await.0, first);
    let out = scrutiny(&db, &args_ref).await;
    assert!(out.status.success());
    assert_eq!(draw(&db, "bedfordshire", "2022-01", "2022-12", "50", seed, &[]).await.0, first, "after re-import");
    // Another seed: another sample.
    let other = records(&draw(&db, "bedfordshire", "2022-01", "2022-12", "50", "another seed", &[]).await.0);
    let overlap = other.iter().filter(|r| drawn.contains(r)).count();
    assert!(overlap < 25, "a different seed draws different searches ({overlap} of 50 shared)");

    // Filters: every drawn row has the property (each, and combined), and every row that
    // has it is a candidate; nothing from another force or outside the months.
    for only in [
        vec!["strip-search"],
        vec!["under-18"],
        vec!["section-60"],
        vec!["no-further-action"],
        vec!["under-18", "no-further-action"],
    ] {
        let eligible: Vec<&Vec<String>> =
            rows.iter().map(|(_, _, r)| r).filter(|r| only.iter().all(|o| has(o, r))).collect();
        let (text, stderr) = draw(&db, "bedfordshire", "2022-01", "2022-12", "1000", "7", &only).await;
        let got = records(&text);
        assert!(stderr.contains(&format!(" of {} searches", eligible.len())), "{only:?}: {stderr}");
        assert_eq!(got.len(), eligible.len().min(1000), "{only:?}");
        let mut pool: BTreeMap<&Vec<String>, usize> = BTreeMap::new();
        for r in &eligible {
            *pool.entry(*r).or_default() += 1;
        }
        for r in &got {
            assert!(only.iter().all(|o| has(o, r)), "{only:?}: {r:?}");
            let left = pool.get_mut(r).unwrap_or_else(|| panic!("{only:?}: not a source row: {r:?}"));
            assert!(*left > 0, "{only:?}: drawn more often than it is in the source: {r:?}");
            *left -= 1;
        }
    }
    let (months, _) = draw(&db, "bedfordshire", "2022-03", "2022-03", "1000", seed, &[]).await;
    let march: Vec<Vec<String>> = rows.iter().filter(|(m, _, _)| m == "2022-03").map(|(_, _, r)| r.clone()).collect();
    let mut got = records(&months);
    got.sort();
    let mut want = march.clone();
    want.sort();
    assert_eq!(got, want, "a sample larger than the month is the whole month, nothing else");
}

#[tokio::test]
async fn bad_sample_requests_name_the_flag_and_print_nothing() {
    let app = spawn_app().await;
    for (args, flag) in [
        (vec!["--size", "0", "--from", "2022-01", "--to", "2022-02", "--seed", "1"], "--size"),
        (vec!["--size", "5", "--from", "2022-13", "--to", "2022-02", "--seed", "1"], "--from"),
        (vec!["--size", "5", "--from", "2022-03", "--to", "2022-02", "--seed", "1"], "--from"),
        (vec!["--size", "5", "--from", "2022-01", "--to", "2022-02", "--seed", " "], "--seed"),
        (vec!["--size", "5", "--from", "2022-01", "--to", "2022-02", "--seed", "1", "--only", "strip"], "--only"),
        // Found from outside: a seed that writes to the terminal, and a force nobody imported.
        (vec!["--size", "5", "--from", "2022-01", "--to", "2022-02", "--seed", "a\u{1b}[31m"], "--seed"),
        (vec!["--size", "5", "--from", "2022-01", "--to", "2022-02", "--seed", "1"], "--force"),
    ] {
        let mut all = vec!["sample", "--force", "bedfordshire"];
        all.extend(args.iter().copied());
        let out = scrutiny(&app.database_url, &all).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{all:?} was refused");
        assert!(err.contains(flag), "{all:?}: {err}");
        assert!(out.stdout.is_empty(), "{all:?} printed no CSV");
    }
}

/// The `--type`, `--legislation`, `--outcome` and `--ethnic-group` filters on real files:
/// every drawn row has the value (read here from the source rows), the count of
/// candidates is the source's, and the draw is the documented order among them.
#[tokio::test]
async fn filters_on_published_values_keep_exactly_the_rows_that_have_them() {
    let app = spawn_app().await;
    let db = app.database_url.clone();
    let (files, rows) = source_rows("bedfordshire", "2022-01", "2022-06");
    let mut args = vec!["import".to_string(), "police-uk".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args_ref: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(scrutiny(&db, &args_ref).await.status.success());
    type Pred = Box<dyn Fn(&[String]) -> bool>;
    let cases: Vec<(Vec<&str>, Pred)> = vec![
        (vec!["--type", "person and vehicle search"], Box::new(|r| r[0] == "Person and Vehicle search")),
        (vec!["--legislation", "MISUSE OF DRUGS"], Box::new(|r| r[10].to_lowercase().contains("misuse of drugs"))),
        (vec!["--outcome", "arrest"], Box::new(|r| r[12].to_lowercase().contains("arrest"))),
        (vec!["--ethnic-group", "officer:black"], Box::new(|r| r[9] == "Black")),
        (
            vec!["--outcome", "arrest", "--ethnic-group", "officer:asian", "--type", "Person search"],
            Box::new(|r| r[12].to_lowercase().contains("arrest") && r[9] == "Asian" && r[0] == "Person search"),
        ),
        // A value with LIKE's own wildcards matches them as text, not as patterns.
        (vec!["--outcome", "%"], Box::new(|r| r[12].contains('%'))),
    ];
    for (flags, pred) in cases {
        let eligible: Vec<&SourceRow> = rows.iter().filter(|(_, _, r)| pred(r)).collect();
        let mut all = vec![
            "sample",
            "--force",
            "bedfordshire",
            "--from",
            "2022-01",
            "--to",
            "2022-06",
            "--size",
            "40",
            "--seed",
            "s",
        ];
        all.extend(flags.iter());
        let out = scrutiny(&db, &all).await;
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{flags:?}: {stderr}");
        assert!(stderr.contains(&format!(" of {} searches", eligible.len())), "{flags:?}: {stderr}");
        let got = records(&String::from_utf8(out.stdout).unwrap());
        let key = sample::key("s");
        let mut expected = eligible.clone();
        expected
            .sort_by_key(|(month, line, _)| (sample::draw("bedfordshire", month, *line) ^ key, month.clone(), *line));
        let expected: Vec<Vec<String>> = expected.iter().take(40).map(|(_, _, r)| r.clone()).collect();
        assert_eq!(got, expected, "{flags:?}");
    }
    // Self-defined, as the comparison counts it: the candidates are the comparison's
    // searched count for the group, and each drawn row says Black itself or, saying
    // nothing recognisable, was recorded Black by the officer.
    let report = scrutiny(&db, &["report", "demographics", "--force", "bedfordshire"]).await;
    let report = String::from_utf8(report.stdout).unwrap();
    let searched_black: i64 = report
        .lines()
        .find(|l| l.starts_with("ethnic_group,black,"))
        .and_then(|l| l.split(',').nth(4))
        .and_then(|n| n.parse().ok())
        .expect("a black row in the comparison");
    let out = scrutiny(
        &db,
        &[
            "sample",
            "--force",
            "bedfordshire",
            "--from",
            "2022-01",
            "--to",
            "2022-06",
            "--size",
            "60",
            "--seed",
            "s",
            "--ethnic-group",
            "black",
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(stderr.contains(&format!(" of {searched_black} searches")), "{stderr}");
    let groups = ["White", "Mixed", "Asian", "Black", "Other"];
    for r in records(&String::from_utf8(out.stdout).unwrap()) {
        let own = groups.iter().find(|g| r[8].starts_with(*g));
        assert!(
            own == Some(&"Black")
                || (own.is_none() && r[9] == "Black")
                || (r[8].contains("Not stated") && r[9] == "Black"),
            "{r:?}"
        );
    }

    // Bad values are named.
    for (flags, named) in [
        (vec!["--type", "Horse search"], "--type"),
        (vec!["--ethnic-group", "purple"], "--ethnic-group"),
        (vec!["--legislation", "a\u{7}b"], "--legislation"),
    ] {
        let mut all = vec![
            "sample",
            "--force",
            "bedfordshire",
            "--from",
            "2022-01",
            "--to",
            "2022-06",
            "--size",
            "4",
            "--seed",
            "s",
        ];
        all.extend(flags.iter());
        let out = scrutiny(&db, &all).await;
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains(named), "{flags:?}");
        assert!(out.stdout.is_empty());
    }
}
