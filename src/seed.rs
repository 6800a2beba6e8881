//! `scrutiny seed`: fills an empty database with a realistic volume of made-up data
//! (card batches, cards, scans, recruits with answers, funnel events) plus, optionally,
//! every data.police.uk file in a folder, for benchmarks and demonstrations. Names and
//! addresses are obviously fake (`Seed person 17`, `…@example.invalid`). It refuses a
//! database that already holds recruits, so it can never mix with real people.
use std::{collections::HashMap, path::PathBuf, time::Instant};

use anyhow::{bail, Context};

use crate::{
    db::{now_unix, rows_per_insert, values_placeholders, Db},
    domain::{CardCode, EthnicDetail},
};

#[derive(clap::Args, Debug)]
pub struct SeedArgs {
    /// How many recruits (people who signed up).
    #[arg(long, default_value_t = 1_000_000)]
    pub recruits: u64,
    /// How many card scans in total.
    #[arg(long, default_value_t = 5_000_000)]
    pub scans: u64,
    /// How many cards printed (default: three per recruit).
    #[arg(long)]
    pub cards: Option<u64>,
    /// Cards per batch.
    #[arg(long, default_value_t = 15_000)]
    pub batch_size: u64,
    /// Spread over this many months, ending today (12 keeps every scan inside the
    /// default one-year scan retention).
    #[arg(long, default_value_t = 12)]
    pub months: u64,
    /// Also import every *.csv in this folder of data.police.uk stop-and-search files.
    #[arg(long)]
    pub police_uk: Option<PathBuf>,
}

/// xorshift64*: deterministic, fast, good enough for made-up data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Picks from (value, weight) pairs.
    fn pick<T: Copy>(&mut self, choices: &[(T, u64)]) -> T {
        let total: u64 = choices.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total);
        for (v, w) in choices {
            if x < *w {
                return *v;
            }
            x -= w;
        }
        choices[choices.len() - 1].0
    }
}

/// A distinct, valid-looking card code for card number `i` (a bijection on 30^9).
fn code_of(i: u64) -> String {
    const SPACE: u64 = 19_683_000_000_000; // 30^9
    let mut x = (i.wrapping_mul(1_000_000_007) + 12_345_678_901) % SPACE;
    let mut s = [0u8; CardCode::LEN];
    for c in s.iter_mut().rev() {
        *c = CardCode::ALPHABET[(x % 30) as usize];
        x /= 30;
    }
    String::from_utf8(s.to_vec()).expect("ascii")
}

const DAY: i64 = 86_400;

/// Runs a multi-row INSERT for `rows` rows of `cols` values each, binding with `bind`.
macro_rules! insert_rows {
    ($conn:expr, $table_cols:expr, $cols:expr, $rows:expr, |$q:ident, $row:ident| $bind:expr) => {{
        let rows: Vec<_> = $rows.into_iter().collect();
        let sql = format!(
            "INSERT INTO {} VALUES {}",
            $table_cols,
            values_placeholders(crate::db::Backend::of($conn), rows.len(), $cols)
        );
        let mut $q = sqlx::query(&sql);
        for $row in rows {
            $q = $bind;
        }
        $q.execute($conn).await?;
    }};
}

