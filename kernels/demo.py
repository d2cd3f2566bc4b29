"""Small kernels the demo and the benchmarks run on every target."""

import math

import jitdispatch as jd


@jd.kernel
def saxpy(i, a, x, y, out):
    out[i] = a * x[i] + y[i]


@jd.elementwise
def hypot(a, b):
    return math.sqrt(a * a + b * b)


@jd.func
def clamp(v, lo, hi):
    return min(max(v, lo), hi)


@jd.kernel
def laplace5(i, j, src, out):
    """Five-point Laplacian with edges clamped (nearest mode)."""
    n0, n1 = src.shape
    up = src[clamp(i - 1, 0, n0 - 1), j]
    down = src[clamp(i + 1, 0, n0 - 1), j]
    left = src[i, clamp(j - 1, 0, n1 - 1)]
    right = src[i, clamp(j + 1, 0, n1 - 1)]
    out[i, j] = up + down + left + right - 4 * src[i, j]


@jd.elementwise
def mandelbrot(cr, ci):
    """Escape-time count (at most 64 steps) of c = cr + i*ci."""
    zr = 0.0
    zi = 0.0
    for n in range(64):
        zr2 = zr * zr
        zi2 = zi * zi
        if zr2 + zi2 > 4.0:
            return n
        zi = 2.0 * zr * zi + ci
        zr = zr2 - zi2 + cr
    return 64
