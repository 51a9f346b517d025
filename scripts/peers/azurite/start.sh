#!/usr/bin/env bash
# Azurite 3.35.0 (npm devDependency; 3.36+ need Node >= 21) blob service only, in memory, on 127.0.0.1:$PORT.
# SharedKey signatures are verified. Account devstoreaccount1, the emulator's well-known key; path-style
# URLs http://127.0.0.1:$PORT/devstoreaccount1/<container>/<blob>.
# Env: PORT (default: free), BASE (scratch cwd; --inMemoryPersistence cannot take --location, so Azurite
# uses the cwd), AZURITE_LOOSE=1 adds --loose (ignore unsupported headers instead of failing), PEER_PARENT_PID.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
peer_init azurite
port_var PORT
MAIN_JS=$REPO_ROOT/node_modules/azurite/dist/src/blob/main.js
[ -f "$MAIN_JS" ] || { echo "azurite: $MAIN_JS missing; run npm ci" >&2; exit 127; }
mkdir -p "$BASE/work"
cd "$BASE/work"
EXTRA=()
[ "${AZURITE_LOOSE:-0}" = 1 ] && EXTRA+=(--loose)
peer_env URL "http://127.0.0.1:$PORT/devstoreaccount1"
spawn azurite node "$MAIN_JS" --blobHost 127.0.0.1 --blobPort "$PORT" --inMemoryPersistence \
  --extentMemoryLimit "${AZURITE_MEMORY_MB:-256}" --disableTelemetry --skipApiVersionCheck --silent "${EXTRA[@]}"
supervise
