#!/usr/bin/env bash
# Builds livekit-server and livekit-sip from their Go modules (no Docker) into
# .tools/livekit/<name>-<version>/, skipping what is already cached.
# Both are built inside a copy of the downloaded module: `go install pkg@tag`
# needs the module's version list, which the proxy does not serve for sip.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/versions.sh"
out="$root/.tools/livekit"

# build MODULE VERSION PACKAGE DEST CGO
build() {
  local module=$1 version=$2 pkg=$3 dest=$4 cgo=$5 dir work
  [ -x "$dest" ] && return 0
  echo "setup: building $module $version (a few minutes on 2 cores)" >&2
  dir="$(go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  [ -n "$dir" ] || { echo "setup: could not download $module@$version" >&2; return 1; }
  work="$(mktemp -d)"
  cp -r "$dir/." "$work/" && chmod -R u+w "$work"
  mkdir -p "$(dirname "$dest")"
  (cd "$work" && CGO_ENABLED=$cgo go build -trimpath -o "$dest.tmp" "$pkg")
  mv "$dest.tmp" "$dest"
  rm -rf "$work"
}

build github.com/livekit/livekit-server "$LIVEKIT_SERVER_VERSION" ./cmd/server \
  "$out/server-$LIVEKIT_SERVER_VERSION/livekit-server" 0
build github.com/livekit/sip "$LIVEKIT_SIP_VERSION" ./cmd/livekit-sip \
  "$out/sip-$LIVEKIT_SIP_VERSION/livekit-sip" 1
