#!/usr/bin/env bash
# Smoke test of the example server, as a newcomer would run it: starts it with the README command,
# calls every route with curl, sends SIGTERM and checks the shutdown report.
#
# Run from anywhere, after `mvn -B -q install -DskipTests` at the repository root:
#   example/smoke.sh            (PORT=18080 by default)
set -euo pipefail

cd "$(dirname "$0")/.."
port="${PORT:-18080}"
base="http://127.0.0.1:$port"
log="$(mktemp)"
pid=""

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap cleanup EXIT

fail() {
  echo "smoke test FAILED: $*" >&2
  echo "--- server output ---" >&2
  cat "$log" >&2
  exit 1
}

# The README command (mvn execs java, so $! is the server's JVM and gets the SIGTERM).
mvn -B -q -pl example exec:java -Dexec.args="--port $port --limit 1 --pending-limit 1 --grace 5s" >"$log" 2>&1 &
pid=$!

for _ in $(seq 1 120); do
  grep -q "listening on $base" "$log" && break
  kill -0 "$pid" 2>/dev/null || fail "the server exited before listening"
  sleep 0.5
done
grep -q "listening on $base" "$log" || fail "the server did not start within 60 s"

curl -fsS "$base/" | grep -q "POST /jobs" || fail "GET / does not explain the routes"
curl -fsS -X POST "$base/jobs?seconds=600&name=slow" | grep -q "spawned slow (active)" || fail "POST /jobs (active)"
curl -fsS -X POST "$base/jobs?seconds=600&name=queued" | grep -q "spawned queued (pending)" || fail "POST /jobs (pending)"
listing="$(curl -fsS "$base/jobs")"
echo "$listing" | grep -q "^background: 1 active, 1 pending" || fail "GET /jobs counts: $listing"
echo "$listing" | grep -q "slow  active" || fail "GET /jobs lists slow: $listing"
echo "$listing" | grep -q "queued  pending" || fail "GET /jobs lists queued: $listing"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/fail")" = 500 ] || fail "GET /fail is not a 500"
# The client gives up after 1 s; the atomic job runs on for 2 s more, into the shutdown.
curl -s --max-time 1 "$base/atomic?seconds=3" >/dev/null && fail "GET /atomic answered too early"

kill -TERM "$pid"
for _ in $(seq 1 60); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
kill -0 "$pid" 2>/dev/null && fail "the server did not stop within 30 s of SIGTERM"
status=0
wait "$pid" || status=$?
pid=""

grep -q "stopping: no new connections" "$log" || fail "no shutdown message"
grep -q "atomic request 1: its client has gone; the job ran to its end all the same" "$log" || fail "atomic job"
grep -q "finished during shutdown: atomic request 1$" "$log" || fail "the atomic request did not finish during shutdown"
grep -q "cancelled at shutdown: background job queued, background job slow$" "$log" || fail "cancelled jobs"
grep -q "nettyjobs-example: stopped" "$log" || fail "no final message"
[ "$status" = 143 ] || [ "$status" = 0 ] || fail "exit status $status"

echo "smoke test passed: the example server answered its routes and stopped gracefully on SIGTERM"
