#!/usr/bin/env bash
# The whole test suite: type check, then every test. Later layers add the
# local servers (s3rver, Azurite, Swift, Keystone, PowerDNS, HAProxy, sshd)
# through scripts/peers/, which install what they need themselves.
set -uo pipefail
cd "$(dirname "$0")/.."

# The published signing vectors live beside the project, never in it.
if [ -z "${CLOUDFX_VECTORS:-}" ] && [ -d ../shared/vectors ]; then
  CLOUDFX_VECTORS="$(cd ../shared/vectors && pwd)"
  export CLOUDFX_VECTORS
fi

echo "== type check"
npx tsc --noEmit -p tsconfig.json || exit 1

echo "== real-server peers"
# Debian packages for Swift, Keystone, PowerDNS, HAProxy and sshd (as root; a no-op when present or when
# CLOUDFX_SKIP_PEERS=1). A failed install does not stop the run: the tests that need those servers fail instead.
bash scripts/peers/install.sh || echo "peers: install failed; tests that need those servers will fail"

echo "== tests"
mkdir -p .tmp
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@"
status=$?
node scripts/summary.mjs .tmp/vitest.json || true
exit $status
