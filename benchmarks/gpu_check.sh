#!/usr/bin/env bash
# The GPU check (`make gpu-check`): on a machine with a GPU and no network, where numba,
# numba-cuda, cupy, torch, scipy and pytest are installed. Installs this checkout without
# dependencies, runs the gpu test lane, then GPU timings against CuPy; a table comes last.
set -u
PYTHON=${1:-python3}
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/benchmarks/gpu_env${PYTHONPATH:+:$PYTHONPATH}"
export JITDISPATCH_CACHE_DIR=${JITDISPATCH_CACHE_DIR:-$PWD/.jdcache-gpu}
"$PYTHON" -m pip install --quiet --no-deps --no-build-isolation -e . || exit 1
"$PYTHON" -m jitdispatch info
workers=$("$PYTHON" -c "import xdist" 2>/dev/null && echo "-n 8")
"$PYTHON" -m pytest -p no:cacheprovider -p no:benchmark $workers -m gpu -q -rs \
    tests/test_engine_gpu.py tests/ndimage/test_ndimage_gpu.py \
    tests/test_support_matrix.py tests/test_pipelines.py
status=$?
"$PYTHON" benchmarks/gpu_check.py
echo "gpu test lane exit status: $status"
exit $status
