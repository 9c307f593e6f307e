#!/usr/bin/env bash
# Runs the wampd benchmark matrix and writes one JSON line per run to bench/results/latest.jsonl.
#   bench/run.sh                  the whole matrix (about 4 minutes)
#   DURATION=2 bench/run.sh       shorter runs
#   SKIP_FOX=1 bench/run.sh       wampd only
#   REPEAT=3 bench/run.sh         three interleaved runs per row (medians in the summary)
#   WAMPD=/path/to/wampd bench/run.sh   measure that binary instead of building build-bench's
#   ONLY="msgpack --publishers 1 --subscribers 10" bench/run.sh   only the rows whose arguments
#                                 contain that text (written to results/partial.jsonl)
# Every router is started fresh for each run on a free 127.0.0.1 port and killed afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build-bench
BENCH=$BUILD/bench/wampd-bench
FLOOR=$BUILD/bench/wampd-floor
WAMPD_GIVEN=${WAMPD:-}
WAMPD=${WAMPD:-$BUILD/router/wampd}
FOX_DIR=$ROOT/bench/fox
RESULTS_DIR=$ROOT/bench/results
OUT=$RESULTS_DIR/latest.jsonl
DURATION=${DURATION:-5}
SKIP_FOX=${SKIP_FOX:-0}
ONLY=${ONLY:-} # a substring of the scenario arguments: run only the matching rows
REPEAT=${REPEAT:-1} # runs per row and router, interleaved; summary.py reports the median
if [ -n "$ONLY" ]; then
	OUT=$RESULTS_DIR/partial.jsonl # a partial run leaves the full matrix's record alone
fi
RUN_TIMEOUT=$((${DURATION%.*} + 90)) # setup of 10000 sessions + run + drain

WORK=$(mktemp -d /tmp/wampd-bench.XXXXXX)
ROUTER_PID=""

cleanup() {
	if [ -n "$ROUTER_PID" ] && kill -0 "$ROUTER_PID" 2>/dev/null; then
		kill "$ROUTER_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$ROUTER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$ROUTER_PID" 2>/dev/null || true
	fi
	ROUTER_PID=""
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

log() { echo "run.sh: $*" >&2; }

# ---- build ----
. "$ROOT/bench/build.sh"
bench_build

# Sessions need descriptors on both sides; the router inherits this limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts "$@" (a router listening on $PORT), waits (at most 10 s) until the port accepts, and
# prints "PID STARTUP_MS". Polling every 0.5 ms makes the start-up figure good to about 1 ms.
start_and_wait() {
	local port=$1 logf=$2
	shift 2
	python3 - "$port" "$logf" "$@" <<'EOF'
import socket, subprocess, sys, time
port, logf, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
p = subprocess.Popen(argv, stdout=open(logf, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
ms = -1.0
while time.monotonic() - t0 < 10 and p.poll() is None:
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", port))
        ms = (time.monotonic() - t0) * 1000
        break
    except OSError:
        time.sleep(0.0005)
    finally:
        s.close()
print(p.pid, round(ms, 2))
EOF
}

PORT=""
STARTUP_MS=""
# start_router NAME CMD...: starts a router (CMD listens on $PORT), sets ROUTER_PID and STARTUP_MS.
start_router() {
	local name=$1 out
	shift
	ROUTER_LOG=$WORK/$name.log
	: >"$ROUTER_LOG" # one run's log at a time (run_one reads it)
	out=$(start_and_wait "$PORT" "$WORK/$name.log" "$@")
	ROUTER_PID=${out% *}
	STARTUP_MS=${out#* }
	if [ "$STARTUP_MS" = "-1.0" ]; then
		log "$name did not start; log:"
		tail -20 "$WORK/$name.log" >&2
		return 1
	fi
}

start_wampd() {
	PORT=$(free_port)
	local cbdir=$WORK/cb-$PORT
	mkdir -p "$cbdir"
	cat >"$cbdir/config.json" <<EOF
{"version":2,"workers":[{"type":"router","realms":[{"name":"realm1","roles":[{"name":"anonymous","permissions":[{"uri":"","match":"prefix","allow":{"call":true,"register":true,"publish":true,"subscribe":true},"disclose":{"caller":false,"publisher":false},"cache":true}]}]}],"transports":[{"type":"web","endpoint":{"type":"tcp","interface":"127.0.0.1","port":$PORT},"paths":{"ws":{"type":"websocket","serializers":["json","msgpack"]}}}]}]}
EOF
	start_router wampd "$WAMPD" start --cbdir "$cbdir" --loglevel warn
}

start_fox() {
	PORT=$(free_port)
	start_router fox-wamp node "$FOX_DIR/server.mjs" "$PORT"
}

start_floor() {
	PORT=$(free_port)
	start_router wampd-floor "$FLOOR" "$PORT"
}

rss_of() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$1/status"; }

# run_one LABEL ARGS...: fresh router, one wampd-bench run, router stopped. A failed run still
# leaves its JSON line (wampd-bench prints one with "error"), so the matrix goes on.
run_one() {
	local label=$1
	shift
	case $label in
	wampd) start_wampd ;;
	floor) start_floor ;;
	*) start_fox ;;
	esac
	log "$label $*"
	local line
	line=$(timeout "$RUN_TIMEOUT" "$BENCH" "$@" --url "ws://127.0.0.1:$PORT/ws" \
		--router-pid "$ROUTER_PID" --duration "$DURATION" --label "$label" || true)
	if [ -z "$line" ]; then
		line="{\"router\":\"$label\",\"args\":\"$*\",\"error\":\"wampd-bench printed nothing (timeout or crash)\"}"
	fi
	if ! kill -0 "$ROUTER_PID" 2>/dev/null; then
		log "$label died during: $*"
		line=${line%\}}",\"router_died\":true}"
	fi
	if [[ "$*" == *--stalled* ]]; then # did the router say why it dropped the stalled ones?
		line=${line%\}}",\"router_log\":$(grep -m1 "slow consumer" "$ROUTER_LOG" |
			python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')}"
	fi
	echo "$line" >>"$TMP_OUT"
	echo "$line"
	cleanup
}

