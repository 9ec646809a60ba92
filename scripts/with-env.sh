#!/usr/bin/env bash
# Runs a command with the project's Node 24 first on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$("$root/scripts/ensure-node.sh"):$PATH"
cd "$root"
exec "$@"
