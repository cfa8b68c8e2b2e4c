#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into corpus/<name>/.

Run from anywhere: /usr/bin/python3 tests/fuzz/make_seeds.py
Only the standard library (no numpy): the .npy files are assembled by hand,
following NEP 1 (magic, version, little-endian header length, the dict text
padded with spaces and a newline so the data starts on a 64-byte boundary).

Seeds are named seed-*; the script replaces those and leaves every other file
(crash-*, repro-*: reproducers of fixed bugs) alone. Output is deterministic.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def npy_header(d, version=1, align=64, pad=b" "):
    """The preamble and the padded dict text (d: str or bytes)."""
    if isinstance(d, str):
        d = d.encode("latin-1")
    pre = 10 if version == 1 else 12
    body = d + pad
    n = pre + len(body) + 1
    body += pad * ((-n) % align) + b"\n"
    if version == 1:
        ln = struct.pack("<H", len(body))
    else:
        ln = struct.pack("<I", len(body))
    return b"\x93NUMPY" + bytes([version, 0]) + ln + body


def npy_dict(descr, shape, fortran=False):
    if len(shape) == 1:
        s = "(%d,)" % shape[0]
    else:
        s = "(" + ", ".join(str(v) for v in shape) + ")"
    return "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, s)


FMT = {"f4": "f", "f8": "d", "i1": "b", "i2": "h", "i4": "i", "i8": "q",
       "u1": "B", "u2": "H", "u4": "I", "u8": "Q"}


def pack(descr, values):
    order = "<" if descr[0] in "<|=" else ">"
    return struct.pack(order + FMT[descr[1:]] * len(values), *values)


def npy(descr, shape, values, version=1, fortran=False):
    return npy_header(npy_dict(descr, shape, fortran), version) + pack(descr, values)


NAN = float("nan")
INF = float("inf")

# ---- fuzz_npy: headers (with a little data), valid and broken ------------------
npy_seeds = {
    "v1-f4-2col": npy("<f4", (4, 2), [0, 1, 2, 3, 4.5, -5, NAN, 7]),
    "v1-f8-1d": npy("<f8", (3,), [1.0, -2.0, INF]),
    "v1-u1-fortran": npy("|u1", (3, 3), list(range(9)), fortran=True),
    "v2-i2-big": npy(">i2", (5, 2), list(range(-5, 5)), version=2),
    "v3-u8": npy("<u8", (2, 2), [0, 1, 2**64 - 1, 5], version=3),
    "v1-i8-py2-long": npy_header("{'descr': '<i8', 'fortran_order': False, 'shape': (2L, 2L), }")
    + pack("<i8", [1, 2, 3, 4]),
    "v1-dquote-nospace": npy_header('{"shape":(3,2),"descr":"<i4","fortran_order":False}')
    + pack("<i4", range(6)),
    "v1-underscore": npy_header("{'descr': '>u4', 'fortran_order': True, 'shape': (1_0, 1), }")
    + pack(">u4", range(10)),
    "v1-nul-pad": npy_header(npy_dict("=f4", (2, 2)), pad=b"\0") + pack("<f4", [1, 2, 3, 4]),
    "v1-header-only": npy_header(npy_dict("<u2", (0, 3))),
    "v1-truncated-dict": npy("<f4", (4, 2), [0] * 8)[:40],
    "v1-preamble-only": npy_header(npy_dict("<f4", (1,)))[:10],
    "v2-truncated-preamble": npy_header(npy_dict("<f4", (1,)), version=2)[:11],
    "magic-only": b"\x93NUMPY",
    "bad-version": b"\x93NUMPY\x04\x00" + npy_header(npy_dict("<f4", (1,)))[8:],
    "bad-absurd-len": b"\x93NUMPY\x02\x00\xff\xff\xff\x7f{",
    "bad-structured": npy_header("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (2,), }"),
    "bad-complex": npy_header(npy_dict("<c8", (2,))),
    "bad-pipe-wide": npy_header(npy_dict("|f4", (2,))),
    "bad-shape-list": npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': [3, 2], }"),
    "bad-3dim": npy_header(npy_dict("<f4", (2, 2, 2))),
    "bad-negative": npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }"),
    "bad-overflow": npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"),
    "bad-too-large": npy_header(npy_dict("<f8", (2**62, 8))),
    "bad-scalar": npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }"),
    "bad-dup-key": npy_header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"),
    "bad-escape-key": npy_header("{'de\\'scr': '<f4', 'fortran_order': False, 'shape': (1,), }"),
    "bad-trailing": npy_header(npy_dict("<f4", (1,)) + " x"),
}

