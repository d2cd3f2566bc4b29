"""Put on PYTHONPATH by ``make gpu-check`` only.

The GPU machine's image pairs numba-cuda with a NumPy that no longer has
``numpy.row_stack``, which numba-cuda still registers an overload for at import. This
restores the alias (``numpy.vstack``) for the check's processes; nothing else uses it.
"""

import numpy

if not hasattr(numpy, "row_stack"):
    numpy.row_stack = numpy.vstack

# Chain to the sitecustomize this file shadows, if the image has one.
import os as _os
import sys as _sys

_here = _os.path.dirname(_os.path.abspath(__file__))
for _entry in _sys.path:
    _path = _os.path.join(_os.path.abspath(_entry or "."), "sitecustomize.py")
    if _os.path.dirname(_path) != _here and _os.path.isfile(_path):
        with open(_path) as _f:
            exec(
                compile(_f.read(), _path, "exec"), {"__name__": "sitecustomize", "__file__": _path}
            )
        break
