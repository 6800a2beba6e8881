#!/usr/bin/env bash
# police.uk import speed: `scrutiny import police-uk` of every shared file (parse, check,
# map ethnicity, replace each force-month in one transaction) against sqlite3's own
# `.import` of the same files into a plain 15-column table (no checks at all), each on
# a fresh SQLite database. Prints rows/s for both and the ratio.
# Usage: bash benches/import.sh   (needs a release build: bash .ci/serve builds one)
#   SCRUTINY_BIN=…  SCRUTINY_SHARED_DATA=../shared/data  RUNS=5
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${SCRUTINY_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/scrutiny}"
DATA="${SCRUTINY_SHARED_DATA:-$ROOT/../shared/data}"
RUNS="${RUNS:-5}"
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)"; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
FILES=("$DATA"/police-uk/*.csv)
ROWS=$(python3 -c "
import sys
n = 0
for f in sys.argv[1:]:
    text = open(f, encoding='utf-8-sig', newline='').read()
    import csv, io
    n += sum(1 for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)) - 1
print(n)" "${FILES[@]}")
echo "${#FILES[@]} files, $ROWS rows"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

for _ in $(seq "$RUNS"); do
  rm -f "$TMP"/s.db*
  DATABASE_URL="sqlite://$TMP/s.db" "$BIN" migrate >/dev/null
  start=$(now)
  DATABASE_URL="sqlite://$TMP/s.db" SCRUTINY_DATA_DIR="$TMP/data" "$BIN" import police-uk "${FILES[@]}" >/dev/null
  echo "$(now) - $start" | bc
done | median > "$TMP/app"
imported=$(sqlite3 "$TMP/s.db" "SELECT COUNT(*) FROM searches")
[ "$imported" = "$ROWS" ] || { echo "scrutiny imported $imported rows, expected $ROWS"; exit 1; }

{
  echo "CREATE TABLE raw (a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11,a12,a13,a14,a15);"
  for f in "${FILES[@]}"; do echo ".import --csv --skip 1 '$f' raw"; done
} > "$TMP/import.sql"
for _ in $(seq "$RUNS"); do
  rm -f "$TMP"/q.db*
  start=$(now)
  sqlite3 "$TMP/q.db" < "$TMP/import.sql" 2>/dev/null
  echo "$(now) - $start" | bc
done | median > "$TMP/sqlite"

python3 - "$ROWS" "$(cat "$TMP/app")" "$(cat "$TMP/sqlite")" <<'PY'
import sys
rows, app, raw = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"scrutiny import police-uk: {app * 1000:.0f} ms, {rows / app:,.0f} rows/s (median of runs, includes process start)")
print(f"sqlite3 .import:           {raw * 1000:.0f} ms, {rows / raw:,.0f} rows/s")
print(f"ratio scrutiny/sqlite3: {raw / app:.2f}")
PY
