#!/usr/bin/env bash
# OpenSSH sshd (Debian openssh-server 9.2) on 127.0.0.1:$PORT with its own ed25519 host key and a generated
# client key pair (ed25519, plus a PEM RSA one) in authorized_keys; the login user is the one running this
# script (root in CI). Files: $BASE/ssh_host_ed25519_key{,.pub}, $BASE/client_ed25519{,.pub}, $BASE/client_rsa{,.pub}.
# DELAY_MS > 0 makes it sleep that long (after writing the keys) before sshd starts listening, for connection
# retry tests. Env: PORT (default: free), DELAY_MS (0), BASE, PEER_PARENT_PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
peer_init sshd
need /usr/sbin/sshd ssh-keygen
port_var PORT
SSH_USER=$(id -un)
DELAY_MS=${DELAY_MS:-0}
rm -f "$BASE"/ssh_host_ed25519_key* "$BASE"/client_* "$BASE/authorized_keys"
ssh-keygen -q -t ed25519 -N '' -C cloudfx-test-host -f "$BASE/ssh_host_ed25519_key"
ssh-keygen -q -t ed25519 -N '' -C cloudfx-test-client -f "$BASE/client_ed25519"
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C cloudfx-test-client-rsa -f "$BASE/client_rsa"
cat "$BASE/client_ed25519.pub" "$BASE/client_rsa.pub" >"$BASE/authorized_keys"
chmod 600 "$BASE/authorized_keys"
render "$HERE/conf/sshd_config.in" "$BASE/sshd_config" BASE PORT SSH_USER
# privilege separation directory, normally made by systemd's RuntimeDirectory=
if [ "$(id -u)" -eq 0 ]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi
/usr/sbin/sshd -t -f "$BASE/sshd_config"
peer_env SSH_USER "$SSH_USER"
peer_env HOST_KEY "$BASE/ssh_host_ed25519_key.pub"
peer_env CLIENT_KEY "$BASE/client_ed25519"
peer_env HOST_FINGERPRINT "$(ssh-keygen -l -E sha256 -f "$BASE/ssh_host_ed25519_key.pub" | awk '{print $2}')"
# sshd re-executes itself, so it must be started by its absolute path; -D foreground, -e log to stderr
if [ "$DELAY_MS" -gt 0 ]; then
  spawn sshd bash -c 'sleep "$1"; exec /usr/sbin/sshd -D -e -f "$2"' _ "$(awk -v m="$DELAY_MS" 'BEGIN{printf "%.3f", m/1000}')" "$BASE/sshd_config"
else
  spawn sshd /usr/sbin/sshd -D -e -f "$BASE/sshd_config"
fi
supervise
