"""The handle (Plot) over libvastplot, and the numpy-shaped functions on it."""
import math
import operator
import os
import threading
import warnings

import numpy as np

from . import _lib

__all__ = ["Plot", "VastplotError", "VastplotCopyWarning", "histogram2d", "render", "render_file",
           "MAX_BINS"]

MAX_BINS = 65536  # the library's largest grid side

# numpy dtype (kind, itemsize) -> vastplot_dtype
_DTYPES = {("f", 4): 0, ("f", 8): 1, ("i", 1): 2, ("i", 2): 3, ("i", 4): 4, ("i", 8): 5,
           ("u", 1): 6, ("u", 2): 7, ("u", 4): 8, ("u", 8): 9}


class VastplotError(RuntimeError):
    """A call into libvastplot failed; the message is the library's."""


class VastplotCopyWarning(UserWarning):
    """An input could not be passed zero-copy and was converted (a copy)."""


def _column(a, name):
    """(array the library reads, vastplot_dtype) for a 1-D input: numpy arrays
    (and memmaps, and strided views) as they are; other sequences through
    np.asarray. Only a non-native byte order or a float16 makes a copy, with
    a VastplotCopyWarning; bool is read as uint8 (a view)."""
    if not isinstance(a, np.ndarray):
        a = np.asarray(a)
        if a.dtype == object:
            raise TypeError(f"{name}: expected numbers, got an array of Python objects")
    if a.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got {a.ndim}-D of shape {a.shape}")
    dt = a.dtype
    if dt.kind == "b":
        a = a.view(np.uint8)
        dt = a.dtype
    if dt.kind == "f" and dt.itemsize == 2:
        warnings.warn(f"{name}: float16 is not a vastplot dtype; converted to float32 (a copy of "
                      f"{a.size * 4} bytes)", VastplotCopyWarning, stacklevel=3)
        a = a.astype(np.float32)
        dt = a.dtype
    code = _DTYPES.get((dt.kind, dt.itemsize))
    if code is None:
        raise TypeError(f"{name}: dtype {dt} is not supported (float32, float64, int8..int64, "
                        f"uint8..uint64)")
    if not dt.isnative:
        warnings.warn(f"{name}: {dt.str} is not in the machine's byte order; converted to "
                      f"{dt.newbyteorder('=').str} (a copy of {a.size * dt.itemsize} bytes)",
                      VastplotCopyWarning, stacklevel=3)
        a = a.astype(dt.newbyteorder("="))
    return a, code


