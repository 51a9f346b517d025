# Shared helpers for scripts/peers/<server>/start.sh. Source it; it is not run on its own.
#
# Every start.sh follows one shape:
#   - ports, directories and secrets come from env vars; unset ports are picked free (bind to port 0),
#   - state lives under $BASE (default: a fresh mktemp -d), logs under $BASE/logs, PID files under $BASE/run,
#   - it writes $BASE/peer.env (KEY=VALUE lines: the ports and paths it used) and prints it,
#   - the server processes run as children of the start.sh process, which supervises them in the foreground:
#     SIGTERM/SIGINT/SIGHUP to it stops them all (TERM, then KILL after $PEER_STOP_GRACE seconds), as does the
#     death of $PEER_PARENT_PID (the test harness), and when any server exits by itself it stops the others
#     and exits 1. The harness therefore keeps one PID (the start.sh one) and stops it by that PID.
# shellcheck shell=bash

PEERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$PEERS_DIR/../.." && pwd)
PEER_CHILDREN=()
PEER_CHILD_NAMES=()
PEER_STOPPING=0

# peer_init NAME: set BASE, LOGS, RUN; create them
peer_init() {
  PEER_NAME=$1
  if [ -z "${BASE:-}" ]; then BASE=$(mktemp -d "${TMPDIR:-/tmp}/cloudfx-$PEER_NAME.XXXXXX"); fi
  mkdir -p "$BASE"; BASE=$(cd "$BASE" && pwd)
  LOGS=$BASE/logs; RUN=$BASE/run
  mkdir -p "$LOGS" "$RUN"
  : >"$BASE/peer.env"
  peer_env BASE "$BASE"
}

# free_port: print a TCP port that is free on 127.0.0.1 right now (the kernel picks it: bind to port 0).
# With "udp" as $1 the port is also free for UDP (DNS servers bind both).
free_port() {
  node -e '
    const net = require("net"), dgram = require("dgram");
    const wantUdp = process.argv[1] === "udp";
    const tryOne = (n) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const port = s.address().port;
        if (!wantUdp) { s.close(() => console.log(port)); return; }
        const u = dgram.createSocket("udp4");
        u.once("error", () => { u.close(); s.close(() => (n > 0 ? tryOne(n - 1) : process.exit(1))); });
        u.bind(port, "127.0.0.1", () => u.close(() => s.close(() => console.log(port))));
      });
    };
    tryOne(20);' "${1:-tcp}"
}

# port_var NAME [udp]: keep $NAME if set, else assign a free port to it
port_var() {
  local name=$1
  if [ -z "${!name:-}" ]; then printf -v "$name" '%s' "$(free_port "${2:-tcp}")"; fi
  peer_env "$name" "${!name}"
}

# peer_env KEY VALUE: record one line of what this peer uses in $BASE/peer.env
peer_env() { printf '%s=%q\n' "$1" "$2" >>"$BASE/peer.env"; }

# render TEMPLATE OUT VAR...: copy TEMPLATE to OUT replacing @VAR@ by the value of $VAR for each VAR given
render() {
  local tpl=$1 out=$2 text v; shift 2
  text=$(<"$tpl")
  for v in "$@"; do text=${text//@$v@/${!v}}; done
  if [[ $text =~ @[A-Z_][A-Z0-9_]*@ ]]; then
    echo "render: $tpl: placeholder ${BASH_REMATCH[0]} left unfilled" >&2; return 1
  fi
  printf '%s\n' "$text" >"$out"
}

# need BIN...: fail with a clear message when a program is missing
need() {
  local b
  for b in "$@"; do
    if ! command -v "$b" >/dev/null 2>&1; then
      echo "$PEER_NAME: '$b' not found; install the peers first: bash scripts/peers/install.sh (as root)" >&2
      exit 127
    fi
  done
}

# spawn NAME CMD...: start CMD in the background, output to $LOGS/NAME.log, PID to $RUN/NAME.pid
spawn() {
  local name=$1; shift
  "$@" >"$LOGS/$name.log" 2>&1 &
  local pid=$!
  PEER_CHILDREN+=("$pid"); PEER_CHILD_NAMES+=("$name")
  echo "$pid" >"$RUN/$name.pid"
}

peer_stop_children() {
  [ "$PEER_STOPPING" = 1 ] && return 0
  PEER_STOPPING=1
  local pid i grace=${PEER_STOP_GRACE:-5}
  for pid in "${PEER_CHILDREN[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < grace * 10; i++)); do
    local alive=0
    for pid in "${PEER_CHILDREN[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${PEER_CHILDREN[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# supervise: block until told to stop (signal), the harness dies, or a child exits; then stop all children.
supervise() {
  trap 'peer_stop_children; exit 0' TERM INT HUP
  local parent=${PEER_PARENT_PID:-}
  echo "$$" >"$RUN/supervisor.pid"
  cat "$BASE/peer.env"
  while :; do
    local i
    for i in "${!PEER_CHILDREN[@]}"; do
      if ! kill -0 "${PEER_CHILDREN[$i]}" 2>/dev/null; then
        wait "${PEER_CHILDREN[$i]}"; local rc=$?
        echo "$PEER_NAME: ${PEER_CHILD_NAMES[$i]} (pid ${PEER_CHILDREN[$i]}) exited with status $rc; stopping the rest" >&2
        tail -n 20 "$LOGS/${PEER_CHILD_NAMES[$i]}.log" >&2 2>/dev/null || true
        peer_stop_children
        exit 1
      fi
    done
    if [ -n "$parent" ] && ! kill -0 "$parent" 2>/dev/null; then
      echo "$PEER_NAME: harness pid $parent is gone; stopping" >&2
      peer_stop_children
      exit 0
    fi
    sleep 0.5 &
    wait $! 2>/dev/null || true
  done
}
