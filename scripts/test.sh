#!/usr/bin/env bash
# Every check the project has: types, lint, format, unit tests, real-stack
# tests (and the Helm chart checks when present). Prints one closing line
# "tests: N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mkdir -p .run
rm -f .run/reliability.jsonl
status=0
step() { echo; echo "== $1"; shift; "$@" || status=1; }

step "typecheck" npx --no-install tsc -p tsconfig.json
step "lint" npx --no-install eslint .
step "format" npx --no-install prettier --check . --log-level warn
step "vitest (unit + real stack)" npx --no-install vitest run --reporter=default --reporter=json --outputFile=.run/vitest.json
if [ -x scripts/helm-check.sh ]; then step "helm chart" scripts/helm-check.sh; fi
step "reliability table" node scripts/reliability-report.ts

node -e '
  const r = JSON.parse(require("fs").readFileSync(".run/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  // CI shows only the tail of this output: name what failed, last.
  for (const file of r.testResults) {
    const path = file.name.replace(process.cwd() + "/", "");
    const failed = file.assertionResults.filter((a) => a.status === "failed");
    if (failed.length === 0 && file.status === "failed") {
      console.log(`\nFAILED ${path}: ${String(file.message).split("\n")[0].slice(0, 300)}`);
    }
    for (const a of failed) {
      const why = String(a.failureMessages[0] ?? "").split("\n")[0].slice(0, 300);
      console.log(`\nFAILED ${path} > ${a.fullName}: ${why}`);
    }
  }
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || status=1
exit $status