pub async fn run(db: &Db, args: SeedArgs) -> anyhow::Result<()> {
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits").fetch_one(db.pool()).await?;
    if existing > 0 {
        bail!("seed only fills an empty database, and this one already has {existing} recruits");
    }
    let started = Instant::now();
    let mut rng = Rng(0x005E_ED0F_5C8E_u64);
    let now = now_unix();
    let span = (args.months.max(1) * 30) as i64 * DAY;
    let first_day = now - span;
    let cards = args.cards.unwrap_or(args.recruits * 3).max(1);
    let batch_size = args.batch_size.max(1);
    let n_batches = cards.div_ceil(batch_size);

    // Batches: printed evenly over the period.
    let mut batches = Vec::new(); // (id, created_at, quantity)
    {
        let mut tx = db.begin_write().await?;
        for b in 0..n_batches {
            let quantity = batch_size.min(cards - b * batch_size) as i64;
            let created = first_day + (b as i64 * span) / n_batches as i64;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO card_batches (label, area, quantity, created_by, created_at) VALUES ($1, $2, $3, 'seed', $4) RETURNING id",
            )
            .bind(format!("Seed batch {}", b + 1))
            .bind(["North", "South", "East", "West", "Central"][(b % 5) as usize])
            .bind(quantity)
            .bind(created)
            .fetch_one(&mut *tx)
            .await?;
            batches.push((id, created, quantity));
        }
        tx.commit().await?;
    }

    // Cards and scans: scans spread evenly over the cards that were scanned at all,
    // each scanned card three times on average (the first scan within 60 days of printing).
    let scanned_cards = args.scans.div_ceil(3).min(cards).max(1);
    let per_card = args.scans / scanned_cards;
    let extra = args.scans % scanned_cards;
    let mut batch_counts: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut card_index = 0u64;
    let mut scanned_so_far = 0u64;
    for &(batch_id, created, quantity) in &batches {
        let mut tx = db.begin_write().await?;
        let mut card_rows = Vec::with_capacity(500);
        let mut scan_rows = Vec::with_capacity(900);
        for position in 0..quantity {
            let i = card_index;
            card_index += 1;
            let code = code_of(i);
            // Card i is scanned when the running share of scanned cards steps up.
            let is_scanned = (i + 1) * scanned_cards / cards > i * scanned_cards / cards;
            let (count, first) = if is_scanned {
                let n = per_card + u64::from(scanned_so_far < extra);
                scanned_so_far += 1;
                let first = created + rng.below(60 * DAY as u64) as i64;
                for k in 0..n {
                    let at = if k == 0 { first } else { first + rng.below(30 * DAY as u64) as i64 };
                    scan_rows.push((code.clone(), batch_id, at.min(now)));
                }
                let c = batch_counts.entry(batch_id).or_default();
                c.0 += 1;
                c.1 += n as i64;
                (n as i64, Some(first.min(now)))
            } else {
                (0, None)
            };
            card_rows.push((code, batch_id, position + 1, count, first));
            // Cards before their scans (card_scans refers to cards).
            if card_rows.len() == rows_per_insert(5) || scan_rows.len() >= rows_per_insert(3) {
                insert_rows!(
                    &mut *tx,
                    "cards (code, batch_id, position, scan_count, first_scanned_at)",
                    5,
                    card_rows.drain(..),
                    |q, r| q.bind(r.0).bind(r.1).bind(r.2).bind(r.3).bind(r.4)
                );
            }
            if scan_rows.len() >= rows_per_insert(3) {
                insert_rows!(
                    &mut *tx,
                    "card_scans (card_code, batch_id, scanned_at)",
                    3,
                    scan_rows.drain(..),
                    |q, r| q.bind(r.0).bind(r.1).bind(r.2)
                );
            }
        }
        if !card_rows.is_empty() {
            insert_rows!(
                &mut *tx,
                "cards (code, batch_id, position, scan_count, first_scanned_at)",
                5,
                card_rows.drain(..),
                |q, r| q.bind(r.0).bind(r.1).bind(r.2).bind(r.3).bind(r.4)
            );
        }
        if !scan_rows.is_empty() {
            insert_rows!(&mut *tx, "card_scans (card_code, batch_id, scanned_at)", 3, scan_rows.drain(..), |q, r| q
                .bind(r.0)
                .bind(r.1)
                .bind(r.2));
        }
        let (scanned, scans) = batch_counts.get(&batch_id).copied().unwrap_or_default();
        sqlx::query("UPDATE card_batches SET scanned_cards = $1, scans = $2 WHERE id = $3")
            .bind(scanned)
            .bind(scans)
            .bind(batch_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    eprintln!("{} batches, {cards} cards, {} scans ({:.0?})", batches.len(), args.scans, started.elapsed());

    // Recruits: 90% came from a card, the rest from /join. Younger people and the
    // groups searched most are over-represented, as the panel hopes.
    let statuses = [
        ("new", 25),
        ("confirmed", 35),
        ("contacted", 12),
        ("interviewed", 9),
        ("vetted", 6),
        ("member", 8),
        ("declined", 3),
        ("withdrawn", 2),
    ];
    let ages = [
        ("under16", 2),
        ("16-17", 8),
        ("18-24", 30),
        ("25-34", 25),
        ("35-44", 15),
        ("45-54", 10),
        ("55-64", 6),
        ("65plus", 4),
    ];
    let details: Vec<(&str, u64)> = EthnicDetail::ALL
        .iter()
        .map(|d| {
            let w = match d.code() {
                "white_british" => 40,
                "white_other" | "black_african" | "black_caribbean" | "asian_pakistani" => 7,
                "prefer_not"
                | "asian_indian"
                | "asian_bangladeshi"
                | "black_other"
                | "mixed_white_black_caribbean"
                | "asian_other" => 4,
                _ => 1,
            };
            (d.code(), w)
        })
        .collect();
    let sexes = [(Some("man"), 55), (Some("woman"), 40), (Some("non_binary"), 2), (Some("another"), 1), (None, 2)];
    let mut events: HashMap<(Option<i64>, &'static str, i64), i64> = HashMap::new();
    let mut made = 0u64;
    while made < args.recruits {
        let mut tx = db.begin_write().await?;
        let end = (made + 50_000).min(args.recruits);
        let mut rows = Vec::with_capacity(300);
        let mut equality = Vec::with_capacity(300);
        for i in made..end {
            let batch = (rng.below(10) < 9).then(|| batches[rng.below(batches.len() as u64) as usize]);
            let base = batch.map(|b| b.1).unwrap_or(first_day);
            let created = (base + rng.below((now - base).max(1) as u64) as i64).min(now);
            let mut status = rng.pick(&statuses);
            let mut created = created;
            // Respect the default retention schedule, as a real database would: unconfirmed
            // people are kept 30 days, withdrawn or declined ones 90 days after the change.
            if status == "new" && created < now - 25 * DAY {
                created = now - rng.below(25 * DAY as u64) as i64;
            }
            let ended = matches!(status, "withdrawn" | "declined");
            if ended && now - created > 80 * DAY && rng.below(2) == 0 {
                status = "member";
            }
            let confirmed = (status != "new").then(|| (created + rng.below(3 * DAY as u64) as i64).min(now));
            let updated = if ended && status != "member" {
                now - rng.below(80 * DAY as u64) as i64
            } else {
                confirmed.unwrap_or(created)
            };
            let month = crate::insight::tally::month_start;
            let batch_id = batch.map(|b| b.0);
            *events.entry((batch_id, "submitted", month(created))).or_default() += 1;
            // Four in ten who start do not finish.
            *events.entry((batch_id, "started", month(created))).or_default() += 1 + i64::from(rng.below(10) < 4);
            if let Some(c) = confirmed {
                *events.entry((batch_id, "confirmed", month(c))).or_default() += 1;
            }
            let age = rng.pick(&ages);
            rows.push((
                i as i64 + 1,
                format!("seed{i:09}"),
                batch_id,
                format!("Seed person {}", i + 1),
                format!("seed{i}@example.invalid"),
                age,
                status,
                created,
                updated,
                confirmed,
            ));
            if rng.below(10) < 7 {
                let detail = rng.pick(&details);
                let group =
                    EthnicDetail::ALL.iter().find(|d| d.code() == detail).and_then(|d| d.group()).map(|g| g.code());
                let group = group.unwrap_or("prefer_not");
                let detail = (detail != "prefer_not").then_some(detail);
                equality.push((i as i64 + 1, created, group, detail, rng.pick(&sexes)));
            }
            if rows.len() == rows_per_insert(14) {
                insert_recruits(&mut tx, &mut rows, &mut equality).await?;
            }
        }
        insert_recruits(&mut tx, &mut rows, &mut equality).await?;
        tx.commit().await?;
        made = end;
    }
    eprintln!("{} recruits ({:.0?})", args.recruits, started.elapsed());

    // The dashboard's running counts, as the app keeps them (folded).
    let mut tx = db.begin_write().await?;
    crate::insight::tally::rebuild(&mut tx).await?;
    let events: Vec<_> = events.into_iter().collect();
    for chunk in events.chunks(rows_per_insert(4)) {
        insert_rows!(&mut *tx, "signup_events (batch_id, kind, at, n)", 4, chunk, |q, r| q
            .bind(r.0 .0)
            .bind(r.0 .1)
            .bind(r.0 .2)
            .bind(r.1));
    }
    tx.commit().await?;

    if let Some(dir) = args.police_uk {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("--police-uk: cannot read {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        files.sort();
        let mut total = 0;
        for path in &files {
            let bytes = std::fs::read(path)?;
            let parsed = crate::demographics::police_uk::parse(path, &bytes, None).map_err(|e| anyhow::anyhow!(e))?;
            let notes = crate::demographics::police_uk::describe_notes(&parsed.notes).join("\n");
            crate::demographics::repo::replace_searches(db, &path.display().to_string(), &parsed, &notes).await?;
            total += parsed.searches.len();
        }
        eprintln!("{total} searches from {} police.uk files", files.len());
    }
    match db.backend() {
        crate::db::Backend::Sqlite => {
            sqlx::query("ANALYZE").execute(db.writer()).await?;
        }
        // Recruit ids were given explicitly: move the identity past them.
        crate::db::Backend::Postgres => {
            sqlx::query("SELECT setval(pg_get_serial_sequence('recruits', 'id'), (SELECT MAX(id) FROM recruits))")
                .execute(db.writer())
                .await?;
            sqlx::query("ANALYZE").execute(db.writer()).await?;
        }
    }
    println!(
        "seeded {} recruits, {cards} cards in {} batches, {} scans in {:.1} s",
        args.recruits,
        batches.len(),
        args.scans,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

type RecruitRow = (i64, String, Option<i64>, String, String, &'static str, &'static str, i64, i64, Option<i64>);
type EqualityRow = (i64, i64, &'static str, Option<&'static str>, Option<&'static str>);

async fn insert_recruits(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    rows: &mut Vec<RecruitRow>,
    equality: &mut Vec<EqualityRow>,
) -> anyhow::Result<()> {
    if !rows.is_empty() {
        insert_rows!(
            &mut **tx,
            "recruits (id, public_id, batch_id, name, email, email_lower, contact_method, area_connection, \
             age_band, language, status, created_at, updated_at, confirmed_at)",
            14,
            rows.drain(..),
            |q, r| q
                .bind(r.0)
                .bind(r.1)
                .bind(r.2)
                .bind(r.3)
                .bind(r.4.clone())
                .bind(r.4)
                .bind("email")
                .bind("live")
                .bind(r.5)
                .bind("en")
                .bind(r.6)
                .bind(r.7)
                .bind(r.8)
                .bind(r.9)
        );
    }
    if !equality.is_empty() {
        insert_rows!(
            &mut **tx,
            "recruit_equality (recruit_id, consented_at, ethnic_group, ethnic_detail, sex)",
            5,
            equality.drain(..),
            |q, r| q.bind(r.0).bind(r.1).bind(r.2).bind(r.3).bind(r.4)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_codes_are_valid_and_distinct() {
        let codes: std::collections::HashSet<String> = (0..100_000).map(code_of).collect();
        assert_eq!(codes.len(), 100_000);
        assert!(codes.iter().all(|c| CardCode::parse(c).is_ok()));
    }
}
