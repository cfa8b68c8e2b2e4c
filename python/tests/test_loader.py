"""Finding the library, the cdef against the header, and importing without it."""
import os
import re
import subprocess
import sys

import pytest

from conftest import HERE, REPO

HEADER = os.path.join(REPO, "include", "vastplot", "vastplot.h")


def prototypes(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    text = text.replace("VASTPLOT_EXPORT", " ")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([(),*\[\];{}])\s*", r"\1", text)
    return set(re.findall(r"[^;{}]*\bvastplot_\w+\([^;{}]*\);", text))


def test_cdef_is_the_header():
    if not os.path.exists(HEADER):
        pytest.skip(f"{HEADER} is not here (an installed package)")
    sys.path.insert(0, os.path.dirname(HERE))
    from vastplot._cdef import API_VERSION, CDEF
    with open(HEADER) as f:
        h = f.read()
    want = {p.strip() for p in prototypes(h)}
    got = {p.strip() for p in prototypes(CDEF)}
    assert want == got, f"only in the header: {want - got}; only in the cdef: {got - want}"
    assert int(re.search(r"#define VASTPLOT_API_VERSION (\d+)", h).group(1)) == API_VERSION
    assert "#define VASTPLOT_ERROR_BYTES 1024" in h


def run_py(code, **env):
    e = dict(os.environ)
    e.update(env)
    e["PYTHONPATH"] = os.path.dirname(HERE) + os.pathsep + e.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e)


def test_import_without_library(tmp_path):
    pytest.importorskip("cffi")
    missing = str(tmp_path / "nowhere" / "libvastplot.so.1")
    r = run_py("import vastplot, numpy as np\n"
               "try:\n"
               "    vastplot.histogram2d(np.zeros(3), np.zeros(3))\n"
               "except OSError as e:\n"
               "    print('OSError:', e)\n", VASTPLOT_LIBRARY=missing)
    assert r.returncode == 0, r.stderr
    assert "OSError: libvastplot was not found" in r.stdout and missing in r.stdout


def test_not_a_library(tmp_path):
    pytest.importorskip("cffi")
    bad = tmp_path / "libvastplot.so.1"
    bad.write_text("not an ELF file")
    r = run_py("import vastplot\ntry:\n    vastplot.library_version()\nexcept OSError as e:\n    print(e)\n",
               VASTPLOT_LIBRARY=str(bad))
    assert r.returncode == 0 and str(bad) in r.stdout, r.stdout + r.stderr


def test_search_order_without_variable(vp, tmp_path):
    """Without VASTPLOT_LIBRARY: the loader's path (LD_LIBRARY_PATH) finds libvastplot.so.1."""
    d = os.path.dirname(os.path.realpath(vp.library_path()))
    if not os.path.exists(os.path.join(d, "libvastplot.so.1")):
        pytest.skip("no libvastplot.so.1 next to the library loaded")
    env = {k: v for k, v in os.environ.items() if k != "VASTPLOT_LIBRARY"}
    env["LD_LIBRARY_PATH"] = d
    env["PYTHONPATH"] = os.path.dirname(HERE)
    r = subprocess.run([sys.executable, "-c", "import vastplot; print(vastplot.library_path(), vastplot.library_version())"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "libvastplot" in r.stdout


def test_version(vp):
    assert vp.library_version()
