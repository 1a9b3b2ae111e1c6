#!/usr/bin/env bash
# Load benchmark of the release reference server, side by side in one run with a bare axum handler
# that answers a fixed body of the size of a universal-auth retrieve answer (examples/bare_axum.rs).
# wrk (Debian's package) drives each scenario on loopback; both servers share the machine with it.
#
#   bash crates/infisical-auth-reference/bench/load.sh
#
# Scenarios (each on a freshly started server), in LOAD_ROUNDS rounds (default 3): in each round
# every scenario runs right after a bare run of its own, so that load from elsewhere on a shared
# machine falls on both sides alike; the table gives the medians over the rounds, and each
# scenario's median requests/s against the median of the bare runs paired with it.
#   bare       the bare axum handler (the baseline), sent the requests of the scenario it is paired with;
#   retrieve   GET getUniversalAuth of one identity with universal auth attached;
#   cycle      attach -> update -> revoke of universal auth, spread over LOAD_IDENTITIES identities;
#   login      POST loginWithUniversalAuth with a client secret (each login issues an access token).
# Then: resident memory (VmRSS) of the reference server holding 10,000 identities, each with
# universal auth attached; and a bounded soak: LOAD_SOAK_LOGINS logins with a 1 s token TTL, with
# the server's resident memory before and after (expired tokens must be removed).
#
# Environment: LOAD_DURATION (default 10s), LOAD_ROUNDS (3), LOAD_CONNECTIONS (64), LOAD_THREADS (2),
# LOAD_IDENTITIES (1000, for the cycle scenario), LOAD_SOAK_LOGINS (1000000; 0 skips the soak). Prints a Markdown table (the README quotes it).
set -euo pipefail
# shellcheck source=../scripts/common.sh
source "$(dirname "$0")/../scripts/common.sh"
DURATION="${LOAD_DURATION:-10s}"
CONNECTIONS="${LOAD_CONNECTIONS:-64}"
THREADS="${LOAD_THREADS:-2}"
IDENTITIES="${LOAD_IDENTITIES:-1000}"
SOAK_LOGINS="${LOAD_SOAK_LOGINS:-1000000}"
ROUNDS="${LOAD_ROUNDS:-3}"
LOGIN_IDENTITY="00000000-0000-4000-8000-999999999999"

need_tool wrk
echo "== load: building the release reference server and the bare axum baseline" >&2
build_release --example bare_axum

# identity_id N: the N-th identity of the cycle scenario (the Lua scripts use the same form).
identity_id() { printf '00000000-0000-4000-8000-%012d' "$1"; }

# load_reference NAME [ARGS]: the reference server holding the identities of every scenario.
load_reference() {
  local ids=(--identity "$LOGIN_IDENTITY")
  for i in $(seq 0 $((IDENTITIES - 1))); do ids+=(--identity "$(identity_id "$i")"); done
  reference "$1" --quiet "${ids[@]}" "${@:2}"
}