# ---- fuzz_source: 16 parameter bytes, then the file ------------------------------
DT = {"f32": 0, "f64": 1, "i8": 2, "i16": 3, "i32": 4, "i64": 5,
      "u8": 6, "u16": 7, "u32": 8, "u64": 9, "bad": 10}


def params(dtype="f32", big=False, y_only=False, defaults=False, columns=0, xcol=0,
           ycol=-1, skip=0, max_records=6, seed=0x12345678, wcol=None):
    """wcol: None = no w, else the w column (-2..9)."""
    flags = (1 if big else 0) | (2 if y_only else 0) | (0x0C if defaults else 0)
    cols = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, -1: 9, 65536: 10, 65537: 11}[columns]
    b = bytes([DT[dtype], flags, cols, xcol + 2, 0x80 if ycol == -1 else ycol + 2,
               skip & 0xFF, (skip >> 8) & 0x0F, max_records])
    w = b"\0" if wcol is None else bytes([128 + (wcol + 2 - 128 % 12) % 12])  # bit 7, % 12 - 2
    return b + struct.pack("<I", seed) + w + b"\0" * 3


source_seeds = {
    "raw-f32-xy": params() + pack("<f4", [0, 0, 1, 1, 2.5, -3, NAN, 1, 4, INF, 5, 6]),
    "raw-defaults": params(defaults=True) + pack("<f4", [1, 2, 3, 4, 5, 6, 7]),
    "raw-f64-big-3col": params("f64", big=True, columns=3, xcol=2, ycol=0, max_records=2)
    + pack(">f8", [1, 2, 3, 4, NAN, 6, 7, 8, 9, -INF, 11, 12]),
    "raw-u8-yonly": params("u8", y_only=True, max_records=3) + bytes(range(0, 250, 7)),
    "raw-i16-skip3-trailing": params("i16", skip=3, columns=3, xcol=1, ycol=2)
    + b"HDR" + pack("<i2", [-1, 2, -3, 4, 5, -32768, 7]),
    "raw-i64-big": params("i64", big=True) + pack(">i8", [-1, 2**63 - 1, -(2**63), 4]),
    "raw-u32-4col": params("u32", columns=4, xcol=3, ycol=1) + pack("<u4", range(16)),
    "raw-u64-1col": params("u64", columns=1) + pack("<u8", [0, 2**64 - 1, 12345]),
    "raw-i8-xy-same": params("i8", xcol=1, ycol=1) + pack("|i1", [-128, 127, 0, -1]),
    "raw-u16-big": params("u16", big=True, max_records=1) + pack(">u2", [1, 2, 65535, 4]),
    "raw-i32-big-ycol0": params("i32", big=True, xcol=1, ycol=0) + pack(">i4", [1, -2, 3, -4]),
    "bad-skip-beyond": params(skip=100) + pack("<f4", [1, 2]),
    "bad-short-record": params("f64", columns=3) + pack("<f8", [1, 2]),
    "bad-partial-value": params("f32") + b"\0" * 9,
    "raw-f32-w": params(columns=3, xcol=0, ycol=1, wcol=2, max_records=2)
    + pack("<f4", [1, 2, 3, 4, 5, NAN, 7, 8, 9, INF, 1, 2, 3, 4, -INF]),
    "raw-i16-big-w-yonly": params("i16", big=True, y_only=True, columns=2, ycol=1, wcol=0)
    + pack(">i2", [5, -5, 300, -300, 7, 8]),
    "bad-w-out-of-range": params(columns=2, wcol=2) + pack("<f4", [1, 2, 3, 4]),
    "bad-dtype": params("bad") + b"\0" * 16,
    "bad-columns": params(columns=65537) + b"\0" * 16,
    "bad-xcol": params(columns=2, xcol=5) + b"\0" * 16,
    "empty-file": params(),
    "npy-f4-2col": params(xcol=1, ycol=0) + npy_seeds["v1-f4-2col"],
    "npy-f8-1d": params() + npy_seeds["v1-f8-1d"],
    "npy-u1-fortran": params(xcol=2, ycol=0, max_records=2) + npy_seeds["v1-u1-fortran"],
    "npy-f8-fortran-nan": params(xcol=2, ycol=1)
    + npy("<f8", (5, 3), [0, 1, 2, NAN, 4, 10, 11, INF, 13, 14, 20, 21, 22, 23, -24], fortran=True),
    "npy-i2-big-v2": params() + npy_seeds["v2-i2-big"],
    "npy-u8-v3": params() + npy_seeds["v3-u8"],
    "npy-trailing": params() + npy("<i4", (2, 2), [1, 2, 3, 4]) + b"xyz",
    "npy-lying-shape": params() + npy_header(npy_dict("<f4", (100, 2))) + pack("<f4", [1, 2]),
    "npy-no-records": params() + npy_seeds["v1-header-only"],
    "npy-no-columns": params() + npy_header(npy_dict("<f4", (3, 0))),
    "npy-truncated": params() + npy_seeds["v1-truncated-dict"],
}

