//! Drawing a panel's sample from a million imported searches (issue 18: at most 200 ms).
//! The Metropolitan Police's September 2022 file (12,447 searches) is imported as 81
//! months of the same force (1,008,207 searches), through the importer's own save, into
//! a temporary SQLite database (or a fresh PostgreSQL one: set DATABASE_URL). Then each
//! draw is timed: 20 searches over every month, over one year, and with filters.
//!
//! `cargo bench --features ssr --bench sample` (SEARCHES_MONTHS=81 by default)
use std::time::{Duration, Instant};

use scrutiny::{
    db::Db,
    demographics::{
        police_uk,
        sample::{draw_sample, Narrow, Only, Request},
    },
};

fn main() {
    let months: usize = std::env::var("SEARCHES_MONTHS").ok().and_then(|m| m.parse().ok()).unwrap_or(81);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", tmp.path().join("sample.db").display()));
    let data = std::env::var("SCRUTINY_SHARED_DATA").unwrap_or_else(|_| "../shared/data".into());
    let path = std::path::Path::new(&data).join("police-uk/2022-09-metropolitan-stop-and-search.csv");
    let bytes = std::fs::read(&path).expect("the shared Metropolitan file (set SCRUTINY_SHARED_DATA)");
    let mut parsed = police_uk::parse(&path, &bytes, None).unwrap();
    rt.block_on(async {
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let started = Instant::now();
        let mut total = 0;
        for i in 0..months {
            parsed.month = format!("{:04}-{:02}", 2015 + i / 12, 1 + i % 12);
            scrutiny::demographics::repo::replace_searches(&db, "bench.csv", &parsed, "").await.unwrap();
            total += parsed.searches.len();
        }
        let last = parsed.month.clone();
        println!(
            "{} ({}): {total} searches imported in {:.1} s",
            db.backend().name(),
            url.split(':').next().unwrap(),
            started.elapsed().as_secs_f64()
        );
        let arrests = Narrow::parse("Person search", "", "arrest", "").unwrap();
        let cases: [(&str, &str, &str, Vec<Only>, Narrow); 5] = [
            ("every month", "2015-01", &last, vec![], Narrow::default()),
            ("one year", "2019-01", "2019-12", vec![], Narrow::default()),
            (
                "every month, under-18s with no further action",
                "2015-01",
                &last,
                vec![Only::Under18, Only::NoFurtherAction],
                Narrow::default(),
            ),
            ("every month, strip searches", "2015-01", &last, vec![Only::StripSearch], Narrow::default()),
            ("every month, person searches ending in arrest (--type, --outcome)", "2015-01", &last, vec![], arrests),
        ];
        for (name, from, to, only, narrow) in cases {
            let mut times: Vec<Duration> = Vec::new();
            let mut drawn = (0, 0);
            for run in 0..7 {
                let request = Request {
                    force: "metropolitan".into(),
                    from: from.into(),
                    to: to.into(),
                    size: 20,
                    seed: format!("bench {run}"),
                    only: only.clone(),
                    narrow: narrow.clone(),
                };
                let t = Instant::now();
                let sample = draw_sample(&db, &request).await.unwrap();
                times.push(t.elapsed());
                drawn = (sample.records.len(), sample.candidates);
            }
            times.sort();
            println!(
                "{name}: 20 of {} drawn in {:.0} ms median ({:.0}–{:.0} ms over 7 seeds); got {}",
                drawn.1,
                times[3].as_secs_f64() * 1e3,
                times[0].as_secs_f64() * 1e3,
                times[6].as_secs_f64() * 1e3,
                drawn.0
            );
        }
    });
}
