#!/usr/bin/env bash
# Idempotent setup of a fresh Debian machine for this project: Debian packages,
# a Go toolchain new enough for the LiveKit modules, Node 24, npm dependencies,
# and livekit-server + livekit-sip built from source. Safe to re-run; fast when
# everything is already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/versions.sh
say() { echo "setup: $*" >&2; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages (tshark lets the tests read RTP off the wire; postgresql's
#    server binaries run the unit tests' throwaway PostgreSQL clusters, see
#    dispatch/src/store/testing/postgres.ts: its own service is not used).
missing=""
for pkg in $DEBIAN_PACKAGES tshark postgresql; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  echo "wireshark-common wireshark-common/install-setuid boolean false" | sudo_if_needed debconf-set-selections
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# 2. Go: the LiveKit modules need go >= 1.26; an older go (>= 1.21) fetches
#    the pinned toolchain through the module proxy by itself.
command -v go >/dev/null || { say "Go is required (https://go.dev/doc/install)"; exit 1; }
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if [ "$go_minor" -lt 26 ]; then
  [ "$go_minor" -ge 21 ] || { say "Go $(go env GOVERSION) is too old to fetch a toolchain; install Go >= 1.21"; exit 1; }
  export GOTOOLCHAIN="$GO_TOOLCHAIN"
  say "using Go toolchain $GO_TOOLCHAIN (machine has $(go env GOVERSION 2>/dev/null))"
fi

# 3. Node 24 (from the npm registry into .tools/ when the machine's is older).
node_bin="$(scripts/ensure-node.sh)"
export PATH="$node_bin:$PATH"

# 4. npm dependencies, exactly as locked. onnxruntime-node's install script
#    would download CUDA libraries; the CPU build it ships is all we use.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi

# 5. livekit-server and livekit-sip.
scripts/build-livekit.sh
bench/setup.sh # 6. the benchmark's Python venv: LiveKit Agents for Python (the peer)
scripts/setup-fuzz.sh # 7. schemathesis, the fuzzer of dispatch's HTTP API (dispatch/src/http/fuzz.test.ts)
say "ready (node $(node --version), livekit-server $LIVEKIT_SERVER_VERSION, livekit-sip $LIVEKIT_SIP_VERSION)"
