#!/usr/bin/python3
"""Peer: numpy.histogram2d over the data's bounds, log scale, PNG via PIL."""
import numpy as np

import peer_common as pc

src, dst = pc.args()
x, y = pc.load_xy(src)
(x0, x1), (y0, y1) = pc.bounds(x, y)
counts, _, _ = np.histogram2d(y, x, bins=(pc.HEIGHT, pc.WIDTH),
                              range=[[y0, y1], [x0, x1]])
pc.counts_to_png(counts, dst)
