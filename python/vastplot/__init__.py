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


def show(x, y, cmap=None, norm=None, block=None, **kw):
    """An interactive window of the samples through matplotlib (pyplot):
    a vastplot.mpl.density artist with a colorbar, re-counted exactly at the
    screen's resolution on every zoom and pan. Returns the artist."""
    import matplotlib.pyplot as plt

    from . import mpl as _mpl
    fig, ax = plt.subplots()
    art = _mpl.density(ax, x, y, cmap=cmap, norm=norm, **kw)
    fig.colorbar(art, ax=ax, label="samples per pixel")
    plt.show(block=block)
    return art


def __getattr__(name):
    if name == "mpl":  # vastplot.mpl without importing matplotlib at `import vastplot`
        import importlib
        return importlib.import_module(".mpl", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
