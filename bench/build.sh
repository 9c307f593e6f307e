# Shared by run.sh and profile.sh: builds wampd-bench, wampd-floor and wampd (release) in $BUILD and sets
# BUILD_STATE to fresh, stale (wampd did not build; the previous binary is measured) or
# given:<path> (WAMPD was set by the caller). Expects ROOT, BUILD, WAMPD and WAMPD_GIVEN.
bench_build() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$ROOT" --buildtype=release >/dev/null
	fi
	# The tree is shared with engineers mid-edit: if the build fails but binaries exist, say so
	# loudly and measure the last good build (recorded as "build":"stale").
	BUILD_LOG=${TMPDIR:-/tmp}/wampd-bench-build.log
	if ! ninja -C "$BUILD" bench/wampd-bench bench/wampd-floor >"$BUILD_LOG" 2>&1; then
		cat "$BUILD_LOG" >&2
		return 1
	fi
	BUILD_STATE=fresh
	if [ -n "$WAMPD_GIVEN" ]; then
		BUILD_STATE="given:$WAMPD_GIVEN"
	elif ! ninja -C "$BUILD" router/wampd >"$BUILD_LOG" 2>&1; then
		if [ -x "$WAMPD" ]; then
			echo "$(basename "$0"): wampd BUILD FAILED, using the previous binary (see $BUILD_LOG)" >&2
			BUILD_STATE=stale
		else
			cat "$BUILD_LOG" >&2
			return 1
		fi
	fi
}
