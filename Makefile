# Set-up and checks. `make demo` and `make test` create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Compiled code of the test suite is cached here (a second run compiles nothing).
export JITDISPATCH_CACHE_DIR ?= $(CURDIR)/.jdcache
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

.PHONY: demo test test-cpu test-cudasim lint bench bench-check docs gpu-check kernel-sass clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,docs]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	$(BIN)/python -m jitdispatch info
	$(BIN)/python -m jitdispatch demo --cudasim

test: $(STAMP) lint test-cpu test-cudasim bench-check docs

lint: $(STAMP)
	$(BIN)/ruff check .

# CPU and PTX lanes (GPU tests skip themselves without a GPU).
test-cpu: $(STAMP)
	$(PYTEST) -n 2 -m "not cudasim"

# The CUDA simulator must be switched on before numba is imported: its own process.
test-cudasim: $(STAMP)
	NUMBA_ENABLE_CUDASIM=1 $(PYTEST) -m cudasim

bench-check: $(STAMP)
	cd benchmarks && ../$(BIN)/asv machine --yes > /dev/null
	cd benchmarks && ../$(BIN)/asv check --python=same
	cd benchmarks && ../$(BIN)/python -m asv run --python=same --quick --dry-run --show-stderr --bench 'Overhead' > /dev/null

# The docs build offline; warnings are errors. Their examples run in tests/test_docs.py.
docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

bench: $(STAMP)
	cd benchmarks && ../$(BIN)/asv machine --yes > /dev/null
	cd benchmarks && ../$(BIN)/asv run --python=same --show-stderr --set-commit-hash $$(git rev-parse HEAD)
	cd benchmarks && ../$(BIN)/python ratios.py

# On a machine with a GPU and no network (numba, numba-cuda, cupy, torch, scipy, pytest
# installed): install this checkout without dependencies, run the gpu lane and GPU
# benchmarks, print a short table last.
gpu-check:
	bash benchmarks/gpu_check.sh $(PYTHON)

# Without a GPU: registers, spills and machine instructions (sm_90) of the kernels the GPU
# benchmarks launch, from NVIDIA's ptxas and nvdisasm (wheels installed on first use).
kernel-sass: $(STAMP)
	$(BIN)/python -m pip install --quiet 'nvidia-cuda-nvcc>=13,<14' 'nvidia-cuda-nvdisasm>=13,<14'
	$(BIN)/python benchmarks/kernel_sass.py

clean:
	rm -rf $(VENV) .jdcache .asv build *.egg-info docs/_build docs/generated
