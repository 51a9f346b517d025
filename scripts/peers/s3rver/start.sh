#!/usr/bin/env bash
# s3rver 3.7.1 (npm devDependency) on 127.0.0.1:$PORT, data under $BASE/data; supervised in the foreground.
# Credentials: access key S3RVER, secret S3RVER. Path-style only. NB: s3rver does NOT verify SigV4
# signatures (it only checks the access key id); use Swift's s3api when the signature must be checked.
# Env: PORT (default: free), BASE (default: mktemp -d), PEER_PARENT_PID (stop when that process dies).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
peer_init s3rver
port_var PORT
S3RVER_JS=$REPO_ROOT/node_modules/s3rver/bin/s3rver.js
[ -f "$S3RVER_JS" ] || { echo "s3rver: $S3RVER_JS missing; run npm ci" >&2; exit 127; }
mkdir -p "$BASE/data"
peer_env URL "http://127.0.0.1:$PORT"
spawn s3rver node "$S3RVER_JS" -d "$BASE/data" -a 127.0.0.1 -p "$PORT" --silent --no-vhost-buckets
supervise
