"""Finding and loading libvastplot (cffi, ABI mode), on first use.

Where the library is looked for, in order:
1. the environment variable VASTPLOT_LIBRARY (a path; when set, only it);
2. next to this package (a copy installed with it: libvastplot.so.1 or
   libvastplot.so in the package's folder);
3. ctypes.util.find_library("vastplot");
4. the system's libvastplot.so.1 (the dynamic loader's search path,
   LD_LIBRARY_PATH included).
Nothing is loaded at import; the first function that needs the library
loads it, and raises OSError naming every place tried when it is not found.
"""
import ctypes.util
import os
import sys
import threading

from ._cdef import API_VERSION, CDEF

_state = {"ffi": None, "lib": None, "path": None}
_lock = threading.Lock()

_LIBNAMES = ("libvastplot.dylib",) if sys.platform == "darwin" else ("libvastplot.so.1", "libvastplot.so")


def _candidates():
    """(how, path or None) for each place, in order."""
    env = os.environ.get("VASTPLOT_LIBRARY")
    if env:
        yield "VASTPLOT_LIBRARY", env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for name in _LIBNAMES:
        yield "next to the package", os.path.join(here, name)
    yield "ctypes.util.find_library('vastplot')", ctypes.util.find_library("vastplot")
    yield "the system's loader", _LIBNAMES[0]


def load():
    """(ffi, lib), loading the library the first time."""
    if _state["lib"] is not None:
        return _state["ffi"], _state["lib"]
    with _lock:
        if _state["lib"] is not None:
            return _state["ffi"], _state["lib"]
        import cffi  # here, so that importing vastplot works without it

        ffi = cffi.FFI()
        ffi.cdef(CDEF)
        tried = []
        if not os.environ.get("VASTPLOT_LIBRARY"):
            tried.append("VASTPLOT_LIBRARY: not set")
        for how, path in _candidates():
            if path is None:
                tried.append(f"{how}: nothing found")
                continue
            if os.sep in path and not os.path.exists(path):
                tried.append(f"{how}: {path} (no such file)")
                continue
            try:
                lib = ffi.dlopen(path)
            except OSError as e:
                tried.append(f"{how}: {path} ({e})")
                continue
            try:
                have = lib.vastplot_api_version()
            except AttributeError as e:
                tried.append(f"{how}: {path} (not libvastplot: {e})")
                continue
            if have < API_VERSION:
                tried.append(f"{how}: {path} (API version {have}; these bindings need {API_VERSION} or later)")
                continue
            _state.update(ffi=ffi, lib=lib, path=path)
            return ffi, lib
        raise OSError(
            "libvastplot was not found; tried:\n  - " + "\n  - ".join(tried) +
            "\nBuild it (cmake -S . -B build && cmake --build build: build/libvastplot.so) and set "
            "VASTPLOT_LIBRARY=/path/to/libvastplot.so, or install it where the loader finds it.")


def library_path():
    """The path (or name) the library was loaded from, loading it if needed."""
    load()
    return _state["path"]
