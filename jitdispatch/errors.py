"""The exceptions jitdispatch raises.

Every error names the kernel or function, the argument and the value, and says what would
work instead.
"""

__all__ = [
    "CacheWarning",
    "DeviceMismatchError",
    "JitDispatchError",
    "LaunchError",
    "TargetUnavailableError",
    "UnsupportedArgumentError",
]


class JitDispatchError(Exception):
    """Base class of jitdispatch's own exceptions."""


class DeviceMismatchError(JitDispatchError, ValueError):
    """Arguments live on different devices, or in libraries that cannot share memory.

    jitdispatch never copies data between host and device on its own: move the arguments
    to one place first (for example ``cupy.asarray(x)`` or ``x.get()``).
    """


class TargetUnavailableError(JitDispatchError, RuntimeError):
    """The target the arguments ask for cannot be used here (package or driver missing)."""


class UnsupportedArgumentError(JitDispatchError, TypeError):
    """An argument's type or dtype cannot be passed to a compiled kernel."""


class LaunchError(JitDispatchError, ValueError):
    """A launch was asked for with a bad range, a read-only output or similar."""


class CacheWarning(UserWarning):
    """The on-disk cache could not be used; compiled code is kept in memory instead."""
