# kam front door: `make` builds build/kam and the web UI (web/dist), `make run` sets up the demo
# database and serves it (kam serve, Ctrl-C stops), `make test` sets up and runs every test
# twice (plain, then ASan+UBSan).
BUILD      ?= build
ASAN_BUILD ?= build-asan
DEMO_DB    ?= kam-demo.db
LISTEN     ?= 127.0.0.1:8080
KAM        := $(BUILD)/kam
WEB_SRC    := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.js

.PHONY: all deps web run test test-plain test-asan bench bench-score bench-web format clean

all: $(BUILD)/build.ninja web
	ninja -C $(BUILD)

# The web UI: npm packages from the committed lock file, then Vite builds web/dist.
web: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json | deps
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && node_modules/.bin/vite build --logLevel warn

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=debugoptimized >/dev/null

$(ASAN_BUILD)/build.ninja: | deps
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined \
	    -Db_lundef=false >/dev/null

run: deps all
	@test -f $(DEMO_DB) || { $(KAM) --db $(DEMO_DB) demo --seed 1 && $(KAM) --db $(DEMO_DB) score; }
	@$(KAM) --db $(DEMO_DB) summary
	@echo
	@$(KAM) --db $(DEMO_DB) serve --listen $(LISTEN)

test: deps test-plain test-asan

test-plain: all
	meson test -C $(BUILD) --print-errorlogs

test-asan: $(ASAN_BUILD)/build.ninja web
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    meson test -C $(ASAN_BUILD) --print-errorlogs

bench: all
	bench/run-import

bench-score: all
	bench/run-score

bench-http: all
	KAM=$(KAM) bench/http/run

bench-web: all
	node bench/web/run.mjs

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) web/dist
