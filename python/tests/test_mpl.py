"""vastplot.mpl.density: exact counts of the current view at the pixel size."""
import io

import numpy as np
import pytest


@pytest.fixture
def fig_ax(mpl):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def make(**kw):
        fig = Figure(**kw)
        FigureCanvasAgg(fig)
        return fig
    return make


@pytest.fixture(scope="module")
def xy():
    rng = np.random.default_rng(5)
    x = rng.normal(size=400_000)
    y = (x ** 2 + rng.normal(size=len(x)) * 0.5).astype(np.float32)
    return x, y


def check_exact(vp, im):
    """The artist's array is histogram2d of its axes' view at its pixel size."""
    ax = im.axes
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x0_, x1_, y0_, y1_, w, h = im.last_view
    assert (x0_, x1_, y0_, y1_) == (x0, x1, y0, y1)
    A = np.asarray(im.get_array())
    assert A.shape == (h, w)
    x, y = im._plot._keep
    H, _, _ = vp.histogram2d(x, y, bins=[w, h], range=[[x0, x1], [y0, y1]])
    assert np.array_equal(A, H.T), f"{np.sum(A != H.T)} pixels differ"
    return w, h


def test_zoom_recounts(vp, fig_ax, xy):
    from matplotlib.colors import LogNorm
    fig = fig_ax(figsize=(6.4, 4.8), dpi=100)
    ax = fig.add_subplot()
    x, y = xy
    im = vp.mpl.density(ax, x, y, cmap="viridis", norm=LogNorm())
    cb = fig.colorbar(im)
    fig.canvas.draw()
    w, h = check_exact(vp, im)
    # the image is as big as the axes on the canvas (matplotlib's rounding up)
    bb = ax.bbox
    assert (w, h) == (int(np.ceil(bb.width)), int(np.ceil(bb.height)))
    # a simulated zoom
    ax.set_xlim(-0.5, 0.25)
    ax.set_ylim(0.1, 0.6)
    fig.canvas.draw()
    check_exact(vp, im)
    assert im.norm.vmax == np.asarray(im.get_array()).max()
    assert cb.mappable is im and cb.vmax == pytest.approx(im.norm.vmax)
    # savefig at another dpi counts at that size
    buf = io.BytesIO()
    fig.savefig(buf, dpi=250, format="png")
    w2, h2 = check_exact(vp, im)
    assert w2 > 2 * w and h2 > 2 * h
    # a pan with the same size and an inverted axis keep every sample counted
    ax.set_xlim(2, -2)
    fig.canvas.draw()
    A = np.asarray(im.get_array())
    x0, x1, y0, y1, w, h = im.last_view
    Hf, _, _ = vp.histogram2d(x, y, bins=[w, h], range=[[-2, 2], [y0, y1]])
    assert A.sum() == Hf.sum()
    assert np.mean(A != Hf.T[:, ::-1]) < 0.01


def test_zoom_equals_cli(vp, cli, fig_ax, xy, tmp_path):
    """After a zoom, the artist's counts are the command line's render of the
    same view at the same size (--save-counts), row for row."""
    import subprocess
    fig = fig_ax(figsize=(5, 4), dpi=80)
    ax = fig.add_subplot()
    x, y = xy
    im = vp.mpl.density(ax, x, y)
    fig.canvas.draw()
    ax.set_xlim(-1.5, 0.75)
    ax.set_ylim(-0.2, 1.9)
    fig.canvas.draw()
    x0, x1, y0, y1, w, h = im.last_view
    raw = tmp_path / "xy.f64"
    np.stack([x.astype(np.float64), y.astype(np.float64)], axis=1).tofile(raw)
    out = tmp_path / "counts.npy"
    r = subprocess.run([cli, "render", str(raw), "--dtype", "f64", "--columns", "2", "--size", f"{w}x{h}",
                        "--xlim", repr(float(x0)), repr(float(x1)), "--ylim", repr(float(y0)), repr(float(y1)),
                        "-o", str(tmp_path / "p.png"), "--save-counts", str(out), "--quiet", "--no-cache"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    want = np.flipud(np.load(out)).astype(np.float64)  # the CLI's row 0 is the top
    A = np.asarray(im.get_array())
    assert A.shape == want.shape
    assert np.array_equal(A, want), f"{np.sum(A != want)} pixels differ from the CLI's counts"


def test_pixels_on_canvas(vp, fig_ax, xy):
    """One count per canvas pixel: a pixel is lit exactly where its count is not 0."""
    from matplotlib.colors import ListedColormap, Normalize
    fig = fig_ax(figsize=(4, 3), dpi=100)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])  # 320 x 240 pixels from (40, 30)
    ax.set_axis_off()
    x, y = xy
    im = vp.mpl.density(ax, x, y, cmap=ListedColormap(["black", "white"]), norm=Normalize(0, 0.5))
    ax.set_xlim(-3, 3)
    ax.set_ylim(-1, 6)
    fig.canvas.draw()
    w, h = check_exact(vp, im)
    assert (w, h) == (320, 240)
    buf = np.asarray(fig.canvas.buffer_rgba())
    shown = buf[300 - 30 - 240:300 - 30, 40:360, 0] > 127  # top row first
    lit = np.asarray(im.get_array())[::-1] > 0
    assert np.array_equal(shown, lit), f"{np.sum(shown != lit)} pixels differ"


def test_normalize_and_defaults(vp, fig_ax, xy):
    from matplotlib.colors import Normalize
    fig = fig_ax(dpi=72)
    ax = fig.add_subplot()
    x, y = xy
    im = vp.mpl.density(ax, x[:1000], y[:1000])  # default cmap and norm
    assert ax.get_xlim() == (x[:1000].min(), x[:1000].max())  # the data's bounds, no margins
    fig.colorbar(im)
    fig.canvas.draw()
    check_exact(vp, im)
    fixed = vp.mpl.density(ax, x, y, norm=Normalize(0, 3), alpha=0.5)
    fig.canvas.draw()
    assert (fixed.norm.vmin, fixed.norm.vmax) == (0, 3)
    check_exact(vp, fixed)
    assert im.stats["records"] == 1000
    with pytest.raises(AttributeError):
        im.set_data(np.zeros((2, 2)))
