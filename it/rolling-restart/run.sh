#!/usr/bin/env bash
# A rolling restart behind a real load balancer: HAProxy in front of two example servers on
# loopback ports, health-checking GET /ready every 500 ms, while keep-alive clients send short
# requests and /atomic requests of 1-3 s through it. Each server is restarted in turn, twice
# (SIGTERM, wait for its exit, start it again, wait until HAProxy has it up again). Prints the
# counts last, and exits non-zero if any request failed or an accepted /atomic job did not finish.
#
#   it/rolling-restart/run.sh [--no-drain] [--h2] [--retries N] [--rounds N] [--skip-build]
#
#   --no-drain    SIGTERM stops accepting at once and waits for the jobs (the server's --drain false),
#                 to compare with draining
#   --h2          HAProxy talks HTTP/2 (h2c) to the servers instead of HTTP/1.1
#   --retries N   HAProxy's retries (default 0); retry-on is conn-failure only either way, so a
#                 request that reached a server is never sent again by the balancer
#   --rounds N    restarts of each server (default 2)
#
# Needs haproxy (installed with apt-get when missing), Maven and a JDK. Traffic stays on 127.0.0.1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/target/rolling-restart"

drain=true proto="" retries=0 rounds=2 build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --no-drain) drain=false ;;
    --h2) proto="proto h2" ;;
    --retries) retries="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --skip-build) build=false ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "rolling-restart: $*"; }

if ! command -v haproxy >/dev/null 2>&1; then
  log "installing haproxy"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q haproxy >/dev/null
fi
log "$(haproxy -v | head -n 1)"

rm -rf "$work" && mkdir -p "$work"
if $build; then
  log "building the example"
  # package, not install: the reactor resolves the library modules from this build.
  (cd "$root" && mvn -B -q -Dstyle.color=never -pl example -am -DskipTests -Dmaven.javadoc.skip=true \
      -Dmaven.source.skip=true package org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/rolling-classpath.txt -Dmdep.regenerateFile=true)
fi
classpath="$root/example/target/classes:$root/example/target/test-classes:$(cat "$root/example/target/rolling-classpath.txt")"

free_port() { # a port nobody listens on, from a range of its own
  local port
  while true; do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}
front=$(free_port); stats=$(free_port)
ports=("$(free_port)" "$(free_port)")
pids=("" "")
haproxy_pid="" load_pid=""

cleanup() {
  for pid in "${pids[@]}" "$haproxy_pid" "$load_pid"; do
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

http_get() { # http_get PORT PATH: the response, or nothing
  timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && printf 'GET $2 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 && cat <&3" \
      2>/dev/null || true
}

start_server() { # start_server INDEX
  local i=$1
  java -Xmx256m -XX:+UseSerialGC -cp "$classpath" io.github.nettyjobs.example.ExampleServer \
      --port "${ports[$i]}" --threads 2 --drain "$drain" --quiet-period 3s --grace 20s \
      >>"$work/server-$((i + 1)).log" 2>&1 &
  pids[$i]=$!
}

server_up_in_haproxy() { # server_up_in_haproxy NAME: HAProxy's health check has it UP
  http_get "$stats" "/stats;csv" | grep -q "^servers,$1,.*,UP,"
}

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then
      log "FAILED: $what not within ${limit}s"
      exit 1
    fi
    sleep 0.1
  done
}

cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 2000
  # Servers going up and down (notice), not the requests (info): printed at the end.
  log stdout format raw local0 notice

defaults
  mode http
  log global
  timeout connect 1s
  # A check slowed down by a busy machine is not a failed one.
  timeout check 2s
  timeout client 60s
  timeout server 60s
  # Only a connection that could not be made is tried again (never a request a server has seen).
  retry-on conn-failure
  retries $retries

frontend load
  bind 127.0.0.1:$front
  default_backend servers

backend servers
  balance roundrobin
  option httpchk GET /ready
  http-check expect status 200
  # Down after two failed checks (within about a second), so that one check lost to a busy machine
  # does not take a server out while the other one restarts; the servers' quiet period covers it.
  default-server check inter 500ms fastinter 250ms downinter 500ms fall 2 rise 2 $proto
  server s1 127.0.0.1:${ports[0]}
  server s2 127.0.0.1:${ports[1]}

listen stats
  bind 127.0.0.1:$stats
  stats enable
  stats uri /stats
CFG

log "servers on ${ports[0]} and ${ports[1]}, HAProxy on $front (retries $retries${proto:+, $proto}), drain $drain"
start_server 0
start_server 1
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
wait_until 60 "s1 up" server_up_in_haproxy s1
wait_until 60 "s2 up" server_up_in_haproxy s2

java -Xmx256m -cp "$classpath" io.github.nettyjobs.example.RollingRestartLoad "$front" "$work/stop" \
    >"$work/load.log" 2>&1 &
load_pid=$!
sleep 3

for round in $(seq "$rounds"); do
  for i in 0 1; do
    name="s$((i + 1))"
    log "round $round: SIGTERM to $name"
    kill -TERM "${pids[$i]}"
    if ! timeout 40 tail --pid="${pids[$i]}" -f /dev/null; then
      log "FAILED: $name did not exit within 40s"
      exit 1
    fi
    pids[$i]=""
    start_server "$i"
    wait_until 60 "$name up again" server_up_in_haproxy "$name"
    log "round $round: $name is back"
    sleep 2
  done
done

touch "$work/stop"
load_status=0
wait "$load_pid" || load_status=$?
load_pid=""
for i in 0 1; do
  kill -TERM "${pids[$i]}"
  timeout 40 tail --pid="${pids[$i]}" -f /dev/null || true
  pids[$i]=""
done
kill -TERM "$haproxy_pid" 2>/dev/null || true
haproxy_pid=""

counts="$(tail -n 1 "$work/load.log")"
# What HAProxy saw of the servers: each down (for /ready's 503 or a closed port) and up again.
grep -E '^Server .* is (UP|DOWN)' "$work/haproxy.log" | sed -e 's/^/haproxy: /' -e 's/, check duration.*//' || true
grep '^failed: ' "$work/load.log" || true
ended=$(cat "$work"/server-*.log | grep -cE 'atomic request [0-9]+ (finished|cancelled|cut short|failed)' || true)
finished=$(cat "$work"/server-*.log | grep -cE 'atomic request [0-9]+ finished' || true)
echo
log "$((rounds * 2)) restarts, drain $drain, HAProxy retries $retries${proto:+, $proto}"
log "$counts"
log "atomic jobs accepted=$ended finished=$finished"
failed=$(echo "$counts" | sed -n 's/.* failed=\([0-9]*\).*/\1/p')
if [ "$load_status" -ne 0 ] || [ "${failed:-1}" != 0 ] || [ "$ended" != "$finished" ]; then
  log "FAILED (logs in $work)"
  exit 1
fi
log "passed: no request failed, every accepted job finished"
