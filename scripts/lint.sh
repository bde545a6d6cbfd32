#!/usr/bin/env bash
# The code checks that .ci/run runs before the tests (they need no services):
#   ruff format --check  (one formatter; `ruff format` fixes it)
#   ruff check           (the rule set in pyproject.toml; `ruff check --fix` fixes the safe ones)
#   mypy --strict        on streaming/, scoring/, interview/, persistence/ (config in pyproject.toml)
# Uses .venv (scripts/setup.sh installs ruff and mypy from requirements/test.txt). Extra arguments
# go to `ruff check` (e.g. `scripts/lint.sh --fix`).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
echo "lint: ruff format --check"
.venv/bin/ruff format --check . || status=1
echo "lint: ruff check"
.venv/bin/ruff check "$@" . || status=1
echo "lint: mypy (strict: streaming scoring interview persistence)"
.venv/bin/mypy || status=1
if [ "$status" != 0 ]; then
  echo "lint: failed (see above)" >&2
fi
exit "$status"
