#!/usr/bin/env bash
# Measures how GET / fares during the two "under load" scenarios (docs/under-load.md) against the
# example server of a nettyjobs checkout: builds it there (package only: nothing is installed),
# starts it with `java -cp` on 127.0.0.1, runs UnderLoad.java against it, stops it with SIGTERM.
#
#   example/under-load.sh [CHECKOUT] [PORT]      (defaults: this checkout, port 18080)
#
# For the numbers before nettyjobs' load options, point it at an older checkout:
#   git worktree add /tmp/example-before 501672a && example/under-load.sh /tmp/example-before 18181
# UNDER_LOAD_ARGS adds options to UnderLoad (e.g. "--duration 75s"); SERVER_ARGS to both servers.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
tree="$(cd "${1:-$here}" && pwd)"
port="${2:-18080}"
work="$(mktemp -d)"
pid=""

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "building the example server of $tree ($(git -C "$tree" rev-parse --short HEAD))"
(cd "$tree" && mvn -B -q package dependency:build-classpath -DskipTests -Dmaven.javadoc.skip=true \
  -pl example -am -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=runtime >"$work/build.log" 2>&1) \
  || { cat "$work/build.log" >&2; exit 1; }
classpath="$tree/example/target/classes:$(cat "$work/cp.txt")"

# run SCENARIO SERVER_OPTIONS...: one server, one scenario.
run() {
  local scenario="$1"
  shift
  java -cp "$classpath" io.github.nettyjobs.example.ExampleServer --port "$port" "$@" ${SERVER_ARGS:-} \
    >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do
    grep -q "listening on" "$work/server.log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "--- server options: --port $port $* ${SERVER_ARGS:-}"
  # shellcheck disable=SC2086
  java "$here/example/src/test/java/io/github/nettyjobs/example/UnderLoad.java" --port "$port" \
    --scenario "$scenario" ${UNDER_LOAD_ARGS:-}
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
}

run pipelined-atomic
run background-flood --limit 2 --pending-limit 2
