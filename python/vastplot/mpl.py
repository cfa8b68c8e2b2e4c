"""A matplotlib artist that counts every sample at the screen's resolution.

    from vastplot.mpl import density
    im = density(ax, x, y, cmap="viridis", norm=LogNorm())
    fig.colorbar(im)

On every draw, the artist asks libvastplot for the exact count grid of the
axes' current view limits at the image's size in device pixels (the figure's
dpi, savefig's dpi, a vector backend's image magnification), so zooming and
panning re-aggregate exactly; no sample is dropped or subsampled. The grid is
shown with matplotlib's colormaps and norms (Normalize, LogNorm, ...), and
fig.colorbar works on the artist. Linear axes only.
"""
import math
import warnings

import numpy as np
from matplotlib.image import AxesImage
from matplotlib.transforms import Bbox, TransformedBbox

from ._core import MAX_BINS, Plot

__all__ = ["DensityImage", "density", "show"]


class DensityImage(AxesImage):
    """An AxesImage whose data is vastplot's count grid of the axes' view,
    recomputed when the view or the pixel size changes (float64 counts;
    zeros are 0, which a LogNorm shows as 'bad', i.e. transparent).

    last_view: (x0, x1, y0, y1, width, height) of the grid shown last;
    get_array(): that grid, (height, width), row 0 the lowest y."""

    def __init__(self, ax, x, y, cmap=None, norm=None, autoscale_norm=None, **kwargs):
        kwargs.setdefault("interpolation", "nearest")
        kwargs.setdefault("origin", "lower")
        if kwargs["origin"] != "lower":
            raise ValueError("DensityImage: origin is 'lower' (row 0 is the lowest y)")
        super().__init__(ax, cmap=cmap, norm=norm, **kwargs)
        self._plot = Plot.from_arrays(x, y)
        # a norm given with its limits keeps them; else they follow each grid
        self._autoscale = (autoscale_norm if autoscale_norm is not None
                           else (norm is None or (norm.vmin is None and norm.vmax is None)))
        self.last_view = None
        self._extent = None
        b = self._plot.bounds()
        self.data_bounds = b
        self._warned_scale = False

    # the image always covers the view; AxesImage.set_extent would touch the data limits
    def get_extent(self):
        if self._extent is not None:
            return self._extent
        b = self.data_bounds or (0.0, 1.0, 0.0, 1.0)
        return (b[0], b[1], b[2], b[3])

    def set_extent(self, extent, **kwargs):
        raise AttributeError("a DensityImage's extent is the axes' view; set the axes' limits")

    def pixel_size(self, renderer=None, magnification=None):
        """(width, height) in device pixels that matplotlib's image resampling
        gives the view (AxesImage._make_image's rounding), so the grid is
        drawn one count per pixel."""
        ax = self.axes
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        if magnification is None:
            magnification = renderer.get_image_magnification() if renderer is not None else 1.0
        tb = TransformedBbox(Bbox([[x0, y0], [x1, y1]]), self.get_transform())
        clip = ((self.get_clip_box() or ax.bbox) if self.get_clip_on() else self.figure.bbox)
        cb = Bbox.intersection(tb, clip)
        if cb is None:
            return 0, 0
        wb, hb = cb.width * magnification, cb.height * magnification
        if wb % 1.0 != 0.0 or hb % 1.0 != 0.0:
            return math.ceil(wb), math.ceil(hb)
        return int(wb), int(hb)

    def update_grid(self, renderer=None, magnification=None):
        """Counts the current view at its pixel size (when it changed)."""
        ax = self.axes
        if (ax.get_xscale(), ax.get_yscale()) != ("linear", "linear") and not self._warned_scale:
            warnings.warn("vastplot.mpl.density bins linearly in data coordinates; on log axes the "
                          "pixels are not the bins", stacklevel=2)
            self._warned_scale = True
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        w, h = self.pixel_size(renderer, magnification)
        w, h = min(max(w, 1), MAX_BINS), min(max(h, 1), MAX_BINS)
        view = (float(x0), float(x1), float(y0), float(y1), w, h)
        if view == self.last_view:
            return False
        self._plot.set_view(*view)
        counts = self._plot.counts()
        self.last_view = view
        self._extent = (view[0], view[1], view[2], view[3])
        AxesImage.set_data(self, counts.astype(np.float64))
        if self._autoscale:
            n = self.norm
            before = (n.vmin, n.vmax)
            # the new limits at once: a colorbar listening to the norm never sees them unset
            with n.callbacks.blocked():
                n.vmin = n.vmax = None
                n.autoscale_None(self.get_array())
                if n.vmin is None or n.vmax is None:  # nothing to scale on (a LogNorm, no sample)
                    n.vmin, n.vmax = 1.0, 10.0
            if (n.vmin, n.vmax) != before:
                n.callbacks.process("changed")
        return True

    def set_data(self, A):
        if getattr(self, "_plot", None) is not None:
            raise AttributeError("a DensityImage's data are its counts; make another artist for other data")
        super().set_data(A)

    def draw(self, renderer, *args, **kwargs):
        if not self.get_visible():
            return
        self.update_grid(renderer)
        super().draw(renderer, *args, **kwargs)
        self.stale = False

    @property
    def stats(self):
        """The last grid's totals: records, drawn (inside the view), nonfinite."""
        return self._plot.stats


def density(ax, x, y, cmap=None, norm=None, **kwargs):
    """Adds a DensityImage of the samples (x, y) to the axes and returns it.

    cmap, norm: as imshow's (e.g. norm=matplotlib.colors.LogNorm()); a norm
    without vmin/vmax is rescaled to each grid (autoscale_norm=False keeps
    the first). Other keywords go to AxesImage (alpha, zorder, ...). The
    axes' data limits take the samples' bounds (autoscaled like a scatter
    plot, without margins)."""
    im = DensityImage(ax, x, y, cmap=cmap, norm=norm, **kwargs)
    ax.add_image(im)
    b = im.data_bounds
    if b is not None:
        x0, x1, y0, y1 = b
        if x0 == x1:
            x0, x1 = x0 - 0.5, x1 + 0.5
        if y0 == y1:
            y0, y1 = y0 - 0.5, y1 + 0.5
        im.sticky_edges.x[:] = [x0, x1]
        im.sticky_edges.y[:] = [y0, y1]
        ax.update_datalim([(x0, y0), (x1, y1)])
        ax.autoscale_view()
    # a first grid, so that the norm (and a colorbar made now) has limits
    try:
        im.update_grid()
    except Exception:  # no renderer-independent size yet: the first draw makes it
        pass
    return im


def show(x, y, cmap=None, norm=None, block=None, **kw):
    """A matplotlib (pyplot) window of the samples: a density artist with a
    colorbar, re-counted exactly at the screen's resolution on every zoom and
    pan. Returns the artist. (vastplot.show opens vastplot's own viewer.)"""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    art = density(ax, x, y, cmap=cmap, norm=norm, **kw)
    fig.colorbar(art, ax=ax, label="samples per pixel")
    plt.show(block=block)
    return art
