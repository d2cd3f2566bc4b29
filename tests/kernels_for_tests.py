"""Kernels shared by the engine's tests (module level, so their source is on disk)."""

import math

import numpy as np

import jitdispatch as jd


@jd.kernel
def add0(x, y, out):
    out[()] = x[()] + y[()]


@jd.kernel
def add1(i, x, y, out):
    out[i] = x[i] + y[i]


@jd.kernel
def add2(i, j, x, y, out):
    out[i, j] = x[i, j] + y[i, j]


@jd.kernel
def add3(i, j, k, x, y, out):
    out[i, j, k] = x[i, j, k] + y[i, j, k]


@jd.kernel
def add4(i, j, k, m, x, y, out):
    out[i, j, k, m] = x[i, j, k, m] + y[i, j, k, m]


ADD = [add0, add1, add2, add3, add4]


@jd.kernel
def saxpy(i, a, x, y, out):
    out[i] = a * x[i] + y[i]


@jd.elementwise
def add(a, b):
    return a + b


@jd.elementwise
def hypot(a, b):
    return math.sqrt(a * a + b * b)


@jd.elementwise
def greater(a, b):
    return a > b


@jd.func
def clamp(v, lo, hi):
    return min(max(v, lo), hi)


@jd.kernel
def clip_kernel(i, x, lo, hi, out):
    out[i] = clamp(x[i], lo, hi)


@jd.func
def which_target():
    return 0


@which_target.override("cuda")
def _which_target_cuda():
    return 1


@jd.kernel
def report_target(i, out):
    out[i] = which_target()


@jd.kernel
def window_sum(i, x, out):
    """Sums a window of 3 through per-index scratch memory."""
    buf = jd.local.array(3, np.float64)
    n = x.shape[0]
    for k in range(3):
        buf[k] = x[min(max(i + k - 1, 0), n - 1)]
    out[i] = buf[0] + buf[1] + buf[2]


# Scratch of a size that depends on the target: a chunk on the CPU, one value on CUDA.
PER_INDEX = jd.per_target(cpu=8, cuda=1)
SCALE = jd.per_target(cpu=2.0, cuda=3.0)


@jd.kernel
def chunked_scale(i, x, out):
    """Index ``i`` scales ``PER_INDEX`` neighbouring values through scratch of that size."""
    buf = jd.local.array(PER_INDEX, np.float64)
    n = x.shape[0]
    start = i * PER_INDEX
    m = min(PER_INDEX, n - start)
    for k in range(m):
        buf[k] = x[start + k] * SCALE
    for k in range(m):
        out[start + k] = buf[k]


@jd.kernel
def extremes(i, x, y, lo, hi):
    """``jd.fmin`` / ``jd.fmax`` of two arrays, read through scratch (``jd.local`` and the
    functions from one namespace)."""
    buf = jd.local.array(2, x.dtype)
    buf[0] = x[i]
    buf[1] = y[i]
    lo[i] = jd.fmin(buf[0], buf[1])
    hi[i] = jd.fmax(buf[0], buf[1])


@jd.kernel
def compare_exchange(i, a, b):
    """``a[i], b[i] = smaller, larger``: one comparator of a sorting network, in place."""
    u = a[i]
    v = b[i]
    a[i] = jd.fmin(u, v)
    b[i] = jd.fmax(u, v)


@jd.kernel
def gather_reverse(i, x, n, out):
    """Copies the first ``n`` of a row through scratch, reversed: every scratch element
    read was written first, but the compiler cannot see that (``n`` is a run-time value),
    so a zero-fill of the scratch could not be removed as dead."""
    buf = jd.local.array(64, np.float32)
    for k in range(n):
        buf[k] = x[i, k]
    for k in range(n):
        out[i, k] = buf[n - 1 - k]
