"""What the numpy property tests (tests/test_*numpy*.py) share before their
first case: numpy or a skip, the binary and an emptied scratch folder from
the command line, and an environment with no display.

    from numpy_harness import start
    np, BIN, TMP, ENV = start()

Not a test itself (CTest runs tests/test_*.py only).
"""
import os
import shutil
import sys


def start():
    """(numpy, the binary's real path, the scratch folder, a copy of the
    environment without DISPLAY and WAYLAND_DISPLAY) from
    `test.py VASTPLOT_BINARY SCRATCH_DIR`; exits 77 (skipped) when numpy is
    not installed (Debian: python3-numpy)."""
    try:
        import numpy as np
    except ImportError:
        print("numpy not available (install python3-numpy): skipped")
        sys.exit(77)
    binary = os.path.realpath(sys.argv[1])
    tmp = sys.argv[2]
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    env = dict(os.environ)
    for k in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(k, None)
    return np, binary, tmp, env