# api METHOD PATH [BODY]: one call with the admin token; prints the answer.
api() {
  curl -sS -X "$1" "$BASE$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    ${3:+--data "$3"}
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# The scripts format each request once, as wrk does for the bare baseline (a static request, or
# for the cycle a table built when each thread starts), so that wrk spends on a request what it
# spends on a bare one rather than formatting it in Lua (which cost it up to half as much again).
cat >"$WORK/retrieve.lua" <<'LUA'
wrk.method = "GET"
wrk.path = "/api/v1/auth/universal-auth/identities/" .. os.getenv("LOGIN_IDENTITY")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA

# Each wrk thread owns every THREADS-th identity and walks them in passes: attach, update, revoke.
cat >"$WORK/cycle.lua" <<'LUA'
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local threads = tonumber(os.getenv("THREADS"))
local n = tonumber(os.getenv("IDENTITIES"))
local per_thread = math.floor(n / threads)
local headers = {
  ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
  ["Content-Type"] = "application/json",
}
local attach = '{"accessTokenTTL":3600,"accessTokenMaxTTL":7200,'
  .. '"accessTokenTrustedIps":[{"ipAddress":"0.0.0.0/0"},{"ipAddress":"::/0"}],'
  .. '"clientSecretTrustedIps":[{"ipAddress":"127.0.0.0/8"}],"lockoutThreshold":5}'
local update = '{"accessTokenTTL":1800,"accessTokenNumUsesLimit":10}'
-- The thread's requests, in order, formatted once: attach, update, revoke passes.
local requests = {}
local count = 3 * per_thread
function init(args)
  for k = 0, count - 1 do
    local slot = k % per_thread
    local phase = math.floor(k / per_thread)
    local id = string.format("00000000-0000-4000-8000-%012d", slot * threads + tid)
    local path = "/api/v1/auth/universal-auth/identities/" .. id
    if phase == 0 then
      requests[k] = wrk.format("POST", path, headers, attach)
    elseif phase == 1 then
      requests[k] = wrk.format("PATCH", path, headers, update)
    else
      requests[k] = wrk.format("DELETE", path, headers)
    end
  end
end
local i = 0
request = function()
  local r = requests[i]
  i = (i + 1) % count
  return r
end
LUA

cat >"$WORK/login.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/api/v1/auth/universal-auth/login"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"clientId":"' .. os.getenv("CLIENT_ID") .. '","clientSecret":"'
  .. os.getenv("CLIENT_SECRET") .. '"}'
LUA

rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$PID/status"; }

# run NAME [SCRIPT]: wrk against BASE; appends "NAME rps p99 non2xx" to the results.
run() {
  local out="$WORK/$1.wrk"
  echo "== load: $1 ($DURATION, $CONNECTIONS connections, $THREADS threads)" >&2
  env TOKEN="$TOKEN" THREADS="$THREADS" SOAK_LOGINS="$SOAK_LOGINS" IDENTITIES="$IDENTITIES" LOGIN_IDENTITY="$LOGIN_IDENTITY" \
    CLIENT_ID="${CLIENT_ID:-}" CLIENT_SECRET="${CLIENT_SECRET:-}" \
    wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" ${2:+-s "$2"} "$BASE" >"$out"
  local rps p99 non2xx
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  p99="$(awk '$1 == "99%" {print $2}' "$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  echo "$1 $rps $p99 ${non2xx:-0}" >>"$WORK/results"
}

# bare SCENARIO: the baseline, run just before SCENARIO and paired with it (results as
# "bare-SCENARIO"): wrk sends it SCENARIO's own requests (a login's credentials, which only the
# reference server can give, are stand-ins of the same length), so that both sides receive and
# answer the same bytes, and what the table compares is what the reference server does with them.
bare() {
  start bare "$TARGET/release/examples/bare_axum" 127.0.0.1:0
  CLIENT_ID="${CLIENT_ID:-00000000-0000-4000-8000-000000000000}" \
    CLIENT_SECRET="${CLIENT_SECRET:-$(printf '0%.0s' $(seq 1 64))}" run "bare-$1" "$WORK/$1.lua"
  stop
}

for round in $(seq 1 "$ROUNDS"); do
  echo "== load: round $round of $ROUNDS" >&2
  bare retrieve
  load_reference retrieve
  api POST "/api/v1/auth/universal-auth/identities/$LOGIN_IDENTITY" '{}' >/dev/null
  run retrieve "$WORK/retrieve.lua"
  stop

  bare cycle
  load_reference cycle
  run cycle "$WORK/cycle.lua"
  stop

  bare login
  load_reference login
  CLIENT_ID="$(api POST "/api/v1/auth/universal-auth/identities/$LOGIN_IDENTITY" '{}' \
    | json_field "['identityUniversalAuth']['clientId']")"
  CLIENT_SECRET="$(api POST "/api/v1/auth/universal-auth/identities/$LOGIN_IDENTITY/client-secrets" '{}' \
    | json_field "['clientSecret']")"
  export CLIENT_ID CLIENT_SECRET
  run login "$WORK/login.lua"
  stop
done

SOAK=""
if [ "$SOAK_LOGINS" -gt 0 ]; then
  echo "== load: soak: $SOAK_LOGINS logins with a 1 s token TTL" >&2
  reference soak --quiet --identity "$LOGIN_IDENTITY"
  CLIENT_ID="$(api POST "/api/v1/auth/universal-auth/identities/$LOGIN_IDENTITY" \
    '{"accessTokenTTL":1,"accessTokenMaxTTL":1}' | json_field "['identityUniversalAuth']['clientId']")"
  CLIENT_SECRET="$(api POST "/api/v1/auth/universal-auth/identities/$LOGIN_IDENTITY/client-secrets" '{}' \
    | json_field "['clientSecret']")"
  export CLIENT_ID CLIENT_SECRET
  RSS_BEFORE="$(rss_mib)"
  # Long enough for SOAK_LOGINS at 60 % of the login scenario's rate (wrk counts time, not requests).
  LOGIN_RPS="$(awk '$1 == "login" {r = $2} END {print r}' "$WORK/results")"
  SOAK_SECS="$(awk -v n="$SOAK_LOGINS" -v r="$LOGIN_RPS" 'BEGIN { printf "%d", n / (0.6 * r) + 1 }')"
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${SOAK_SECS}s" -s "$WORK/login.lua" "$BASE" >"$WORK/soak.wrk"
  RSS_AFTER="$(rss_mib)"
  PEAK="$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$PID/status")"
  DONE="$(awk '/requests in/ {print $1}' "$WORK/soak.wrk")"
  SECS="$(awk '/requests in/ {print $4}' "$WORK/soak.wrk" | tr -d ',')"
  NON2XX="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$WORK/soak.wrk")"
  SOAK="soak: $DONE logins in $SECS (1 s token TTL, ${NON2XX:-0} non-2xx): resident memory $RSS_BEFORE MiB before, $RSS_AFTER MiB after (peak $PEAK MiB)"
  stop
