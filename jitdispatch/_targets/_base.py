"""The contract every target module fulfils.

A target is one module with these names. Nothing outside ``_targets/`` knows how a target
compiles or launches; everything above speaks of "the target".

Must provide
------------
``name``
    ``"cpu"`` or ``"cuda"``: the key of compiled code in every cache.
``lanes``
    How many neighbouring outputs one index of a launch should compute (``jd.lanes``):
    1 where every index is a thread of its own, more where indices run one after
    the other and each should be a vector loop.
``check_available()``
    Raise :class:`~jitdispatch.errors.TargetUnavailableError` saying what to install or
    fix when the target cannot run here.
``compile_function(py_func)``
    Compile a helper (a ``jd.func`` or a kernel body, globals already substituted) so that
    code compiled for this target can call it. Lazy: nothing is compiled until first use.
``local``
    The namespace ``jd.local`` stands for inside kernel bodies (``local.array(n, dtype)``:
    per-index scratch memory of constant size).
``extreme(name, py_func)``
    What ``jd.fmin`` / ``jd.fmax`` (``name``) stand for inside kernel bodies: the smaller /
    larger of two numbers with ``py_func``'s rule (a NaN operand gives the other one),
    compiled so that a vector loop keeps it one instruction where the target has one.
``wrapper_source(ndim, nargs)`` / ``make_launcher(module, on_disk, ndim, max_registers, raises)``
    The generated launch wrapper (Python source; the body is the global ``body``) and the
    object built from its imported module, for an ``ndim``-dimensional index space
    (``max_registers``: the kernel's register limit per thread, or None; a target without
    registers ignores it. ``raises``: whether the body may raise, so that a launch must
    report exceptions from every thread; a target that reports none ignores it).
    ``launcher(shape, args, device_id, options)`` runs it; ``launcher.dispatchers()``
    lists the Numba dispatchers it owns.
``prepare(obj, info)``
    Turn an array argument into what the compiled code takes, without copying memory
    between host and device.
``asarray(seq, like_obj, like_info, device_id)``
    Turn a Python sequence into an array of the other arguments' library and device.
``broadcast(arr, shape)``
    A view of a prepared array broadcast to ``shape`` (zero strides, no copy).
``empty(shape, dtype, like_obj, like_info, device_id)``
    Allocate a result in the caller's library, on the caller's device. Returns
    ``(prepared, public)``: what the kernel writes to and what the caller gets back.
``describe_launch(args, infos, device_id, options)``
    A dict for ``jd.explain`` (device, stream, launch configuration).

Should provide
--------------
``compile_ptx``-like ahead-of-time compilation for tests that have no device (CUDA).

May provide
-----------
Faster paths for common cases, as long as results are identical.
"""
