#!/usr/bin/env bash
# Keystone (Debian python3-keystone 22 = Zed) on 127.0.0.1:$PORT: sqlite (WAL), fernet tokens, bcrypt cost 4,
# served by the stdlib wsgiref server in keystone-wsgi-public (single-threaded; fine for tests).
# Bootstrapped: domain Default (id "default"), project "admin", user "admin" / $ADMIN_PASSWORD with role admin
# (roles admin, member, reader exist), region RegionOne, identity endpoints http://127.0.0.1:$PORT/v3, and,
# when SWIFT_URL is set (e.g. http://127.0.0.1:8082), an object-store service "swift" with public/internal/
# admin endpoints $SWIFT_URL/v1/AUTH_$(project_id)s (the Keystone-enabled Swift proxy; see ../swift/start.sh).
#
# db_sync + fernet/credential setup + bootstrap cost ~11 s (each keystone-manage run pays ~2 s of imports), so
# the bootstrapped database and keys are built once into a template under $KEYSTONE_TEMPLATE_DIR (default
# node_modules/.cache/cloudfx-peers) keyed by the keystone version, this script's config and the password;
# a start copies it and only rewrites the endpoint rows (~0.1 s). Test-only: every instance shares those keys.
# Env: PORT (default: free), BASE, ADMIN_PASSWORD (default secret), SWIFT_URL, PEER_PARENT_PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
peer_init keystone
need keystone-manage keystone-wsgi-public sqlite3
port_var PORT
ADMIN_PASSWORD=${ADMIN_PASSWORD:-secret}
SWIFT_URL=${SWIFT_URL:-}

version=$(dpkg-query -W -f='${Version}' python3-keystone 2>/dev/null || echo unknown)
key=$( { echo "$version"; echo "$ADMIN_PASSWORD"; cat "$HERE/conf/keystone.conf.in" "$0"; } | sha256sum | cut -c1-16)
CACHE=${KEYSTONE_TEMPLATE_DIR:-$REPO_ROOT/node_modules/.cache/cloudfx-peers}
TEMPLATE=$CACHE/keystone-$key

build_template() {
  mkdir -p "$CACHE"
  local tmp; tmp=$(mktemp -d "$CACHE/.keystone-build.XXXXXX")
  mkdir -p "$tmp/fernet-keys" "$tmp/credential-keys"
  local BASE=$tmp
  render "$HERE/conf/keystone.conf.in" "$tmp/keystone.conf" BASE
  local KM=(keystone-manage --config-file "$tmp/keystone.conf")
  local u g; u=$(id -un); g=$(id -gn)
  {
    "${KM[@]}" db_sync
    "${KM[@]}" fernet_setup --keystone-user "$u" --keystone-group "$g"
    "${KM[@]}" credential_setup --keystone-user "$u" --keystone-group "$g"
    # creates domain Default, project admin, user admin (role admin; member and reader too), region RegionOne,
    # the identity service and its 3 endpoints (their URLs are rewritten on every start)
    "${KM[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
      --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
      --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
      --bootstrap-admin-url "http://127.0.0.1:1/v3" --bootstrap-internal-url "http://127.0.0.1:1/v3" \
      --bootstrap-public-url "http://127.0.0.1:1/v3"
  } >"$LOGS/keystone-bootstrap.log" 2>&1 || { tail -n 30 "$LOGS/keystone-bootstrap.log" >&2; rm -rf "$tmp"; return 1; }
  # WAL: without it a write right after another (POST /v3/endpoints after POST /v3/services) fails after 5 s
  # with "database is locked" (a pooled connection keeps a read transaction open). The mode persists in the file.
  sqlite3 "$tmp/keystone.db" 'PRAGMA journal_mode=WAL;' >/dev/null
  rm -f "$tmp/keystone.conf"
  # atomic publish; if another process won the race, keep theirs
  mv -T "$tmp" "$TEMPLATE" 2>/dev/null || rm -rf "$tmp"
}

if [ ! -f "$TEMPLATE/keystone.db" ]; then
  echo "keystone: building the bootstrap template in $TEMPLATE (once, ~11 s)" >&2
  build_template
fi
mkdir -p "$BASE"
cp -a "$TEMPLATE/keystone.db" "$TEMPLATE/fernet-keys" "$TEMPLATE/credential-keys" "$BASE/"
render "$HERE/conf/keystone.conf.in" "$BASE/keystone.conf" BASE

URL="http://127.0.0.1:$PORT/v3"
SQL="UPDATE endpoint SET url = '$URL' WHERE service_id IN (SELECT id FROM service WHERE type = 'identity');"
if [ -n "$SWIFT_URL" ]; then
  sid=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  SQL+="INSERT INTO service (id, type, enabled, extra) VALUES ('$sid', 'object-store', 1, '{\"name\": \"swift\"}');"
  for iface in public internal admin; do
    eid=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    SQL+="INSERT INTO endpoint (id, legacy_endpoint_id, interface, service_id, url, extra, enabled, region_id)
          VALUES ('$eid', NULL, '$iface', '$sid', '$SWIFT_URL/v1/AUTH_\$(project_id)s', '{}', 1, 'RegionOne');"
  done
  peer_env SWIFT_URL "$SWIFT_URL"
fi
sqlite3 "$BASE/keystone.db" "$SQL"
peer_env URL "$URL"
peer_env ADMIN_PROJECT_ID "$(sqlite3 "$BASE/keystone.db" "SELECT id FROM project WHERE name = 'admin' AND domain_id = 'default';")"
peer_env ADMIN_USER_ID "$(sqlite3 "$BASE/keystone.db" "SELECT user_id FROM local_user WHERE name = 'admin' AND domain_id = 'default';")"
peer_env ADMIN_PASSWORD "$ADMIN_PASSWORD"

# the WSGI app finds its config through these (keystone/server/flask/core.py)
export OS_KEYSTONE_CONFIG_DIR=$BASE OS_KEYSTONE_CONFIG_FILES=keystone.conf
spawn keystone keystone-wsgi-public --host 127.0.0.1 --port "$PORT"
supervise
