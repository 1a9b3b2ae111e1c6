#!/usr/bin/env bash
# A user's project outside the workspace (project/) on the crates as `cargo package` packs them:
# it builds against the packaged `.crate` files (prepare.sh), with the client's default
# features, and its program (attach universal auth and create a client secret as an
# administrator, then log in with a `Session`, read the configuration back, log out) runs
# against the release reference server over HTTP and over HTTPS, behind a TLS proxy whose private
# CA the program trusts through SSL_CERT_FILE, and again through `root_certificate_pem` (the CA's
# file as its fourth argument, with no CA in SSL_CERT_FILE); without that CA the HTTPS run must
# fail on the certificate. The client's dependency graph must not hold aws-lc (its TLS is rustls
# on ring).
#
#   bash tests/downstream/run.sh      (after `cargo package`, which CI runs just before)
#
# REFERENCE_SERVER=PATH runs that reference-server binary instead of building the release one.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../../crates/infisical-auth-reference/scripts/common.sh
source "$HERE/../../crates/infisical-auth-reference/scripts/common.sh"
# shellcheck source=prepare.sh
source "$HERE/prepare.sh"

DOWNSTREAM="$TARGET/downstream"
# One identity per run: each run attaches universal auth to its own.
IDENTITY="3f1c2b9e-6d4a-4e8f-a1b7-5c0d9e2f4a61"
IDENTITY_TLS="8a2e4c60-1b3d-4f5a-9c7e-0d6b2a4f8e13"
IDENTITY_PEM="c5d7e9f1-2a4b-4c6d-8e0f-1a3b5c7d9e2f"
downstream_project "$DOWNSTREAM"
cd "$DOWNSTREAM/project"

echo "== downstream: the client's dependency graph holds no aws-lc"
if CARGO_TARGET_DIR="$DOWNSTREAM/target" cargo tree --quiet -e normal,build --prefix none | grep -E '^aws-lc'; then
  echo "aws-lc is in a client user's build (above): the client's TLS must be rustls on ring" >&2
  exit 1
fi
CARGO_TARGET_DIR="$DOWNSTREAM/target" cargo tree --quiet -e normal,build --prefix none | grep -q '^ring ' \
  || { echo "ring is not in a client user's build: what serves HTTPS?" >&2; exit 1; }

echo "== downstream: building the user's project against the packaged crates"
CARGO_TARGET_DIR="$DOWNSTREAM/target" cargo build --quiet
program="$DOWNSTREAM/target/debug/downstream"
cd "$ROOT"

server="${REFERENCE_SERVER:-}"
if [ -z "$server" ]; then
  build_release
  server="$TARGET/release/reference-server"
fi
# Members, so that each may read its own configuration once logged in (a no-access identity,
# the default, may not).
seed="$(mktemp --suffix .json)"
printf '{"identities": [{"id": "%s", "role": "member"}, {"id": "%s", "role": "member"}, {"id": "%s", "role": "member"}]}\n' \
  "$IDENTITY" "$IDENTITY_TLS" "$IDENTITY_PEM" > "$seed"
start downstream env INFISICAL_ADMIN_TOKEN="$TOKEN" "$server" --listen 127.0.0.1:0 \
  --seed "$seed" --quiet
echo "== downstream: over HTTP ($BASE)"
"$program" "$BASE" "$TOKEN" "$IDENTITY"

echo "== downstream: over HTTPS, behind a TLS proxy with a private CA"
tls="$WORK/tls"
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=downstream-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
  -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
  -days 2 -extfile "$tls/ext" -out "$tls/server.pem" 2>/dev/null
python3 "$HERE/tls_proxy.py" "$tls/server.pem" "$tls/server.key" "${BASE#http://}" 2>"$WORK/tls-proxy.log" &
PIDS+=("$!")
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/^listening on \([0-9]*\)$/\1/p' "$WORK/tls-proxy.log")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$WORK/tls-proxy.log" >&2; exit 1; }

# Without the private CA the certificate is refused (verification is on) before anything is sent.
if out="$(env -u SSL_CERT_DIR SSL_CERT_FILE=/dev/null "$program" "https://localhost:$port" "$TOKEN" "$IDENTITY_TLS" 2>&1)"; then
  echo "the client accepted a certificate of an unknown CA: $out" >&2
  exit 1
fi
case "$out" in
  *certificate*|*Certificate*|*UnknownIssuer*) echo "refused without the CA, as it must be" ;;
  *) echo "the HTTPS run without the CA failed, but not on the certificate: $out" >&2; exit 1 ;;
esac
env -u SSL_CERT_DIR SSL_CERT_FILE="$tls/ca.pem" "$program" "https://localhost:$port" "$TOKEN" "$IDENTITY_TLS"
echo "== downstream: over HTTPS, the private CA given to the client (root_certificate_pem)"
env -u SSL_CERT_DIR SSL_CERT_FILE=/dev/null "$program" "https://localhost:$port" "$TOKEN" "$IDENTITY_PEM" "$tls/ca.pem"
