"""Dispatch overhead and compile cost of the engine, each against plain Numba.

Every pair is measured in the same run; ``ratios.py`` prints them side by side. These
overhead benchmarks call CPU code, which is synchronous: no synchronisation is needed.
"""

import math
import os
import subprocess
import sys
import tempfile
import textwrap

import numba
import numpy as np

import jitdispatch as jd


@numba.njit
def _hypot_scalar(a, b):
    return math.sqrt(a * a + b * b)


@numba.njit
def _direct_hypot(a, b):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = _hypot_scalar(a[i], b[i])
    return out


@numba.njit
def _direct_saxpy(n, a, x, y, out):
    for i in range(n):
        out[i] = a * x[i] + y[i]


@jd.elementwise
def _jd_hypot(a, b):
    return math.sqrt(a * a + b * b)


@jd.kernel
def _jd_saxpy(i, a, x, y, out):
    out[i] = a * x[i] + y[i]


# Calls per timed sample of Overhead: a sub-microsecond call timed alone measures the
# timer. ratios.py divides by this to report per-call times.
CALLS = 1000


class Overhead:
    """Call overhead on 16-element float64 arrays: jitdispatch vs a direct njit call.

    Each sample times CALLS calls in a loop (the loop costs both sides the same)."""

    number = 1
    repeat = (10, 30, 20.0)
    warmup_time = 0.2

    def setup(self):
        self.x = np.random.default_rng(0).random(16)
        self.y = np.random.default_rng(1).random(16)
        self.out = np.empty(16)
        # compile and warm up outside the timed region
        _direct_hypot(self.x, self.y)
        _jd_hypot(self.x, self.y)
        _direct_saxpy(16, 2.0, self.x, self.y, self.out)
        _jd_saxpy(2.0, self.x, self.y, self.out, ndrange=(16,))

    def time_elementwise_jitdispatch(self):
        x, y = self.x, self.y
        for _ in range(CALLS):
            _jd_hypot(x, y)

    def time_elementwise_njit(self):
        x, y = self.x, self.y
        for _ in range(CALLS):
            _direct_hypot(x, y)

    def time_kernel_jitdispatch(self):
        x, y, out = self.x, self.y, self.out
        for _ in range(CALLS):
            _jd_saxpy(2.0, x, y, out, ndrange=(16,))

    def time_kernel_njit(self):
        x, y, out = self.x, self.y, self.out
        for _ in range(CALLS):
            _direct_saxpy(16, 2.0, x, y, out)


_COLD = """
import time
t0 = time.perf_counter()
import numpy as np
import jitdispatch as jd
import coldmod
x = np.ones(16)
coldmod.k0(x, np.empty(16), ndrange=(16,))
t1 = time.perf_counter()
for k in coldmod.MORE:
    k(x, np.empty(16), ndrange=(16,))
t2 = time.perf_counter()
print(t1 - t0, (t2 - t1) / len(coldmod.MORE))
"""

_COLD_MOD = (
    "import jitdispatch as jd\n"
    + "".join(
        f"\n@jd.kernel\ndef k{n}(i, x, out):\n    out[i] = x[i] * {n + 1}.0\n" for n in range(6)
    )
    + "\nMORE = [k1, k2, k3, k4, k5]\n"
)


# The same with plain Numba (``cache=True``): the floor jitdispatch's start-up stands on.
_COLD_NUMBA = _COLD.replace("import jitdispatch as jd\n", "").replace(
    "import coldmod", "import coldnumba as coldmod"
)
_COLD_NUMBA_MOD = (
    "import numba\n"
    + "".join(
        f"\n@numba.njit(cache=True)\ndef k{n}(x, out, ndrange):\n"
        f"    for i in range(ndrange[0]):\n        out[i] = x[i] * {n + 1}.0\n"
        for n in range(6)
    )
    + "\nMORE = [k1, k2, k3, k4, k5]\n"
)


def _cold_run(workdir, script=_COLD):
    env = dict(os.environ, JITDISPATCH_CACHE_DIR=os.path.join(workdir, "cache"), PYTHONPATH=workdir)
    env["NUMBA_CACHE_DIR"] = os.path.join(workdir, "numba-cache")
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=workdir,
    )
    first, each = out.stdout.split()
    return float(first), float(each)


class ColdStart:
    """A fresh process with a warm disk cache: import + first call, then each cached kernel."""

    timeout = 300
    unit = "seconds"

    def setup(self):
        self.dir = tempfile.mkdtemp(prefix="jd-cold-")
        with open(os.path.join(self.dir, "coldmod.py"), "w") as f:
            f.write(_COLD_MOD)
        with open(os.path.join(self.dir, "coldnumba.py"), "w") as f:
            f.write(_COLD_NUMBA_MOD)
        _cold_run(self.dir)  # fills the disk caches
        _cold_run(self.dir, _COLD_NUMBA)

    def track_first_call_with_import(self):
        return min(_cold_run(self.dir)[0] for _ in range(3))

    def track_first_call_with_import_plain_numba(self):
        return min(_cold_run(self.dir, _COLD_NUMBA)[0] for _ in range(3))

    def track_each_further_cached_kernel(self):
        return min(_cold_run(self.dir)[1] for _ in range(3))

    def track_each_further_cached_kernel_plain_numba(self):
        return min(_cold_run(self.dir, _COLD_NUMBA)[1] for _ in range(3))

    def track_import_jitdispatch(self):
        code = textwrap.dedent("""
            import time, numpy
            t0 = time.perf_counter()
            import jitdispatch
            print(time.perf_counter() - t0)
        """)
        runs = [
            float(
                subprocess.run(
                    [sys.executable, "-c", code], capture_output=True, text=True, check=True
                ).stdout
            )
            for _ in range(5)
        ]
        return min(runs)


class CompileCost:
    """Compiling one new specialisation (no cache): jitdispatch kernel vs plain njit."""

    timeout = 300
    number = 1
    repeat = 3

    def setup(self):
        self.n = 0

    def _fresh_source(self):
        self.n += 1
        return f"def body(i, x, out):\n    out[i] = x[i] * {self.n}.5 + 1\n"

    def time_compile_jitdispatch(self):
        os.environ["JITDISPATCH_DISABLE_CACHE"] = "1"
        try:
            from jitdispatch import _cache

            _cache.reset()
            ns = {}
            exec(self._fresh_source(), ns)
            k = jd.kernel(ns["body"])
            k(np.ones(4), np.empty(4), ndrange=(4,))
        finally:
            del os.environ["JITDISPATCH_DISABLE_CACHE"]
            _cache.reset()

    def time_compile_njit(self):
        self.n += 1
        ns = {}
        exec(
            "def body(n, x, out):\n    for i in range(n):\n"
            f"        out[i] = x[i] * {self.n}.5 + 1\n",
            ns,
        )
        numba.njit(ns["body"])(4, np.ones(4), np.empty(4))
