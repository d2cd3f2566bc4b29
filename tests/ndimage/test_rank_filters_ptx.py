"""Every kernel the rank/min/max/generic filters launch compiles to PTX (cc 9.0, no GPU).

Arguments are NumPy stand-ins of what the public functions pass on a device: the same
dtypes, dimensions and layouts (see ``jitdispatch.ndimage._rank_filters``).
"""

import re

import numpy as np
import pytest
from jitdispatch.kernels.ndimage import generic, rank

pytest.importorskip("numba.cuda", reason="numba-cuda is not installed")

pytestmark = pytest.mark.ptx

DTYPES = [np.bool_, np.uint8, np.int16, np.int32, np.int64, np.float32, np.float64]


def _window_args(dtype, count=9):
    shape = np.array([6, 7], np.int64)
    offs = np.zeros((count, 2), np.int64)
    foff = np.zeros(count, np.int64)
    lohi = np.zeros(2, np.int64)
    cv = np.zeros(1, dtype)
    return np.zeros(42, dtype), shape, offs, foff, lohi, cv


def _ptx(kernel, *args):
    ptx = kernel.compile_ptx(*args, cc=(9, 0))
    assert ".visible .entry" in ptx
    return ptx


@pytest.mark.parametrize("dtype", DTYPES)
def test_rank_kernels(dtype):
    src, shape, offs, foff, lohi, cv = _window_args(dtype)
    out = np.zeros((6, 7), dtype)
    ptx = _ptx(rank.window_filter, src, out, shape, offs, foff, lohi, lohi, 2, cv, 0, 4, 32)
    assert ".local" in ptx  # the window buffer lives in thread-local memory
    scratch = np.zeros((6, 300), dtype)
    _ptx(rank.window_rank_scratch, 0, src, out, scratch, shape, offs, foff, lohi, lohi, 2, cv, 4)
    pairs = np.zeros((22, 2), np.uint64)
    ptx = _ptx(rank.window_network, src, out, shape, offs, foff, lohi, lohi, 2, cv, 2, 8, pairs)
    assert ".local" in ptx
    src2 = np.zeros((2, 5), dtype)
    _ptx(rank.line_extreme, src2, np.zeros((2, 5), dtype), 3, 0, 2, cv, True, 33)
    src3 = np.zeros((2, 5, 3), dtype)
    acc = np.zeros((2, 3), dtype)
    _ptx(rank.line_extreme_rows, src3, np.zeros((2, 5, 3), dtype), acc, 7, 0, 2, cv, True, 7, 32)


# every real dtype the public rank filters accept
ALL_DTYPES = [
    np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
    np.uint64, np.float32, np.float64,
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_count_rank_kernel(dtype):
    # small rank windows on a GPU: local memory holds only the window of the outputs at
    # the edges, COUNT_MAX points (the network's holds NETWORK_LOCAL points); the slots
    # of the others are registers (for bool, one-byte slots at constant offsets)
    src, shape, offs, foff, lohi, cv = _window_args(dtype)
    out = np.zeros((6, 7), dtype)
    ptx = _ptx(rank.window_count_rank, src, out, shape, offs, foff, lohi, lohi, 2, cv, cv, 2)
    depot = [int(n) for n in re.findall(r"__local_depot\d+\[(\d+)\]", ptx)]
    points = rank.COUNT_MAX + (rank.COUNT_SLOTS if dtype == np.bool_ else 0)
    assert len(depot) == 1 and depot[0] <= -(-points * np.dtype(dtype).itemsize // 16) * 16


def test_other_output_dtype():
    # output=float64 for an integer input: one more window specialisation each (the
    # minimum/maximum passes work in the input's dtype and convert at the end)
    src, shape, offs, foff, lohi, cv = _window_args(np.uint8)
    out = np.zeros((6, 7), np.float64)
    _ptx(rank.window_filter, src, out, shape, offs, foff, lohi, lohi, 2, cv, 0, 4, 32)
    pairs = np.zeros((22, 2), np.uint64)
    _ptx(rank.window_network, src, out, shape, offs, foff, lohi, lohi, 2, cv, 2, 8, pairs)
    _ptx(rank.window_count_rank, src, out, shape, offs, foff, lohi, lohi, 2, cv, cv, 2)


def _sample(window, scale):
    total = 0.0
    for v in window:
        total += v
    return total * scale


def _sample_line(line_in, line_out):
    for i in range(line_out.shape[0]):
        line_out[i] = line_in[i] - line_in[i + 2]


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64, np.uint64])
def test_generic_kernels(dtype):
    import jitdispatch as jd
    from jitdispatch.ndimage._support import cast_code

    func = jd.func(_sample)
    src, shape, offs, foff, lohi, _ = _window_args(dtype)
    cv = np.zeros(1, np.float64)
    out = np.zeros((6, 7), dtype)
    cast = cast_code(np.dtype(dtype))
    kernel = generic.window_kernel(func, 1, ())
    _ptx(kernel, src, out, shape, offs, foff, lohi, lohi, 2, cv, cast, 32, 0.5)
    kernel = generic.window_kernel(jd.func(_sample), 0, ("scale",), scratch=True)
    scratch = np.zeros((6, 300), np.float64)
    _ptx(kernel, 0, src, out, scratch, shape, offs, foff, lohi, lohi, 2, cv, cast, 2.0)
    line = generic.line_kernel(jd.func(_sample_line), 0, ())
    src3 = np.zeros((2, 5, 3), dtype)
    buf_in, buf_out = np.zeros((6, 7)), np.zeros((6, 5))
    _ptx(line, src3, np.zeros((2, 5, 3), dtype), buf_in, buf_out, 3, 0, 2, cv, cast)