fi

echo "== load: resident memory with 10,000 identities" >&2
reference memory --quiet --seed-identities 10000
RSS_KB="$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")"
stop

echo
echo "wrk $DURATION, $CONNECTIONS connections, $THREADS threads, loopback, $(nproc) cores shared by wrk and the server"
echo "(medians of $ROUNDS rounds; each scenario against the bare runs paired with it)"
echo
python3 - "$WORK/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, rps, p99, non2xx = line.split()
    runs.setdefault(name, []).append((float(rps), p99, int(non2xx)))
def millis(text):
    for unit, scale in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float(text)
print("| scenario | requests/s (median) | p99 latency (median) | vs bare axum | non-2xx answers (all rounds) | requests/s, each round |")
print("|---|---:|---:|---:|---:|---|")
for name in ("retrieve", "cycle", "login"):
    for label, key in ((f"bare (paired with {name})", f"bare-{name}"), (name, name)):
        rows = runs.get(key, [])
        if not rows:
            continue
        rps = statistics.median(r for r, _, _ in rows)
        p99 = statistics.median(millis(p) for _, p, _ in rows)
        base = statistics.median(r for r, _, _ in runs[f"bare-{name}"])
        each = ", ".join(f"{r:.0f}" for r, _, _ in rows)
        print(f"| {label} | {rps:.0f} | {p99:.2f} ms | {100 * rps / base:.0f} % | {sum(n for _, _, n in rows)} | {each} |")
PY
echo
echo "reference server holding 10,000 identities with universal auth attached: $((RSS_KB / 1024)) MiB resident (VmRSS)"
if [ -n "$SOAK" ]; then echo "$SOAK"; fi
