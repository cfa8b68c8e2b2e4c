"""Memmaps read in place: ~200 MB of random pairs (bounded memory, numpy's
result) and a 2 GiB sparse file (anonymous RSS grows < 100 MB)."""
import gc
import os
import tracemalloc

import numpy as np
import pytest

from conftest import assert_same, rss_anon

PAIRS = 25_000_000  # float32 pairs: 200 MB
CHUNK = 1_000_000


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("memmap") / "pairs.f32"
    rng = np.random.default_rng(7)
    with open(path, "wb") as f:
        for i in range(0, PAIRS, CHUNK):
            n = min(CHUNK, PAIRS - i)
            d = np.empty((n, 2), np.float32)
            d[:, 0] = rng.normal(size=n)
            d[:, 1] = d[:, 0] * 0.5 + rng.normal(size=n) * 0.3
            d.tofile(f)
    yield path
    os.unlink(path)


def test_memmap_bounded_memory(vp, big_file):
    mm = np.memmap(big_file, dtype=np.float32, mode="r").reshape(-1, 2)
    x, y = mm[:, 0], mm[:, 1]  # strided views into the mapping
    assert x.strides == (8,) and len(x) == PAIRS
    bins = [300, 200]
    size = os.path.getsize(big_file)
    gc.collect()
    anon0 = rss_anon()
    tracemalloc.start()
    try:
        H, xe, ye = vp.histogram2d(x, y, bins=bins)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    anon1 = rss_anon()
    outputs = H.nbytes * 2 + xe.nbytes + ye.nbytes  # H, and the uint64 grid it is made of
    assert peak < outputs + 10 * 2**20, f"Python allocated {peak} bytes (outputs {outputs})"
    if anon0 is not None:
        assert anon1 - anon0 < size / 4, f"anonymous RSS grew by {anon1 - anon0} bytes for a {size}-byte file"
    assert H.sum() == PAIRS
    # numpy's result, summed over chunks on the same edges
    r = [[xe[0], xe[-1]], [ye[0], ye[-1]]]
    want = np.zeros(bins)
    for i in range(0, PAIRS, 5 * CHUNK):
        want += np.histogram2d(x[i:i + 5 * CHUNK], y[i:i + 5 * CHUNK], bins=bins, range=r)[0]
    assert_same((H, xe, ye), (want, np.linspace(x.min(), x.max(), bins[0] + 1),
                              np.linspace(y.min(), y.max(), bins[1] + 1)))


def test_memmap_2gb_no_copy(vp, tmp_path):
    """A 2 GB memmap (a sparse file: the pages read are zeros, and a few
    samples written at known places) is counted in place: anonymous RSS
    grows by less than 100 MB, and the counts are the known ones."""
    path = tmp_path / "two_gb.f32"
    n = 2**28  # float32 pairs: 2 GiB
    with open(path, "wb") as f:
        f.truncate(n * 8)
    mm = np.memmap(path, dtype=np.float32, mode="r+").reshape(-1, 2)
    marks = np.array([1, 12345, n // 2, n - 1])
    mm[marks, 0] = [3.0, 2.0, -1.0, 3.0]
    mm[marks, 1] = [1.0, -2.0, 0.5, 1.0]
    mm.flush()
    del mm
    mm = np.memmap(path, dtype=np.float32, mode="r").reshape(-1, 2)
    x, y = mm[:, 0], mm[:, 1]
    gc.collect()
    anon0 = rss_anon()
    H, xe, ye = vp.histogram2d(x, y, bins=[4, 4], range=[[-1, 3], [-2, 2]])
    anon1 = rss_anon()
    if anon0 is not None:
        assert anon1 - anon0 < 100 * 2**20, f"anonymous RSS grew by {(anon1 - anon0) >> 20} MiB for 2 GiB"
    want = np.zeros((4, 4))
    want[1, 2] += n - 4  # the zeros: x in [0, 1), y in [0, 1)
    want[3, 3] += 2      # (3, 1) twice: the closing edges
    want[3, 0] += 1      # (2, -2)
    want[0, 2] += 1      # (-1, 0.5)
    assert np.array_equal(H, want), H
