# rastro — the two commands of the README, plus a few conveniences.
#   make demo   install what is missing, build, run the demo job
#   make test   install what is missing, build, run every test
#   make fuzz   every fuzz target for FUZZ_SECONDS (300) each;  make lint, make valgrind
# Builds with Meson + Ninja into build/ (and build-asan/ for the sanitizer run).

BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?= -Dwerror=true

.PHONY: all deps build asan test demo bench fuzz lint valgrind clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) $(MESON_OPTS) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

test: build asan
	@scripts/test.sh

demo: build
	@scripts/demo.sh $(BUILD)/rastro

fuzz: deps
	@scripts/fuzz.sh $${FUZZ_SECONDS:-300}

# cppcheck + clang-tidy (.clang-tidy) + banned functions over src/
lint: build
	@scripts/lint.sh

# Valgrind memcheck over an end-to-end run on small data
valgrind: build
	@scripts/valgrind.sh $(BUILD)/rastro

bench: build
	@scripts/deps.sh python3-pandas python3-networkx python3-jellyfish
	@bench/run.sh $(BUILD)/rastro

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz demo-out
