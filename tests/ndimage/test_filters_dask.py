"""The correlation family on Dask arrays: lazy, and equal to SciPy on the whole array.

Chunks are chosen smaller than the windows on purpose (the helper must rechunk), and
every boundary mode is used, 'wrap' included (periodic overlap between chunks).
"""

import numpy as np
import pytest

import jitdispatch.ndimage as jn
from jitdispatch.ndimage._dask import map_filter

da = pytest.importorskip("dask.array")
ndi = pytest.importorskip("scipy.ndimage")

pytestmark = pytest.mark.cpu

MODES = ["reflect", "constant", "nearest", "mirror", "wrap", "grid-mirror", "grid-wrap"]

CASES = [
    ("correlate1d", ([1.0, -2.0, 0.5, 3.0],), dict(axis=0, origin=1)),
    ("convolve1d", ([1.0, 2.0, 4.0],), dict(axis=1)),
    ("gaussian_filter1d", (1.5,), dict(axis=0, order=1)),
    ("uniform_filter1d", (4,), dict(axis=1, origin=-1)),
    ("correlate", (np.arange(1.0, 16.0).reshape(3, 5),), dict(origin=(1, -2))),
    ("convolve", (np.arange(1.0, 9.0).reshape(4, 2),), {}),
    ("gaussian_filter", (1.0,), dict(order=(0, 2))),
    ("uniform_filter", ((5, 2),), dict(origin=(2, 0))),
    ("prewitt", (), dict(axis=0)),
    ("sobel", (), {}),
    ("laplace", (), {}),
    ("gaussian_laplace", (0.8,), {}),
    ("gaussian_gradient_magnitude", (0.8,), dict(truncate=3.0)),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_dask_matches_scipy(name, args, kwargs):
    x = np.random.default_rng(0).normal(size=(11, 13)) * 10
    for k, chunks in enumerate([(3, 2), (4, 13), (11, 5)]):
        mode = MODES[(k + len(name)) % len(MODES)]
        lazy = da.from_array(x, chunks=chunks)
        result = getattr(jn, name)(lazy, *args, mode=mode, cval=1.5, **kwargs)
        assert isinstance(result, da.Array)
        expected = getattr(ndi, name)(x, *args, mode=mode, cval=1.5, **kwargs)
        computed = result.compute()
        assert computed.dtype == expected.dtype
        np.testing.assert_allclose(computed, expected, rtol=1e-12, atol=1e-12 * np.abs(x).max())


def test_dask_integer_output_and_per_axis_modes():
    x = np.random.default_rng(1).integers(0, 200, size=(9, 10)).astype(np.int16)
    lazy = da.from_array(x, chunks=(2, 3))
    got = jn.gaussian_filter(lazy, 1.2, mode=["wrap", "nearest"], output=np.int32)
    want = ndi.gaussian_filter(x, 1.2, mode=["wrap", "nearest"], output=np.int32)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got.compute(), want)


@pytest.mark.parametrize("output", [None, np.int16])
def test_dask_derivatives_with_wrapping_and_other_modes(output):
    # per-axis modes that disagree on wrapping: one lazy Gaussian filter per derivative,
    # rounded, squared and added in the output dtype as SciPy does
    x = np.random.default_rng(3).normal(size=(11, 13)) * 10
    lazy = da.from_array(x, chunks=(4, 5))
    for name, modes in [
        ("gaussian_laplace", ["constant", "wrap"]),
        ("gaussian_gradient_magnitude", ["wrap", "nearest"]),
    ]:
        got = getattr(jn, name)(lazy, 1.2, output=output, mode=modes, cval=1.5)
        want = getattr(ndi, name)(x, 1.2, output=output, mode=modes, cval=1.5)
        assert isinstance(got, da.Array) and got.dtype == want.dtype
        np.testing.assert_allclose(got.compute(), want, rtol=1e-12, atol=1e-12 * 100)


