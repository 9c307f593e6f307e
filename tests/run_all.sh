#!/usr/bin/env bash
# Runs every test suite of wampd in order and ends with one line "N passed, N failed".
# Expects build/ and build-asan/ to be built (see `make test`). Exit 1 if anything failed.
set -u

cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/wampd-tests.XXXXXX")
TIMEOUT=${WAMPD_TEST_TIMEOUT:-20m}
PYTHON=${PYTHON:-/usr/bin/python3}
ASAN_ENV=(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1)

TOTAL_PASS=0
TOTAL_FAIL=0
SUMMARY=()

# record NAME PASSED FAILED NOTE
record() {
	TOTAL_PASS=$((TOTAL_PASS + $2))
	TOTAL_FAIL=$((TOTAL_FAIL + $3))
	SUMMARY+=("$(printf '%-22s %4d passed, %4d failed%s' "$1" "$2" "$3" "${4:+  ($4)}")")
}

# last_num REGEX FILE: the number in front of/after REGEX on the last matching line, or 0.
last_num() {
	local line
	line=$(grep -E "$1" "$2" | tail -n 1)
	if [ -z "$line" ]; then
		echo 0
		return
	fi
	echo "$line" | grep -oE '[0-9]+' | head -n 1
}

# run_logged LOG CMD...: runs CMD under timeout, output to the terminal and LOG; returns its status.
run_logged() {
	local log=$1
	shift
	timeout --kill-after=30s "$TIMEOUT" "$@" 2>&1 | tee "$log"
	return "${PIPESTATUS[0]}"
}

# finish NAME RC PASSED FAILED: a runner that failed without saying so, or said nothing, is 1 failure.
finish() {
	local name=$1 rc=$2 pass=$3 fail=$4 note=""
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		note="timed out after $TIMEOUT"
		[ "$fail" -eq 0 ] && fail=1
	elif [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		note="exit status $rc without a reported failure"
		fail=1
	elif [ $((pass + fail)) -eq 0 ]; then
		note="reported no tests"
		fail=1
	fi
	record "$name" "$pass" "$fail" "$note"
}

run_meson() { # NAME BUILDDIR [ENV...]
	local name=$1 dir=$2 log="$LOGDIR/$1.log" rc pass fail
	shift 2
	echo "=== $name: meson test -C $dir --suite unit --suite fuzz"
	if [ ! -f "$dir/build.ninja" ]; then
		echo "$name: $dir is not configured (run make build / make build-asan)"
		record "$name" 0 1 "$dir not configured"
		return
	fi
	run_logged "$log" env "$@" meson test -C "$dir" --suite unit --suite fuzz --print-errorlogs
	rc=$?
	pass=$(last_num '^Ok:' "$log")
	fail=$(($(last_num '^Fail:' "$log") + $(last_num '^Timeout:' "$log") + \
		$(last_num '^Unexpected Pass:' "$log")))
	finish "$name" "$rc" "$pass" "$fail"
}

run_pytest() { # NAME WAMPD [ENV...]
	local name=$1 bin=$2 log="$LOGDIR/$1.log" rc pass fail summary
	shift 2
	echo "=== $name: WAMPD=$bin pytest tests/interop/python"
	if [ ! -x "$bin" ]; then
		echo "$name: $bin does not exist"
		record "$name" 0 1 "$bin missing"
		return
	fi
	run_logged "$log" env "$@" WAMPD="$bin" "$PYTHON" -m pytest -q -p no:cacheprovider \
		tests/interop/python
	rc=$?
	# "3 failed, 10 passed, 1 error in 4.2s" (pytest -q's last line)
	summary=$(grep -E '[0-9]+ (passed|failed|errors?|skipped|deselected)' "$log" | tail -n 1)
	pass=$(echo "$summary" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
	fail=$(echo "$summary" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)
	local errs
	errs=$(echo "$summary" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || true)
	pass=${pass:-0}
	fail=$((${fail:-0} + ${errs:-0}))
	if [ "$rc" -eq 5 ]; then
		record "$name" "$pass" 1 "pytest collected no tests"
		return
	fi
	finish "$name" "$rc" "$pass" "$fail"
}

run_node() { # NAME WAMPD [ENV...]
	local name=$1 bin=$2 log="$LOGDIR/$1.log" rc pass fail
	shift 2
	local files=()
	local f
	for f in tests/interop/node/*.test.mjs; do
		[ -e "$f" ] && files+=("$f")
	done
	echo "=== $name: WAMPD=$bin node --test tests/interop/node"
	if [ ${#files[@]} -eq 0 ]; then
		echo "$name: no tests/interop/node/*.test.mjs files yet"
		record "$name" 0 1 "no node tests found"
		return
	fi
	if [ ! -x "$bin" ]; then
		echo "$name: $bin does not exist"
		record "$name" 0 1 "$bin missing"
		return
	fi
	run_logged "$log" env "$@" WAMPD="$bin" node --test --test-reporter=tap "${files[@]}"
	rc=$?
	pass=$(last_num '^# pass [0-9]+' "$log")
	fail=$(($(last_num '^# fail [0-9]+' "$log") + $(last_num '^# cancelled [0-9]+' "$log")))
	finish "$name" "$rc" "$pass" "$fail"
}

run_meson unit+fuzz build
run_meson unit+fuzz-asan build-asan "${ASAN_ENV[@]}"
run_pytest python build/router/wampd
run_pytest python-asan build-asan/router/wampd "${ASAN_ENV[@]}"
run_node node build/router/wampd
run_node node-asan build-asan/router/wampd "${ASAN_ENV[@]}"

echo
echo "=== summary (logs in $LOGDIR)"
for line in "${SUMMARY[@]}"; do
	echo "$line"
done
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