class Plot:
    """One libvastplot handle: data (arrays, zero-copy, or files), a view
    and a look. The arrays given must not change while the handle lives (it
    keeps a reference to them). Calls on one Plot are serialised."""

    def __init__(self, ptr, keep, ffi, lib):
        self._ffi, self._lib = ffi, lib
        self._p = ffi.gc(ptr, lib.vastplot_destroy)
        self._keep = keep
        self._lock = threading.RLock()
        self.stats = None  # the last counts'/picture's totals (records, drawn, nonfinite)

    # ---- creation ----
    @classmethod
    def from_arrays(cls, x, y):
        """A handle over two 1-D arrays of the same length (see _column)."""
        ffi, lib = _lib.load()
        xa, xc = _column(x, "x")
        ya, yc = _column(y, "y")
        if xa.shape[0] != ya.shape[0]:
            raise ValueError(f"x and y differ in length ({xa.shape[0]} and {ya.shape[0]})")
        cols = []
        for a, code in ((xa, xc), (ya, yc)):
            cols.append(ffi.new("vastplot_array *", {
                "data": ffi.cast("const void *", a.__array_interface__["data"][0]),
                "dtype": code, "stride": a.strides[0], "count": a.shape[0]}))
        err = ffi.new("char[]", lib.VASTPLOT_ERROR_BYTES)
        p = lib.vastplot_from_arrays(cols[0], cols[1], err)
        if p == ffi.NULL:
            raise VastplotError(ffi.string(err).decode("utf-8", "replace"))
        return cls(p, (xa, ya), ffi, lib)

    @classmethod
    def from_args(cls, *words):
        """A handle over files, with the words of `vastplot render` (inputs
        and options, no -o): Plot.from_args("data.f32", "--dtype", "f32")."""
        ffi, lib = _lib.load()
        keep, argv = _argv(ffi, words)
        err = ffi.new("char[]", lib.VASTPLOT_ERROR_BYTES)
        p = lib.vastplot_from_args(len(keep), argv, err)
        if p == ffi.NULL:
            raise VastplotError(ffi.string(err).decode("utf-8", "replace"))
        return cls(p, None, ffi, lib)

    def _fail(self):
        raise VastplotError(self._ffi.string(self._lib.vastplot_error(self._p)).decode("utf-8", "replace"))

    # ---- view and look ----
    def configure(self, *words):
        """View and look options as the command line's words (--size WxH,
        --xlim A B, --tonemap, --colormap, --overlay, ...)."""
        with self._lock:
            keep, argv = _argv(self._ffi, words)
            if self._lib.vastplot_configure(self._p, len(keep), argv) != 0:
                self._fail()
        return self

    def view(self, *words):
        """The vastplot viewer (an SDL window, as `vastplot view`) on this
        handle's data, arrays without a copy; blocks until the window is
        closed. words: the viewer's options (--size, --colormap,
        --fullscreen, --script FILE, ...)."""
        with self._lock:
            keep, argv = _argv(self._ffi, words)
            if self._lib.vastplot_view(self._p, len(keep), argv) != 0:
                self._fail()
        return self

    def bounds(self):
        """(xmin, xmax, ymin, ymax) of the finite samples, or None when there is none."""
        with self._lock:
            out = self._ffi.new("double[4]")
            if self._lib.vastplot_bounds(self._p, out) != 0:
                return None
            return tuple(out)

    def set_view(self, x0, x1, y0, y1, width, height):
        """The grid: data limits (x0 left, x1 right, y0 bottom, y1 top) and its size."""
        with self._lock:
            if self._lib.vastplot_set_view(self._p, float(x0), float(x1), float(y0), float(y1),
                                           operator.index(width), operator.index(height)) != 0:
                self._fail()
        return self

    def get_view(self):
        """((x0, x1, y0, y1), width, height) in effect."""
        with self._lock:
            lim = self._ffi.new("double[4]")
            w = self._ffi.new("int *")
            h = self._ffi.new("int *")
            self._lib.vastplot_get_view(self._p, lim, w, h)
            return tuple(lim), w[0], h[0]

    def _stats(self, st):
        self.stats = {"records": st.records, "drawn": st.drawn, "nonfinite": st.nonfinite}

    # ---- results ----
    def counts(self, out=None):
        """The exact count grid of the view: a (height, width) uint64 array,
        row 0 the LOWEST y (counts[iy, ix])."""
        with self._lock:
            _, w, h = self.get_view()
            if out is None:
                out = np.empty((h, w), np.uint64)
            elif out.shape != (h, w) or out.dtype != np.uint64 or not out.flags.c_contiguous:
                raise ValueError(f"out must be a C-contiguous uint64 array of shape {(h, w)}")
            st = self._ffi.new("vastplot_stats *")
            if self._lib.vastplot_counts(self._p, self._ffi.from_buffer("uint64_t[]", out, require_writable=True),
                                         st) != 0:
                self._fail()
            self._stats(st)
            return out

    def rgba(self):
        """The picture of the view: (height, width, 4) uint8, row 0 the TOP
        row, as `vastplot render` writes it (needs OpenGL through EGL)."""
        with self._lock:
            _, w, h = self.get_view()
            out = np.empty((h, w, 4), np.uint8)
            st = self._ffi.new("vastplot_stats *")
            if self._lib.vastplot_rgba(self._p, self._ffi.from_buffer("uint8_t[]", out, require_writable=True),
                                       st) != 0:
                self._fail()
            self._stats(st)
            return out

    def refine_start(self):
        """Starts counting the view progressively, in the background."""
        with self._lock:
            if self._lib.vastplot_refine_start(self._p) != 0:
                self._fail()
        return self

    def refine_snapshot(self):
        """(counts so far as counts() gives them, done in [0, 1])."""
        with self._lock:
            _, w, h = self.get_view()
            out = np.empty((h, w), np.uint64)
            done = self._ffi.new("double *")
            if self._lib.vastplot_refine_snapshot(self._p, self._ffi.from_buffer("uint64_t[]", out,
                                                                                   require_writable=True),
                                                  done) != 0:
                self._fail()
            return out, done[0]

    def close(self):
        """Frees the handle now (else when it is garbage)."""
        with self._lock:
            if self._p is not None:
                self._ffi.release(self._p)
                self._p = None
                self._keep = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _argv(ffi, words):
    keep = []
    for w in words:
        if isinstance(w, bytes):
            b = w
        elif isinstance(w, (str, os.PathLike)):
            b = os.fsencode(w)
        elif isinstance(w, (int, float, np.integer, np.floating)) and not isinstance(w, bool):
            b = _num(w).encode()
        else:
            raise TypeError(f"a word must be a str, bytes, path or number, got {type(w).__name__}")
        if b"\0" in b:
            raise ValueError(f"a word holds a NUL byte: {b!r}")
        keep.append(ffi.new("char[]", b))
    argv = ffi.new("const char *[]", keep + [ffi.NULL])
    return keep, argv