def test_dask_empty_arrays_in_several_empty_chunks():
    # Dask keeps chunks (0, 0) of an empty axis: no block has edges to share
    for shape, chunks in [((0,), ((0, 0),)), ((2, 0), ((2,), (0, 0)))]:
        lazy = da.from_array(np.zeros(shape), chunks=chunks)
        for got, want in [
            (jn.uniform_filter1d(lazy, 3), ndi.uniform_filter1d(np.zeros(shape), 3)),
            (jn.sobel(lazy), ndi.sobel(np.zeros(shape))),
            (jn.median_filter(lazy, size=3), ndi.median_filter(np.zeros(shape), size=3)),
        ]:
            computed = got.compute()
            assert computed.shape == want.shape and computed.dtype == want.dtype


def test_dask_other_byte_order():
    # a big-endian Dask array is filtered from a lazy native copy of its chunks
    x = np.random.default_rng(2).normal(size=(9, 10)).astype(">f8")
    lazy = da.from_array(x, chunks=(4, 3))
    got = jn.uniform_filter(lazy, 3, mode="wrap")
    assert isinstance(got, da.Array) and got.dtype == np.float64
    np.testing.assert_allclose(got.compute(), ndi.uniform_filter(x, 3, mode="wrap"), rtol=1e-12)
    got = jn.median_filter(lazy, size=3)
    np.testing.assert_array_equal(got.compute(), ndi.median_filter(x, size=3))


def test_dask_window_larger_than_array():
    x = np.arange(12.0).reshape(3, 4)
    lazy = da.from_array(x, chunks=(1, 2))
    for mode in ("wrap", "mirror", "reflect"):
        got = jn.uniform_filter1d(lazy, 7, axis=1, mode=mode).compute()
        np.testing.assert_array_equal(got, ndi.uniform_filter1d(x, 7, axis=1, mode=mode))


def test_dask_result_keeps_the_weights_given_at_the_call():
    # SciPy reads weights and footprints at the call; a lazy result must do the same
    x = np.arange(30.0).reshape(5, 6)
    lazy = da.from_array(x, chunks=(2, 3))
    weights, footprint = np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((3, 3), bool)
    extra = np.array([2.0])
    results = [
        jn.correlate(lazy, weights),
        jn.median_filter(lazy, footprint=footprint),
        jn.generic_filter(lazy, lambda b, k: b.max() * k[0], size=2, extra_arguments=(extra,)),
    ]
    wants = [
        ndi.correlate(x, weights),
        ndi.median_filter(x, footprint=footprint),
        ndi.generic_filter(x, lambda b, k: b.max() * k[0], size=2, extra_arguments=(extra,)),
    ]
    weights[:] = 0.0
    footprint[1] = False
    extra[0] = -1.0
    for got, want in zip(results, wants, strict=True):
        np.testing.assert_array_equal(got.compute(), want)


def test_dask_three_dims_and_axes():
    x = np.random.default_rng(2).normal(size=(6, 7, 8)).astype(np.float32)
    lazy = da.from_array(x, chunks=(2, 3, 4))
    got = jn.gaussian_filter(lazy, [1.0, 2.0], axes=(0, 2)).compute()
    want = ndi.gaussian_filter(x, [1.0, 2.0], axes=(0, 2))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


