#!/usr/bin/env bash
# Set up (if needed), start real PostgreSQL, Redis and LanguageTool servers, and run the whole
# test suite against them. Extra arguments go to pytest (e.g. `scripts/test.sh -k auth -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/services.sh
trap stop_services EXIT
start_postgres
start_redis
start_languagetool
echo "test: PostgreSQL $TEST_POSTGRES_URL, Redis $TEST_REDIS_URL, LanguageTool $LANGUAGETOOL_URL"
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "test: pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
fi
exit "$status"
