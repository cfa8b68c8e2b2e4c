#!/usr/bin/env bash
# render --views: every view of a views file rendered headless, each the same
# PNG, byte for byte, as `render` with that view's keys given as options;
# numbered from 1 through -o's %d/%02d; bad files and patterns refused with
# the file and line. usage: test_views_render.sh VASTPLOT_BINARY SCRATCH_DIR
set -u
B=$(realpath "$1")
D=$2
rm -rf "$D" && mkdir -p "$D" && cd "$D" || exit 1
unset DISPLAY WAYLAND_DISPLAY

pass=0 fail=0
check() { # NAME COMMAND...
    local name=$1
    shift
    if "$@"; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
refused() { # NAME RC SUBSTRING ARGS...
    local name=$1 want_rc=$2 want=$3 msg rc
    shift 3
    msg=$("$B" "$@" 2>&1 >/dev/null)
    rc=$?
    if [ "$rc" = "$want_rc" ] && [[ "$msg" == *"$want"* ]]; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name: rc=$rc (want $want_rc): $msg (want: $want)"
    fi
}

awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) printf "%.6f,%.6f\n", rand() * 6 - 2.5, sin(i) * rand() }' \
    > pts.csv
"$B" render pts.csv -o probe.png --size 16x16 -q 2>probe.err
rc=$?
if [ $rc != 0 ] && grep -q "GL" probe.err; then cat probe.err; echo "no suitable GL: skip"; exit 77; fi

cat > talk.views <<'V'
# vastplot views 1
[view]
title = Overview
caption = All the samples
xlim = -2.5 3.5
ylim = -1 1
size = 640x360
tonemap = eq-hist
colormap = inferno

# a slide with fewer keys: the command line's options fill the rest
[view]
title = Zoom
xlim = 0 1.5
ylim = 0.25 -0.75
tonemap = log
colormap = viridis
xlabel = x
ylabel = y

[view]
title = Big
size = 1280x1440
V
check "three slides rendered" "$B" render pts.csv --views talk.views -o slide-%02d.png --overlay -q \
    --size 400x300
check "numbered from 1" test -s slide-01.png -a -s slide-02.png -a -s slide-03.png -a ! -e slide-04.png -a ! -e slide-00.png
"$B" render pts.csv -o one-1.png --overlay -q --size 400x300 --title Overview --xlim -2.5 3.5 --ylim -1 1 \
    --size 640x360 --tonemap eq-hist --colormap inferno
"$B" render pts.csv -o one-2.png --overlay -q --size 400x300 --title Zoom --xlim 0 1.5 --ylim 0.25 -0.75 \
    --tonemap log --colormap viridis --xlabel x --ylabel y
"$B" render pts.csv -o one-3.png --overlay -q --title Big --size 1280x1440
check "view 1 as render with its options" cmp slide-01.png one-1.png
check "view 2 as render with its options" cmp slide-02.png one-2.png
check "view 3 as render with its options" cmp slide-03.png one-3.png
check "the views differ" bash -c '! cmp -s slide-01.png slide-02.png'
# a 1440-row slide: the overlay (fonts, margins) scaled by 1440/1080, so the
# plot area (the counts' shape) is narrower than at 1080 rows
"$B" render pts.csv -o f1080.png --overlay -q --size 1280x1080 --save-counts f1080.npy
"$B" render pts.csv -o f1440.png --overlay -q --size 1280x1440 --save-counts f1440.npy
width() { head -c 128 "$1" | tr -d '\0' | sed -n "s/.*'shape': ([0-9]*, \([0-9]*\)).*/\1/p"; }
w1=$(width f1080.npy) w2=$(width f1440.npy)
echo "plot widths: $w1 at 1080 rows, $w2 at 1440 rows"
check "tall slide's overlay scaled" test $(((1280 - w2) * 100)) -gt $(((1280 - w1) * 125))

# one view: -o may be a plain name
printf '# vastplot views 1\n[view]\nsize = 64x48\n' > one.views
check "one view, plain -o" "$B" render pts.csv --views one.views -o plain.png -q
check "plain -o written" test -s plain.png

