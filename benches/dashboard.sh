#!/usr/bin/env bash
# Dashboard at volume: seeds a database once (1,000,000 recruits, 5,000,000 scans, every
# shared data.police.uk file, census population), then times the insight page (funnel +
# demographics comparison), the recruits list's text search and every combination of its
# filters over HTTP as a signed-in coordinator, and runs the same queries directly in
# sqlite3 (plain scans of the rows, and through the search index) for comparison.
# Usage: bash benches/dashboard.sh   (needs a release build: bash .ci/build makes one)
#   SCRUTINY_BIN=…  BENCH_DB=target/bench-dashboard.db  RECRUITS=1000000  SCANS=5000000
#   REQUESTS=40  COMBO_REQUESTS=10  SCRUTINY_SHARED_DATA=../shared/data
#   BENCH_PG=postgres://postgres@127.0.0.1/scrutiny_bench   the same over HTTP on PostgreSQL
#     (the database is created and seeded when it has no recruits; the sqlite3 comparisons
#     are skipped, psql runs the plain scan with the trigram index switched off instead)
# Delete BENCH_DB (or drop the BENCH_PG database) to seed again.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${SCRUTINY_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/scrutiny}"
DB="${BENCH_DB:-$ROOT/target/bench-dashboard.db}"
RECRUITS="${RECRUITS:-1000000}"
SCANS="${SCANS:-5000000}"
REQUESTS="${REQUESTS:-40}"
COMBO_REQUESTS="${COMBO_REQUESTS:-10}"
PG="${BENCH_PG:-}"
DATA="${SCRUTINY_SHARED_DATA:-$ROOT/../shared/data}"
PORT=3973
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)"; exit 1; }
TMP="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
export SCRUTINY_DATA_DIR="$TMP/data"
# As a force runs it: the default log filter (a line per request), written to a file.
unset RUST_LOG SCRUTINY_LOG_FORMAT
if [ -n "$PG" ]; then
  export DATABASE_URL="$PG"
  psql -w "${PG%/*}/postgres" -qAtc "CREATE DATABASE \"${PG##*/}\"" 2>/dev/null || true
  # sql LABEL SQL: the statement's time in psql (\timing), the last one printed.
  seeded() { [ "$(psql -w "$PG" -qAtc 'SELECT COUNT(*) FROM recruits' 2>/dev/null || echo 0)" -gt 0 ]; }
  one() { psql -w "$PG" -qAtc "$1"; }
else
  export DATABASE_URL="sqlite://$DB"
  mkdir -p "$(dirname "$DB")"
  seeded() { [ -f "$DB" ]; }
  one() { sqlite3 "$DB" "$1"; }
fi

if ! seeded; then
  echo "== seeding $DB ($RECRUITS recruits, $SCANS scans, $DATA/police-uk)"
  /usr/bin/time -f "seed: %e s, peak RSS %M KiB" "$BIN" seed --recruits "$RECRUITS" --scans "$SCANS" --police-uk "$DATA/police-uk"
  "$BIN" import census "$DATA/census/census2021-ethnic19-by-sex-LA.csv" --lookup "$DATA/census/blackthrive-la_to_force_2020.csv" 2>/dev/null
fi
if [ -n "$PG" ]; then
  echo "database: $(one "SELECT pg_size_pretty(pg_database_size(current_database()))") (PostgreSQL)"
else
  ls -l "$DB" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'
fi

PASSWORD="bench-password-$(date +%s)-long"
SCRUTINY_PASSWORD="$PASSWORD" "$BIN" user add --email "bench-$$@example.org" --role coordinator >/dev/null
# The ethnic group filter needs equality data access (given by an admin).
one "UPDATE users SET equality_access = 1 WHERE email = 'bench-$$@example.org'" >/dev/null
LEPTOS_SITE_ADDR="127.0.0.1:$PORT" "$BIN" serve >"$TMP/server.log" 2>&1 &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
curl -s -o /dev/null -c "$TMP/jar" -H "Origin: http://127.0.0.1:$PORT" \
  --data-urlencode "email=bench-$$@example.org" --data-urlencode "password=$PASSWORD" --data-urlencode "next=/admin" \
  "http://127.0.0.1:$PORT/admin/login"

