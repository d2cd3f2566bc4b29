"""Static sm_90 metrics of the CUDA kernels the GPU benchmarks launch, without a GPU.

``make kernel-sass`` installs NVIDIA's ``ptxas`` and ``nvdisasm`` (the
``nvidia-cuda-nvcc`` and ``nvidia-cuda-nvdisasm`` wheels) into the environment and runs
this: each kernel is compiled to PTX for compute capability 9.0 with the argument types
its 2048x2048 float32 launches have, then by ``ptxas`` to machine code. Printed per
kernel: registers per thread, stack and spill bytes, and the number of instructions.

The kernels are issue-bound on an H100 (ncu), so fewer instructions on the hot path is
the change to look for where no GPU is lent; time it with ``make gpu-check`` where one is.
A kernel written as straight-line code per output (the rank kernels' register slots) has
its per-output cost in the total; for loops, read the machine code: ``--dump NAME``
writes it to NAME.sass.
"""

import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np


def _tool(name):
    """Path of ``name`` from the nvidia-cuda-* wheels of this environment."""
    try:
        import nvidia
    except ImportError:
        nvidia = None
    for root in getattr(nvidia, "__path__", []):
        for path in pathlib.Path(root).glob(f"cu*/bin/{name}"):
            return str(path)
    sys.exit(f"{name} not found: pip install nvidia-cuda-nvcc nvidia-cuda-nvdisasm")


def _launches():
    """``(label, kernel, args)``: what the benchmarks' 2048x2048 float32 filters launch, and
    the running mean that integer results take on CUDA."""
    from jitdispatch.kernels.ndimage import correlate as c
    from jitdispatch.kernels.ndimage import rank as r

    f32 = np.float32
    i64 = np.zeros(2, np.int64)
    w5 = np.ones(5)
    rows2, rows3 = np.zeros((4, 8), f32), np.zeros((2, 4, 8), f32)
    flat = np.zeros(32, f32)
    window = (np.zeros((9, 2), np.int64), np.zeros(9, np.int64), i64, i64)
    cv = np.zeros(1, f32)
    out2 = np.zeros((4, 8), f32)
    u8 = np.zeros((4, 8), np.uint8)  # integer results: a running sum per thread on CUDA
    return [
        (
            "correlate_nd (correlate)",
            c.correlate_nd,
            (flat, i64, np.zeros((9, 2), np.int64), np.zeros(9, np.int64), np.ones(9), i64,
             i64, 4, 2, 0.0, 0, rows2),
        ),
        ("correlate_lines (correlate1d, last axis)", c.correlate_lines,
         (rows2, w5, 0, 1, False, 1, 2, 0.0, 0, rows2)),
        ("correlate_rows (correlate1d, axis 0)", c.correlate_rows,
         (rows3, w5, 0, 1, False, 1, 2, 0.0, 0, rows3)),
        ("uniform_rows (uniform_filter1d)", c.uniform_rows,
         (rows3, 5, 0, False, 1, 2, 0.0, 0, rows3)),
        ("uniform_lines (uniform_filter1d, uint8)", c.uniform_lines,
         (u8, 5, 0, 2, 0.0, c.CAST_VIA_INT32, u8)),
        ("laplace_flat (laplace)", c.laplace_flat,
         (flat, np.zeros((2, 2), np.int64), 0.0, 0, flat)),
        ("line_extreme (maximum_filter1d)", r.line_extreme,
         (rows2, rows2, 5, 0, 2, cv, False, 1)),
        ("line_extreme_rows (minimum_filter1d)", r.line_extreme_rows,
         (rows3, rows3, np.zeros((2, 8), f32), 5, 0, 2, cv, True, 5, 1)),
        ("window_filter (median_filter 3x3)", r.window_filter,
         (flat, out2, i64, *window, 2, cv, r.OP_RANK, 4, 1)),
        ("window_count_rank (rank/percentile 3x3)", r.window_count_rank,
         (flat, out2, i64, *window, 2, cv, cv, 2)),
    ]


def _metrics(ptx, ptxas, nvdisasm, max_registers, dump=None):
    with tempfile.TemporaryDirectory() as tmp:
        src, cubin = pathlib.Path(tmp, "k.ptx"), pathlib.Path(tmp, "k.cubin")
        src.write_text(ptx)
        cmd = [ptxas, "-arch=sm_90", "-O3", "-v", str(src), "-o", str(cubin)]
        if max_registers:
            cmd.insert(1, f"--maxrregcount={max_registers}")
        info = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
        sass = subprocess.run(
            [nvdisasm, "-c", str(cubin)], capture_output=True, text=True, check=True
        ).stdout
    if dump:
        pathlib.Path(dump + ".sass").write_text(sass)
    registers = int(re.findall(r"Used (\d+) registers", info)[-1])
    stack, spill_st, spill_ld = map(
        int,
        re.findall(r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill", info)[
            -1
        ],
    )
    count = sum(1 for line in sass.splitlines() if re.match(r"\s+/\*[0-9a-f]{4,}\*/", line))
    return registers, stack, spill_st + spill_ld, count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", help="write the machine code of kernels matching this")
    args = parser.parse_args(argv)
    ptxas, nvdisasm = _tool("ptxas"), _tool("nvdisasm")
    print(f"{'kernel':44s} {'regs':>5s} {'stack':>6s} {'spills':>7s} {'instructions':>13s}")
    for label, kernel, kernel_args in _launches():
        ptx = kernel.compile_ptx(*kernel_args, cc=(9, 0))
        dump = kernel.__name__ if args.dump and args.dump in label else None
        regs, stack, spills, count = _metrics(
            ptx, ptxas, nvdisasm, kernel._jd_object.max_registers, dump
        )
        print(f"{label:44s} {regs:5d} {stack:6d} {spills:7d} {count:13d}")


if __name__ == "__main__":
    main()
