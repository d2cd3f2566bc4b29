"""Import hygiene, the disk cache across processes, and thread safety."""

import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import jitdispatch as jd

pytestmark = pytest.mark.cpu


def run_python(code, env=None, cwd=None):
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("NUMBA_ENABLE_CUDASIM", None)
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc


def test_import_and_numpy_call_leave_gpu_libraries_alone():
    proc = run_python("""
        import sys
        import numpy as np
        import jitdispatch as jd
        assert "numba" not in sys.modules, "import jitdispatch imported numba"
        @jd.elementwise
        def f(a):
            return a + 1
        assert (f(np.arange(3)) == [1, 2, 3]).all()
        print(" ".join(m for m in ("cupy", "torch", "dask", "numba.cuda") if m in sys.modules))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_trace_switched_on_from_the_environment():
    proc = run_python(
        """
        import numpy as np
        import jitdispatch as jd
        @jd.elementwise
        def f(a):
            return a + 1
        f(np.arange(3))
        f(np.arange(3))  # traced too: the fast path is off while tracing
        """,
        env={"JITDISPATCH_TRACE": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("jitdispatch: f -> cpu") == 2, proc.stderr


# A notebook's functions live in __main__: cloudpickle sends them by value, and what they
# refer to (jitdispatch's compiled code, generated modules) must not travel with them.
DISTRIBUTED_SCRIPT = """
import math
import numpy as np
import dask.array as da
from distributed import Client, LocalCluster
import scipy.ndimage as ndi
import jitdispatch as jd
import jitdispatch.ndimage as jndi

@jd.elementwise
def hypot(a, b):
    return math.sqrt(a * a + b * b)

@jd.kernel
def double(i, j, x, out):
    out[i, j] = 2.0 * x[i, j]

def doubled(block):
    out = np.empty_like(block)
    double(block, out, ndrange=block.shape)
    return out

if __name__ == "__main__":
    x = np.random.default_rng(0).random((40, 50))
    hypot(x, 1.0)  # compiled here first: the workers must rebuild, not reuse, it
    doubled(x)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        lazy = da.from_array(x, chunks=(20, 25))
        checks = [
            np.allclose(jndi.gaussian_filter(lazy, 1.5).compute(), ndi.gaussian_filter(x, 1.5)),
            np.allclose(hypot(lazy, 1.0).compute(), np.hypot(x, 1.0)),
            np.array_equal(lazy.map_blocks(doubled).compute(), 2.0 * x),
            np.allclose(
                jndi.generic_filter(lazy, lambda w: w.max() - w.min(), size=3).compute(),
                ndi.generic_filter(x, lambda w: w.max() - w.min(), size=3),
            ),
        ]
    print(*checks)
"""


def test_dask_distributed_runs_functions_defined_in_main(tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is not installed")
    script = tmp_path / "notebook.py"
    script.write_text(DISTRIBUTED_SCRIPT)
    env = dict(os.environ)
    env.pop("NUMBA_ENABLE_CUDASIM", None)
    proc = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=150,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["True"] * 4, proc.stderr[-3000:]


def test_public_functions_pickle_by_value_into_a_fresh_process(tmp_path):
    pytest.importorskip("cloudpickle", reason="cloudpickle is not installed")
    made = run_python(f"""
        import math, numpy as np, cloudpickle, jitdispatch as jd
        @jd.elementwise
        def hypot(a, b):
            return math.sqrt(a * a + b * b)
        @jd.kernel
        def double(i, x, out):
            out[i] = 2.0 * x[i]
        hypot(np.ones(3), 1.0)
        double(np.ones(3), np.empty(3), ndrange=3)  # warm: fast paths set
        with open({str(tmp_path / "f.pkl")!r}, "wb") as f:
            cloudpickle.dump((hypot, double), f)
        """)
    assert made.returncode == 0, made.stderr
    used = run_python(f"""
        import pickle, numpy as np
        with open({str(tmp_path / "f.pkl")!r}, "rb") as f:
            hypot, double = pickle.load(f)
        x = np.arange(4.0)
        out = np.empty(4)
        for _ in range(2):  # the second call takes the fast path
            double(x, out, ndrange=4)
            assert (out == 2 * x).all() and np.allclose(hypot(x, 1.0), np.hypot(x, 1.0))
        print("ok")
        """)
    assert used.returncode == 0, used.stderr
    assert used.stdout.strip() == "ok"


def test_filters_run_in_a_process_pool():
    # a spawned worker receives jitdispatch.ndimage.gaussian_filter by reference
    proc = run_python("""
        import concurrent.futures, functools, multiprocessing
        import numpy as np, scipy.ndimage as sndi
        import jitdispatch.ndimage as jndi
        if __name__ == "__main__":
            images = [np.random.default_rng(k).random((6, 7)) for k in range(2)]
            context = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
                got = list(pool.map(functools.partial(jndi.gaussian_filter, sigma=1.5), images))
            for x, y in zip(images, got, strict=True):
                np.testing.assert_allclose(y, sndi.gaussian_filter(x, 1.5), rtol=1e-12)
            print("ok")
        """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "ok"


KERNEL_MODULE = """
import numpy as np
import jitdispatch as jd

@jd.kernel
def triple(i, x, out):
    out[i] = 3 * x[i]

def run():
    x = np.arange(5.0)
    out = np.empty(5)
    triple(x, out, ndrange=5)
    assert (out == 3 * x).all(), out
    from jitdispatch._targets import cpu
    stats = triple._jd_object.launcher(cpu, 2).serial.stats
    return sum(stats.cache_hits.values()), sum(stats.cache_misses.values())

def run_parallel():
    x = np.arange(100_000.0)
    out = np.empty_like(x)
    triple(x, out, ndrange=x.size)  # above the threshold: the parallel wrapper
    assert (out == 3 * x).all()
    from jitdispatch._targets import cpu
    stats = triple._jd_object.launcher(cpu, 2)._parallel.stats
    return sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
"""

RUN = """
import warnings, mod_for_cache
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    hits, misses = mod_for_cache.run()
print(hits, misses, sum("jitdispatch" in str(w.message) for w in caught))
"""


@pytest.fixture
def kernel_dir(tmp_path):
    (tmp_path / "mod_for_cache.py").write_text(KERNEL_MODULE)
    return tmp_path


def test_second_process_loads_from_disk(kernel_dir):
    env = {"JITDISPATCH_CACHE_DIR": str(kernel_dir / "cache"), "PYTHONPATH": str(kernel_dir)}
    first = run_python(RUN, env, cwd=kernel_dir)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["0", "1", "0"]  # compiled once, no warning
    second = run_python(RUN, env, cwd=kernel_dir)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["1", "0", "0"]  # loaded from disk, nothing compiled


def test_second_process_loads_the_parallel_wrapper_from_disk(kernel_dir):
    # (code that calls numba.get_num_threads() holds a process address: never cached)
    env = {"JITDISPATCH_CACHE_DIR": str(kernel_dir / "cache"), "PYTHONPATH": str(kernel_dir)}
    run = "import mod_for_cache; print(*mod_for_cache.run_parallel())"
    first = run_python(run, env, cwd=kernel_dir)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["0", "1"]
    second = run_python(run, env, cwd=kernel_dir)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["1", "0"]


# Helpers made by one factory share a qualified name; each kernel closes over its own.
FACTORY_MODULE = """
import sys
import numpy as np
import jitdispatch as jd

def calling(function):
    helper = jd.func(lambda x: function(x))

    @jd.kernel
    def apply(i, x, out):
        out[i] = helper(x[: i + 1])  # a call LLVM keeps (np.mean, np.sum of a slice)

    return apply

for name in sys.argv[1:]:
    out = np.empty(3)
    calling(getattr(np, name))(np.array([1.5, 0.5, 4.0]), out, ndrange=3)
    print(name, *out)
"""


def test_helpers_of_one_name_loaded_together_keep_their_own_code(tmp_path):
    # Compiled helpers are linked by name, and Numba's names count from 1 again in each
    # process: two helpers of one qualified name compiled in two processes, then loaded
    # from the disk cache into a third, ran the first one's code for both
    script = tmp_path / "factory.py"
    script.write_text(FACTORY_MODULE)
    env = dict(os.environ, JITDISPATCH_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("NUMBA_ENABLE_CUDASIM", None)

    def run(*names):
        proc = subprocess.run(
            [sys.executable, str(script), *names], env=env, capture_output=True, text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split("\n")[: len(names)]

    run("mean")
    run("sum")
    assert run("mean", "sum") == ["mean 1.5 1.0 2.0", "sum 1.5 2.0 6.0"]


def test_corrupt_cache_files_warn_once_and_compile(kernel_dir):
    env = {"JITDISPATCH_CACHE_DIR": str(kernel_dir / "cache"), "PYTHONPATH": str(kernel_dir)}
    assert run_python(RUN, env, cwd=kernel_dir).returncode == 0
    damaged = 0
    for base, _dirs, files in os.walk(kernel_dir / "cache"):
        for name in files:
            if name.endswith((".nbi", ".nbc")):
                with open(os.path.join(base, name), "wb") as f:
                    f.write(b"\x80\x04garbage, not a pickle")
                damaged += 1
    assert damaged >= 2
    again = run_python(RUN, env, cwd=kernel_dir)
    assert again.returncode == 0, again.stderr
    hits, misses, warnings = again.stdout.split()
    assert (hits, misses, warnings) == ("0", "1", "1")
    # The damaged index was replaced: a third process loads cleanly again.
    third = run_python(RUN, env, cwd=kernel_dir)
    assert third.stdout.split() == ["1", "0", "0"], third.stderr


def test_damaged_generated_wrapper_is_rewritten(kernel_dir):
    env = {"JITDISPATCH_CACHE_DIR": str(kernel_dir / "cache"), "PYTHONPATH": str(kernel_dir)}
    assert run_python(RUN, env, cwd=kernel_dir).returncode == 0
    wrappers = list((kernel_dir / "cache" / "gen").glob("triple_*.py"))
    assert wrappers
    originals = [path.read_text() for path in wrappers]
    for path in wrappers:
        path.write_text("this is not python(")
    again = run_python(RUN, env, cwd=kernel_dir)
    assert again.returncode == 0, again.stderr  # run() checks the result itself
    assert [path.read_text() for path in wrappers] == originals


def test_unwritable_cache_directory_warns_once(tmp_path, monkeypatch):
    from jitdispatch import _cache

    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("JITDISPATCH_CACHE_DIR", str(blocker / "cache"))
    _cache.reset()
    try:

        @jd.kernel
        def negate(i, x, out):
            out[i] = -x[i]

        x = np.arange(4.0)
        out = np.empty(4)
        with pytest.warns(jd.CacheWarning, match="cannot use the cache directory") as caught:
            negate(x, out, ndrange=4)
            negate(x, out, ndrange=4)
            negate(x[:2], out[:2], ndrange=2)
        assert len([w for w in caught if issubclass(w.category, jd.CacheWarning)]) == 1
        np.testing.assert_array_equal(out[:2], -x[:2])
    finally:
        _cache.reset()


def test_sixteen_threads_compile_a_fresh_kernel_once(fresh_cache, monkeypatch):
    from jitdispatch._targets import cpu

    made = []
    original = cpu.make_launcher
    monkeypatch.setattr(cpu, "make_launcher", lambda *a: made.append(1) or original(*a))

    @jd.kernel
    def square_plus(i, x, k, out):
        out[i] = x[i] * x[i] + k

    x = np.arange(100, dtype=np.float64)
    results = [None] * 16
    barrier = threading.Barrier(16)

    def worker(k):
        out = np.empty(100)
        barrier.wait()
        square_plus(x, float(k), out, ndrange=100)
        results[k] = out

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, out in enumerate(results):
        np.testing.assert_array_equal(out, x * x + k)
    assert len(made) == 1
    serial = square_plus._jd_object.launcher(cpu, 3).serial
    assert len(serial.overloads) == 1
    assert sum(serial.stats.cache_misses.values()) == 1


def test_parallel_kernels_under_dask_threads_do_not_abort():
    # In a child process: an abort from Numba's threading layer would kill pytest itself.
    proc = run_python("""
        import numpy as np, dask, dask.array as da
        import jitdispatch as jd

        @jd.elementwise
        def f(a, b):
            return a * b + 1.0

        @jd.kernel
        def twice(i, x, out):
            out[i] = 2 * x[i]

        def block(b):
            out = np.empty_like(b)
            twice(b, out, ndrange=b.shape)  # each chunk is large enough to go parallel
            return out

        x = da.from_array(np.arange(2_000_000, dtype=np.float64), chunks=100_000)
        with dask.config.set(scheduler="threads", num_workers=8):
            a = f(x, x).compute()
            b = x.map_blocks(block).compute()
        ref = np.arange(2_000_000, dtype=np.float64)
        assert np.array_equal(a, ref * ref + 1.0)
        assert np.array_equal(b, 2 * ref)
        import numba
        print("ok", numba.threading_layer())
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("ok")


def test_workqueue_layer_is_guarded():
    # The one layer that is not thread-safe: force it and hammer it from threads.
    proc = run_python(
        """
        import threading, numpy as np
        import jitdispatch as jd

        @jd.kernel
        def inc(i, x, out):
            out[i] = x[i] + 1

        x = np.arange(300_000, dtype=np.float64)
        errors = []
        def work():
            out = np.empty_like(x)
            for _ in range(20):
                inc(x, out, ndrange=x.shape)
            if not np.array_equal(out, x + 1):
                errors.append(1)
        ts = [threading.Thread(target=work) for _ in range(6)]
        [t.start() for t in ts]; [t.join() for t in ts]
        import numba
        print(numba.threading_layer(), len(errors))
    """,
        env={"NUMBA_THREADING_LAYER": "workqueue"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["workqueue", "0"]


def test_cli_info_and_demo():
    proc = run_python("import sys; from jitdispatch.__main__ import main; sys.exit(main(['info']))")
    assert proc.returncode == 0, proc.stderr
    for key in ("numba", "cuda", "cache directory", "threading layer"):
        assert key in proc.stdout
    demo = run_python(
        "import sys; from jitdispatch.__main__ import main; "
        "sys.exit(main(['demo', '--size', '64']))"
    )
    assert demo.returncode == 0, demo.stderr
    assert "saxpy" in demo.stdout and "OK" in demo.stdout


def test_missing_numba_cuda_says_what_to_install():
    proc = run_python("""
        import sys
        sys.modules["numba.cuda"] = None  # as if numba-cuda were not installed
        import numpy as np
        import jitdispatch as jd

        class DeviceArray:
            shape, dtype, ndim = (3,), np.dtype("float64"), 1
            __cuda_array_interface__ = {"shape": (3,), "typestr": "<f8", "data": (0, False),
                                        "version": 3, "strides": None}

        @jd.elementwise
        def f(a):
            return a + 1

        try:
            f(DeviceArray())
        except jd.TargetUnavailableError as exc:
            print(exc)
    """)
    assert proc.returncode == 0, proc.stderr
    assert "pip install 'jitdispatch[cuda13]'" in proc.stdout
