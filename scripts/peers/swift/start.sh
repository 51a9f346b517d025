#!/usr/bin/env bash
# One-node Swift (Debian swift 2.30) under $BASE: memcached + account/container/object servers + a proxy with
# tempauth, s3api (real SigV4 checks) and tempurl; and, when KEYSTONE_URL is set, a second proxy on
# $KS_PROXY_PORT that takes Keystone tokens. Rings and configs are built fresh in $BASE/etc (/etc/swift unused).
# tempauth users: test:tester/testing (.admin), test2:tester2/testing2 (.admin), test:tester3/testing3, admin:admin/admin.
# Env: PROXY_PORT ACCT_PORT CONT_PORT OBJ_PORT MEMCACHE_PORT (default: free), BASE, PEER_PARENT_PID,
#      KEYSTONE_URL (e.g. http://127.0.0.1:5000), KS_PROXY_PORT, KEYSTONE_ADMIN_USER/_PASSWORD/_PROJECT,
#      SLO_MAX_MANIFEST_SEGMENTS (the tempauth proxy's; default Swift's 1000).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
peer_init swift
need swift-proxy-server swift-account-server swift-container-server swift-object-server memcached /usr/bin/python3
port_var PROXY_PORT; port_var ACCT_PORT; port_var CONT_PORT; port_var OBJ_PORT; port_var MEMCACHE_PORT
RUN_USER=$(id -un)
ETC=$BASE/etc; DEVICES=$BASE/srv/node
mkdir -p "$ETC" "$DEVICES/d1"

render "$HERE/conf/swift.conf.in" "$ETC/swift.conf"
for SERVER in account container object; do
  case $SERVER in account) SERVER_PORT=$ACCT_PORT ;; container) SERVER_PORT=$CONT_PORT ;; object) SERVER_PORT=$OBJ_PORT ;; esac
  render "$HERE/conf/storage-server.conf.in" "$ETC/$SERVER-server.conf" SERVER SERVER_PORT ETC DEVICES RUN_USER
done
SLO_MAX_MANIFEST_SEGMENTS=${SLO_MAX_MANIFEST_SEGMENTS:-1000}
render "$HERE/conf/proxy-server.conf.in" "$ETC/proxy-server.conf" ETC PROXY_PORT RUN_USER MEMCACHE_PORT SLO_MAX_MANIFEST_SEGMENTS
/usr/bin/python3 "$HERE/make-rings.py" "$ETC" "$ACCT_PORT" "$CONT_PORT" "$OBJ_PORT"
peer_env URL "http://127.0.0.1:$PROXY_PORT"

if [ -n "${KEYSTONE_URL:-}" ]; then
  port_var KS_PROXY_PORT
  KEYSTONE_ADMIN_USER=${KEYSTONE_ADMIN_USER:-admin}
  KEYSTONE_ADMIN_PASSWORD=${KEYSTONE_ADMIN_PASSWORD:-secret}
  KEYSTONE_ADMIN_PROJECT=${KEYSTONE_ADMIN_PROJECT:-admin}
  render "$HERE/conf/proxy-keystone.conf.in" "$ETC/proxy-keystone.conf" ETC KS_PROXY_PORT RUN_USER MEMCACHE_PORT \
    KEYSTONE_URL KEYSTONE_ADMIN_USER KEYSTONE_ADMIN_PASSWORD KEYSTONE_ADMIN_PROJECT
  peer_env KS_URL "http://127.0.0.1:$KS_PROXY_PORT"
fi

# memcached refuses to run as root without -u; -U 0 turns UDP off
spawn memcached memcached -l 127.0.0.1 -p "$MEMCACHE_PORT" -U 0 -m 64 -u "$RUN_USER"
for s in account container object; do spawn "$s" "swift-$s-server" "$ETC/$s-server.conf" -v; done
spawn proxy swift-proxy-server "$ETC/proxy-server.conf" -v
[ -n "${KEYSTONE_URL:-}" ] && spawn proxy-keystone swift-proxy-server "$ETC/proxy-keystone.conf" -v
supervise
