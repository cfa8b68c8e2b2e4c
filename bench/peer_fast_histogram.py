#!/usr/bin/python3
"""Peer: fast_histogram.histogram2d over the data's bounds, log scale, PNG via PIL.

fast_histogram's bins are half-open even at the top, so a sample equal to
the maximum would be dropped; the upper bounds are nudged up by one ulp so
every sample is counted, as in the other tools.
"""
import numpy as np
from fast_histogram import histogram2d

import peer_common as pc

src, dst = pc.args()
x, y = pc.load_xy(src)
(x0, x1), (y0, y1) = pc.bounds(x, y)
x1, y1 = np.nextafter(x1, np.inf), np.nextafter(y1, np.inf)
counts = histogram2d(y, x, bins=(pc.HEIGHT, pc.WIDTH), range=[[y0, y1], [x0, x1]])
pc.counts_to_png(counts, dst)
