# kam front door: `make` builds build/kam, `make run` sets up the demo database and serves it
# (kam serve, Ctrl-C stops), `make test` sets up and runs every test twice (plain, then
# ASan+UBSan).
BUILD      ?= build
ASAN_BUILD ?= build-asan
DEMO_DB    ?= kam-demo.db
LISTEN     ?= 127.0.0.1:8080
KAM        := $(BUILD)/kam

.PHONY: all deps run test test-plain test-asan bench bench-score format clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=debugoptimized >/dev/null

$(ASAN_BUILD)/build.ninja: | deps
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined \
	    -Db_lundef=false >/dev/null

run: deps all
	@test -f $(DEMO_DB) || $(KAM) --db $(DEMO_DB) demo --seed 1
	@$(KAM) --db $(DEMO_DB) summary
	@echo
	@$(KAM) --db $(DEMO_DB) serve --listen $(LISTEN)

test: deps test-plain test-asan

test-plain: all
	meson test -C $(BUILD) --print-errorlogs

test-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    meson test -C $(ASAN_BUILD) --print-errorlogs

bench: all
	bench/run-import

bench-score: all
	bench/run-score

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
