#!/usr/bin/env bash
# HAProxy (Debian 2.6) in master-worker mode on loopback, plus 3 node HTTP backends that name themselves
# (srv1..srv3: body "srvN\n", header x-backend: srvN). Frontend "fe" on $FE_PORT -> backend "be" holding the
# first $CFG_SERVERS backends (default 2; the others are free for "add server"). Runtime API (admin level) on
# $BASE/admin.sock and 127.0.0.1:$API_PORT; master CLI on $BASE/master.sock ("reload", "show proc");
# stats page http://127.0.0.1:$STATS_PORT/stats. The config is $BASE/etc/haproxy.cfg, in a writable directory.
# Env: FE_PORT API_PORT STATS_PORT B1_PORT B2_PORT B3_PORT (default: free), ALGO (roundrobin), CFG_SERVERS (2),
#      EXTRA_CONFIG (appended to the config), BASE, PEER_PARENT_PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
peer_init haproxy
need haproxy node
port_var FE_PORT; port_var API_PORT; port_var STATS_PORT; port_var B1_PORT; port_var B2_PORT; port_var B3_PORT
ALGO=${ALGO:-roundrobin}; CFG_SERVERS=${CFG_SERVERS:-2}; EXTRA_CONFIG=${EXTRA_CONFIG:-}
mkdir -p "$BASE/etc"
SERVERS=""
ports=("$B1_PORT" "$B2_PORT" "$B3_PORT")
for ((i = 1; i <= CFG_SERVERS && i <= 3; i++)); do
  SERVERS+="    server srv$i 127.0.0.1:${ports[$((i - 1))]} check"$'\n'
done
render "$HERE/conf/haproxy.cfg.in" "$BASE/etc/haproxy.cfg" BASE API_PORT FE_PORT STATS_PORT ALGO SERVERS EXTRA_CONFIG
: >"$BASE/server-state"
haproxy -c -q -f "$BASE/etc/haproxy.cfg" >"$LOGS/haproxy-check.log" 2>&1 || { cat "$LOGS/haproxy-check.log" >&2; exit 1; }
peer_env CONFIG "$BASE/etc/haproxy.cfg"
peer_env ADMIN_SOCKET "$BASE/admin.sock"
peer_env MASTER_SOCKET "$BASE/master.sock"
peer_env URL "http://127.0.0.1:$FE_PORT"
i=1
for p in "${ports[@]}"; do spawn "srv$i" node "$HERE/backend.mjs" "srv$i" "$p"; i=$((i + 1)); done
# -W master-worker, -db foreground, -S master CLI socket
spawn haproxy haproxy -W -db -f "$BASE/etc/haproxy.cfg" -S "$BASE/master.sock,mode,600"
supervise
