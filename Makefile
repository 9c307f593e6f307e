# wampd: developer entry points. `make run` starts a router, `make test` runs every test.
# Targets are meant for Debian 12; `deps` installs what is missing (as root, or through sudo).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

DEB_PACKAGES := build-essential meson ninja-build pkg-config libuv1-dev libwslay-dev \
	libmsgpack-dev libjansson-dev libsodium-dev libhttp-parser-dev libssl-dev libcmocka-dev libcurl4-openssl-dev \
	clang libclang-rt-14-dev python3-autobahn python3-twisted python3-pytest python3-msgpack python3-nacl curl

NODE_DIR := tests/interop/node
RUN_DIR := .wampd-run

.PHONY: all deps build build-asan run test node-deps bench fuzz clean
# Prerequisites run in the order written (deps before builds) even under make -j; ninja is parallel.
.NOTPARALLEL:

all: build

# Fast no-op path: one `dpkg -s` per package, apt-get only when something is missing.
# node/npm may come from outside Debian; Debian's npm is installed only when there is no npm at all.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
		st=$$(dpkg -s "$$p" 2>/dev/null | sed -n 's/^Status: //p') || st=""; \
		[ "$$st" = "install ok installed" ] || missing="$$missing $$p"; \
	done; \
	if ! command -v npm >/dev/null 2>&1; then \
		command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
		missing="$$missing npm"; \
	fi; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
		elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
		else echo "deps: missing:$$missing (run as root or install sudo)" >&2; exit 1; fi; \
		echo "deps: installing$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get update -qq >/dev/null; \
		$$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build:
	@test -f build/build.ninja || meson setup build
	ninja -C build

build-asan:
	@test -f build-asan/build.ninja || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan

# A cbdir without config.json makes wampd use its embedded default (realm1, ws://127.0.0.1:8080/ws).
run: deps build
	mkdir -p $(RUN_DIR)
	exec ./build/router/wampd start --cbdir $(RUN_DIR)

# npm ci only when node_modules is missing or older than the lock file.
node-deps:
	@if [ -f $(NODE_DIR)/package-lock.json ]; then \
		if [ ! -d $(NODE_DIR)/node_modules ] || [ $(NODE_DIR)/package-lock.json -nt $(NODE_DIR)/node_modules ]; then \
			echo "npm ci in $(NODE_DIR)"; \
			(cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error) && touch $(NODE_DIR)/node_modules; \
		fi; \
	elif [ -f $(NODE_DIR)/package.json ]; then \
		echo "node-deps: $(NODE_DIR)/package-lock.json missing, skipping npm ci" >&2; \
	fi

test: deps node-deps build build-asan
	bash tests/run_all.sh

bench:
	bash bench/run.sh

# libFuzzer runs, not part of `make test`: clang build with ASan+UBSan in $(FUZZ_DIR), then every
# target for SECONDS (default 60) on a fresh copy of tests/fuzz/corpus/<name> in
# $(FUZZ_DIR)/fuzz-run/<name>/ (log, grown corpus, crash-*/leak-* inputs). Fails if any target failed.
FUZZ_DIR := build-fuzz-clang
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
SECONDS ?= 60

fuzz: deps
	@test -f $(FUZZ_DIR)/build.ninja || \
		CC=clang meson setup $(FUZZ_DIR) -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(FUZZ_DIR) $(addprefix tests/fuzz/fuzz_,$(FUZZ_TARGETS))
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
		run=$(FUZZ_DIR)/fuzz-run/$$t; \
		rm -rf "$$run"; mkdir -p "$$run/corpus"; cp tests/fuzz/corpus/$$t/* "$$run/corpus/" 2>/dev/null || true; \
		case $$t in config_check) len=16384;; *) len=4096;; esac; \
		echo "fuzz: $$t for $(SECONDS) s"; \
		if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(FUZZ_DIR)/tests/fuzz/fuzz_$$t \
			"$$run/corpus" -max_total_time=$(SECONDS) -max_len=$$len -artifact_prefix="$$run/" \
			-print_final_stats=1 >"$$run/log" 2>&1; then \
			grep -E '^#[0-9]+[[:space:]]+DONE' "$$run/log" | tail -n 1 || true; \
		else \
			failed="$$failed $$t"; tail -n 40 "$$run/log"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed (see $(FUZZ_DIR)/fuzz-run/)" >&2; exit 1; fi

clean:
	rm -rf build build-asan build-py $(FUZZ_DIR) $(RUN_DIR)
