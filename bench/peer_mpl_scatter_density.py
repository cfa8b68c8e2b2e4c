#!/usr/bin/python3
"""Peer: mpl-scatter-density, a 1920x1080 px Agg figure, log colour scale.

One axes fills the whole figure and the density map is made at the figure's
own resolution (dpi=None), so it bins to 1920x1080 like the others.
scatter_density() sets the limits to the data's min/max itself.
Colour: log scale from 1 count to the maximum; empty pixels show the black
figure background.
"""
import warnings

import matplotlib
import numpy as np
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
import mpl_scatter_density  # noqa: E402,F401  (registers the projection)

import peer_common as pc  # noqa: E402

# The artist's placeholder image is a single NaN; its first autoscale warns.
warnings.filterwarnings("ignore", "All-NaN slice encountered", RuntimeWarning)

src, dst = pc.args()
x, y = pc.load_xy(src)
dpi = 100
fig = plt.figure(figsize=(pc.WIDTH / dpi, pc.HEIGHT / dpi), dpi=dpi, facecolor="black")
ax = fig.add_axes([0, 0, 1, 1], projection="scatter_density")
ax.set_axis_off()
ax.scatter_density(x, y, dpi=None, cmap="inferno", norm=LogNorm(),
                   vmin=1, vmax=np.nanmax)
fig.savefig(dst, dpi=dpi, facecolor="black")
