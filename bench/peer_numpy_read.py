#!/usr/bin/python3
"""Floor reference: start Python, import numpy, read the file into memory.

No binning, no picture: any tool that reads the whole file from the page
cache into its own memory pays at least this much. Nothing is written
(the output path is only accepted so every peer has the same arguments).
"""
import peer_common as pc

src, _ = pc.args()
x, y = pc.load_xy(src)
assert x.size == y.size
