"""vastplot: exact density images of very many (x, y) samples, from Python.

Bindings (cffi, ABI mode) to libvastplot, the engine of the vastplot
command line. Arrays are read in place (numpy arrays, memmaps, strided
views: zero-copy); every sample is counted, on all cores.

    H, xe, ye = vastplot.histogram2d(x, y, bins=512)   # == numpy.histogram2d
    img = vastplot.render(x, y, width=800, height=600)  # RGBA, as `vastplot render`
    vastplot.mpl.density(ax, x, y)                       # a matplotlib artist, exact at any zoom

The library is loaded on first use: $VASTPLOT_LIBRARY, else a copy next to
this package, else the system's libvastplot.so.1 (see vastplot._lib).
"""
from ._core import (MAX_BINS, Plot, VastplotCopyWarning, VastplotError, histogram2d, render,
                    render_file)

__version__ = "0.1.0"

__all__ = ["histogram2d", "render", "render_file", "show", "Plot", "VastplotError",
           "VastplotCopyWarning", "MAX_BINS", "library_version", "library_path", "mpl"]


def library_version():
    """The loaded libvastplot's version text."""
    from . import _lib
    ffi, lib = _lib.load()
    return ffi.string(lib.vastplot_version()).decode()


def library_path():
    """Where libvastplot was loaded from (loading it if needed)."""
    from . import _lib
    return _lib.library_path()


def show(x, y, *words, cmap=None, size=None, script=None):
    """The vastplot viewer (an SDL window with the command line's viewer:
    pan, zoom, exact progressive counts, screenshots) on the arrays, read in
    place (zero-copy, like histogram2d's inputs); blocks until the window is
    closed. words: more viewer options, e.g. "--fullscreen"; script: a viewer
    script file (README: the viewer's script commands). Needs a display; a
    matplotlib window instead: vastplot.mpl.show."""
    args = list(words)
    if cmap is not None:
        args += ["--colormap", cmap]
    if size is not None:
        w, h = size
        args += ["--size", f"{int(w)}x{int(h)}"]
    if script is not None:
        args += ["--script", str(script)]
    with Plot.from_arrays(x, y) as p:
        p.view(*args)


def __getattr__(name):
    if name == "mpl":  # vastplot.mpl without importing matplotlib at `import vastplot`
        import importlib
        return importlib.import_module(".mpl", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