def _num(v):
    """A number as a word the library parses back to the same double."""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))


# ---- numpy.histogram2d ---------------------------------------------------------------

def _bins2(bins):
    """[nx, ny] from histogram2d's bins, as numpy checks them."""
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n != 1 and n != 2:
        raise NotImplementedError(
            "vastplot.histogram2d takes bin counts only (an int or [nx, ny]); arrays of bin edges "
            "are not supported (the library bins on uniform edges, numpy.linspace(lo, hi, n + 1)): "
            "use numpy.histogram2d for explicit edges")
    if n == 1 and np.ndim(bins) == 0:
        bins = [bins, bins]
    elif n == 1:
        raise ValueError("The dimension of bins must be equal to the dimension of the sample x.")
    out = []
    for i, b in enumerate(bins):
        if np.ndim(b) != 0:
            raise NotImplementedError(
                f"bins[{i}] is an array of edges; vastplot.histogram2d takes bin counts only (an int "
                f"or [nx, ny]): use numpy.histogram2d for explicit edges")
        if b < 1:
            raise ValueError(f"`bins[{i}]` must be positive, when an integer")
        try:
            k = operator.index(b)
        except TypeError as e:
            raise TypeError(f"`bins[{i}]` must be an integer, when a scalar") from e
        if k > MAX_BINS:
            raise ValueError(f"bins[{i}] = {k}: vastplot grids have at most {MAX_BINS} bins per axis")
        out.append(k)
    return out


def _outer_edges(a, common, rng, mm=None):
    """numpy's _get_outer_edges for one axis (a the column, compared in the
    samples' common dtype as numpy stacks them; mm: its finite min and max
    from the library, when every sample is known to be finite)."""
    if rng is None and mm is not None:
        first, last = common.type(mm[0]), common.type(mm[1])
    elif rng is not None:
        first, last = rng
        if first > last:
            raise ValueError("max must be larger than min in range parameter.")
        if not (np.isfinite(first) and np.isfinite(last)):
            raise ValueError(f"supplied range of [{first}, {last}] is not finite")
    elif a.size == 0:
        first, last = 0, 1
    else:
        first, last = common.type(a.min()), common.type(a.max())
        if not (np.isfinite(first) and np.isfinite(last)):
            raise ValueError(f"autodetected range of [{first}, {last}] is not finite")
    if first == last:
        first = first - 0.5
        last = last + 0.5
    return first, last


_NARROW_FLOATS = (np.dtype(np.float16), np.dtype(np.float32))
_quirk = []


def _narrow_edge_quirk():
    """Whether this numpy compares float32 samples with the last edge (a
    float64 scalar) in float32: numpy 1.x's value-based casting does, so its
    histogramdd moves a sample equal to float32(last edge) one bin down
    (`on_edge = sample == edges[-1]`); numpy 2 (NEP 50) compares in float64."""
    if not _quirk:
        e = np.linspace(0.1, 0.7, 3)
        _quirk.append(bool((np.array([0.7], np.float32) == e[-1])[0]))
    return _quirk[0]


