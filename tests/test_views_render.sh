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

# video: raw RGBA frames to the ffmpeg found in PATH (a stand-in here that
# keeps them), --seconds x --fps of them, the first view's size
mkdir -p fake
cat > fake/ffmpeg <<'F'
#!/bin/sh
for a; do last=$a; done
echo "$@" > "$last.args"
cat > "$last"
F
chmod +x fake/ffmpeg
check "video through the views" env PATH="$PWD/fake:$PATH" "$B" video pts.csv --views talk.views -o fly.mp4 \
    --fps 10 --seconds 1.5 --size 64x48 --overlay -q
check "15 frames of 640x360 RGBA" test "$(stat -c %s fly.mp4)" = $((15 * 640 * 360 * 4))
check "ffmpeg told the size and rate" grep -q -- "-f rawvideo -pix_fmt rgba -s 640x360 -r 10 -i -" fly.mp4.args
check "first and last frames differ" bash -c '! cmp -s <(head -c 921600 fly.mp4) <(tail -c 921600 fly.mp4)'
PATH=/nonexistent refused "video without ffmpeg" 1 "ffmpeg not found in PATH" video pts.csv \
    --views talk.views -o none.mp4
check "nothing written without ffmpeg" test ! -e none.mp4
refused "video needs --views" 2 "no --views FILE" video pts.csv -o none.mp4
refused "--fps goes with video" 2 "--fps is not an option of render (it goes with video" render pts.csv -o x.png --fps 10

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
else
    echo "skip the viewer part: no xvfb-run"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
