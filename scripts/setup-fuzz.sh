#!/usr/bin/env bash
# Idempotent setup of the HTTP fuzzer: a venv at .tools/schemathesis-venv/
# (git-ignored) with schemathesis and its pinned dependencies
# (scripts/fuzz-requirements.txt), whose `st` dispatch/src/http/fuzz.test.ts
# runs against dispatch's OpenAPI document. Fast when done: pip runs only when
# the requirements or the interpreter changed (stamp file). Called by
# scripts/setup.sh; safe to run on its own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
say() { echo "fuzz setup: $*" >&2; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

venv=.tools/schemathesis-venv
stamp="$venv/.requirements.sha256"
requirements=scripts/fuzz-requirements.txt

# 1. A python3 (>= 3.11: schemathesis 4's floor) that can make a venv with pip;
#    Debian splits venv/ensurepip into python3-venv.
python_ok() {
  command -v "$1" >/dev/null &&
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' &&
    "$1" -c 'import venv, ensurepip' 2>/dev/null
}
python3=python3
if ! python_ok python3; then
  say "installing Debian's python3 and python3-venv"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
  # The python3 first on PATH may not be Debian's (pyenv, a toolchain image).
  python_ok python3 || python3=/usr/bin/python3
  python_ok "$python3" || { say "no python3 (>= 3.11) can make a venv for schemathesis"; exit 1; }
fi

# 2. The stamp covers the requirements and the interpreter the venv was made with.
version() { "$1" -c 'import sys; print(sys.version)' 2>/dev/null; }
want="$( { cat "$requirements"; version "$python3"; } | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/st" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

# 3. (Re)create the venv when it is missing or was made by another interpreter.
if ! [ -x "$venv/bin/python" ] || [ "$(version "$venv/bin/python")" != "$(version "$python3")" ]; then
  say "creating $venv with $("$python3" --version)"
  rm -rf "$venv"
  "$python3" -m venv "$venv"
fi

say "installing $requirements"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements"
echo "$want" >"$stamp"
say "ready ($("$venv/bin/st" --version))"
