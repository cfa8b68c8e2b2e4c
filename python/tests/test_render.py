"""vastplot.render / render_file against the command line's PNG."""
import os
import subprocess

import numpy as np
import pytest


def rgba_or_skip(fn, *a, **k):
    import vastplot
    try:
        return fn(*a, **k)
    except vastplot.VastplotError as e:
        if any(w in str(e) for w in ("EGL", "GL", "OpenGL", "display")):
            pytest.skip(f"no OpenGL through EGL here: {e}")
        raise


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    rng = np.random.default_rng(3)
    d = np.empty((300_000, 2), np.float32)
    d[:, 0] = rng.normal(size=len(d))
    d[:, 1] = np.sin(d[:, 0] * 2) + rng.normal(size=len(d)) * 0.2
    path = tmp_path_factory.mktemp("render") / "pairs.f32"
    d.tofile(path)
    return d, str(path)


def cli_png(cli, tmp_path, words):
    mi = pytest.importorskip("matplotlib.image")
    out = tmp_path / "out.png"
    r = subprocess.run([cli, "render"] + words + ["-o", str(out)], capture_output=True, text=True)
    if r.returncode == 77 or (r.returncode != 0 and "GL" in r.stderr):
        pytest.skip(f"the command line cannot render here: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
    img = mi.imread(str(out))
    img = (img * 255).round().astype(np.uint8)
    if img.shape[2] == 3:
        img = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
    return img


def test_render_shape(vp, data):
    d, _ = data
    img = rgba_or_skip(vp.render, d[:, 0], d[:, 1], width=64, height=48)
    assert img.shape == (48, 64, 4) and img.dtype == np.uint8
    assert (img[..., 3] == 255).all()
    assert len(np.unique(img.reshape(-1, 4), axis=0)) > 10


@pytest.mark.parametrize("look", [
    dict(),
    dict(cmap="viridis", tonemap="log", xlim=(-2, 3), ylim=(-1.5, 1.25)),
    dict(cmap="magma_r", tonemap="linear", xlim=(1, -1), ylim=(-1, 1)),
    dict(tonemap="sqrt", overlay=True, xlim=(-3, 3), ylim=(-2, 2)),
])
def test_render_equals_cli(vp, cli, data, tmp_path, look):
    d, path = data
    w, h = 320, 200
    img = rgba_or_skip(vp.render, d[:, 0], d[:, 1], width=w, height=h, **look)
    words = [path, "--dtype", "f32", "--columns", "2", "--size", f"{w}x{h}"]
    if "cmap" in look:
        words += ["--colormap", look["cmap"]]
    if "tonemap" in look:
        words += ["--tonemap", look["tonemap"]]
    for k in ("xlim", "ylim"):
        if k in look:
            words += [f"--{k}", repr(float(look[k][0])), repr(float(look[k][1]))]
    if look.get("overlay"):
        words.append("--overlay")
    want = cli_png(cli, tmp_path, words)
    assert img.shape == want.shape
    diff = np.argwhere((img != want).any(axis=2))
    assert len(diff) == 0, f"{len(diff)} pixels differ from the CLI's PNG, first {diff[:5].tolist()}"
    # the same through the file front
    img2 = rgba_or_skip(vp.render_file, *words)
    assert np.array_equal(img2, want)


def test_render_file_options(vp, data):
    d, path = data
    a = rgba_or_skip(vp.render_file, path, "--dtype", "f32", width=100, height=50, tonemap="log", cmap="gray")
    b = rgba_or_skip(vp.render, d[:, 0], d[:, 1], width=100, height=50, tonemap="log", cmap="gray")
    assert a.shape == (50, 100, 4) and np.array_equal(a, b)


def test_render_errors(vp, data):
    d, path = data
    with pytest.raises(vp.VastplotError, match="colormap"):
        vp.render(d[:, 0], d[:, 1], width=10, height=10, cmap="no-such-map")
    with pytest.raises(vp.VastplotError):
        vp.render_file(os.path.join(os.path.dirname(path), "missing.f32"))
