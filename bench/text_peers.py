#!/usr/bin/python3
"""Times one Python CSV reader on a text_bench.sh file, for comparison with
vastplot's text parser. Only the read call is timed (not Python's start-up or
the imports), and only the first two columns are asked for, as vastplot parses
only its x and y columns.

usage: text_peers.py pandas|numpy FILE

Prints one line: seconds=S rows=N sum_x=X sum_y=Y
"""
import sys
import time


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("pandas", "numpy"):
        sys.exit(__doc__)
    tool, path = sys.argv[1], sys.argv[2]
    if tool == "pandas":
        import pandas as pd

        t0 = time.perf_counter()
        df = pd.read_csv(path, usecols=[0, 1], dtype="float64")  # C engine (default)
        dt = time.perf_counter() - t0
        x, y = df.iloc[:, 0].to_numpy(), df.iloc[:, 1].to_numpy()
    else:
        import numpy as np

        t0 = time.perf_counter()
        a = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1), dtype=np.float64)
        dt = time.perf_counter() - t0
        x, y = a[:, 0], a[:, 1]
    print(f"seconds={dt:.6f} rows={len(x)} sum_x={x.sum():.10g} sum_y={y.sum():.10g}")


if __name__ == "__main__":
    main()
