"""Kernel bodies written once, compiled by jitdispatch for each target.

Installed as ``jitdispatch.kernels``. Modules here use only jitdispatch's public API.
"""
