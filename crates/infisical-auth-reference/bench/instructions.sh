#!/usr/bin/env bash
# Instructions per request of the release reference server, side by side in one run with the bare
# axum baseline (examples/bare_axum.rs) sent the same requests, counted by valgrind's callgrind:
# user-space instructions do not depend on what else runs on the machine, so this bench gives the
# same figures on a busy machine, where bench/load.sh's requests/s move by a fifth.
#
#   bash crates/infisical-auth-reference/bench/instructions.sh
#
# For each scenario of bench/load.sh (retrieve, cycle, login), each server runs under callgrind
# and receives, on one keep-alive connection, INSTR_WARMUP requests (not counted), then
# INSTR_REQUESTS counted ones; servers: bare axum, the reference server with its request journal
# (the default), and with the journal off (--journal-size 0). Kernel time (the loopback path),
# which most of a request's time is, is not counted: the ratios here are those of the servers'
# own work, lower than bench/load.sh's requests/s ratios.
#
# Environment: INSTR_REQUESTS (default 1500), INSTR_WARMUP (300). Needs valgrind (Debian's
# package; installed when missing). Prints a Markdown table.
set -euo pipefail
# shellcheck source=../scripts/common.sh
source "$(dirname "$0")/../scripts/common.sh"
REQUESTS="${INSTR_REQUESTS:-1500}"
WARMUP="${INSTR_WARMUP:-300}"
IDENTITIES=100
LOGIN_IDENTITY="00000000-0000-4000-8000-999999999999"

need_tool valgrind
echo "== instructions: building the release reference server and the bare axum baseline" >&2
build_release --example bare_axum

identity_args() {
  printf -- '--identity %s ' "$LOGIN_IDENTITY"
  for i in $(seq 0 $((IDENTITIES - 1))); do printf -- '--identity 00000000-0000-4000-8000-%012d ' "$i"; done
}

# The driver: sets up what a scenario needs (reference server only), sends the warm-up, zeroes
# callgrind's counters, sends the counted requests, dumps the counters and prints their total.
cat >"$WORK/drive.py" <<'PY'
import glob, http.client, json, os, subprocess, sys, time
base, pid, scenario, server = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
requests, warmup = int(os.environ["REQUESTS"]), int(os.environ["WARMUP"])
host, port = base.removeprefix("http://").rsplit(":", 1)
conn = http.client.HTTPConnection(host, int(port))
admin = {"Authorization": "Bearer " + os.environ["TOKEN"], "Content-Type": "application/json"}
login_id = os.environ["LOGIN_IDENTITY"]
ua = "/api/v1/auth/universal-auth/identities/"

def call(method, path, body=None, headers=admin):
    conn.request(method, path, body=body, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    if server != "bare" and answer.status >= 300:
        sys.exit(f"{scenario}: {method} {path} answered {answer.status}: {data[:200]!r}")
    return data

client_id, client_secret = "0" * 36, "0" * 64
if server != "bare":
    call("POST", ua + login_id, "{}")
    if scenario == "login":
        client_id = json.loads(call("GET", ua + login_id))["identityUniversalAuth"]["clientId"]
        client_secret = json.loads(call("POST", ua + login_id + "/client-secrets", "{}"))["clientSecret"]

attach = ('{"accessTokenTTL":3600,"accessTokenMaxTTL":7200,'
          '"accessTokenTrustedIps":[{"ipAddress":"0.0.0.0/0"},{"ipAddress":"::/0"}],'
          '"clientSecretTrustedIps":[{"ipAddress":"127.0.0.0/8"}],"lockoutThreshold":5}')
update = '{"accessTokenTTL":1800,"accessTokenNumUsesLimit":10}'
login = json.dumps({"clientId": client_id, "clientSecret": client_secret}, separators=(",", ":"))
ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(int(os.environ["IDENTITIES"]))]

def requests_of(count, start=0):
    for k in range(start, start + count):
        if scenario == "retrieve":
            yield ("GET", ua + login_id, None, admin)
        elif scenario == "login":
            yield ("POST", "/api/v1/auth/universal-auth/login", login, {"Content-Type": "application/json"})
        else:  # the cycle: attach, update, revoke of one identity after another
            step, identity = k % 3, ids[(k // 3) % len(ids)]
            yield (("POST", ua + identity, attach, admin), ("PATCH", ua + identity, update, admin),
                   ("DELETE", ua + identity, None, admin))[step]

for r in requests_of(warmup):
    call(*r)
subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
for r in requests_of(requests, warmup):
    call(*r)
subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
time.sleep(0.5)
dumps = sorted(glob.glob(os.environ["OUT"] + ".*"), key=os.path.getmtime)
total = None
for line in open(dumps[-1]):
    if line.startswith(("summary:", "totals:")):
        total = int(line.split()[1])
print(total)
PY

# measure SCENARIO SERVER CMD..: instructions per counted request, appended to the results.
measure() {
  local scenario="$1" server="$2"
  shift 2
  local out="$WORK/callgrind-$scenario-$server"
  echo "== instructions: $scenario on $server" >&2
  start "$scenario-$server" valgrind --tool=callgrind --log-file="$WORK/$scenario-$server.valgrind" \
    --callgrind-out-file="$out" "$@"
  local total
  total="$(env REQUESTS="$REQUESTS" WARMUP="$WARMUP" TOKEN="$TOKEN" OUT="$out" IDENTITIES="$IDENTITIES" \
    LOGIN_IDENTITY="$LOGIN_IDENTITY" python3 "$WORK/drive.py" "$BASE" "$PID" "$scenario" "$server")"
  stop
  echo "$scenario $server $((total / REQUESTS))" >>"$WORK/results"
}

read -r -a IDS <<<"$(identity_args)"
# The admin token reaches the reference server through its environment (valgrind runs the server
# itself, so nothing may stand between them).
export INFISICAL_ADMIN_TOKEN="$TOKEN"
for scenario in retrieve cycle login; do
  measure "$scenario" bare "$TARGET/release/examples/bare_axum" 127.0.0.1:0
  measure "$scenario" reference "$TARGET/release/reference-server" \
    --listen 127.0.0.1:0 --quiet "${IDS[@]}"
  measure "$scenario" no-journal "$TARGET/release/reference-server" \
    --listen 127.0.0.1:0 --quiet --journal-size 0 "${IDS[@]}"
done

echo
echo "callgrind, user-space instructions per request ($REQUESTS counted after $WARMUP), one keep-alive connection"
echo
python3 - "$WORK/results" <<'PY'
import sys
runs = {}
for line in open(sys.argv[1]):
    scenario, server, per = line.split()
    runs[(scenario, server)] = int(per)
print("| scenario | bare axum | reference server | journal's share | journal off | bare / reference |")
print("|---|---:|---:|---:|---:|---:|")
for s in ("retrieve", "cycle", "login"):
    bare, ref, off = runs[(s, "bare")], runs[(s, "reference")], runs[(s, "no-journal")]
    print(f"| {s} | {bare:,} | {ref:,} | {ref - off:,} | {off:,} | {100 * bare / ref:.0f} % |")
PY
