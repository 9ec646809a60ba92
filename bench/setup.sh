#!/usr/bin/env bash
# Idempotent setup of the benchmark's Python environment: a venv at
# .tools/bench-python/ (git-ignored) with the peer's pinned packages
# (bench/peer/requirements.txt: LiveKit Agents for Python and its plugins) and,
# when present, the report's (bench/report/requirements.txt). Fast when done:
# pip runs only when the requirements or the interpreter changed (stamp file).
# Called at the end of scripts/setup.sh; safe to run on its own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
say() { echo "bench setup: $*" >&2; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

venv=.tools/bench-python
stamp="$venv/.requirements.sha256"
requirements=(bench/peer/requirements.txt)
[ -f bench/report/requirements.txt ] && requirements+=(bench/report/requirements.txt)

# 1. A python3 (>= 3.10, < 3.15: livekit-agents' range) that can make a venv
#    with pip; Debian splits venv/ensurepip into python3-venv.
python_ok() {
  command -v "$1" >/dev/null &&
    "$1" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 15) else 1)' &&
    "$1" -c 'import venv, ensurepip' 2>/dev/null
}
python3=python3
if ! python_ok python3; then
  say "installing Debian's python3 and python3-venv"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
  # The python3 first on PATH may not be Debian's (pyenv, a toolchain image).
  python_ok python3 || python3=/usr/bin/python3
  python_ok "$python3" || { say "no python3 can make a venv for livekit-agents (needs 3.10-3.14)"; exit 1; }
fi

# 2. The stamp covers the requirements and the interpreter the venv was made with.
want="$( { cat "${requirements[@]}"; "$python3" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

# 3. (Re)create the venv when it is missing or was made by another interpreter.
if ! [ -x "$venv/bin/python" ] || [ "$("$venv/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null)" != "$("$python3" -c 'import sys; print(sys.version)')" ]; then
  say "creating $venv with $("$python3" --version)"
  rm -rf "$venv"
  "$python3" -m venv "$venv"
fi

say "installing ${requirements[*]}"
args=()
for r in "${requirements[@]}"; do args+=(-r "$r"); done
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${args[@]}"
echo "$want" >"$stamp"
say "ready (livekit-agents $("$venv/bin/python" -c 'from livekit.agents import __version__; print(__version__)'))"
