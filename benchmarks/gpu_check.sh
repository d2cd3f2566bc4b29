#!/usr/bin/env bash
# The GPU check (`make gpu-check`): on a machine with a GPU and no network, where numba,
# numba-cuda, cupy, torch, scipy and pytest are installed. Installs this checkout without
# dependencies, times every filter against CuPy, runs the gpu test lane, and prints the
# timing table last. The timings run first so that a lane cut short by the caller's time
# limit still leaves them (their compiled kernels also serve the lane from the disk cache).
set -u
PYTHON=${1:-python3}
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/benchmarks/gpu_env${PYTHONPATH:+:$PYTHONPATH}"
export JITDISPATCH_CACHE_DIR=${JITDISPATCH_CACHE_DIR:-$PWD/.jdcache-gpu}
export PYTHONUNBUFFERED=1
table=$(mktemp)
# The project's metadata needs setuptools 77 or newer (PEP 639 license); the machine has
# no network, so an older one is replaced by a wheel carried in .whl/ (docs/gpu.rst).
if ! "$PYTHON" -c "import setuptools, sys; sys.exit(int(setuptools.__version__.split('.')[0]) < 77)"; then
    wheel=$(ls .whl/setuptools-*.whl 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$wheel" ]; then
        echo "setuptools 77 or newer is needed: carry its wheel in .whl/ (docs/gpu.rst)"
        exit 1
    fi
    "$PYTHON" -m pip install --quiet --no-deps --no-index "$wheel" || exit 1
fi
"$PYTHON" -m pip install --quiet --no-deps --no-build-isolation -e . || exit 1
"$PYTHON" -m jitdispatch info
# numba-cuda's lowering must import under this NumPy (numba-cuda 0.30.4 cannot under
# NumPy 2.5, which the device image of 2026-11 had): say so at once rather than fail
# every test. Carry a NumPy 2.4 wheel then (docs/gpu.rst).
if ! "$PYTHON" -c "from numba.cuda import cudaimpl" 2>/dev/null; then
    "$PYTHON" -c "import numpy, numba_cuda; print('numba-cuda', numba_cuda.__version__,
        'cannot compile under NumPy', numpy.__version__)"
    "$PYTHON" -c "from numba.cuda import cudaimpl" 2>&1 | tail -1
    exit 1
fi
start=$SECONDS
"$PYTHON" benchmarks/gpu_check.py | tee "$table"
echo "timings took $((SECONDS - start)) s"
start=$SECONDS
options=()
"$PYTHON" -c "import xdist" 2>/dev/null && options+=(-n 8)
"$PYTHON" -c "import pytest_timeout" 2>/dev/null && options+=(--timeout 300)
# The GPU machine's library versions are not CI's: their deprecation notices are shown in
# the warnings summary instead of failing the lane (pyproject turns warnings into errors).
# GPU_LANE_SECONDS bounds the lane; SIGINT lets pytest still print what failed so far.
timeout -s INT -k 30 "${GPU_LANE_SECONDS:-3600}" \
    "$PYTHON" -m pytest -p no:cacheprovider -p no:benchmark "${options[@]}" -m gpu -q -rfEs \
        --durations 10 -W always::DeprecationWarning -W always::PendingDeprecationWarning \
        -W always::FutureWarning \
        tests/test_engine_gpu.py tests/ndimage/test_ndimage_gpu.py \
        tests/test_support_matrix.py tests/test_pipelines.py
status=$?
echo "gpu test lane took $((SECONDS - start)) s, exit status $status"
sed -n '/^wall: /,$p' "$table"
rm -f "$table"
echo "gpu test lane exit status: $status"
exit $status
