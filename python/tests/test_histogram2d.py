"""vastplot.histogram2d against numpy.histogram2d: bit-equal results."""
import warnings

import numpy as np
import pytest

from conftest import assert_same

INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOATS = [np.float32, np.float64]


def both(vp, x, y, **kw):
    got = vp.histogram2d(x, y, **kw)
    want = np.histogram2d(x, y, **kw)
    assert_same(got, want)
    return got


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("bins", [10, 1, 7, [13, 5], (64, 200), [1, 333]])
def test_random_floats(vp, rng, dtype, bins):
    x = rng.normal(size=200_000).astype(dtype)
    y = (rng.standard_cauchy(size=200_000) * 0.1).astype(dtype)
    both(vp, x, y, bins=bins)
    both(vp, x, y, bins=bins, range=[[-1, 2], [-0.5, 0.25]])


def test_mixed_dtypes(vp, rng):
    x = rng.normal(size=50_000).astype(np.float32)
    y = rng.integers(-1000, 1000, size=50_000).astype(np.int16)
    both(vp, x, y, bins=[17, 31])
    both(vp, y, x.astype(np.float64), bins=40)
    both(vp, rng.integers(0, 2**63, size=5000, dtype=np.uint64), rng.integers(-2**63, 2**63 - 1, size=5000),
         bins=9)


def test_many_bins(vp, rng):
    x = rng.uniform(-1, 1, size=1_000_000)
    y = rng.uniform(-1, 1, size=1_000_000).astype(np.float32)
    both(vp, x, y, bins=[1000, 700])
    both(vp, x, y, bins=[3000, 11], range=[[-0.3, 0.3], [-1, 1]])


def test_range_none_per_axis(vp, rng):
    x, y = rng.normal(size=(2, 10_000))
    both(vp, x, y, bins=12, range=[None, [-1, 1]])
    both(vp, x, y, bins=12, range=[(-2, 2), None])
    both(vp, x, y, bins=12, range=(np.array([-2, 2.5]), (np.float32(-1.1), np.float32(0.7))))


@pytest.mark.parametrize("nx,ny", [(10, 10), (7, 3), (100, 1), (1000, 999)])
def test_samples_on_edges(vp, rng, nx, ny):
    """Samples exactly on numpy's edges, and one ulp either side."""
    lo, hi = -1.7, 2.3
    ylo, yhi = 0.1, 0.7
    xe = np.linspace(lo, hi, nx + 1)
    ye = np.linspace(ylo, yhi, ny + 1)
    xs = np.concatenate([xe, np.nextafter(xe, -np.inf), np.nextafter(xe, np.inf)])
    ys = np.concatenate([ye, np.nextafter(ye, -np.inf), np.nextafter(ye, np.inf)])
    x = rng.choice(xs, size=100_000)
    y = rng.choice(ys, size=100_000)
    both(vp, x, y, bins=[nx, ny], range=[[lo, hi], [ylo, yhi]])
    both(vp, x, y, bins=[nx, ny])  # the data's own min and max
    both(vp, x.astype(np.float32), y.astype(np.float32), bins=[nx, ny], range=[[lo, hi], [ylo, yhi]])


def test_edges_of_integer_grid(vp):
    """Integers on integer edges (bins the width of the range)."""
    x = np.repeat(np.arange(-50, 51, dtype=np.int32), 3)
    y = np.tile(np.arange(0, 101, dtype=np.uint8), 3)
    both(vp, x, y, bins=[100, 25])
    both(vp, x, y, bins=[101, 101], range=[[-50.5, 50.5], [-0.5, 100.5]])


def test_extreme_values(vp, rng):
    big = np.array([-1.7e308, 1.7e308, -1e300, 1e300, 0.0, -0.0, 5e-324, -5e-324, 2.2e-308])
    x = rng.choice(big, size=10_000)
    y = rng.choice(big[2:], size=10_000)
    both(vp, x, y, bins=8, range=[[-1e300, 1e300], [-1e300, 1e300]])
    both(vp, x, y, bins=[3, 5], range=[[-1e-300, 1e-300], [-1e-307, 1e-307]])
    tiny = rng.choice(np.array([5e-324, 1e-323, 1.5e-323, 0.0, -5e-324]), size=1000)
    both(vp, tiny, tiny, bins=4)
    f = np.array([np.finfo(np.float32).max, -np.finfo(np.float32).max, np.finfo(np.float32).tiny, 0],
                 np.float32)
    both(vp, rng.choice(f, 1000), rng.choice(f, 1000), bins=6, range=[[-1e38, 1e38], [-1e38, 1e38]])


