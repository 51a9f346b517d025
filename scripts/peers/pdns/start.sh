#!/usr/bin/env bash
# PowerDNS Authoritative (Debian pdns-server 4.7 + pdns-backend-sqlite3) on 127.0.0.1: DNS on $DNS_PORT (UDP+TCP),
# HTTP API on $API_PORT (http://127.0.0.1:$API_PORT/api/v1/servers/localhost, header X-API-Key: $API_KEY).
# Every name given to the API must be canonical (trailing dot).
# Env: DNS_PORT API_PORT (default: free), API_KEY (default changeme), BASE, PEER_PARENT_PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
peer_init pdns
need pdns_server sqlite3
SCHEMA=/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
[ -f "$SCHEMA" ] || { echo "pdns: $SCHEMA missing; install pdns-backend-sqlite3 (scripts/peers/install.sh)" >&2; exit 127; }
port_var DNS_PORT udp; port_var API_PORT
API_KEY=${API_KEY:-changeme}
rm -f "$BASE/pdns.sqlite3"
sqlite3 "$BASE/pdns.sqlite3" <"$SCHEMA"
render "$HERE/conf/pdns.conf.in" "$BASE/pdns.conf" BASE DNS_PORT API_PORT API_KEY
peer_env API_KEY "$API_KEY"
peer_env URL "http://127.0.0.1:$API_PORT/api/v1/servers/localhost"
spawn pdns pdns_server --config-dir="$BASE"
supervise
