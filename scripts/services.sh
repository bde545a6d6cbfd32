#!/usr/bin/env bash
# Start throw-away PostgreSQL, Redis and LanguageTool servers for the tests, on free loopback
# ports, and print the environment variables that point the tests at them. Sourced by test.sh;
# `stop_services` (registered as an EXIT trap there) tears them down.
set -euo pipefail

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq "$((seconds * 5))"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "services: $what did not come up in ${seconds}s" >&2; return 1
}

SERVICES_DIR=$(mktemp -d /tmp/interview-services.XXXXXX)
chmod 755 "$SERVICES_DIR"

start_postgres() {
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  PG_PORT=$(free_port)
  mkdir -p "$SERVICES_DIR/pg"
  local as=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$SERVICES_DIR/pg"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/initdb" -D "$SERVICES_DIR/pg/data" -A trust -U postgres >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/log" -w -o \
    "-p $PG_PORT -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  STOP_PG=("${as[@]}" "$bin/pg_ctl" -D "$SERVICES_DIR/pg/data" -m fast stop)
  export TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
}

start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVICES_DIR/redis.pid" --logfile "$SERVICES_DIR/redis.log" >/dev/null
  wait_for 10 Redis redis-cli -p "$REDIS_PORT" ping
  export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

start_languagetool() {
  LT_PORT=$(free_port)
  java -Xmx1g -cp "var/languagetool/lib/*" org.languagetool.server.HTTPServer --port "$LT_PORT" \
    >"$SERVICES_DIR/languagetool.log" 2>&1 &
  LT_PID=$!
  wait_for 120 LanguageTool .venv/bin/python -c "import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:$LT_PORT/v2/languages\", timeout=2)"
  export LANGUAGETOOL_URL="http://127.0.0.1:$LT_PORT"
}

stop_services() {
  [ -n "${STOP_PG:-}" ] && "${STOP_PG[@]}" >/dev/null 2>&1 || true
  [ -f "$SERVICES_DIR/redis.pid" ] && kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
  [ -n "${LT_PID:-}" ] && kill "$LT_PID" 2>/dev/null || true
  rm -rf "$SERVICES_DIR"
}
