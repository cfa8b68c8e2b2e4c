"""Shared fixtures: the library (skip when it is not there), the CLI, data."""
import glob
import os
import shutil
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))  # python/tests -> the repository
sys.path.insert(0, os.path.dirname(HERE))      # python/, when PYTHONPATH does not say it


@pytest.fixture(scope="session")
def vp():
    """The vastplot module with its library loaded (else the test is skipped)."""
    try:
        import cffi  # noqa: F401
    except ImportError:
        pytest.skip("python3-cffi is not installed")
    import vastplot
    from vastplot import _lib
    try:
        _lib.load()
    except OSError as e:
        pytest.skip(f"libvastplot is not available: {e}")
    return vastplot


@pytest.fixture(scope="session")
def cli(vp):
    """The vastplot command line next to the library loaded (or $VASTPLOT_CLI,
    or a build*/vastplot of the repository), else skip."""
    cands = []
    if os.environ.get("VASTPLOT_CLI"):
        cands.append(os.environ["VASTPLOT_CLI"])
    cands.append(os.path.join(os.path.dirname(os.path.realpath(vp.library_path())), "vastplot"))
    cands += sorted(glob.glob(os.path.join(REPO, "build*", "vastplot")))
    for c in cands:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    pytest.skip("no vastplot command line found (set VASTPLOT_CLI)")


@pytest.fixture(scope="session")
def mpl():
    """matplotlib on the Agg backend, else skip."""
    try:
        import matplotlib
    except ImportError:
        pytest.skip("python3-matplotlib is not installed")
    matplotlib.use("Agg")
    return matplotlib


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def assert_same(got, want):
    """got == want, bit for bit (shape, dtype and every value's bits)."""
    H, xe, ye = got
    Hn, xen, yen = want
    for a, b, what in ((H, Hn, "H"), (xe, xen, "xedges"), (ye, yen, "yedges")):
        assert a.shape == b.shape, f"{what}: shape {a.shape}, numpy's {b.shape}"
        assert a.dtype == b.dtype, f"{what}: dtype {a.dtype}, numpy's {b.dtype}"
        ab = np.ascontiguousarray(a).view(np.uint8)
        bb = np.ascontiguousarray(b).view(np.uint8)
        if not np.array_equal(ab, bb):
            bad = np.argwhere(a != b)
            raise AssertionError(f"{what} differs from numpy's at {len(bad)} places, first "
                                 f"{bad[:5].tolist()}: {a[tuple(bad[0])] if len(bad) else '-0?'} vs "
                                 f"{b[tuple(bad[0])] if len(bad) else ''}")


def rss_anon():
    """This process's anonymous resident memory in bytes (mapped file pages not counted)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return None
