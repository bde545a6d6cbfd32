#!/usr/bin/env bash
# Set up (if needed) and run the server on the embedded defaults: SQLite in var/, in-process
# pub/sub, the bundled tiny.en model, LanguageTool started by the server itself.
# Any environment variable of the README's configuration table overrides a default.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_PROFILE=runtime bash scripts/setup.sh
exec .venv/bin/interview-server run "$@"