refused "several views, no number" 2 "has no %d" render pts.csv --views talk.views -o slide.png
refused "bad pattern" 2 "expected one %d" render pts.csv --views talk.views -o slide-%s.png
refused "two numbers" 2 "expected one %d" render pts.csv --views talk.views -o s%d-%d.png
printf '# vastplot views 1\n[view]\ntitle = a\nxlim = 1\n' > bad.views
refused "bad file: line named" 1 "bad.views:4: xlim: expected two different finite numbers" \
    render pts.csv --views bad.views -o s%d.png
refused "missing file" 1 "nope.views" render pts.csv --views nope.views -o s%d.png
printf '# vastplot views 1\n' > empty.views
refused "no views" 1 "no [view]" render pts.csv --views empty.views -o s%d.png
check "nothing written by the refused runs" bash -c '! ls s[0-9]*.png slide.png 2>/dev/null | grep -q .'

# annotations: a view's text and arrow lines draw as --text and --arrow do
# (the same bytes), with or without the overlay; outside the annotations the
# picture is the plain render's, pixel for pixel
cat > pic.py <<'P'
import struct, sys, zlib
def png(path):  # an 8-bit RGB/RGBA PNG, as vastplot writes it: rows of bytes
    d = open(path, 'rb').read()
    assert d[:8] == b'\x89PNG\r\n\x1a\n', path
    pos, idat = 8, b''
    while pos < len(d):
        n, kind = struct.unpack('>I4s', d[pos:pos + 8])
        body = d[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            assert depth == 8 and ctype in (2, 6), (path, depth, ctype)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    ch = 3 if ctype == 2 else 4
    raw, stride, prev, rows = zlib.decompress(idat), w * ch, bytearray(w * ch), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line[j] for j in range(stride) if j % ch < 3))
        prev = line
    return w, h, rows
