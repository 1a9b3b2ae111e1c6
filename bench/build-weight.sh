#!/usr/bin/env bash
# Build weight: how long a user's project takes to build from scratch (debug, cargo's default
# jobs, an empty target dir, dependencies already downloaded) when it depends on these crates as
# packaged, against one on Infisical's official Rust SDK (`infisical` from crates.io,
# bench/build-weight/infisical-sdk), side by side in one run, the variants in turn and their
# order rotated from run to run. Prints a Markdown table: the median wall time, its range, the
# median CPU time (user + system) and the crates compiled (docs/build-weight.md holds the
# latest).
#
#   bash bench/build-weight.sh [--runs N] [--variants "sdk client ..."] [--check]
#
# Variants (default: all):
#   sdk               infisical 0.0.4 (reqwest 0.12, rustls on ring, webpki-roots)
#   client            infisical-auth-client with its default features (`rustls-ring`; tests/downstream/project)
#   client-aws-lc     infisical-auth-client with `rustls` (rustls on aws-lc-rs) instead
#   client-tracing    the default features and `tracing`
#   client-http-only  no TLS feature (`http://` base URLs only)
#   client-schemars   the default features, and infisical-auth-types with `schemars`
#   server            infisical-auth-server (the axum stubs), with tokio
# --check exits non-zero when the client's median wall time exceeds the SDK's by more than
# BUILD_WEIGHT_TOLERANCE percent (default 10: both builds share the machine with whatever else
# runs); it needs the variants sdk and client.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
# shellcheck source=../tests/downstream/prepare.sh
source "$ROOT/tests/downstream/prepare.sh"

RUNS=3
VARIANTS="sdk client client-aws-lc client-tracing client-http-only client-schemars server"
CHECK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --variants) VARIANTS="$2"; shift 2 ;;
    --check) CHECK=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
read -r -a variants <<<"$VARIANTS"
BENCH="$TARGET/build-weight"
mkdir -p "$BENCH"
unset CARGO_TARGET_DIR RUSTFLAGS CARGO_BUILD_RUSTFLAGS

# What a user's project says about each variant (`[dependencies]` lines) and its program.
client_main="$ROOT/tests/downstream/project/src/main.rs"
CLIENT='infisical-auth-client = "0.1"'
deps() {
  case "$1" in
    client) echo "$CLIENT" ;;
    client-aws-lc) echo 'infisical-auth-client = { version = "0.1", default-features = false, features = ["rustls"] }' ;;
    client-tracing) echo 'infisical-auth-client = { version = "0.1", features = ["tracing"] }' ;;
    client-http-only) echo 'infisical-auth-client = { version = "0.1", default-features = false }' ;;
    client-schemars) printf '%s\n' "$CLIENT" 'infisical-auth-types = { version = "0.1", features = ["schemars"] }' ;;
    server) printf '%s\n' 'infisical-auth-server = "0.1"' ;;
    *) echo "unknown variant: $1" >&2; return 2 ;;
  esac
}

# Into $TARGET/package, where downstream_project reads them (CARGO_TARGET_DIR is unset above).
CARGO_TARGET_DIR="$TARGET" package_crates
for v in "${variants[@]}"; do
  dir="$BENCH/$v"
  if [ "$v" = sdk ]; then
    rm -rf "$dir/project"
    mkdir -p "$dir"
    cp -R "$ROOT/bench/build-weight/infisical-sdk" "$dir/project"
  else
    downstream_project "$dir" infisical-auth-types infisical-auth-validation infisical-auth-client infisical-auth-server
    {
      sed -n '1,/^\[dependencies\]/p' "$ROOT/tests/downstream/project/Cargo.toml"
      deps "$v"
      echo 'tokio = { version = "1", features = ["macros", "rt-multi-thread"] }'
    } >"$dir/project/Cargo.toml"
    # Without the client's TLS the program has no private CA to trust (its own feature).
    if [ "$v" = client-http-only ]; then
      sed -i 's/^default = \["private-ca"\]/default = []/' "$dir/project/Cargo.toml"
    fi
    if [ "$v" = server ]; then
      printf '%s\n' '//! The server stubs as a dependency: what building them costs.' \
        'pub use infisical_auth_server::router;' 'fn main() {}' >"$dir/project/src/main.rs"
    else
      cp "$client_main" "$dir/project/src/main.rs"
    fi
  fi
  # Downloads are not timed.
  (cd "$dir/project" && cargo fetch --quiet)
done

# One build from scratch: "wall cpu crates".
build() {
  local dir="$BENCH/$1" wall user sys
  rm -rf "$dir/target"
  TIMEFORMAT='%R %U %S'
  # In the project's directory: its .cargo/config.toml patches crates.io with the packaged crates.
  if ! { time (cd "$dir/project" && CARGO_TARGET_DIR="$dir/target" cargo build --offline \
      >"$dir/build.log" 2>&1); } 2>"$dir/time"; then
    cat "$dir/build.log" >&2
    return 1
  fi
  read -r wall user sys <"$dir/time"
  echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') $(grep -c '^ *Compiling ' "$dir/build.log")"
}

declare -A walls cpus crates
n=${#variants[@]}
for run in $(seq 1 "$RUNS"); do
  for i in $(seq 0 $((n - 1))); do
    v="${variants[$(((i + run - 1) % n))]}"
    build "$v" >"$BENCH/result"
    read -r wall cpu count <"$BENCH/result"
    echo "run $run: $v: ${wall} s wall, ${cpu} s CPU, $count crates" >&2
    walls[$v]+="$wall "
    cpus[$v]+="$cpu "
    crates[$v]="$count"
  done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
range() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.1f-%.1f", lo, hi}'; }

echo "| project depends on | wall (median of $RUNS) | range | CPU, user + system | crates compiled |"
echo "|---|---:|---:|---:|---:|"
for v in "${variants[@]}"; do
  printf '| %s | %.1f s | %s s | %.1f s | %s |\n' "$v" "$(median <<<"${walls[$v]}")" \
    "$(range <<<"${walls[$v]}")" "$(median <<<"${cpus[$v]}")" "${crates[$v]}"
done

if [ -n "$CHECK" ]; then
  sdk="$(median <<<"${walls[sdk]}")"
  client="$(median <<<"${walls[client]}")"
  if awk -v c="$client" -v s="$sdk" -v t="${BUILD_WEIGHT_TOLERANCE:-10}" 'BEGIN {exit !(c > s * (100 + t) / 100)}'; then
    echo "the client's project builds in $client s, the SDK's in $sdk s: slower than the SDK's" >&2
    exit 1
  fi
  echo "the client's project builds in $client s, the SDK's in $sdk s"
fi