# ---- fuzz_options: NUL-separated words after argv[0] ------------------------------


def words(*w):
    return b"\0".join(x.encode() for x in w)


options_seeds = {
    "render-xlim": words("render", "a.f32", "-o", "out.png", "--xlim", "-1", "1"),
    "render-all": words("render", "a.bin", "b.npy", "-o", "o.png", "--dtype", "f64", "--endian", "big",
                        "--columns", "3", "--x", "2", "--y", "0", "--skip-bytes", "128",
                        "--size", "800x600", "--tonemap", "log", "--colormap", "viridis_r",
                        "--background", "#102030", "--floor", "0.3", "--accumulate", "cpu",
                        "--threads", "4", "--save-counts", "c.npy", "--no-cache", "-v"),
    "render-eq": words("render", "--xlim=0,10", "--ylim=-5,5", "--size=64X48", "--cmap=gray",
                       "--bg=white", "-o", "x.png", "--", "-dash.f32", "-"),
    "render-yonly": words("render", "y.u16", "--dtype", "uint16", "--y-only", "-o", "y.png", "-q"),
    "info": words("info", "data.npy", "--columns", "1"),
    "info-missing": words("info"),
    "demo": words("demo", "--points", "1000", "-o", "d.png", "--gl-debug"),
    "demo-input": words("demo", "x.f32"),
    "help": words("--help"),
    "version": words("version"),
    "render-help": words("render", "-h"),
    "help-midline": words("render", "a", "--columns", "1", "--help", "--columns", "3"),
    "bad-cmd": words("frobnicate"),
    "bad-size": words("render", "a", "-o", "b", "--size", "0x99999999999"),
    "bad-lim-equal": words("render", "a", "-o", "b", "--ylim", "3", "3e0"),
    "bad-lim-short": words("render", "a", "-o", "b", "--xlim", "1"),
    "bad-lim-nan": words("render", "a", "-o", "b", "--xlim=nan,1"),
    "bad-skip-neg": words("info", "a", "--skip-bytes", "-1"),
    "bad-color": words("render", "a", "-o", "b", "--background", "#12345"),
    "bad-long-name": words("render", "--" + "x" * 100 + "=1"),
    "bad-no-value": words("render", "a", "--dtype"),
    "too-many-inputs": words("render", *(["i"] * 260), "-o", "o.png"),
    "empty": b"",
}

# ---- fuzz_text: 8 parameter bytes, then the text -------------------------------------
TEXT_COLS = {None: 0, "0": 2, "1": 3, "2": 4, "3": 5, "x": 6, "y": 7, "lat": 8, "LAT": 9, "": 10,
             "10": 11, " 1\t": 12, "lat ": 13}
TEXT_DELIMS = {None: 0, " ": 3, ",": 4, ";": 5, "|": 6, "\t": 7}