@pytest.mark.parametrize("mode", ["wrap", "grid-wrap", "reflect", "constant"])
def test_dask_two_chunks_per_axis_one_task_per_block(mode):
    # two chunks: with 'wrap' both neighbours of a block are the same block; an origin
    # makes the halo below and above differ; axes without a window get no halo
    x = np.random.default_rng(3).normal(size=(9, 10, 6))
    lazy = da.from_array(x, chunks=(5, 5, 3))
    weights = np.arange(1.0, 13.0).reshape(4, 3, 1)
    result = jn.correlate(lazy, weights, mode=mode, cval=0.5, origin=(1, -1, 0))
    layer = result.__dask_graph__().layers[result.name]
    assert len(layer) == np.prod(result.numblocks) == 8  # no slicing or joining tasks
    want = ndi.correlate(x, weights, mode=mode, cval=0.5, origin=(1, -1, 0))
    np.testing.assert_allclose(result.compute(), want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    got = jn.minimum_filter1d(lazy, 4, axis=2, mode=mode, origin=1).compute()
    np.testing.assert_array_equal(got, ndi.minimum_filter1d(x, 4, axis=2, mode=mode, origin=1))


def test_dask_output_array_refused_and_generic_refused():
    lazy = da.ones((4, 4), chunks=2)
    with pytest.raises(TypeError):
        jn.sobel(lazy, output=np.empty((4, 4)))
    # how far a user's derivative reads is unknown: no backend takes Dask inputs there
    with pytest.raises((TypeError, ValueError), match=r"[Dd]ask"):
        jn.generic_laplace(lazy, lambda *a: None)


def test_dask_unknown_chunk_sizes_are_named():
    # after boolean indexing Dask knows neither the shape nor the chunks along axis 0: the
    # error says so and what to call, whether or not the filter reads along that axis
    x = np.arange(60.0).reshape(6, 10)
    lazy = da.from_array(x, chunks=(2, 5))
    rows = lazy[lazy[:, 0] > 15]
    assert np.isnan(rows.shape[0])
    calls = [
        lambda a: jn.gaussian_filter(a, 1.0),
        lambda a: jn.uniform_filter1d(a, 3, axis=1),
        lambda a: jn.median_filter(a, 3),
        lambda a: jn.generic_filter(a, np.max, 2),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"axis 0 .*compute_chunk_sizes\(\)"):
            call(rows)
    rows.compute_chunk_sizes()
    got = jn.gaussian_filter(rows, 1.0).compute()
    np.testing.assert_allclose(got, ndi.gaussian_filter(x[x[:, 0] > 15], 1.0), rtol=1e-12)


def test_map_filter_is_generic_and_lazy():
    x = np.arange(40.0).reshape(5, 8)
    lazy = da.from_array(x, chunks=(2, 3))
    calls = []

    def smooth(chunk, size):
        calls.append(chunk.shape)
        return ndi.uniform_filter1d(chunk, size, axis=1, mode="wrap")

    result = map_filter(smooth, lazy, (3,), depth={1: (1, 1)}, modes="wrap", dtype=np.float64)
    assert calls == []  # nothing computed yet
    np.testing.assert_array_equal(result.compute(), ndi.uniform_filter1d(x, 3, axis=1, mode="wrap"))


def test_dask_blocks_of_a_mebibyte_use_lent_memory_correctly():
    # extended blocks of over 1 MiB are assembled in `_support.SPARES` memory, lent to
    # each task only while it filters: tasks on two threads, and calls one after the
    # other, must not see each other's blocks
    x = np.random.default_rng(4).normal(size=(1030, 600))
    lazy = da.from_array(x, chunks=(515, 300))
    for _ in range(2):
        got = jn.gaussian_filter(lazy, 2.0, mode="wrap").compute(scheduler="threads")
        want = ndi.gaussian_filter(x, 2.0, mode="wrap")
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
        got = jn.correlate1d(lazy, [1.0, 3.0, -2.0], axis=0).compute(scheduler="threads")
        np.testing.assert_allclose(got, ndi.correlate1d(x, [1.0, 3.0, -2.0], axis=0), rtol=1e-12)


def test_dask_chunks_in_fortran_order():
    # the chunks of a Fortran-ordered array are Fortran-ordered views: each block and its
    # neighbours' edges are copied into the C-ordered extended block in tiles
    x = np.asfortranarray(np.random.default_rng(5).normal(size=(640, 520)))
    lazy = da.from_array(x, chunks=(320, 260))
    for name, args, kwargs in [
        ("gaussian_filter", (1.5,), dict(mode="wrap")),
        ("correlate", (np.arange(1.0, 7.0).reshape(2, 3),), dict(mode="constant")),
        ("sobel", (), dict(axis=0)),
    ]:
        got = getattr(jn, name)(lazy, *args, **kwargs).compute(scheduler="threads")
        want = getattr(ndi, name)(x, *args, **kwargs)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
