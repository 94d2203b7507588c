#!/bin/sh
# The Dockerfile's install step, as a script so the same commands can be proven without Docker
# (scripts/check_dockerfile_steps.sh runs it into a fresh virtual environment).
#
#   docker_install.sh PREFIX SRC   -> a virtual environment at PREFIX with gatekeeper from SRC and
#                                     its scanners at pinned versions; pip removed afterwards.
set -eu
prefix="$1"
src="$2"

python3 -m venv "$prefix"
"$prefix/bin/python" -m pip install --no-cache-dir --disable-pip-version-check --quiet \
  "semgrep==1.182.0" \
  "bandit==1.9.4" \
  "$src"
# The classes and patterns every gatekeeper process would compile again, compiled once into the image
# (gatekeeper.startup_cache): a third of a small judgment's CPU.
"$prefix/bin/python" -P -m gatekeeper.build_startup_cache
# The image runs gatekeeper, it installs nothing: leave no installer behind.
"$prefix/bin/python" -m pip uninstall --yes --quiet pip setuptools wheel 2>/dev/null || :
"$prefix/bin/gatekeeper" --version