# p50 / p90 / max of REQUESTS sequential requests (after 3 warm-up requests).
time_page() {
  local path="$1"
  for _ in 1 2 3; do curl -s -o /dev/null -b "$TMP/jar" "http://127.0.0.1:$PORT$path"; done
  local status
  status=$(curl -s -o "$TMP/page.html" -w '%{http_code}' -b "$TMP/jar" "http://127.0.0.1:$PORT$path")
  [ "$status" = 200 ] || { echo "$path answered $status"; exit 1; }
  for _ in $(seq "$REQUESTS"); do
    curl -s -o /dev/null -w '%{time_total}\n' -b "$TMP/jar" "http://127.0.0.1:$PORT$path"
  done | sort -n | python3 -c "
import sys
t = [float(x) * 1000 for x in sys.stdin]
print(f'$path: p50 {t[len(t)//2]:.1f} ms, p90 {t[int(len(t)*0.9)]:.1f} ms, max {t[-1]:.1f} ms ({len(t)} requests)')"
}

echo "== over HTTP (release build, $([ -n "$PG" ] && echo PostgreSQL || echo SQLite))"
time_page /admin/insight
grep -q "look like the people searched" "$TMP/page.html" || { echo "insight page has no comparison"; exit 1; }
time_page /admin/recruits
time_page "/admin/recruits?q=person%2012345&sort=name"
time_page "/admin/recruits?status=member&eth=black&age=18-24&page=5"

echo "== text search over HTTP (p50 of $REQUESTS; seeded names are 'Seed person N', emails seedN@example.invalid)"
for q in "person 12345" "seed123456@" "Person 99999" "erson 5" "nobody-like-this" "example.invalid" "12" "zz"; do
  time_page "/admin/recruits?q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")"
  grep -oE '(More than )?[0-9,]+ recruits match|No recruits match' "$TMP/page.html" | head -1 | sed 's/^/    /'
done

# Every combination of the six filters (search, status, batch, dates, age, ethnic group):
# 64 combinations, COMBO_REQUESTS each, sorted newest first; then the full combination in
# every order and on a later page.
batch_id="$(one "SELECT MIN(batch_id) FROM recruits WHERE batch_id IS NOT NULL")"
from_date="$(date -u -d '-120 days' +%F)" to_date="$(date -u -d '-30 days' +%F)"
FILTERS=("q=person%201" "status=member" "batch=$batch_id" "from=$from_date&to=$to_date" "age=25-34" "eth=white")
echo "== every filter combination over HTTP (p50 of $COMBO_REQUESTS, newest first; q=person 1, batch $batch_id, $from_date..$to_date)"
REQUESTS_ALL="$REQUESTS"; REQUESTS="$COMBO_REQUESTS"
for mask in $(seq 1 63); do
  query=""
  for bit in 0 1 2 3 4 5; do
    (( mask & (1 << bit) )) && query="$query${query:+&}${FILTERS[$bit]}"
  done
  time_page "/admin/recruits?$query"
done | tee "$TMP/combos.txt"
all="$(IFS='&'; echo "${FILTERS[*]}")"
for extra in "sort=oldest" "sort=name" "sort=status" "page=3" "sort=name&page=20"; do
  time_page "/admin/recruits?$all&$extra" | tee -a "$TMP/combos.txt"
  time_page "/admin/recruits?status=member&$extra" | tee -a "$TMP/combos.txt"
done
REQUESTS="$REQUESTS_ALL"
python3 - "$TMP/combos.txt" <<'PY'
import re, sys
rows = [(float(m.group(2)), m.group(1)) for line in open(sys.argv[1]) if (m := re.match(r"(\S+): p50 ([0-9.]+) ms", line))]
rows.sort()
print(f"combinations: {len(rows)}, p50 median {rows[len(rows)//2][0]:.1f} ms, slowest p50 {rows[-1][0]:.1f} ms ({rows[-1][1]})")
PY

if [ -n "$PG" ]; then
  echo "== the same search in psql: plain scans vs through the index (EXPLAIN ANALYZE execution time, count)"
  plain_sql="SELECT COUNT(*) FROM recruits r WHERE LOWER(r.name || E'\\n' || COALESCE(r.email, '') || E'\\n' || COALESCE(r.phone, '') || E'\\n' || COALESCE(r.postcode, '')) LIKE '%person 12345%'"
  search_sql="SELECT COUNT(*) FROM recruits r WHERE r.search_text LIKE '%person 12345%'"
  printf 'plain scan of the four fields (the query before the index): '; psql -w "$PG" -qAt -c "SET max_parallel_workers_per_gather = 0" -c "EXPLAIN ANALYZE $plain_sql" | grep 'Execution Time'
  printf 'plain scan of the stored lower-cased text (trigram index off): '; psql -w "$PG" -qAt -c "SET enable_bitmapscan = off" -c "SET max_parallel_workers_per_gather = 0" -c "EXPLAIN ANALYZE $search_sql" | grep 'Execution Time'
  printf 'trigram index: '; psql -w "$PG" -qAt -c "EXPLAIN ANALYZE $search_sql" | grep 'Execution Time'
  # A broad search as a plain scan: counted to 10,001, then the newest fifty (compare with
  # q=person%201 over HTTP above).
  broad="FROM recruits r WHERE LOWER(r.name || E'\\n' || COALESCE(r.email, '') || E'\\n' || COALESCE(r.phone, '') || E'\\n' || COALESCE(r.postcode, '')) LIKE '%person 1%'"
  printf 'plain scan, q=person 1, count to 10,001 + first page: '
  psql -w "$PG" -qAt -c "SET enable_bitmapscan = off" -c "SET max_parallel_workers_per_gather = 0" \
    -c "EXPLAIN ANALYZE SELECT COUNT(*) FROM (SELECT 1 $broad LIMIT 10001) m" \
    -c "EXPLAIN ANALYZE SELECT r.id $broad ORDER BY r.id DESC LIMIT 50" | grep 'Execution Time' | awk '{t += $3} END {printf "%.0f ms\n", t}'
  exit 0