def _narrow_last_edge(p, H, common, lim, xedges, yedges):
    """numpy's rule for float32 (float16) samples equal to the last edge
    rounded to their dtype, when that is not the edge itself (see
    _narrow_edge_quirk): such a sample goes one bin below the one the edges
    give (dropped below the first), or into the last bin when above the
    edge. The library counts by the edges; the samples concerned are counted
    again on one-ulp views around that value and moved (H is changed)."""
    axes = []
    for (lo, hi), e in (((lim[0], lim[1]), xedges), ((lim[2], lim[3]), yedges)):
        c = float(common.type(hi))
        if c == hi or not math.isfinite(c):
            axes.append(None)
            continue
        n = len(e) - 1
        idx = int(np.searchsorted(e, c, side="right"))
        nb = idx - 1 if 0 <= idx - 1 < n else None   # by the edges (the library's)
        qb = idx - 2 if 0 <= idx - 2 < n else None   # numpy's
        axes.append((c, float(np.nextafter(c, np.inf)), nb, qb))
    ax, ay = axes
    nx, ny = H.shape
    if ax is not None:
        k = p.set_view(ax[0], ax[1], lim[2], lim[3], 1, ny).counts()[:, 0].astype(np.float64)
        if k.any():
            if ax[2] is not None:
                H[ax[2], :] -= k
            if ax[3] is not None:
                H[ax[3], :] += k
    if ay is not None:
        k = p.set_view(lim[0], lim[1], ay[0], ay[1], nx, 1).counts()[0, :].astype(np.float64)
        if k.any():
            if ay[2] is not None:
                H[:, ay[2]] -= k
            if ay[3] is not None:
                H[:, ay[3]] += k
    if ax is not None and ay is not None:
        j = float(p.set_view(ax[0], ax[1], ay[0], ay[1], 1, 1).counts()[0, 0])
        if j:
            # both moves above applied to these samples; make it the one move (qx, qy)
            for bx, by, sign in ((ax[2], ay[2], 1), (ax[3], ay[2], -1), (ax[2], ay[3], -1), (ax[3], ay[3], 1)):
                if bx is not None and by is not None:
                    H[bx, by] += sign * j


def histogram2d(x, y, bins=10, range=None, density=None, weights=None, *, _numpy_bounds=False):
    """numpy.histogram2d(x, y, bins, range), counted by libvastplot on all
    cores, reading x and y in place (any 1-D array, memmap or strided view of
    float32/64, int8..64, uint8..64; nothing is copied).

    Returns (H, xedges, yedges) as numpy does: H float64 of shape (nx, ny),
    the edges numpy.linspace(lo, hi, n + 1). bins: an int or [nx, ny] (bin
    edges: NotImplementedError). range: [[xmin, xmax], [ymin, ymax]] (either
    may be None), or None: the data's min/max (ValueError when not finite);
    a flat range is widened by 0.5 each side. Non-finite samples are not
    counted. weights: not supported (NotImplementedError)."""
    if weights is not None:
        raise NotImplementedError("vastplot.histogram2d counts samples; weights are not supported")
    x = x if isinstance(x, np.ndarray) else np.asarray(x)
    y = y if isinstance(y, np.ndarray) else np.asarray(y)
    # numpy stacks x and y into one array: their common dtype is what it compares
    common = np.result_type(x.dtype, y.dtype)
    xa, _ = _column(x, "x")
    ya, _ = _column(y, "y")
    if xa.shape[0] != ya.shape[0]:
        raise ValueError(f"x and y differ in length ({xa.shape[0]} and {ya.shape[0]})")
    nx, ny = _bins2(bins)
    if range is None:
        range = (None, None)
    elif len(range) != 2:
        raise ValueError("range argument must have one entry per dimension")
    if common.kind not in "biuf":
        common = np.dtype(np.float64)
    # the data's min and max from the library (one pass on all cores, not numpy's two
    # single-threaded ones a column) where a double holds every value of the common dtype;
    # a non-finite sample then fails after the count, as numpy's min would before it
    lib_bounds = None
    check_finite = False
    if not _numpy_bounds and (range[0] is None or range[1] is None) and xa.shape[0] > 0 and \
            (common.kind == "f" or (common.kind in "iub" and common.itemsize <= 4)):
        with Plot.from_arrays(xa, ya) as p:
            lib_bounds = p.bounds()  # None: no finite sample
        check_finite = lib_bounds is not None
    xlo, xhi = _outer_edges(xa, common, range[0], lib_bounds and lib_bounds[0:2])
    ylo, yhi = _outer_edges(ya, common, range[1], lib_bounds and lib_bounds[2:4])
    xedges = np.linspace(xlo, xhi, nx + 1)
    yedges = np.linspace(ylo, yhi, ny + 1)
    if xa.shape[0] == 0:
        H = np.zeros((nx, ny))
    else:
        with Plot.from_arrays(xa, ya) as p:
            # the limits as linspace takes them (asanyarray(v) * 1.0)
            lim = [float(np.asanyarray(v) * 1.0) for v in (xlo, xhi, ylo, yhi)]
            # an axis whose edges are all one double (integers far apart from 0, closer than
            # a double's resolution): numpy puts the samples equal to it in the last bin
            flat = [lim[0] == lim[1], lim[2] == lim[3]]
            v = list(lim)
            for i in (0, 1):
                if flat[i]:
                    v[2 * i + 1] = float(np.nextafter(v[2 * i], np.inf))
            try:
                p.set_view(v[0], v[1], v[2], v[3], 1 if flat[0] else nx, 1 if flat[1] else ny)
            except VastplotError as e:
                raise ValueError(f"range [[{xlo}, {xhi}], [{ylo}, {yhi}]]: {e}") from None
            H = p.counts().T.astype(np.float64)
            if check_finite and p.stats["nonfinite"]:
                # the library's bounds skipped them; numpy's min and max decide (and raise
                # "autodetected range ... is not finite" where numpy does), then count again
                return histogram2d(x, y, bins, range, density, _numpy_bounds=True)
            if flat[0] or flat[1]:
                full = np.zeros((nx, ny))
                full[-1 if flat[0] else slice(None), -1 if flat[1] else slice(None)] = \
                    H[0] if flat[0] and not flat[1] else (H[:, 0] if flat[1] and not flat[0] else H[0, 0])
                H = full
            elif common in _NARROW_FLOATS and _narrow_edge_quirk():
                _narrow_last_edge(p, H, common, lim, xedges, yedges)
    if density:
        s = H.sum()
        H = H / np.diff(xedges).reshape(nx, 1)
        H = H / np.diff(yedges).reshape(1, ny)
        H /= s
    return H, xedges, yedges


