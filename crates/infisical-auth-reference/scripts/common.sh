# Set-up shared by the scripts that drive the release reference server (bench/load.sh,
# tests/conformance/schemathesis.sh, tests/sdk/run.sh). Source it; it provides:
#
#   ROOT, TARGET     the workspace root (the working directory from here on) and cargo's target dir;
#   TOKEN            a fresh random admin token (never printed);
#   WORK             a temporary directory, removed on exit with every server started here;
#   build_release    builds the release `reference-server` (extra cargo arguments are passed on);
#   need_tool CMD    installs Debian's package CMD when the command CMD is missing (bench tools);
#   start NAME CMD.. starts a server that prints "listening on http://ADDR" on stderr; sets BASE and
#                    PID; its stdout goes to $WORK/NAME.out, its stderr to $WORK/NAME.log;
#   reference NAME [ARGS..]  start NAME with the release reference server on 127.0.0.1:0 and TOKEN;
#   stop             stops the server started last (PID).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
TOKEN="admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
WORK="$(mktemp -d)"
PIDS=()
PID=""
BASE=""

cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

build_release() {
  cargo build --release --quiet -p infisical-auth-reference --bin reference-server "$@"
}

need_tool() {
  if ! command -v "$1" >/dev/null; then
    echo "== installing $1 (Debian package)" >&2
    apt-get install -y -qq "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$1" >/dev/null; }
  fi
}

start() {
  local name="$1"
  shift
  # Emptied here, not only by the redirection below, which runs in the background: a log left by
  # an earlier server of the same name must not be read for this one's address.
  : >"$WORK/$name.log"
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  PID=$!
  PIDS+=("$PID")
  BASE=""
  for _ in $(seq 1 600); do
    # Only a whole line: a server may write its address in pieces (a slow one, under valgrind,
    # is seen between them).
    if [ -z "$(tail -c1 "$WORK/$name.log" 2>/dev/null)" ]; then
      BASE="$(sed -n 's/^.*listening on \(http:[^ ]*\)$/\1/p' "$WORK/$name.log" 2>/dev/null || true)"
    fi
    [ -n "$BASE" ] && return 0
    if ! kill -0 "$PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "$name did not start:" >&2
  cat "$WORK/$name.log" >&2
  exit 1
}

reference() {
  local name="$1"
  shift
  start "$name" env INFISICAL_ADMIN_TOKEN="$TOKEN" "$TARGET/release/reference-server" \
    --listen 127.0.0.1:0 "$@"
}

stop() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}