fi

echo "== the same aggregates in sqlite3 (.timer on; real seconds)"
run_sql() {
  local label="$1" sql="$2"
  printf '%s: ' "$label"
  # every statement's time, added up
  printf '.timer on\n%s\n' "$sql" | sqlite3 "$DB" | grep 'Run Time' | awk '{t += $4} END {printf "%.0f ms\n", t * 1000}'
}
run_sql "recruits by ethnic group, counting every recruit" \
  "SELECT CASE WHEN e.ethnic_group IS NULL OR e.ethnic_group = 'prefer_not' THEN 'not_stated' ELSE e.ethnic_group END, COUNT(*) FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id GROUP BY 1;"
run_sql "members by ethnic group, counting every recruit" \
  "SELECT e.ethnic_group, COUNT(*) FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id WHERE r.status = 'member' GROUP BY 1;"
run_sql "scanned cards per batch, counting every card" \
  "SELECT b.id, (SELECT COUNT(*) FROM cards c WHERE c.batch_id = b.id AND c.first_scanned_at IS NOT NULL) FROM card_batches b;"
run_sql "recruits by ethnic group from the running tally (what the page reads)" \
  "SELECT CASE WHEN ethnic_group IS NULL OR ethnic_group = 'prefer_not' THEN 'not_stated' ELSE ethnic_group END, SUM(n) FROM recruit_tally GROUP BY 1;"
run_sql "funnel events per batch and kind (what the page reads)" \
  "SELECT batch_id, kind, SUM(n) FROM signup_events GROUP BY batch_id, kind;"
echo "== text search in sqlite3: plain scans of the four fields vs the FTS5 trigram index (count + first page)"
for q in "person 12345" "seed123456@" "person 1" "example.invalid"; do
  like="%$q%"
  scan="(LOWER(r.name) LIKE '$like' ESCAPE '\\' OR r.email_lower LIKE '$like' ESCAPE '\\' OR LOWER(COALESCE(r.phone, '')) LIKE '$like' ESCAPE '\\' OR LOWER(COALESCE(r.postcode, '')) LIKE '$like' ESCAPE '\\')"
  run_sql "plain scan, every match counted (the query before the index), q=$q" \
    "SELECT COUNT(*) FROM recruits r WHERE $scan; SELECT r.public_id, r.name FROM recruits r WHERE $scan ORDER BY r.id DESC LIMIT 50;"
  run_sql "plain scan, counted to 10,001 like the app, q=$q" \
    "SELECT COUNT(*) FROM (SELECT 1 FROM recruits r WHERE $scan LIMIT 10001); SELECT r.public_id, r.name FROM recruits r WHERE $scan ORDER BY r.id DESC LIMIT 50;"
  fts="FROM recruit_search s CROSS JOIN recruits r ON r.id = s.rowid WHERE s.recruit_search MATCH '\"$q\"'"
  run_sql "FTS5 trigram index, as the app (counted to 10,001), q=$q" \
    "SELECT COUNT(*) FROM (SELECT 1 $fts LIMIT 10001); SELECT r.public_id, r.name $fts ORDER BY s.rowid DESC LIMIT 50;"
done
sqlite3 "$DB" "SELECT 'rows: ' || (SELECT COUNT(*) FROM recruits) || ' recruits, ' || (SELECT COUNT(*) FROM card_scans) || ' scans, ' || (SELECT COUNT(*) FROM searches) || ' searches, ' || (SELECT COUNT(*) FROM recruit_tally) || ' tally rows, ' || (SELECT COUNT(*) FROM signup_events) || ' event rows';"
