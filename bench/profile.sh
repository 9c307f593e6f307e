#!/usr/bin/env bash
# Profiles wampd under callgrind while one short wampd-bench scenario runs, and prints the
# instructions wampd executes per publication or call (the read callback's inclusive count over
# the messages the generator sent: a figure that does not depend on the machine's load) and the
# top functions by inclusive and by self cost.
#   bench/profile.sh NAME [wampd-bench args...]     e.g.  bench/profile.sh rpc_json rpc --callers 16
#   bench/profile.sh all                             the five profiles bench/README.md quotes
# Output: bench/results/profile-NAME.txt (the callgrind.out file stays in a temp dir, removed).
# Uses build-bench (release, as run.sh builds it), or the binary in $WAMPD; valgrind slows wampd
# about 50x, so figures are relative costs, not throughput.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build-bench
WAMPD_GIVEN=${WAMPD:-}
WAMPD=${WAMPD:-$BUILD/router/wampd}
NAME=${1:?usage: profile.sh NAME [wampd-bench args] | profile.sh all}
shift
if [ "$NAME" = all ]; then
	self=${BASH_SOURCE[0]}
	bash "$self" pubsub_json_1to1 pubsub --serializer json --subscribers 1 --window 1000
	bash "$self" pubsub_msgpack_1to1 pubsub --serializer msgpack --subscribers 1 --window 1000
	bash "$self" pubsub_msgpack_1to10 pubsub --serializer msgpack --subscribers 10 --window 1000 \
		--threads 2
	bash "$self" rpc_json rpc --serializer json --callers 16 --window 100
	bash "$self" rpc_msgpack rpc --serializer msgpack --callers 16 --window 100
	exit 0
fi
WORK=$(mktemp -d /tmp/wampd-prof.XXXXXX)
VG_PID=""

cleanup() {
	if [ -n "$VG_PID" ] && kill -0 "$VG_PID" 2>/dev/null; then
		kill -9 "$VG_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$ROOT/bench/build.sh"
bench_build

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$WORK/cb"
cat >"$WORK/cb/config.json" <<EOF
{"version":2,"workers":[{"type":"router","realms":[{"name":"realm1","roles":[{"name":"anonymous","permissions":[{"uri":"","match":"prefix","allow":{"call":true,"register":true,"publish":true,"subscribe":true},"disclose":{"caller":false,"publisher":false},"cache":true}]}]}],"transports":[{"type":"web","endpoint":{"type":"tcp","interface":"127.0.0.1","port":$PORT},"paths":{"ws":{"type":"websocket","serializers":["json","msgpack"]}}}]}]}
EOF
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
	"$WAMPD" start --cbdir "$WORK/cb" --loglevel warn >"$WORK/vg.log" 2>&1 &
VG_PID=$!
for _ in $(seq 1 300); do # valgrind start-up: at most 30 s
	if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT),0.2)" 2>/dev/null; then
		break
	fi
	sleep 0.1
done
timeout 120 "$BUILD/bench/wampd-bench" "$@" --url "ws://127.0.0.1:$PORT/ws" --duration 3 \
	--router-pid "$VG_PID" >"$WORK/bench.json" || true
kill -TERM "$VG_PID"
for _ in $(seq 1 300); do
	kill -0 "$VG_PID" 2>/dev/null || break
	sleep 0.1
done
VG_PID=""
mkdir -p "$ROOT/bench/results"
OUT=$ROOT/bench/results/profile-$NAME.txt
set +o pipefail # head closes the pipes below early
{
	echo "# callgrind: wampd ($BUILD_STATE, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)) while wampd-bench $* ran (3 s)"
	# Messages the generator sent (PUBLISH or CALL), and the read callback's inclusive cost.
	sent=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("published", d.get("calls_sent", 0)))' "$WORK/bench.json" 2>/dev/null || echo 0)
	on_read=$(callgrind_annotate --inclusive=yes "$WORK/callgrind.out" 2>/dev/null |
		awk '/:on_read /{gsub(",", "", $1); print $1; exit}')
	if [ "${sent:-0}" -gt 0 ] && [ -n "$on_read" ]; then
		echo "## $((on_read / sent)) instructions per $([[ "$*" == rpc* ]] && echo call || echo publication) (on_read inclusive $on_read / $sent sent; flushes and write callbacks come on top)"
	fi
	echo "## inclusive"
	# The loop's own call chain (main, uv_run, libuv internals) is left out.
	callgrind_annotate --inclusive=yes "$WORK/callgrind.out" 2>/dev/null |
		grep -E '^ *[0-9,]+ \(' |
		grep -vE 'PROGRAM TOTALS|below main|libc_start|ld-linux|:main |cmd_start|uv_run|libuv\.so' |
		head -25
	echo "## self"
	callgrind_annotate "$WORK/callgrind.out" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -15
} >"$OUT"
cat "$OUT"
