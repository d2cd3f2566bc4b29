"""Kernel bodies of jitdispatch.ndimage."""