def frames(path, w, h):  # raw RGBA frames (ffmpeg -f rawvideo -pix_fmt rgba), as RGB rows
    d, n = open(path, 'rb').read(), w * h * 4
    return [[bytes(d[k * n + y * w * 4 + j] for j in range(w * 4) if j % 4 < 3) for y in range(h)]
            for k in range(len(d) // n)]
P
cat > notes.views <<'V'
# vastplot views 1
[view]
title = Annotated
xlim = -2.5 3.5
ylim = -1 1
size = 320x200
text = -2 0.5 the left end
arrow = 2.5 0.8 0.5 0 Look here
arrow = -9 -9 1 -0.5
[view]
xlim = -1 1
ylim = -1 1
size = 320x200
V
check "annotated slides" "$B" render pts.csv --views notes.views -o note-%d.png --overlay -q
check "annotated slides, no overlay" "$B" render pts.csv --views notes.views -o bare-%d.png -q
annot=(--text "-2 0.5 the left end" --arrow "2.5 0.8 0.5 0 Look here" --arrow "-9 -9 1 -0.5")
"$B" render pts.csv -o cli.png --overlay -q --title Annotated --xlim -2.5 3.5 --ylim -1 1 --size 320x200 "${annot[@]}"
"$B" render pts.csv -o cli-bare.png -q --xlim -2.5 3.5 --ylim -1 1 --size 320x200 "${annot[@]}"
"$B" render pts.csv -o plain.png -q --xlim -2.5 3.5 --ylim -1 1 --size 320x200
"$B" render pts.csv -o nt-ref.png -q --xlim -1 1 --ylim -1 1 --size 320x200
check "view file's annotations = --text/--arrow" cmp note-1.png cli.png
check "and without the overlay" cmp bare-1.png cli-bare.png
check "annotations drawn" bash -c '! cmp -s cli-bare.png plain.png'
# view 2 has no annotations: --text given on the command line stays for it
"$B" render pts.csv --views notes.views -o keep-%d.png -q --text "0 0 kept"
"$B" render pts.csv -o keep.png -q --xlim -1 1 --ylim -1 1 --size 320x200 --text "0 0 kept"
check "a view without annotations keeps --text" cmp keep-2.png keep.png
check "annotations only near their points" python3 - <<'P'
import sys; sys.path.insert(0, '.')
from pic import png
w, h, a = png('cli-bare.png')
_, _, b = png('plain.png')
def px(x, y):  # data -> pixel (x right, y down), the view's binning
    return (x + 2.5) / 6 * w, (1 - y) / 2 * h
boxes = []  # where each annotation may put ink: around its label and along its arrow
tx, ty = px(-2, 0.5); boxes.append((tx - 6, ty - 16, tx + 110, ty + 8))
ax, ay = px(2.5, 0.8); hx, hy = px(0.5, 0)
boxes.append((min(ax, hx) - 10, min(ay, hy) - 10, max(ax, hx) + 10, max(ay, hy) + 10))
boxes.append((ax - 120, ay - 14, ax + 100, ay + 14))  # moved inside at the edge
boxes.append((0, 0, px(1, 0)[0] + 10, h))  # the arrow from far away, cut at the edge
bad, changed = [], 0
for y in range(h):
    for x in range(w):
        if a[y][3 * x:3 * x + 3] != b[y][3 * x:3 * x + 3]:
            changed += 1
            if not any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes[:3]) and \
               not (x <= px(1, 0)[0] + 10 and y >= h / 2):
                bad.append((x, y))
# the tip of "Look here": ink within 3 px of its head
near = sum(a[y][3 * x:3 * x + 3] != b[y][3 * x:3 * x + 3] for y in range(int(hy) - 3, int(hy) + 4)
           for x in range(int(hx) - 3, int(hx) + 4))
print('changed', changed, 'stray', bad[:5], 'at the head', near)
sys.exit(0 if changed > 200 and not bad and near > 3 else 1)
P
# inputs in the views file, relative to its folder: no input on the command line
mkdir -p talkdir
cp pts.csv talkdir/data.csv
printf '# vastplot views 1\n[view]\ninput = data.csv\nxlim = -1 1\nylim = -1 1\nsize = 320x200\n' \
    > talkdir/own.views
check "render --views with the view's input" "$B" render --views talkdir/own.views -o own-%d.png -q
check "the view's input drawn" cmp own-1.png nt-ref.png
refused "no input anywhere" 2 "no input: give input files" render --views notes.views -o x-%d.png

refused "bad --arrow" 2 "--arrow: expected X0 Y0 X1 Y1" render pts.csv -o x.png --arrow "1 2 3"
printf '# vastplot views 1\n[view]\ntext = 1 2\n' > badnote.views
refused "bad text line" 1 "badnote.views:3: text: a label is needed" render pts.csv --views badnote.views -o s%d.png

# video: raw RGBA frames to the ffmpeg found in PATH (a stand-in here that
# keeps them), --seconds x --fps of them, the first view's size; the file
# appears only when ffmpeg succeeded
mkdir -p fake
cat > fake/ffmpeg <<'F'
#!/bin/sh
for a; do last=$a; done
echo "$@" > ffmpeg.args
cat > "$last"
[ -z "${FAIL_FFMPEG:-}" ]
F
chmod +x fake/ffmpeg
check "video through the views" env PATH="$PWD/fake:$PATH" "$B" video pts.csv --views talk.views -o fly.mp4 \
    --fps 10 --seconds 1.5 --size 64x48 --overlay -q
check "15 frames of 640x360 RGBA" test "$(stat -c %s fly.mp4)" = $((15 * 640 * 360 * 4))
check "ffmpeg told the size and rate" grep -q -- "-f rawvideo -pix_fmt rgba -s 640x360 -r 10 -i pipe:0" ffmpeg.args
check "H.264 for .mp4" grep -q -- "-c:v libx264 .* -f mp4 " ffmpeg.args
check "first and last frames differ" bash -c '! cmp -s <(head -c 921600 fly.mp4) <(tail -c 921600 fly.mp4)'
FAIL_FFMPEG=1 PATH="$PWD/fake:$PATH" refused "ffmpeg failing" 1 "ffmpeg failed (exit status 1)" video pts.csv \
    --views talk.views -o failed.mp4 --fps 2 --seconds 1
check "no file, no temporary left when ffmpeg fails" bash -c '! ls -A | grep -q failed'
refused "an unknown container" 1 "expected a name ending in .mp4" video pts.csv --views talk.views -o fly.avi
PATH=/nonexistent refused "video without ffmpeg" 1 "ffmpeg not found in PATH" video pts.csv \
    --views talk.views -o none.mp4
check "nothing written without ffmpeg" test ! -e none.mp4
refused "video needs --views" 2 "no --views FILE" video pts.csv -o none.mp4
refused "--fps goes with video" 2 "--fps is not an option of render (it goes with video" render pts.csv -o x.png --fps 10

# the real ffmpeg (Debian's, when installed): .mkv is lossless (FFV1), so its
# first and last frames are the renders of the first and last views exactly,
# the slide's title and annotations included; .mp4 has the frames counted
if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then
    cat > fly.views <<'V'
# vastplot views 1
[view]
title = Overview
xlim = -2.5 3.5
ylim = -1 1
size = 240x160
text = -2 0.6 start
[view]
title = Closer
xlim = 0 1.5
ylim = 0.25 -0.75
tonemap = log
arrow = 1.2 0 0.75 -0.25 here
V
    check "video .mkv through real ffmpeg" "$B" video pts.csv --views fly.views -o fly.mkv --fps 8 --seconds 1.5 \
        --overlay -q
    check "video .mp4 through real ffmpeg" "$B" video pts.csv --views fly.views -o fly2.mp4 --fps 8 --seconds 1.5 \
        --overlay -q
    sed 's/^title = Overview$/title = Overview\ninput = pts.csv/' fly.views > flyin.views
    check "video with the views' input" "$B" video --views flyin.views -o flyin.mkv --fps 8 --seconds 1.5 --overlay -q
    check "the same frames" cmp <(ffmpeg -v error -i flyin.mkv -f rawvideo -) <(ffmpeg -v error -i fly.mkv -f rawvideo -)
    printf '[view]\ninput = talkdir/data.csv\n' >> flyin.views
    refused "a view with other inputs" 1 "its inputs differ from the video's" video --views flyin.views \
        -o flyx.mkv --fps 8 --seconds 1
    count() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
    check "12 frames in the .mkv" test "$(count fly.mkv)" = 12
    check "12 frames in the .mp4" test "$(count fly2.mp4)" = 12
    check "H.264 in the .mp4" test "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name \
        -of csv=p=0 fly2.mp4)" = h264
    ffmpeg -v error -i fly.mkv -f rawvideo -pix_fmt rgba -y frames.rgba
    ffmpeg -v error -i fly2.mp4 -f rawvideo -pix_fmt rgba -y frames2.rgba
    "$B" render pts.csv -o v1.png --overlay -q --size 240x160 --title Overview --xlim -2.5 3.5 --ylim -1 1 \
        --text "-2 0.6 start"
    "$B" render pts.csv -o v2.png --overlay -q --size 240x160 --title Closer --xlim 0 1.5 --ylim 0.25 -0.75 \
        --tonemap log --arrow "1.2 0 0.75 -0.25 here"
    check "first and last frames are the renders, exactly (.mkv)" python3 - <<'P'
import sys; sys.path.insert(0, '.')
from pic import png, frames
f = frames('frames.rgba', 240, 160)
ok = len(f) == 12 and f[0] == png('v1.png')[2] and f[-1] == png('v2.png')[2]
print('frames', len(f), 'first', f[0] == png('v1.png')[2], 'last', f[-1] == png('v2.png')[2])
sys.exit(0 if ok else 1)
P
    check "and close to them in the .mp4 (lossy)" python3 - <<'P'
import sys; sys.path.insert(0, '.')
from pic import png, frames
f = frames('frames2.rgba', 240, 160)
def mad(a, b):  # mean absolute difference of 8x8 block means: the picture, not its grain
    tot = n = 0
    for by in range(0, 160, 8):
        for bx in range(0, 240 * 3, 24):
            for c in range(3):
                sa = sum(a[y][x] for y in range(by, by + 8) for x in range(bx + c, bx + 24, 3))
                sb = sum(b[y][x] for y in range(by, by + 8) for x in range(bx + c, bx + 24, 3))
                tot += abs(sa - sb) / 64; n += 1
    return tot / n
d0, d1 = mad(f[0], png('v1.png')[2]), mad(f[-1], png('v2.png')[2])
print('block mean difference: first %.2f, last %.2f (of 255)' % (d0, d1))
sys.exit(0 if len(f) == 12 and d0 < 4 and d1 < 4 else 1)
P
else
    echo "skip the real-ffmpeg part: no ffmpeg (Debian: ffmpeg)"
fi

# the viewer (under Xvfb when it is there): starts on the first view,
# PageDown moves to the next over ~0.5 s (a view in between on the way), V and
# `view save NAME` append the view on screen; PageUp goes back, the keys a view
# leaves out back to the command line's
if command -v xvfb-run >/dev/null && command -v Xvfb >/dev/null; then
    cp talk.views live.views
    cat > walk.txt <<'S'
wait-refined
stats v1.json
key PageDown
wait 120
stats mid.json
wait-refined
stats v2.json
zoom 2
view save My zoom
key V
key PageUp
wait-refined
stats v3.json
quit
S
    check "viewer ran the slides" timeout 120 xvfb-run -a "$B" view pts.csv --views live.views --script walk.txt -q
    view() { grep -o '"view": \[[^]]*\]' "$1"; }
    tm() { grep -o '"tonemap": "[^"]*"' "$1"; }
    check "starts on view 1" test "$(view v1.json)" = '"view": [-2.5, 3.5, -1, 1]'
    check "PageDown: view 2" test "$(view v2.json)" = '"view": [0, 1.5, 0.25, -0.75]'
    check "view 2's tone map" test "$(tm v2.json)" = '"tonemap": "log"'
    check "on the way: neither end" bash -c "! grep -q -e '-2.5, 3.5' -e '\[0, 1.5' mid.json"
    check "PageUp: view 1 again" test "$(view v3.json)" = '"view": [-2.5, 3.5, -1, 1]'
    check "and the command line's tone map" test "$(tm v3.json)" = '"tonemap": "eq-hist"'
    check "two views appended" test "$(grep -c '^\[view\]' live.views)" = 5
    check "view save's title" grep -qx 'title = My zoom' live.views
    check "saved limits" grep -qx 'xlim = 0.375 1.125' live.views
    printf 'key V\nquit\n' > v.txt
    rm -f vastplot.views
    check "V without --views: vastplot.views" timeout 120 xvfb-run -a "$B" view pts.csv --script v.txt -q
    check "vastplot.views made" grep -qx '# vastplot views 1' vastplot.views
    refused "viewer: bad views file" 1 "bad.views:4:" view pts.csv --views bad.views
    # no input on the command line: the views file's; V saves the inputs
    # (absolute) and the window's size
    cp talkdir/own.views talkdir/live.views
    printf 'wait-refined\nstats own.json\nkey V\nquit\n' > own.txt
    check "viewer: the views file's input" timeout 120 xvfb-run -a "$B" view --views talkdir/live.views \
        --script own.txt -q --size 500x300
    check "its points drawn" grep -q '"points_drawn": 6837' own.json
    check "V saved the input, absolute" grep -qx "input = $PWD/talkdir/data.csv" talkdir/live.views
    check "V saved the size" grep -qx "size = 500x300" talkdir/live.views
    # each slide's title and annotations; V keeps them in the saved view
    cp notes.views live2.views
    printf 'wait-refined\nstats n1.json\nkey V\nkey PageDown\nwait 700\nstats n2.json\nquit\n' > notes.txt
    check "viewer ran the annotated slides" timeout 120 xvfb-run -a "$B" view pts.csv --views live2.views \
        --script notes.txt -q --title Talk
    check "slide 1: its title and 3 annotations" bash -c "grep -q '\"annotations\": 3' n1.json &&
        grep -q '\"title\": \"Annotated\"' n1.json"
    check "slide 2: --title and no annotations" bash -c "grep -q '\"annotations\": 0' n2.json &&
        grep -q '\"title\": \"Talk\"' n2.json"
    check "V saved the annotations" test "$(tail -n 3 live2.views)" = "$(printf '%s\n' \
        'text = -2 0.5 the left end' 'arrow = 2.5 0.80000000000000004 0.5 0 Look here' 'arrow = -9 -9 1 -0.5')"
else
    echo "skip the viewer part: no xvfb-run"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
