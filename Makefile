# Thin wrapper over CMake presets and the scripts; every target installs what it needs first.
.PHONY: run build ui test container-test bench bench-scenarios fmt deps clean

deps:
	@./scripts/install-deps.sh

build: deps ui
	@cmake --preset release >/dev/null
	@cmake --build --preset release

# The admin dashboard (ui/, docs/dashboard.md), built into build/ui where the server reads it;
# rebuilt only when one of its sources is newer than the built index.html.
UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/vite.config.ts \
	ui/tsconfig.json ui/package-lock.json
ui: build/ui/index.html
build/ui/index.html: $(UI_SOURCES)
	@cd ui && npm run build --silent

# Builds the Release binary (only it, not the tests) and the dashboard, and serves the API on
# 127.0.0.1:8090 with data in ./basalt_data (the dashboard at http://127.0.0.1:8090/_/).
run: deps ui
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target basalt
	./build/release/basalt serve --http 127.0.0.1:8090 --dir ./basalt_data

# Every test tier: unit + integration (Release), e2e with the pocketbase SDK, a fuzz smoke run,
# then unit + integration again under ASan+UBSan (scripts/test.sh).
test: deps ui
	@./scripts/test.sh

# The container test (tests/container/run.sh, docs/scaling.md), after the offline check of
# deploy/'s manifests (tests/container/check_manifests.py): the Release binary in the image
# of deploy/Dockerfile, built and run with podman on a Debian base made with debootstrap. The
# first run makes that base (1.5 to 4 minutes: it downloads the packages) and caches it in
# /var/cache/basalt-test; `make test` runs the test only once the cache exists.
container-test: deps ui
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target basalt
	@python3 ./tests/container/check_manifests.py build/release/basalt
	@./tests/container/run.sh

# Builds the Release binary and the benchmarks only (they are not part of `all`), then long
# fuzzing (BENCH_FUZZ_SECONDS, 300 s by default; `make test` only fuzzes for a few seconds).
BENCH_FUZZ_SECONDS ?= 300
bench: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target benchmarks
	@./bench/run.sh
	@./bench/auth.sh
	@./bench/posts.sh
	@./bench/realtime.sh
	@./bench/events/outbox.sh
	@./bench/graphql/nested_vs_rest.sh
	@./build/release/bench/micro_bench
	@./build/release/bench/query_micro_bench
	@./tests/fuzz/run.sh $(BENCH_FUZZ_SECONDS)

# PocketBase's benchmark scenarios (bench/scenarios, bench/README.md): builds the Release binary
# and the C++ sender that runs each timed loop, seeds 100k posts through the API and prints the
# markdown table. Extra options go in
# SCENARIOS_ARGS, e.g. `make bench-scenarios SCENARIOS_ARGS=--runs=3`.
bench-scenarios: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target basalt bench_scenario_sender
	@node bench/scenarios/main.mjs $(SCENARIOS_ARGS)

fmt:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