# ---- pictures --------------------------------------------------------------------------

def _look_words(width, height, xlim, ylim, cmap, tonemap, overlay, options):
    words = ["--size", f"{operator.index(width)}x{operator.index(height)}"]
    for name, lim in (("--xlim", xlim), ("--ylim", ylim)):
        if lim is not None:
            a, b = lim
            words += [name, _num(a), _num(b)]
    if cmap is not None:
        if not isinstance(cmap, str):
            cmap = getattr(cmap, "name", None)
            if not isinstance(cmap, str):
                raise TypeError("cmap: a colormap name (vastplot's, e.g. 'inferno', 'viridis_r')")
        words += ["--colormap", cmap]
    if tonemap is not None:
        words += ["--tonemap", tonemap]
    if overlay:
        words.append("--overlay")
    for key, v in options.items():
        word = "--" + key.replace("_", "-")
        if v is True:
            words.append(word)
        elif v is False or v is None:
            continue
        elif isinstance(v, (tuple, list)):
            words += [word] + [_num(e) if not isinstance(e, str) else e for e in v]
        else:
            words += [word, v if isinstance(v, str) else _num(v)]
    return words


def render(x, y, width=1920, height=1080, xlim=None, ylim=None, cmap="inferno", tonemap="eq-hist",
           overlay=False, **options):
    """The picture `vastplot render` makes of the samples: (height, width, 4)
    uint8 RGBA, row 0 the top. xlim/ylim (lo, hi): the view (default: the
    data's bounds); cmap: a vastplot colormap name; tonemap: linear, log,
    sqrt, cbrt or eq-hist; overlay: axes, labels and colorbar in the picture.
    Other look options as keywords (floor=0.2, background="#ffffff",
    point_size=2, title="...": the words --floor, --background, ...).
    Needs OpenGL 4.5 through EGL (a GPU, or Mesa's llvmpipe)."""
    with Plot.from_arrays(x, y) as p:
        p.configure(*_look_words(width, height, xlim, ylim, cmap, tonemap, overlay, options))
        return p.rgba()


def render_file(*args, **options):
    """The picture of files, with the words of `vastplot render` (no -o):
    render_file("data.f32", "--dtype", "f32", "--size", "800x600"). Keywords
    add options as render's do (width=800, height=600 together; tonemap="log")."""
    with Plot.from_args(*args) as p:
        width = options.pop("width", None)
        height = options.pop("height", None)
        words = []
        if (width is None) != (height is None):
            raise TypeError("render_file: give width and height together (or --size WxH)")
        if width is not None:
            words += ["--size", f"{operator.index(width)}x{operator.index(height)}"]
        cmap = options.pop("cmap", None)
        if cmap is not None:
            options["colormap"] = cmap
        for k in ("xlim", "ylim"):
            if options.get(k) is None:
                options.pop(k, None)
        if options.pop("overlay", False):
            words.append("--overlay")
        words += _look_words(1, 1, None, None, None, None, False, options)[2:]
        if words:
            p.configure(*words)
        return p.rgba()
