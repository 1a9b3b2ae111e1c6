#!/usr/bin/env bash
# Schemathesis (a property-based API tester from PyPI) against the release reference server, with
# the project's spec, over all 78 operations. Checks: no 5xx (not_a_server_error) and every
# answer of a declared status matches the spec (response_schema_conformance).
#
#   bash crates/infisical-auth-reference/tests/conformance/schemathesis.sh
#
# Environment: SCHEMATHESIS_VENV (default $CARGO_TARGET_DIR/schemathesis-venv, or target/),
# SCHEMATHESIS_MAX_EXAMPLES (default 30 per operation and phase), SCHEMATHESIS_SEED (reproduce
# a run; the seed is printed at the end of every run).
set -euo pipefail
# shellcheck source=../../scripts/common.sh
source "$(dirname "$0")/../../scripts/common.sh"
VENV="${SCHEMATHESIS_VENV:-$TARGET/schemathesis-venv}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
SPEC="$ROOT/openapi/infisical-identity-auth.json"
# An identity that exists, so that configuration operations reach their logic (not only 404).
IDENTITY="5c4f1f5e-0d0e-4a7b-9b39-6f1f2f0a7c11"

echo "== schemathesis: installing into $VENV"
if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.3,<5'
fi
"$VENV/bin/schemathesis" --version

echo "== schemathesis: building the release reference server"
build_release

reference server --identity "$IDENTITY"
echo "== schemathesis: reference server on $BASE"

cat >"$WORK/schemathesis.toml" <<TOML
[parameters]
"path.identityId" = "$IDENTITY"
TOML

SEED_ARGS=()
if [ -n "${SCHEMATHESIS_SEED:-}" ]; then
  SEED_ARGS=(--seed "$SCHEMATHESIS_SEED")
fi
status=0
"$VENV/bin/schemathesis" --no-color --config-file "$WORK/schemathesis.toml" run "$SPEC" \
  --url "$BASE" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --workers 2 \
  "${SEED_ARGS[@]}" || status=$?

# What the server answered, by status (its request log: method, path, status, latency, reqId).
echo "== schemathesis: answers by status"
awk '{print $3}' "$WORK/server.out" | sort | uniq -c | sort -rn
if grep -q 'does not fit its type' "$WORK/server.log"; then
  echo "the server produced answers that do not fit their types:" >&2
  grep 'does not fit its type' "$WORK/server.log" | sort | uniq -c >&2
  status=1
fi
exit "$status"
