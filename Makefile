# rastro — the two commands of the README, plus a few conveniences.
#   make demo   install what is missing, build, run the demo job
#   make test   install what is missing, build, run every test
# Builds with Meson + Ninja into build/ (and build-asan/ for the sanitizer run).

BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?= -Dwerror=true

.PHONY: all deps build asan test demo bench fuzz clean

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

bench: build
	@scripts/deps.sh python3-pandas python3-networkx python3-jellyfish
	@bench/run.sh $(BUILD)/rastro

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz demo-out
