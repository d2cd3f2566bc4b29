"""Every correlation-family kernel compiles for CUDA (PTX for compute capability 9.0).

No GPU is needed. The argument types are those the public functions launch with: the
1-D and N-D kernels for each (input, output) dtype pair they can produce, C-contiguous
views and the strided ('A' layout) views that complex data and non-contiguous inputs
give, and the elementwise steps of the derivative filters. The default lane compiles
every input dtype with its own output dtype (the default output) and a few mixed pairs
(about a second per kernel); the ``slow`` test compiles the rest of the full product.
"""

import itertools

import numpy as np
import pytest

pytest.importorskip("numba.cuda")
k = pytest.importorskip("jitdispatch.kernels.ndimage.correlate")

pytestmark = pytest.mark.ptx

REAL = [
    np.bool_,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.float32,
    np.float64,
]
PAIRS = [(d, d) for d in REAL] + [
    (np.uint8, np.float64),
    (np.float64, np.uint8),
    (np.float32, np.float64),
    (np.int64, np.float32),
]
ALL_PAIRS = [p for p in itertools.product(REAL, REAL) if p not in PAIRS]


def array3(dtype, strided=False):
    a = np.zeros((2, 3, 8), dtype)
    return a[:, :, ::2] if strided else a[:, :, :4]  # 'A' or 'C' layout, same ndim


def contiguous3(dtype):
    return np.zeros((2, 3, 4), dtype)


def compile_all(src_dtype, out_dtype, strided=False):
    src = array3(src_dtype, strided) if strided else contiguous3(src_dtype)
    out = array3(out_dtype, strided) if strided else contiguous3(out_dtype)
    src2, out2 = src[:, 0, :], out[:, 0, :]  # (lines, n): 'A' layout
    if not strided:
        src2, out2 = np.ascontiguousarray(src2), np.ascontiguousarray(out2)
    w = np.ones(3)
    ptx = [
        k.correlate_lines.compile_ptx(src2, w, 0, 1, False, 64, 2, 0.0, 0, out2, cc=(9, 0)),
        k.correlate_rows.compile_ptx(src, w, 0, 1, False, 64, 2, 0.0, 0, out, cc=(9, 0)),
        k.uniform_lines.compile_ptx(src2, 3, 0, 2, 0.0, 0, out2, cc=(9, 0)),
        k.uniform_rows.compile_ptx(src, 3, 0, False, 64, 2, 0.0, 0, out, cc=(9, 0)),
    ]
    if not strided:  # laplace's one launch (its flat views are always C-ordered)
        geometry = np.zeros((3, 2), np.int64)
        flat_src, flat_out = src.reshape(-1), out.reshape(-1)
        ptx.append(k.laplace_flat.compile_ptx(flat_src, geometry, 0.0, 0, flat_out, cc=(9, 0)))
    if not strided:
        i64 = np.zeros(2, np.int64)
        flat = np.zeros(24, src_dtype)
        rows = np.zeros((6, 4), out_dtype)
        taps = np.zeros((3, 2), np.int64)
        ptx.append(
            k.correlate_nd.compile_ptx(
                flat,
                i64,
                taps,
                np.zeros(3, np.int64),
                w,
                i64,
                i64,
                64,
                2,
                0.0,
                0,
                rows,
                cc=(9, 0),
            )
        )
    for text in ptx:
        assert ".entry" in text or ".visible .func" in text
        # the CPU's chunk scratch is sized for CUDA (jd.per_target): a thread reserves
        # no local memory for it
        assert "__local_depot" not in text


@pytest.mark.parametrize(("src", "out"), PAIRS, ids=lambda d: np.dtype(d).name)
def test_line_and_window_kernels(src, out):
    compile_all(src, out)


@pytest.mark.parametrize(
    ("src", "out"),
    [(np.float32, np.float32), (np.float64, np.float64), (np.float32, np.float64)],
    ids=lambda d: np.dtype(d).name,
)
def test_strided_views_of_complex_data(src, out):
    compile_all(src, out, strided=True)


@pytest.mark.parametrize("dtype", REAL[1:], ids=lambda d: np.dtype(d).name)
def test_elementwise_steps(dtype):
    a = np.zeros(8, dtype)
    k.add_into.compile_ptx(a, a, 1, cc=(9, 0))
    k.square_into.compile_ptx(a, cc=(9, 0))
    k.sqrt_into.compile_ptx(a, cc=(9, 0))
    k.convert_into.compile_ptx(np.zeros(8, np.float64), a, 0, cc=(9, 0))  # rank outputs
    strided = np.zeros(16, dtype)[::2]
    k.add_into.compile_ptx(strided, a, -1, cc=(9, 0))
    if dtype == np.float64:  # complex gradient magnitudes' square roots
        for complex_dtype in (np.complex64, np.complex128):
            k.complex_sqrt_into.compile_ptx(np.zeros(8, complex_dtype), cc=(9, 0))
    if dtype == np.uint8:  # the square roots of a uint8 gradient magnitude
        k.table_into.compile_ptx(a, np.zeros(256, np.uint8), cc=(9, 0))


def test_the_copy_between_layouts():
    # jitdispatch launches it on NumPy arrays only (CuPy copies its own), but it is
    # written once like the rest
    from jitdispatch.kernels.ndimage import layout

    src = np.zeros((1, 2, 6, 8), np.float32).transpose(0, 1, 3, 2)  # contiguous along 2
    dst = np.zeros((1, 2, 8, 6), np.float32)
    assert ".entry" in layout.copy_tiles.compile_ptx(src, dst, 32, cc=(9, 0))


@pytest.mark.slow
@pytest.mark.parametrize(("src", "out"), ALL_PAIRS, ids=lambda d: np.dtype(d).name)
def test_every_dtype_pair(src, out):
    compile_all(src, out)


def test_the_kernel_sass_report_compiles_what_it_lists():
    # benchmarks/kernel_sass.py (make kernel-sass) reads machine code off these launches'
    # PTX; its list must keep up with the kernels' signatures
    import pathlib
    import sys

    sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "benchmarks"))
    try:
        import kernel_sass
    finally:
        sys.path.pop(0)
    launches = kernel_sass._launches()
    assert len(launches) >= 9
    for label, kernel, args in launches:
        assert ".entry" in kernel.compile_ptx(*args, cc=(9, 0)), label
