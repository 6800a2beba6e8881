#!/usr/bin/env bash
# Dashboard at volume on SQLite: seeds a database once (1,000,000 recruits, 5,000,000
# scans, every shared data.police.uk file, census population), then times the insight
# page (funnel + demographics comparison) and the recruits list over HTTP as a signed-in
# coordinator, and runs the same aggregates directly in sqlite3 for comparison.
# Usage: bash benches/dashboard.sh   (needs a release build: bash .ci/serve builds one)
#   SCRUTINY_BIN=…  BENCH_DB=target/bench-dashboard.db  RECRUITS=1000000  SCANS=5000000
#   REQUESTS=40  SCRUTINY_SHARED_DATA=../shared/data
# Delete BENCH_DB to seed again.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${SCRUTINY_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/scrutiny}"
DB="${BENCH_DB:-$ROOT/target/bench-dashboard.db}"
RECRUITS="${RECRUITS:-1000000}"
SCANS="${SCANS:-5000000}"
REQUESTS="${REQUESTS:-40}"
DATA="${SCRUTINY_SHARED_DATA:-$ROOT/../shared/data}"
PORT=3973
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)"; exit 1; }
TMP="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
export DATABASE_URL="sqlite://$DB" SCRUTINY_DATA_DIR="$TMP/data" RUST_LOG=warn
mkdir -p "$(dirname "$DB")"

if [ ! -f "$DB" ]; then
  echo "== seeding $DB ($RECRUITS recruits, $SCANS scans, $DATA/police-uk)"
  /usr/bin/time -f "seed: %e s, peak RSS %M KiB" "$BIN" seed --recruits "$RECRUITS" --scans "$SCANS" --police-uk "$DATA/police-uk"
  "$BIN" import census "$DATA/census/census2021-ethnic19-by-sex-LA.csv" --lookup "$DATA/census/blackthrive-la_to_force_2020.csv" 2>/dev/null
fi
ls -l "$DB" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'

PASSWORD="bench-password-$(date +%s)-long"
SCRUTINY_PASSWORD="$PASSWORD" "$BIN" user add --email "bench-$$@example.org" --role coordinator >/dev/null
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

echo "== over HTTP (release build, SQLite)"
time_page /admin/insight
grep -q "look like the people searched" "$TMP/page.html" || { echo "insight page has no comparison"; exit 1; }
time_page /admin/recruits
time_page "/admin/recruits?q=person%2012345&sort=name"
time_page "/admin/recruits?status=member&eth=black&age=18-24&page=5"

echo "== the same aggregates in sqlite3 (.timer on; real seconds)"
run_sql() {
  local label="$1" sql="$2"
  printf '%s: ' "$label"
  printf '.timer on\n%s\n' "$sql" | sqlite3 "$DB" | grep 'Run Time' | tail -1 | awk '{printf "%.0f ms\n", $4 * 1000}'
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
sqlite3 "$DB" "SELECT 'rows: ' || (SELECT COUNT(*) FROM recruits) || ' recruits, ' || (SELECT COUNT(*) FROM card_scans) || ' scans, ' || (SELECT COUNT(*) FROM searches) || ' searches, ' || (SELECT COUNT(*) FROM recruit_tally) || ' tally rows, ' || (SELECT COUNT(*) FROM signup_events) || ' event rows';"