def test_nonfinite(vp, rng):
    x = rng.normal(size=10_000)
    y = rng.normal(size=10_000)
    x[::7] = np.nan
    y[::11] = np.inf
    y[::13] = -np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's comparisons with NaN
        both(vp, x, y, bins=[20, 30], range=[[-2, 2], [-3, 3]])
    for xx, yy in ((x, np.zeros_like(x)), (np.zeros_like(y), y)):
        with pytest.raises(ValueError):
            np.histogram2d(xx, yy)
        with pytest.raises(ValueError, match="not finite"):
            vp.histogram2d(xx, yy)
    with pytest.raises(ValueError, match="not finite"):
        vp.histogram2d(x, y, range=[[0, np.inf], [0, 1]])


@pytest.mark.parametrize("dtype", INTS)
def test_ints(vp, rng, dtype):
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, size=30_000, dtype=dtype, endpoint=True)
    y = rng.integers(info.min, info.max, size=30_000, dtype=dtype, endpoint=True)
    x[:2] = [info.min, info.max]
    both(vp, x, y, bins=[10, 7])
    both(vp, x, y, bins=[33, 4], range=[[info.min, info.max], [info.min / 2 + info.max / 2, info.max]])
    small = rng.integers(0, 5, size=1000).astype(dtype)
    both(vp, small, small[::-1].copy(), bins=5)


def test_flat_and_single(vp):
    both(vp, np.full(100, 3.0), np.full(100, -2.0, np.float32), bins=4)  # widened by 0.5
    both(vp, np.array([7], np.int64), np.array([1], np.uint8), bins=[3, 2])
    both(vp, np.ones(10), np.arange(10.0), bins=3, range=[[1, 1], [0, 9]])
    both(vp, np.zeros(0), np.zeros(0), bins=[4, 3])
    both(vp, np.full(5, 2**62, np.int64), np.full(5, 2**62 + 1, np.int64), bins=2)


def test_strided_views(vp, rng):
    rec = rng.normal(size=(100_000, 3))
    x, y = rec[:, 0], rec[:, 2]  # interleaved records
    assert not x.flags.c_contiguous
    both(vp, x, y, bins=[21, 22])
    both(vp, x[::-1], y[::-1], bins=15)  # negative strides
    both(vp, x[::5], y[1::5], bins=[8, 9])
    both(vp, x[::-7], y[::7][::-1], bins=11)
    f = rec.astype(np.float32)
    both(vp, f[:, 1], f[:, 0], bins=19)
    # a broadcast column (stride 0)
    b = np.broadcast_to(np.float32(0.25), (len(x),))
    assert b.strides == (0,)
    both(vp, b, y, bins=[3, 10])
    # a structured record's fields: a stride of 12 bytes, an 8-byte field at offset 4 (unaligned)
    st = np.zeros(50_000, dtype=[("a", "<f4"), ("b", "<f8")])
    st["a"] = rng.normal(size=50_000)
    st["b"] = rng.normal(size=50_000)
    assert st["b"].strides == (12,)
    both(vp, st["a"], st["b"], bins=[10, 12])


def test_no_copy_of_inputs(vp, rng, monkeypatch):
    """The inputs reach the library as they are: never made contiguous."""
    calls = []
    real = np.ascontiguousarray
    monkeypatch.setattr(np, "ascontiguousarray", lambda *a, **k: calls.append(1) or real(*a, **k))
    rec = rng.normal(size=(1000, 2))
    vp.histogram2d(rec[:, 0], rec[:, 1], bins=4)
    assert not calls


def test_other_inputs(vp, rng):
    x = rng.normal(size=100).tolist()
    y = rng.normal(size=100).tolist()
    both(vp, x, y, bins=5)
    both(vp, np.array(x) > 0, np.array(y), bins=[2, 3])  # bool, read as uint8
    be = np.array(y, dtype=">f8")
    with pytest.warns(vp.VastplotCopyWarning, match="byte order"):
        got = vp.histogram2d(np.array(x), be, bins=6)
    assert_same(got, np.histogram2d(np.array(x), be, bins=6))
    h = np.array(x, np.float16)  # numpy keeps float16, vastplot reads it as float32
    with pytest.warns(vp.VastplotCopyWarning, match="float16"):
        got = vp.histogram2d(h, h, bins=6)
    assert_same(got, np.histogram2d(h, h, bins=6))


def test_density(vp, rng):
    x, y = rng.normal(size=(2, 5000))
    both(vp, x, y, bins=[10, 20], density=True)
    both(vp, x, y, bins=7, range=[[-1, 1], [0, 3]], density=True)