def tparams(fmt=0, delim=None, xcol=None, ycol=None, y_only=False, header=0, pieces=3, seed=0x4242,
            sink_fails=False, defaults=False, wsel=0):
    """fmt: 0 auto, 1 csv, 2 tsv, 3 whitespace; header: 0 auto, 1 yes, 2 no;
    pieces: index of the largest piece (0: 1 byte ... 7: all); wsel: 0 no w,
    4..7 the w column choice (xcol + ycol + wsel of the fuzzer's list; odd: a
    category)."""
    flags = (1 if y_only else 0) | header << 1 | (8 if sink_fails else 0) | (16 if defaults else 0)
    flags |= wsel << 5
    return bytes([fmt, TEXT_DELIMS[delim], TEXT_COLS[xcol], TEXT_COLS[ycol],
                  flags, seed & 0xFF, (seed >> 8) & 0xFF, (pieces << 5) | ((seed >> 16) & 0x1F)])


text_seeds = {
    "csv-header": tparams() + b"x,y\n1,2\n3.5,-4e3\n-0,.5\n",
    "csv-named": tparams(1, xcol="lat", ycol="x", pieces=0)
    + b"x,lat,depth\n1,2,3\n4,5,6\n7,,9\n10,abc,12\n",
    "tsv-crlf": tparams(2, pieces=1) + b"a\tb\r\n1\t2\r\n3\t4\r\n5\t6",
    "ws-comments": tparams(3) + b"# comment\n\n  1   2\n> segment\n\t3 4\n5\n  6 7 8\n",
    "bom-semicolon": tparams(pieces=2) + b"\xef\xbb\xbf1;2\n3;4\n",
    "quoted": tparams(1) + b'"x, a","y ""b"""\n"1.5","2"\n"3",4\n"5,6",7\n',
    "nan-inf": tparams() + b"1 nan\n-inf 2\nInfinity +NaN\n4 5\n",
    "yonly": tparams(y_only=True) + b"1\n2\n\nx\n3.25\n",
    "ycol-only": tparams(ycol="2") + b"1 2 3\n4 5 6\n7 8\n",
    "no-header-index": tparams(xcol="1", ycol="0", header=2) + b"1|2|3\n4|5|6\n",
    "header-yes": tparams(header=1, pieces=4) + b"10 20\n1 2\n3 4\n",
    "pipe-no-newline": tparams(delim="|", pieces=7) + b"1|2\n3|4",
    "rounding": tparams(ycol="0", header=2, pieces=5)
    + b"2.2250738585072011e-308\n1e-310\n1e400\n0.1\n9007199254740993\n"
    b"9007199254740993.0000000000000000000000001\n4.9406564584124654e-324\n"
    b"179769313486231580793728971405301e276\n123456789012345678901234567890e-50\n"
    b"0.000000000000000000000000000000000000000000001e45\n1.7976931348623157e308\n"
    b"2.47032822920623272e-324\n" + b"1" * 400 + b"e-390\n",
    "not-numbers": tparams() + b"0x10 1_000\n1,5 2\n1e 2e+\n. +.e1\nnan(123) -.\n",
    "nul-byte": tparams() + b"1 2\n3\x004\n",
    "empty": tparams(),
    "defaults-sink-fails": tparams(defaults=True, sink_fails=True, pieces=0)
    + b"".join(b"%d %d\n" % (i, i * i) for i in range(40)),
    "blank-colnames": tparams(xcol=" 1\t", ycol="lat ") + b"a lat\n1 2\n",
    "name.csv": tparams() + b"data.CSV\n1,2\n",
    # w = the fuzzer's column choice 4 ("2") and 5 ("3", a category)
    "w-values": tparams(wsel=4, pieces=1) + b"x,y,v\n1,2,3\n4,5,\n6,7,nan\n8,9,1e-300\n",
    "w-labels": tparams(wsel=5, pieces=0)
    + b'x,y,z,kind\n1,2,3,red\n4,5,6,"dark, red"\n7,8,9,red\n1,1,1,\n2,2,2, blue \n',
    "w-codes": tparams(1, wsel=5) + b"a,b,c,k\n1,2,3,0\n4,5,6,2\n7,8,9,1.0\n1,1,1,0.5\n",
}

SETS = {"npy": npy_seeds, "source": source_seeds, "options": options_seeds, "text": text_seeds}


def main():
    total = 0
    for name, seeds in SETS.items():
        d = os.path.join(CORPUS, name)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if f.startswith("seed-"):
                os.remove(os.path.join(d, f))
        for key, data in seeds.items():
            with open(os.path.join(d, "seed-" + key), "wb") as f:
                f.write(data)
            total += len(data)
        print("%s: %d seeds" % (name, len(seeds)))
    print("%d bytes in all" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
