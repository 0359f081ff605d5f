"""timezonefinder's ``TimezoneFinder`` class, imported without cffi's C parser.

timezonefinder 9's C backend (``timezonefinder.utils_clang``) makes a ``cffi.FFI()`` when it is
imported, only ever to call ``from_buffer`` on it. Making one imports cffi's C declaration
parser, pycparser, whose lexer compiles its regular expressions at import: 80-120 M
instructions (~60 ms) of every process that looks a time zone up, ~1.5 % of a state-vector
replay of 200,000 rows (bench_instr ``svreplay``, session 16). The compiled extension the
backend calls (``timezonefinder.inside_polygon_ext``) carries an ``ffi`` of its own whose
``from_buffer`` gives the same buffers (the same ``cdata`` over the same memory, the element
type parsed by cffi's built-in C type reader), so that one is handed to the import instead.

Anything unexpected (another cffi or timezonefinder layout, no compiled extension) falls back
to the plain import: slower start-up, the same answers.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any


def timezone_finder_class() -> Any:
    """``timezonefinder.TimezoneFinder``, its C backend's module imported with the compiled
    extension's ``ffi`` (see the module's docstring); the plain import when that cannot be."""
    if "timezonefinder.utils_clang" not in sys.modules:
        _import_backend_with_compiled_ffi()
    from timezonefinder import TimezoneFinder

    return TimezoneFinder


def _import_backend_with_compiled_ffi() -> None:
    try:
        cffi: Any = importlib.import_module("cffi")  # untyped (no stubs installed)

        ext = importlib.import_module("timezonefinder.inside_polygon_ext")
        compiled = ext.ffi
    except (ImportError, AttributeError):
        return  # no compiled extension: timezonefinder picks its own backend as usual

    class _CompiledFFI:  # a class, as the module's ``cffi.FFI | None`` annotation needs one
        def __new__(cls) -> Any:
            return compiled

    made = cffi.FFI
    # For the one import below only. Process-wide while it runs: flyvakt makes no other FFI,
    # and World imports this under its lock.
    cffi.FFI = _CompiledFFI
    try:
        importlib.import_module("timezonefinder.utils_clang")
    except Exception:  # any failure: the plain import below makes its own
        sys.modules.pop("timezonefinder.utils_clang", None)
    finally:
        cffi.FFI = made