mkdir -p "$RESULTS_DIR"
TMP_OUT=$WORK/latest.jsonl
load=$(cut -d' ' -f1-3 /proc/loadavg)
printf '{"scenario":"meta","date":"%s","nproc":%s,"kernel":"%s","loadavg_before":"%s","duration":%s,"commit":"%s","build":"%s"}\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$(uname -r)" "$load" "$DURATION" \
	"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$BUILD_STATE" >>"$TMP_OUT"

# ---- wampd: start-up time and idle RSS (median-free: one fresh start) ----
if [ -z "$ONLY" ]; then
	start_wampd
	sleep 0.5
	line=$(printf '{"scenario":"startup","router":"wampd","startup_ms":%s,"idle_rss_bytes":%s}' \
		"$STARTUP_MS" "$(rss_of "$ROUTER_PID")")
	echo "$line" >>"$TMP_OUT"
	echo "$line"
	cleanup
fi

# ---- the matrix ----
# Each throughput row runs against wampd, then against wampd-floor (the reference server of
# the targets, bench/floor.h) and fox-wamp (json only), back to back, so that the three are
# compared under the same conditions of this shared machine. Window sizes keep the router busy
# without letting its per-connection output bound (16 MiB) trip. --threads 2 where fan-out
# makes the subscribers' parsing the larger share.
if [ "$SKIP_FOX" != 1 ] && [ ! -d "$FOX_DIR/node_modules/fox-wamp" ]; then
	(cd "$FOX_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
row() { # row ROUTERS ARGS...: ROUTERS is a comma list of wampd, floor, fox-wamp
	local routers=$1
	shift
	if [ -n "$ONLY" ] && [[ "$*" != *"$ONLY"* ]]; then
		return 0
	fi
	for rep in $(seq 1 "$REPEAT"); do
		for r in ${routers//,/ }; do
			if [ "$r" = fox-wamp ] && { [ "$SKIP_FOX" = 1 ] || [[ "$*" == *msgpack* ]]; }; then
				continue
			fi
			# fox-wamp is 20-50x slower: one run says enough
			if [ "$r" = fox-wamp ] && [ "$rep" -gt 1 ]; then
				continue
			fi
			run_one "$r" "$@"
		done
	done
}
ALL=wampd,floor,fox-wamp
row $ALL pubsub --serializer json --publishers 1 --subscribers 1 --window 1000 --threads 1
row $ALL pubsub --serializer json --publishers 1 --subscribers 10 --window 1000 --threads 2
row $ALL pubsub --serializer json --publishers 1 --subscribers 1000 --window 1000 --threads 2
row $ALL pubsub --serializer msgpack --publishers 1 --subscribers 1 --window 1000 --threads 1
row $ALL pubsub --serializer msgpack --publishers 1 --subscribers 10 --window 1000 --threads 2
row $ALL rpc --serializer json --callees 1 --callers 16 --window 100 --threads 1
row $ALL rpc --serializer msgpack --callees 1 --callers 16 --window 100 --threads 1
row wampd,fox-wamp pubsub --serializer json --publishers 1 --subscribers 10 --rate 10000 --threads 1
row wampd,fox-wamp pubsub --serializer json --publishers 1 --subscribers 100 --rate 10000 --threads 2
row wampd,fox-wamp conns --serializer json --sessions 10000 --threads 1
# Idle sessions up to the descriptor limit both processes get (run.sh raised it to the hard
# limit); a few descriptors are each process's own.
row wampd conns --serializer json --sessions "$(($(ulimit -n) - 40))" --threads 1
# A subscriber that stops reading while a publisher floods (1 KiB events): the router must
# drop it at its 16 MiB output bound with a log line, and the other ten lose nothing.
row wampd pubsub --serializer json --publishers 1 --subscribers 10 --stalled 1 --window 1000 \
	--threads 2 --payload 1024

# ---- fox-wamp: start-up time and idle RSS ----
if [ "$SKIP_FOX" != 1 ] && [ -z "$ONLY" ]; then
	start_fox
	sleep 0.5
	line=$(printf '{"scenario":"startup","router":"fox-wamp","startup_ms":%s,"idle_rss_bytes":%s}' \
		"$STARTUP_MS" "$(rss_of "$ROUTER_PID")")
	echo "$line" >>"$TMP_OUT"
	echo "$line"
	cleanup
fi

mv "$TMP_OUT" "$OUT"
log "results: $OUT"
python3 "$ROOT/bench/summary.py" "$OUT"
