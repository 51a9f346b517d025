#!/usr/bin/env bash
# Installs the Debian packages behind the project's real-server tests (Swift, Keystone, PowerDNS,
# HAProxy, sshd; s3rver, Azurite and ssh2 come from npm as devDependencies/dependencies via `npm ci`).
#
# Idempotent and fast when everything is present: one dpkg-query call, no apt at all.
# As root it runs `apt-get update` once and installs only what is missing. Not as root it prints
# what is missing and exits 0: the tests that need a missing server then fail loudly, unless
# CLOUDFX_SKIP_PEERS=1 (or a comma list of peer names) is set, which makes them skip instead.
#
# Usage: bash scripts/peers/install.sh        (CLOUDFX_SKIP_PEERS=1 makes it do nothing)
set -uo pipefail

if [ "${CLOUDFX_SKIP_PEERS:-}" = "1" ]; then
  echo "peers: CLOUDFX_SKIP_PEERS=1, not installing real-server packages (peer tests will skip)"
  exit 0
fi

# Package -> why. Keep in step with test/support/peers/*.ts (which name the binaries they need).
PACKAGES=(
  swift swift-proxy swift-account swift-container swift-object  # Swift SAIO: proxy (tempauth, s3api, tempurl) + 3 storage servers
  memcached                                                     # tempauth and keystonemiddleware keep tokens there
  python3-keystone python3-keystonemiddleware                   # Keystone (keystone-manage, keystone-wsgi-public) + Swift's authtoken filter
  pdns-server pdns-backend-sqlite3 sqlite3 dnsutils              # PowerDNS authoritative + gsqlite3 backend; sqlite3 loads the schema; dig
  haproxy socat                                                 # HAProxy (master-worker, runtime API); socat for poking sockets by hand
  openssh-server openssh-client                                 # sshd on a high port; ssh-keygen / ssh-keyscan
)
# Binaries the helpers run; a package can be "installed" with its files gone, so check both.
BINARIES=(swift-proxy-server swift-account-server swift-container-server swift-object-server memcached
  keystone-manage keystone-wsgi-public pdns_server sqlite3 dig haproxy socat /usr/sbin/sshd ssh-keygen)

missing_pkgs() {
  # one dpkg-query for all packages; unknown packages print nothing on stdout
  local installed
  installed=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${PACKAGES[@]}" 2>/dev/null | awk '$1=="installed"{print $2}')
  local p
  for p in "${PACKAGES[@]}"; do
    grep -qx -- "$p" <<<"$installed" || echo "$p"
  done
}
missing_bins() {
  local b
  for b in "${BINARIES[@]}"; do command -v "$b" >/dev/null 2>&1 || echo "$b"; done
}

start=$(date +%s%N)
mapfile -t MISSING < <(missing_pkgs)
mapfile -t MISSING_BINS < <(missing_bins)

if [ ${#MISSING[@]} -eq 0 ] && [ ${#MISSING_BINS[@]} -eq 0 ]; then
  echo "peers: all real-server packages present ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
else
  if [ ${#MISSING[@]} -eq 0 ]; then
    # packages say installed but a binary is gone: reinstall them all (cheap, rare)
    MISSING=("${PACKAGES[@]}")
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "peers: WARNING: no apt-get here; missing: ${MISSING[*]} ${MISSING_BINS[*]}" >&2
    echo "peers: tests needing those servers will FAIL (set CLOUDFX_SKIP_PEERS=1 to skip them)" >&2
    exit 0
  fi
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      SUDO=(sudo -n)
    else
      echo "peers: WARNING: not root (and no passwordless sudo), cannot install: ${MISSING[*]}" >&2
      echo "peers: run as root: bash scripts/peers/install.sh" >&2
      echo "peers: tests needing those servers will FAIL (set CLOUDFX_SKIP_PEERS=1 to skip them)" >&2
      exit 0
    fi
  fi
  echo "peers: installing ${MISSING[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # `apt-get update` once: on a fresh machine the lists are empty or stale
  "${SUDO[@]}" apt-get update -qq || { echo "peers: apt-get update failed" >&2; exit 1; }
  # policy-rc.d on these machines keeps apt from starting services; we never use the system instances
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       -o Dpkg::Use-Pty=0 "${MISSING[@]}" >/tmp/cloudfx-peers-apt.log 2>&1; then
    tail -n 30 /tmp/cloudfx-peers-apt.log >&2
    echo "peers: apt-get install failed (full log /tmp/cloudfx-peers-apt.log)" >&2
    exit 1
  fi
  mapfile -t STILL < <(missing_bins)
  if [ ${#STILL[@]} -ne 0 ]; then
    echo "peers: WARNING: still missing after install: ${STILL[*]}" >&2
    exit 1
  fi
  echo "peers: installed in $(( ($(date +%s%N) - start) / 1000000 )) ms"
fi

# npm-side peers come with `npm ci`; say so if they are absent rather than failing later obscurely
cd "$(dirname "$0")/../.."
for m in s3rver azurite ssh2; do
  [ -f "node_modules/$m/package.json" ] || echo "peers: WARNING: node_modules/$m missing (run npm ci)" >&2
done
exit 0
