"""vastplot.show: the command line's viewer on arrays in this process (no
copy), driven by a viewer script under Xvfb: it shows every sample (its
stats say so, once refined), and its screenshot is a picture of the window's
size. Skipped without xvfb-run."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed (Debian: xvfb)")
def test_show_views_arrays(vp, tmp_path):
    stats, shot, script = tmp_path / "stats.json", tmp_path / "shot.png", tmp_path / "script.txt"
    script.write_text(f"wait-refined\nstats {stats}\nscreenshot {shot}\nquit\n")
    prog = f"""
import sys
sys.path.insert(0, {os.path.dirname(HERE)!r})
import numpy as np, vastplot
rng = np.random.default_rng(3)
a = rng.standard_normal((300000, 3)).astype(np.float32)
vastplot.show(a[:, 0], a[:, 2], "--colormap", "viridis", size=(400, 300), script={str(script)!r})
"""
    env = dict(os.environ)
    r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 800x600x24", sys.executable, "-c", prog],
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    s = json.loads(stats.read_text())
    assert s["points_total"] == 300000
    assert s["refined"] is True
    assert s["points_drawn"] == 300000  # the view is the data's bounds: every sample
    import matplotlib.image
    img = matplotlib.image.imread(str(shot))
    assert img.shape[:2] == (300, 400)


def test_show_without_display(vp, tmp_path):
    """No display: an error from the library, not a crash."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    prog = f"""
import sys
sys.path.insert(0, {os.path.dirname(HERE)!r})
import numpy as np, vastplot
x = np.arange(10, dtype=np.float64)
try:
    vastplot.show(x, x)
except vastplot.VastplotError as e:
    print("ERR", e)
    sys.exit(3)
"""
    r = subprocess.run([sys.executable, "-c", prog], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, (r.stdout, r.stderr[-2000:])
    assert "ERR" in r.stdout