def test_bad_arguments(vp, rng):
    x, y = rng.normal(size=(2, 100))
    with pytest.raises(NotImplementedError, match="edges"):
        vp.histogram2d(x, y, bins=np.linspace(0, 1, 5))
    with pytest.raises(NotImplementedError, match="edges"):
        vp.histogram2d(x, y, bins=[np.linspace(0, 1, 5), 4])
    with pytest.raises(NotImplementedError, match="weights"):
        vp.histogram2d(x, y, weights=x)
    with pytest.raises(ValueError, match="positive"):
        vp.histogram2d(x, y, bins=0)
    with pytest.raises(TypeError, match="integer"):
        vp.histogram2d(x, y, bins=2.5)
    with pytest.raises(ValueError, match="max must be larger"):
        vp.histogram2d(x, y, range=[[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="length"):
        vp.histogram2d(x, y[:-1])
    with pytest.raises(ValueError, match="1-D"):
        vp.histogram2d(x.reshape(10, 10), y.reshape(10, 10))
    with pytest.raises(TypeError, match="dtype"):
        vp.histogram2d(x.astype(np.complex128), y)
    with pytest.raises(ValueError, match="at most"):
        vp.histogram2d(x, y, bins=[vp.MAX_BINS + 1, 2])


def test_plot_handle(vp, rng):
    x = rng.normal(size=10_000)
    y = rng.normal(size=10_000)
    x[0] = np.nan
    with vp.Plot.from_arrays(x, y) as p:
        b = p.bounds()
        assert b == (np.nanmin(x), np.nanmax(x), y[1:].min(), y[1:].max())
        p.set_view(-1, 1, -2, 2, 40, 30)
        assert p.get_view() == ((-1.0, 1.0, -2.0, 2.0), 40, 30)
        c = p.counts()
        assert c.shape == (30, 40) and c.dtype == np.uint64
        H = np.histogram2d(x, y, bins=[40, 30], range=[[-1, 1], [-2, 2]])[0]
        assert np.array_equal(c, H.T)
        assert p.stats["records"] == 10_000 and p.stats["nonfinite"] == 1
        assert p.stats["drawn"] == H.sum()
        p.refine_start()
        for _ in range(1000):
            snap, done = p.refine_snapshot()
            if done >= 1:
                break
            import time
            time.sleep(0.01)
        assert done == 1 and np.array_equal(snap, c)
        with pytest.raises(vp.VastplotError):
            p.set_view(0, 0, 0, 1, 10, 10)
        with pytest.raises(vp.VastplotError):
            p.configure("--no-such-option")


@pytest.mark.filterwarnings("ignore:.*float16")
@pytest.mark.parametrize("hi", [0.7, 0.1, 2.3, 1.0])  # float32(hi) below, above, below hi; exact
@pytest.mark.parametrize("n", [1, 2, 5])
def test_float32_on_rounded_last_edge(vp, rng, hi, n):
    """float32 samples equal to float32(last edge): numpy 1.x moves them a bin
    (its edge test compares in float32); vastplot.histogram2d does as the numpy
    it runs with."""
    lo = -0.5
    c = np.float32(hi)
    e = np.linspace(lo, hi, n + 1).astype(np.float32)
    vals = np.concatenate([[c, np.nextafter(c, np.float32(-1)), np.nextafter(c, np.float32(2))], e])
    x = rng.choice(vals, size=5000).astype(np.float32)
    y = rng.choice(vals, size=5000).astype(np.float32)
    x[:50] = c  # joint cases: both on the rounded edge
    y[:50] = c
    for r in ([[lo, hi], [lo, hi]], [[lo, hi], [lo, 3.0]], [[lo, 3.0], [lo, hi]]):
        both(vp, x, y, bins=[n, n + 1], range=r)
    both(vp, x.astype(np.float16), y.astype(np.float16), bins=n, range=[[lo, hi], [lo, hi]])
    both(vp, x.astype(np.float16), y, bins=n, range=[[lo, hi], [lo, hi]])


def test_nonfinite_autodetected(vp, rng):
    """The data's own range where some rows are not finite: numpy's min and max decide."""
    x = rng.normal(size=5000)
    y = rng.normal(size=5000).astype(np.float32)
    i = int(np.argmin(y))
    x[i] = np.nan  # the row holding y's minimum
    x[i + 1 if i + 1 < len(x) else 0] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        both(vp, x, y, bins=[9, 8], range=[[-1, 1], None])
    with pytest.raises(ValueError, match="not finite"):
        vp.histogram2d(x, y, range=[None, [-1, 1]])
    with pytest.raises(ValueError, match="not finite"):
        vp.histogram2d(np.full(10, np.nan), np.full(10, np.nan))
    both(vp, np.full(10, np.nan), np.zeros(10), bins=3, range=[[0, 1], None])
