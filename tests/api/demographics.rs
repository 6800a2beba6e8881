use std::path::PathBuf;

use crate::helpers::spawn_app;

/// The shared public data (data.police.uk and census files).
pub fn shared_data() -> PathBuf {
    let candidates = [
        std::env::var("SCRUTINY_SHARED_DATA").ok().map(PathBuf::from),
        Some(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"))),
        Some(PathBuf::from("/work/shared/data")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("police-uk").is_dir())
        .expect("shared data not found: set SCRUTINY_SHARED_DATA to the folder holding police-uk/ and census/")
}

/// Runs the CLI without blocking the test's runtime, so the in-process server keeps
/// working (and finishes any transaction it has open) while the command runs.
pub async fn scrutiny(db: &str, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(args)
        .env("DATABASE_URL", db)
        .output()
        .await
        .unwrap()
}

/// Counts data rows the simple way: non-blank lines after the header.
fn independent_row_count(path: &std::path::Path) -> i64 {
    let text = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
    text.lines().skip(1).filter(|l| !l.trim().is_empty()).count() as i64
}

pub async fn count(db: &scrutiny::db::Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
    n
}

#[tokio::test]
async fn every_shared_police_uk_file_imports_with_the_right_counts_and_reimport_replaces() {
    let app = spawn_app().await;
    let dir = shared_data().join("police-uk");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "all shared files: {}", files.len());
    let mut args = vec!["import".to_string(), "police-uk".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args_ref: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = scrutiny(&app.database_url, &args_ref).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut expected_total = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_str().unwrap();
        let (month, force) = (&name[..7], name[8..].split("-stop-and-search").next().unwrap());
        let expected = independent_row_count(file);
        expected_total += expected;
        let (got,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM searches WHERE force = $1 AND month = $2")
            .bind(force)
            .bind(month)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(got, expected, "{name}");
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM searches").await, expected_total);
    // The imports page names the files, not where they were on the server.
    let page = app.get("/admin/imports").await.text().await.unwrap();
    let first = files[0].file_name().unwrap().to_str().unwrap();
    assert!(page.contains(&format!("<td>{first}</td>")), "{first} not listed by name");
    assert!(!page.contains(dir.to_str().unwrap()), "server paths are not shown");

    // Importing the same force-month again replaces it.
    let again = scrutiny(&app.database_url, &["import", "police-uk", files[0].to_str().unwrap()]).await;
    assert!(again.status.success());
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM searches").await, expected_total, "no double counting");
    // The counts the comparison reads agree, in every dimension, after the re-import too.
    for dimension in ["ethnic_group", "ethnic_detail", "age", "gender"] {
        let sql = format!("SELECT CAST(SUM(n) AS BIGINT) FROM search_counts WHERE dimension = '{dimension}'");
        assert_eq!(count(&app.db, &sql).await, expected_total, "{dimension}");
    }
    // Detailed groups come from self-defined answers only.
    assert_eq!(
        count(&app.db, "SELECT CAST(SUM(n) AS BIGINT) FROM search_counts WHERE dimension = 'ethnic_detail' AND category <> 'not_stated'").await,
        count(&app.db, "SELECT COUNT(*) FROM searches WHERE ethnic_detail <> 'not_stated'").await
    );
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM searches WHERE ethnic_detail <> 'not_stated' AND ethnic_source <> 'self'")
            .await,
        0
    );
    // The five groups and the detail of one search never disagree.
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM searches WHERE ethnic_source = 'self' AND ethnic_detail NOT IN ('not_stated', 'not_recognised') \
             AND ethnic_detail NOT LIKE ethnic_group || '\\_%' ESCAPE '\\'").await,
        0
    );

    // Self-defined ethnicity first; officer-defined only as the fallback.
    assert!(count(&app.db, "SELECT COUNT(*) FROM searches WHERE ethnic_source = 'officer'").await > 0);
    assert!(
        count(&app.db, "SELECT COUNT(*) FROM searches WHERE ethnic_source = 'self'").await
            > count(&app.db, "SELECT COUNT(*) FROM searches WHERE ethnic_source = 'officer'").await
    );
}

#[tokio::test]
async fn a_bad_file_names_the_line_and_column_and_imports_nothing() {
    let app = spawn_app().await;
    let source = shared_data().join("police-uk/2021-05-bedfordshire-stop-and-search.csv");
    let text = std::fs::read_to_string(&source).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[4].split(',').map(str::to_string).collect();
    cells[1] = "last Tuesday".into();
    lines[4] = cells.join(",");
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("2021-06-bedfordshire-stop-and-search.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let good = shared_data().join("police-uk/2021-07-bedfordshire-stop-and-search.csv");
    let out =
        scrutiny(&app.database_url, &["import", "police-uk", good.to_str().unwrap(), bad.to_str().unwrap()]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 5, column 2 (Date)"), "{err}");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM searches").await, 0, "nothing half-imported");
}

#[tokio::test]
async fn census_population_and_the_demographics_report() {
    let app = spawn_app().await;
    let data = shared_data();
    let census = data.join("census/census2021-ethnic19-by-sex-LA.csv");
    let lookup = data.join("census/blackthrive-la_to_force_2020.csv");
    let out = scrutiny(
        &app.database_url,
        &["import", "census", census.to_str().unwrap(), "--lookup", lookup.to_str().unwrap()],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(count(&app.db, "SELECT COUNT(DISTINCT force) FROM population").await >= 40);
    let met = count(&app.db, "SELECT CAST(SUM(people) AS BIGINT) FROM population WHERE force = 'metropolitan' AND dimension = 'ethnic_group'").await;
    assert!((8_000_000..9_500_000).contains(&met), "London's population: {met}");

    let file = data.join("police-uk/2022-09-metropolitan-stop-and-search.csv");
    assert!(scrutiny(&app.database_url, &["import", "police-uk", file.to_str().unwrap()]).await.status.success());
    let out = scrutiny(&app.database_url, &["report", "demographics", "--force", "metropolitan"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("dimension,category,recruits,members,searched,population"));
    let black: Vec<&str> = csv.lines().find(|l| l.starts_with("ethnic_group,black,")).unwrap().split(',').collect();
    let searched_black = count(&app.db, "SELECT COUNT(*) FROM searches WHERE ethnic_group = 'black'").await;
    assert_eq!(black[4], searched_black.to_string());
    assert!(black[5].parse::<i64>().unwrap() > 500_000, "population of Black Londoners");
    let total_searched: i64 = csv
        .lines()
        .filter(|l| l.starts_with("ethnic_group,"))
        .map(|l| l.split(',').nth(4).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(total_searched, independent_row_count(&file));
}

#[tokio::test]
async fn recruit_counts_below_five_are_suppressed_in_the_report() {
    let app = spawn_app().await;
    let batch = app.create_batch("Report", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    for i in 0..6 {
        crate::retention::sign_up(&app, &code, &format!("p{i}@example.org")).await;
    }
    let out = scrutiny(&app.database_url, &["report", "demographics"]).await;
    let csv = String::from_utf8(out.stdout).unwrap();
    // The test sign-ups skip equality questions: 6 "not stated", shown as a number.
    assert!(csv.contains("ethnic_group,not_stated,6,0,0,"), "{csv}");
    assert!(csv.contains("age,25-34,6,"), "{csv}");
    // Erased the way the app erases (the report reads running counts, not the rows).
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT public_id FROM recruits WHERE email_lower IN ('p0@example.org', 'p1@example.org', 'p2@example.org')",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    for (id,) in ids {
        assert!(scrutiny::recruits::repo::erase(&app.db, &id).await.unwrap());
    }
    let csv = String::from_utf8(scrutiny(&app.database_url, &["report", "demographics"]).await.stdout).unwrap();
    assert!(csv.contains("age,25-34,[c],"), "{csv}");
}

#[tokio::test]
async fn the_insight_page_shows_the_funnel_and_the_comparison_to_viewers_with_suppression() {
    let app = spawn_app().await;
    let batch = app.create_batch("Insight", 10).await;
    let codes = app.codes_of(batch).await;
    app.get(&format!("/j/{}", codes[0])).await;
    app.get(&format!("/j/{}", codes[1])).await;
    app.flush_scans().await;
    for i in 0..3 {
        crate::retention::sign_up(&app, &codes[0], &format!("i{i}@example.org")).await;
    }
    let file = shared_data().join("police-uk/2019-12-durham-stop-and-search.csv");
    let out = scrutiny(&app.database_url, &["import", "police-uk", file.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));

    let viewer = app.client_as(scrutiny::roles::Role::Viewer).await;
    let response = viewer.get(app.url("/admin/insight")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    // Funnel: 10 printed, 2 cards scanned (20%); 3 started and 3 sent are people, and few.
    assert!(page.contains("<td class=\"num\">10</td><td class=\"num\">2 (20%)</td><td class=\"num\">[c]</td><td class=\"num\">[c]</td>"), "{page}");
    assert!(page.contains("<svg"), "charts are server-rendered SVG");
    assert!(page.contains("<title id=\"ethnic-title\">"), "charts have accessible titles");
    // Three recruits without equality answers: suppressed, and not turned into a percentage.
    assert!(page.contains("<th scope=\"row\">Not stated</th><td class=\"num\">[c]</td>"), "{page}");
    assert!(!page.contains("Casey Doe") && !page.contains("i0@example.org"), "no personal data for viewers");
    let white = count(&app.db, "SELECT COUNT(*) FROM searches WHERE ethnic_group = 'white'").await;
    assert!(white > 0);
    // Beside a withheld count, a recruits' zero is withheld too (else "0, 0, [c]" names
    // everyone's group); members are all 0, nothing withheld, so zeros show.
    assert!(page.contains(&format!("<th scope=\"row\">White</th><td class=\"num\">[c]</td><td class=\"num\">0</td><td class=\"num\">{white}</td>")), "{page}");
}

#[tokio::test]
async fn coordinators_upload_police_uk_files_from_the_dashboard() {
    let app = spawn_app().await;
    let path = shared_data().join("police-uk/2021-08-west-yorkshire-stop-and-search.csv");
    let bytes = std::fs::read(&path).unwrap();
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(bytes.clone()).file_name("2021-08-west-yorkshire-stop-and-search.csv"),
    );
    let r = app.client.post(app.url("/admin/imports")).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = app.get(r.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
    let expected = independent_row_count(&path);
    assert!(page.contains(&format!("Imported {expected} searches from 1 file")), "{page}");
    assert!(page.contains("west-yorkshire"));

    let bad = reqwest::multipart::Form::new()
        .part("files", reqwest::multipart::Part::bytes(b"nope".to_vec()).file_name("notes.csv"));
    let r = app.client.post(app.url("/admin/imports")).multipart(bad).send().await.unwrap();
    let page = app.get(r.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
    assert!(page.contains("YYYY-MM-&lt;force&gt;-stop-and-search.csv"), "{page}");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM searches").await, expected);
    let viewer = app.client_as(scrutiny::roles::Role::Viewer).await;
    assert_eq!(viewer.get(app.url("/admin/imports")).send().await.unwrap().status(), 403);
}

/// Real files under the wrong names and in the wrong combinations: refused with a message
/// that names the file, and nothing already saved is lost or replaced.
#[tokio::test]
async fn imports_refuse_what_would_lose_or_mislabel_data() {
    let app = spawn_app().await;
    let real = shared_data().join("police-uk/2019-12-durham-stop-and-search.csv");
    let rows = independent_row_count(&real);
    let tmp = tempfile::tempdir().unwrap();
    let copy = |name: &str, bytes: &[u8]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let bytes = std::fs::read(&real).unwrap();
    let durham = copy("2019-12-durham-stop-and-search.csv", &bytes);
    let out = scrutiny(&app.database_url, &["import", "police-uk", &durham]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let searches = || count(&app.db, "SELECT COUNT(*) FROM searches WHERE force = 'durham' AND month = '2019-12'");
    assert_eq!(searches().await, rows);

    // A header and no rows would empty the month: refused unless asked for.
    let header_only = bytes.split(|b| *b == b'\n').next().unwrap().to_vec();
    let empty = copy("2019-12-durham-stop-and-search.csv", &header_only);
    let out = scrutiny(&app.database_url, &["import", "police-uk", &empty]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("2019-12-durham-stop-and-search.csv")
            && err.contains("--allow-empty")
            && err.contains(&rows.to_string()),
        "{err}"
    );
    assert_eq!(searches().await, rows, "nothing lost");

    // --force names only files without a force in their name.
    let durham = copy("2019-12-durham-stop-and-search.csv", &bytes);
    let out = scrutiny(&app.database_url, &["import", "police-uk", "--force", "essex", &durham]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("\"durham\"") && err.contains("--force"), "{err}");
    let bare = copy("2019-11.csv", &bytes);
    let out = scrutiny(&app.database_url, &["import", "police-uk", "--force", "durham", &bare]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM searches WHERE force = 'durham' AND month = '2019-11'").await,
        rows
    );

    // Two files for one force-month in one command: refused, naming both.
    let twin = copy("2019-12-durham-stop-and-search-copy.csv", &bytes);
    let out = scrutiny(&app.database_url, &["import", "police-uk", &durham, &twin]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        err.contains("2019-12-durham-stop-and-search.csv") && err.contains("2019-12-durham-stop-and-search-copy.csv"),
        "{err}"
    );

    // Month 13 and a .txt file: what is expected is said.
    for bad in ["2019-13-durham-stop-and-search.csv", "2019-12-durham-stop-and-search.txt"] {
        let p = copy(bad, &bytes);
        let out = scrutiny(&app.database_url, &["import", "police-uk", &p]).await;
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(err.contains(bad) && err.contains("YYYY-MM-<force>-stop-and-search.csv"), "{err}");
    }
    // An upper-case suffix is fine.
    let upper = copy("2019-10-durham-stop-and-search.CSV", &bytes);
    assert!(scrutiny(&app.database_url, &["import", "police-uk", &upper]).await.status.success());

    // A spreadsheet-mangled age is recovered and said so; an unknown value is counted and listed.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1] = lines[1]
        .replace(",10-17,", ",Oct-17,")
        .replace(",18-24,", ",Oct-17,")
        .replace(",25-34,", ",Oct-17,")
        .replace(",over 34,", ",Oct-17,");
    assert!(lines[1].contains("Oct-17"), "the first row has an age to mangle: {}", lines[1]);
    lines[2] = lines[2].replacen(",Male,", ",Mle,", 1).replacen(",Female,", ",Mle,", 1);
    let mangled = copy("2019-09-durham-stop-and-search.csv", lines.join("\n").as_bytes());
    let out = scrutiny(&app.database_url, &["import", "police-uk", &mangled]).await;
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("Age range \"Oct-17\": 1 row read as \"10-17\" (recovered)"), "{said}");
    assert!(said.contains("Gender \"Mle\": 1 row counted as \"not recognised\""), "{said}");
    let page = app.get("/admin/imports").await.text().await.unwrap();
    assert!(
        page.contains("Gender &quot;Mle&quot;: 1 row counted as &quot;not recognised&quot;")
            || page.contains("Gender \"Mle\": 1 row counted as \"not recognised\""),
        "imports page lists it"
    );
    for dimension in ["ethnic_group", "ethnic_detail", "age", "gender"] {
        let sql = format!("SELECT CAST(SUM(n) AS BIGINT) FROM search_counts WHERE force = 'durham' AND month = '2019-09' AND dimension = '{dimension}'");
        assert_eq!(count(&app.db, &sql).await, rows, "{dimension} adds up to the searches");
    }
}

/// Independent of the importer: the group a police.uk row is counted under, read the
/// simple way (the label's first word; the 2001 "Chinese or other" by its code; the
/// officer's group when the person stated nothing).
fn simple_group(self_defined: &str, officer: &str) -> Option<String> {
    let s = self_defined.trim().to_lowercase();
    let stated = !s.is_empty() && !s.contains("not stated");
    if stated {
        if s.ends_with("(o1)") {
            return Some("asian".into());
        }
        let first = s.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
        return Some(if first == "chinese" { "other".into() } else { first.to_string() });
    }
    let o = officer.trim().to_lowercase();
    (!o.is_empty()).then_some(o)
}

#[tokio::test]
async fn disproportionality_agrees_with_an_independent_count_of_the_files() {
    let app = spawn_app().await;
    let data = shared_data();
    let census = data.join("census/census2021-ethnic19-by-sex-LA.csv");
    let lookup = data.join("census/blackthrive-la_to_force_2020.csv");
    let out = scrutiny(
        &app.database_url,
        &["import", "census", census.to_str().unwrap(), "--lookup", lookup.to_str().unwrap()],
    )
    .await;
    assert!(out.status.success());
    let warnings = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        warnings.contains("city-of-london") && warnings.contains("census2021-ethnic19-by-sex-LA.csv"),
        "the warning names the force and the file: {warnings}"
    );
    let files: Vec<PathBuf> =
        (1..=12).map(|m| data.join(format!("police-uk/2022-{m:02}-bedfordshire-stop-and-search.csv"))).collect();
    let mut args = vec!["import", "police-uk"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    assert!(scrutiny(&app.database_url, &args).await.status.success());

    // The independent count: searches by group over the year, population by group over
    // the LAs the lookup puts in Bedfordshire.
    let mut searches: std::collections::BTreeMap<String, i64> = Default::default();
    for f in &files {
        let mut r = csv::Reader::from_path(f).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            if let Some(g) = simple_group(&rec[8], &rec[9]) {
                *searches.entry(g).or_default() += 1;
            }
        }
    }
    let las: Vec<String> = csv::Reader::from_path(&lookup)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[6] == "Bedfordshire")
        .map(|r| r[1].to_string())
        .collect();
    assert_eq!(las.len(), 3, "Bedford, Central Bedfordshire, Luton");
    let mut people: std::collections::BTreeMap<String, i64> = Default::default();
    let mut r = csv::Reader::from_path(&census).unwrap();
    let headers = r.headers().unwrap().clone();
    for rec in r.records() {
        let rec = rec.unwrap();
        if !las.contains(&rec[0].to_string()) {
            continue;
        }
        for (i, h) in headers.iter().enumerate().skip(3) {
            let g = h.split(|c: char| !c.is_alphanumeric()).next().unwrap().to_lowercase();
            *people.entry(g).or_default() += rec[i].trim().parse::<i64>().unwrap_or(0);
        }
    }

    let out = scrutiny(
        &app.database_url,
        &["report", "disproportionality", "--force", "bedfordshire", "--from", "2022-01", "--to", "2022-12"],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv_text = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv_text.lines();
    assert_eq!(lines.next(), Some("force,ethnic_group,searches,population,rate_per_1000,ratio_to_white"));
    let row = |g: &str| -> Vec<String> {
        csv_text
            .lines()
            .find(|l| l.starts_with(&format!("bedfordshire,{g},")))
            .unwrap_or_else(|| panic!("{g}: {csv_text}"))
            .split(',')
            .map(str::to_string)
            .collect()
    };
    let white_rate = searches["white"] as f64 * 1000.0 / people["white"] as f64;
    for g in ["white", "black", "asian", "mixed", "other"] {
        let r = row(g);
        assert_eq!(r[2], searches.get(g).copied().unwrap_or(0).to_string(), "{g} searches");
        assert_eq!(r[3], people[g].to_string(), "{g} population");
        let rate = searches.get(g).copied().unwrap_or(0) as f64 * 1000.0 / people[g] as f64;
        assert_eq!(r[4], format!("{rate:.2}"), "{g} rate");
        assert_eq!(r[5], format!("{:.2}", rate / white_rate), "{g} ratio");
    }
    let stated: i64 = searches.values().sum();
    let total: i64 = files.iter().map(|f| independent_row_count(f)).sum();
    assert_eq!(row("not_stated")[2], (total - stated).to_string(), "not stated shown separately");
    assert_eq!(row("not_stated")[4], "", "and without a rate");

    // Officer basis, a month range, and the flags' mistakes.
    let out = scrutiny(
        &app.database_url,
        &["report", "disproportionality", "--basis", "officer", "--from", "2022-06", "--to", "2022-06"],
    )
    .await;
    assert!(out.status.success());
    let june: i64 = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(june, independent_row_count(&files[5]));
    for (args, says) in [
        (vec!["--force", "atlantis"], "bedfordshire"),
        (vec!["--from", "2022-13"], "YYYY-MM"),
        (vec!["--basis", "mood"], "self or officer"),
    ] {
        let mut all = vec!["report", "disproportionality"];
        all.extend(args);
        let out = scrutiny(&app.database_url, &all).await;
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{}", String::from_utf8_lossy(&out.stderr));
    }

    // The insight page shows the same numbers, with the method in words, and the
    // searches to watch by month.
    let page = app.get("/admin/insight").await.text().await.unwrap();
    assert!(page.contains("the Home Office method"));
    let black = row("black");
    assert!(
        page.contains(&format!("<td class=\"num\">{}</td><td class=\"num\">{}</td>", black[4], black[5])),
        "{page}"
    );
    assert!(page.contains("Searches to watch, by month"));
}

/// The sums of the "Searched" and "Population" columns of the insight page's
/// ethnic-group table (thousands separators removed).
fn ethnic_columns(page: &str) -> (i64, Option<i64>, bool) {
    let table = page
        .split("<caption>Ethnic group (ONS 2021 groups)</caption>")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let (mut searched, mut population, mut any_pop, mut recruits_shown) = (0, 0, false, false);
    for row in table.split("<tr>").skip(2) {
        let cells: Vec<String> = row
            .split("<td class=\"num\">")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap().replace(',', ""))
            .collect();
        recruits_shown |= cells[0] != "–";
        searched += cells[2].parse::<i64>().unwrap();
        if let Ok(p) = cells[3].parse::<i64>() {
            population += p;
            any_pop = true;
        }
    }
    (searched, any_pop.then_some(population), recruits_shown)
}

#[tokio::test]
async fn the_insight_columns_describe_the_same_force_and_months() {
    let app = crate::helpers::spawn_app_with(&[("SCRUTINY_FORCE_NAME", "Bedfordshire Police")]).await;
    let data = shared_data();
    let census = data.join("census/census2021-ethnic19-by-sex-LA.csv");
    let lookup = data.join("census/blackthrive-la_to_force_2020.csv");
    assert!(scrutiny(
        &app.database_url,
        &["import", "census", census.to_str().unwrap(), "--lookup", lookup.to_str().unwrap()]
    )
    .await
    .status
    .success());
    let beds: Vec<String> = ["2023-01", "2023-02", "2023-03"]
        .iter()
        .map(|m| data.join(format!("police-uk/{m}-bedfordshire-stop-and-search.csv")).display().to_string())
        .collect();
    let met = data.join("police-uk/2022-09-metropolitan-stop-and-search.csv").display().to_string();
    let mut args = vec!["import", "police-uk", met.as_str()];
    args.extend(beds.iter().map(String::as_str));
    assert!(scrutiny(&app.database_url, &args).await.status.success());
    let sql = |s: &'static str| count(&app.db, s);

    // By default: the panel's own force (Bedfordshire Police → bedfordshire), all its months.
    let page = app.get("/admin/insight").await.text().await.unwrap();
    let (searched, population, recruits_shown) = ethnic_columns(&page);
    assert_eq!(searched, sql("SELECT COUNT(*) FROM searches WHERE force = 'bedfordshire'").await);
    let beds_pop = sql("SELECT CAST(SUM(people) AS BIGINT) FROM population WHERE force = 'bedfordshire' AND dimension = 'ethnic_group'").await;
    assert_eq!(population, Some(beds_pop), "Bedfordshire's own census population");
    assert!(recruits_shown, "the panel's recruits are compared with its own force");
    assert!(page.contains("bedfordshire, searches from 2023-01 to 2023-03"), "the place and months in words");

    // All imported forces: population of exactly those two forces (not England and Wales),
    // and this panel's recruits are not set against London's searches.
    let page = app.get("/admin/insight?force=all").await.text().await.unwrap();
    let (searched, population, recruits_shown) = ethnic_columns(&page);
    assert_eq!(searched, sql("SELECT COUNT(*) FROM searches").await);
    let two = sql("SELECT CAST(SUM(people) AS BIGINT) FROM population WHERE force IN ('bedfordshire', 'metropolitan') AND dimension = 'ethnic_group'").await;
    assert_eq!(population, Some(two));
    assert!(two < 15_000_000, "not the population of every force: {two}");
    assert!(!recruits_shown && page.contains("Recruits and members: not shown"));

    // A period: searches of those months only, for each force in them.
    let page = app.get("/admin/insight?force=all&from=2023-02&to=2023-03").await.text().await.unwrap();
    let (searched, population, _) = ethnic_columns(&page);
    assert_eq!(searched, sql("SELECT COUNT(*) FROM searches WHERE month IN ('2023-02', '2023-03')").await);
    assert_eq!(population, Some(beds_pop), "only Bedfordshire was searched in those months");
    // Forces imported for different months are each named with their own months.
    let page = app.get("/admin/insight?force=all").await.text().await.unwrap();
    assert!(page.contains("bedfordshire, searches from 2023-01 to 2023-03; metropolitan 2022-09"), "{page}");
    // Nonsense is left out, and the page says so.
    let page = app.get("/admin/insight?force=kent&from=2023-13&to=2023-02").await.text().await.unwrap();
    assert!(page.contains("No searches are imported for “kent”") && page.contains("must look like 2025-01"), "{page}");
    let page = app.get("/admin/insight?force=bedfordshire&from=2023-03&to=2023-02").await.text().await.unwrap();
    assert!(page.contains("wrong way round"));
    let (searched, _, _) = ethnic_columns(&page);
    assert_eq!(
        searched,
        sql("SELECT COUNT(*) FROM searches WHERE force = 'bedfordshire' AND month IN ('2023-02', '2023-03')").await
    );

    // A force with no census figures: no population, and no ratio built on it.
    sqlx::query("DELETE FROM population WHERE force = 'metropolitan'").execute(app.db.pool()).await.unwrap();
    let page = app.get("/admin/insight?force=metropolitan").await.text().await.unwrap();
    let (_, population, _) = ethnic_columns(&page);
    assert_eq!(population, None);
    assert!(page.contains("Population: not available for this place"));
    // Large numbers have thousands separators.
    let page = app.get("/admin/insight?force=bedfordshire").await.text().await.unwrap();
    let white = sql("SELECT CAST(SUM(people) AS BIGINT) FROM population WHERE force = 'bedfordshire' AND dimension = 'ethnic_group' AND category = 'white'").await;
    let shown = crate::demographics::with_commas(white);
    assert!(
        shown.contains(',') && page.contains(&format!("<td class=\"num\">{shown}</td>")),
        "{white} shown as {shown}"
    );
}

pub fn with_commas(n: i64) -> String {
    scrutiny::insight::thousands(n)
}
