#!/usr/bin/env bash
# Infisical's official clients against the release reference server: the Python SDK
# (`infisicalsdk` from PyPI, in a virtualenv under the target dir) and the Node SDK
# (`@infisical/sdk` from npm, under the target dir) each log in with universal auth, renew, and
# get Infisical's message for a wrong client secret (check.py, check.cjs).
#
#   bash crates/infisical-auth-reference/tests/sdk/run.sh
#
# A registry that cannot be reached skips that SDK with a message saying so (exit 0 if the other
# passed); any other failure, an install that fails while its registry answers included, fails.
# Environment: SDK_PYTHON_SPEC (default 'infisicalsdk>=1.0.18,<2'), SDK_NODE_SPEC (default
# '@infisical/sdk@^5.0.2').
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../../scripts/common.sh
source "$HERE/../../scripts/common.sh"
PYTHON_SPEC="${SDK_PYTHON_SPEC:-infisicalsdk>=1.0.18,<2}"
NODE_SPEC="${SDK_NODE_SPEC:-@infisical/sdk@^5.0.2}"
SDK_DIR="$TARGET/sdk"
IDENTITY="7d7f0c1e-3b5a-4c2e-9f61-2a0d5e8b4c33"
mkdir -p "$SDK_DIR"

# reachable URL: whether a registry answers at all.
reachable() { curl -sS -o /dev/null --max-time 20 "$1" 2>/dev/null; }

PYTHON_OK=""
echo "== sdk: installing the Python SDK ($PYTHON_SPEC) into $SDK_DIR/python-venv"
if [ -x "$SDK_DIR/python-venv/bin/python" ] \
  && "$SDK_DIR/python-venv/bin/python" -c 'import infisical_sdk' 2>/dev/null; then
  PYTHON_OK=1
elif ! reachable https://pypi.org/simple/infisicalsdk/; then
  echo "== sdk: SKIPPED the Python SDK: PyPI (https://pypi.org) cannot be reached from here"
else
  python3 -m venv "$SDK_DIR/python-venv"
  "$SDK_DIR/python-venv/bin/pip" install --quiet --disable-pip-version-check "$PYTHON_SPEC"
  PYTHON_OK=1
fi

NODE_OK=""
echo "== sdk: installing the Node SDK ($NODE_SPEC) into $SDK_DIR/node"
if [ -f "$SDK_DIR/node/node_modules/@infisical/sdk/package.json" ]; then
  NODE_OK=1
elif ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "== sdk: the Node SDK needs node and npm, which are not installed" >&2
  exit 1
elif ! reachable https://registry.npmjs.org/@infisical%2fsdk; then
  echo "== sdk: SKIPPED the Node SDK: the npm registry (https://registry.npmjs.org) cannot be reached from here"
else
  mkdir -p "$SDK_DIR/node"
  npm install --silent --no-audit --no-fund --prefix "$SDK_DIR/node" "$NODE_SPEC"
  NODE_OK=1
fi

if [ -z "$PYTHON_OK$NODE_OK" ]; then
  echo "== sdk: SKIPPED: neither registry can be reached; no SDK was checked"
  exit 0
fi

echo "== sdk: building the release reference server"
build_release
reference sdk --identity "$IDENTITY"
echo "== sdk: reference server on $BASE"

# admin METHOD PATH BODY: one management call with the admin token; prints the answer.
admin() {
  curl -sS --fail-with-body -X "$1" "$BASE$2" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data "$3"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
UA="/api/v1/auth/universal-auth/identities/$IDENTITY"
CLIENT_ID="$(admin POST "$UA" '{}' | field "['identityUniversalAuth']['clientId']")"
CLIENT_SECRET="$(admin POST "$UA/client-secrets" '{"description":"sdk"}' | field "['clientSecret']")"

if [ -n "$PYTHON_OK" ]; then
  echo "== sdk: Python SDK $("$SDK_DIR/python-venv/bin/pip" show infisicalsdk | sed -n 's/^Version: //p')"
  "$SDK_DIR/python-venv/bin/python" "$HERE/check.py" "$BASE" "$CLIENT_ID" "$CLIENT_SECRET"
fi
if [ -n "$NODE_OK" ]; then
  echo "== sdk: Node SDK $(node -p "require('$SDK_DIR/node/node_modules/@infisical/sdk/package.json').version")"
  NODE_PATH="$SDK_DIR/node/node_modules" node "$HERE/check.cjs" "$BASE" "$CLIENT_ID" "$CLIENT_SECRET"
fi
echo "== sdk: passed"
