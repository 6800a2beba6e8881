#!/usr/bin/env bash
# Public landing page throughput: wrk against the app's /j/<code>, and in the same run
# against nginx serving the identical HTML bytes as a static file; prints the ratio.
# Usage: bash benches/landing.sh   (needs a release build: bash .ci/serve builds one;
# SCRUTINY_BIN overrides the binary; DURATION=8s, CONNECTIONS=32, ROUNDS=3 by default;
# GZIP=1: both asked for gzip, as phones ask, and nginx compressing with `gzip on`;
# the app logs as configured by default (a line per request) unless BENCH_RUST_LOG is set)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${SCRUTINY_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/scrutiny}"
DURATION="${DURATION:-8s}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
ENCODING=()
GZIP_CONF=""
if [ "${GZIP:-0}" = 1 ]; then
  ENCODING=(-H "Accept-Encoding: gzip")
  GZIP_CONF="gzip on; gzip_types text/html; gzip_min_length 0;"
fi
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs Debian's wrk and nginx (apt-get install wrk nginx)"; exit 1; }
TMP="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; nginx -p "$TMP/nginx" -c nginx.conf -s stop 2>/dev/null || true; rm -rf "$TMP"' EXIT
export DATABASE_URL="sqlite://$TMP/bench.db" SCRUTINY_DATA_DIR="$TMP/data"
# As a force runs it: the default log filter (a line per request), written to a file.
unset RUST_LOG SCRUTINY_LOG_FORMAT
if [ -n "${BENCH_RUST_LOG:-}" ]; then export RUST_LOG="$BENCH_RUST_LOG"; fi
"$BIN" cards create --label Bench --count 1 --out "$TMP/c.pdf" >/dev/null 2>&1
CODE="$(sqlite3 "$TMP/bench.db" 'select code from cards limit 1')"
LEPTOS_SITE_ADDR=127.0.0.1:3971 "$BIN" serve >"$TMP/server.log" 2>&1 &
for _ in $(seq 50); do curl -sf http://127.0.0.1:3971/health >/dev/null && break; sleep 0.1; done
mkdir -p "$TMP/nginx/html/j" "$TMP/nginx/logs"
curl -s "http://127.0.0.1:3971/j/$CODE" -o "$TMP/nginx/html/j/$CODE"
cat > "$TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  $GZIP_CONF
  server { listen 127.0.0.1:3972; root $TMP/nginx/html; }
}
CONF
# nginx's workers run as an unprivileged user: the temporary folder must be readable, or
# every request is a fast 403 and the comparison means nothing.
chmod 755 "$TMP" && chmod -R a+rX "$TMP/nginx/html"
nginx -p "$TMP/nginx" -c nginx.conf
test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:3972/j/$CODE")" = 200 || { echo "nginx does not serve the page"; exit 1; }
if [ "${GZIP:-0}" = 1 ]; then
  for port in 3971 3972; do
    curl -s -D - -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/j/$CODE" | grep -qi '^content-encoding: gzip' \
      || { echo "port $port does not answer gzip"; exit 1; }
  done
fi
sleep 0.5
# ROUNDS rounds, the app and nginx one after the other in each: both see the same state of
# the machine (nginx alone swung between 75,000 and 113,000 requests a second between runs).
# The ratio is of the medians.
APPS=(); STATICS=()
for round in $(seq "$ROUNDS"); do
  echo "== round $round: scrutiny /j/<code> (counts a scan per request)"
  APPS+=("$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${ENCODING[@]}" "http://127.0.0.1:3971/j/$CODE" | tee "$TMP/app.txt" | awk '/Requests\/sec/ {print $2}')")
  grep -E "Requests/sec|50%|99%" "$TMP/app.txt"
  echo "== round $round: nginx, same bytes"
  STATICS+=("$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${ENCODING[@]}" "http://127.0.0.1:3972/j/$CODE" | tee "$TMP/nginx.txt" | awk '/Requests\/sec/ {print $2}')")
  grep -E "Requests/sec|50%|99%" "$TMP/nginx.txt"
done
python3 - "${APPS[*]}" "${STATICS[*]}" <<'PY'
import statistics, sys
app = [float(x) for x in sys.argv[1].split()]
nginx = [float(x) for x in sys.argv[2].split()]
rounds = ", ".join(f"{a / n:.2f}" for a, n in zip(app, nginx))
print(f"ratio app/nginx: {statistics.median(app) / statistics.median(nginx):.2f} (medians {statistics.median(app):.0f} vs {statistics.median(nginx):.0f} requests/s; each round: {rounds})")
PY
# Logging was on: a line per request the app answered.
echo "app log: $(grep -c ' request method=' "$TMP/server.log") request lines"
