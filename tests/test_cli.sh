#!/usr/bin/env bash
# Bad input, as a user would meet it: each row runs the real binary and checks
# the exit code, the one-line message, and that no output file is left behind.
# usage: test_cli.sh VASTPLOT_BINARY SCRATCH_DIR
set -u
B=$(realpath "$1")
D=$2
rm -rf "$D" && mkdir -p "$D" && cd "$D" || exit 1
unset DISPLAY WAYLAND_DISPLAY

pass=0 fail=0
# row NAME EXPECTED_RC EXPECTED_SUBSTRING -- ARGS...
row() {
    local name=$1 want_rc=$2 want=$3
    shift 4
    rm -f out.png out.npy
    local msg rc
    msg=$("$B" "$@" 2>&1 >/dev/null)
    rc=$?
    local ok=1
    [ "$rc" = "$want_rc" ] || ok=0
    case "$msg" in *"$want"*) ;; *) ok=0 ;; esac
    if [ "$want_rc" != 0 ] && { [ -e out.png ] || [ -e out.npy ]; }; then ok=0; msg="$msg [output file left behind]"; fi
    if [ "$want_rc" != 0 ] && ls ./*.tmp* >/dev/null 2>&1; then ok=0; msg="$msg [temporary file left behind]"; fi
    if [ $ok = 1 ]; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name: rc=$rc (want $want_rc), stderr: $msg (want: $want)"
    fi
}

# fixtures
: > empty.f32
printf '0123456789' > ten.bin
printf '0123456789abcdef' > two_f32_records.bin
mkdir -p adir
printf '\x93NUMPY\x01\x00' > trunc.npy
# a .npy that says (1000, 2) <f4 but holds 2 records
hdr="{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 2), }"
pad=$((64 - (10 + ${#hdr} + 1) % 64))
{ printf '\x93NUMPY\x01\x00'; printf "\\x$(printf %02x $(( (${#hdr} + pad + 1) % 256 )))\\x$(printf %02x $(( (${#hdr} + pad + 1) / 256 )))"
  printf '%s' "$hdr"; printf '%*s' $pad ''; printf '\n'; printf '0123456789abcdef'; } > lying.npy
{ printf '\x93NUMPY\x02\x00\xff\xff\xff\x7f'; printf "{'descr'"; } > absurd.npy
printf '\x00\x00\x80\x7f\x00\x00\xc0\x7f' > nonfinite.f32   # +inf, nan
chmod 000 two_f32_records.bin 2>/dev/null; cp two_f32_records.bin noperm.bin 2>/dev/null; chmod 644 two_f32_records.bin
printf '0123456789abcdef' > noperm.bin; chmod 000 noperm.bin
mkfifo fifo

row "missing file"          1 "nope.f32: no such file"          -- render nope.f32 -o out.png
row "directory"             1 "adir: is a directory"            -- render adir -o out.png
row "empty file"            1 "empty.f32: file is empty"        -- render empty.f32 -o out.png
row "fifo, no writer"       1 "fifo: not a regular file"        -- render fifo -o out.png
if [ "$(id -u)" != 0 ]; then
row "permission denied"     1 "noperm.bin: permission denied"   -- render noperm.bin -o out.png
fi
row "truncated npy"         1 "trunc.npy: .npy header truncated" -- render trunc.npy -o out.png
row "npy shape > file"      1 "lying.npy: .npy header says shape (1000, 2)" -- render lying.npy -o out.png
row "absurd npy header"     1 "absurd.npy:"                     -- render absurd.npy -o out.png
row "column out of range"   1 "--y column 5 is out of range"    -- render two_f32_records.bin --y 5 -o out.png
row "record > file"         1 "less than one record"            -- render ten.bin --dtype f64 -o out.png
printf '0123456789ab' > twelve.bin
row "dtype does not divide" 1 "twelve.bin: 12 bytes of data after --skip-bytes 0 is not a whole number of f64 values" -- render twelve.bin --dtype f64 --columns 1 -o out.png
row "skip-bytes too big"    1 "--skip-bytes 100"                -- render two_f32_records.bin --skip-bytes 100 -o out.png
row "negative skip-bytes"   2 "--skip-bytes"                    -- render two_f32_records.bin --skip-bytes -4 -o out.png
row "all non-finite"        1 "no finite samples"               -- render nonfinite.f32 -o out.png
row "xlim equal"            2 "--xlim: the two limits are equal" -- render two_f32_records.bin --xlim 1 1 -o out.png
row "bad number"            2 "--ylim: expected a finite number" -- render two_f32_records.bin --ylim 0 abc -o out.png
row "bad dtype"             2 "--dtype: expected f32"           -- render two_f32_records.bin --dtype f16 -o out.png
row "bad size"              2 "--size: expected WIDTHxHEIGHT"   -- render two_f32_records.bin --size 0x10 -o out.png
row "size over GL limit"    1 "is larger than this OpenGL allows" -- render two_f32_records.bin --size 100000x100 -o out.png
row "output folder missing" 1 "folder /nonexistent-vp does not exist" -- render two_f32_records.bin -o /nonexistent-vp/out.png
row "output is a folder"    1 "adir"                            -- render two_f32_records.bin -o adir
row "output is a device"    1 "/dev/full: exists and is not a regular file" -- render two_f32_records.bin -o /dev/full
# a full disk: a 4 KiB tmpfs (needs root; skipped, visibly, otherwise)
mkdir -p small
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4k tmpfs small 2>/dev/null; then
    dd if=/dev/zero of=small/fill bs=1k count=3 status=none 2>/dev/null
    row "full disk (tmpfs)" 1 "No space left on device" -- render two_f32_records.bin --size 640x480 -o small/out.png
    [ -z "$(ls small | grep -v '^fill$')" ] || { fail=$((fail + 1)); echo "FAIL full disk: files left: $(ls small)"; }
    umount small
else
    echo "skip full disk (tmpfs): needs root"
fi
cp two_f32_records.bin same.bin
row "output is the input"   1 "same.bin: is also an input"      -- render same.bin -o same.bin
cmp -s same.bin two_f32_records.bin || { fail=$((fail + 1)); echo "FAIL input was overwritten"; }
# outputs never destroy inputs or old results: identity, not spelling
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
ln -sf same.bin same-link.png
row "output is a symlink to the input" 1 "same-link.png: is also an input (the same file as same.bin)" -- render same.bin -o same-link.png
ln -f same.bin same-hard.npy
row "counts are a hard link of the input" 1 "same-hard.npy: is also an input" -- render same.bin -o out.png --save-counts same-hard.npy
check "input untouched through links" "cmp -s same.bin two_f32_records.bin"
rm -f same.out
row "-o and --save-counts one file" 1 "./same.out: --save-counts is the same file as -o same.out" -- render two_f32_records.bin -o same.out --save-counts ./same.out
check "no same.out left" "[ ! -e same.out ]"
printf 'old png' > keep.png; printf 'old npy' > keep.npy; ln -f keep.png keep-hard.npy
row "-o and a hard link of it" 1 "keep-hard.npy: --save-counts is the same file as -o keep.png" -- render two_f32_records.bin -o keep.png --save-counts keep-hard.npy
row "failing --save-counts"  1 "folder nodir does not exist"    -- render two_f32_records.bin -o keep.png --save-counts nodir/c.npy
check "failing --save-counts keeps the old -o" "[ \"\$(cat keep.png)\" = 'old png' ]"
row "failing -o"             1 "folder nodir does not exist"    -- render two_f32_records.bin -o nodir/c.png --save-counts keep.npy
check "failing -o keeps the old --save-counts" "[ \"\$(cat keep.npy)\" = 'old npy' ]"
check "no temporary files" "! ls ./*.tmp-* >/dev/null 2>&1"
"$B" render two_f32_records.bin -o keep.png --save-counts keep.npy -q
check "both replaced together" "[ \"\$(head -c 4 keep.png | tail -c 3)\" = PNG ] && [ \"\$(head -c 6 keep.npy | tail -c 5)\" = NUMPY ]"
mkdir -p real; printf 'old' > real/t.png; chmod 600 real/t.png; ln -sf real/t.png via-link.png
row "-o through a symlink"   0 "-> via-link.png"                -- render two_f32_records.bin -o via-link.png
check "the link stays, its target is replaced, mode kept" "[ -L via-link.png ] && [ \"\$(head -c 4 real/t.png | tail -c 3)\" = PNG ] && [ \"\$(stat -c %a real/t.png)\" = 600 ]"
ln -sfn nowhere/x.png dangling.png
row "-o a dangling symlink"  1 "dangling.png: is a symlink to a file that does not exist" -- render two_f32_records.bin -o dangling.png
check "the dangling link stays a link" "[ -L dangling.png ]"
if [ "$(id -u)" = 0 ]; then
    printf 'theirs' > theirs.png; chown 65534:65534 theirs.png
    row "-o of another user"  1 "theirs.png: belongs to another user (uid 65534)" -- render two_f32_records.bin -o theirs.png
    check "another user's file untouched" "[ \"\$(cat theirs.png)\" = theirs ] && [ \"\$(stat -c %u theirs.png)\" = 65534 ]"
else
    echo "skip -o of another user: needs root"
fi
row "no output"             2 "no output given"                 -- render two_f32_records.bin
row "unknown option"        2 "unknown option \"--frobnicate\"" -- render two_f32_records.bin --frobnicate -o out.png
# Mesa's override hides OpenGL 4.5 (a no-op on other drivers, so only checked on Mesa)
rm -f out.png
msg=$(MESA_GL_VERSION_OVERRIDE=3.3 "$B" render two_f32_records.bin -o out.png 2>&1); rc=$?
if [ $rc = 1 ] && [[ "$msg" == *"OpenGL 4.5 core is needed"*"offers OpenGL 3.3"* ]] && [ ! -e out.png ]; then
    pass=$((pass + 1)); echo "ok   no GL 4.5 (Mesa override)"
else
    fail=$((fail + 1)); echo "FAIL no GL 4.5: rc=$rc: $msg"
fi

# good input still works, and the partial record is a warning, not an error
printf '0123456789abcdefWXYZ' > partial.bin
row "partial record warns"  0 "the last 4 bytes are not a whole record" -- render partial.bin -o out.png
[ -s out.png ] || { fail=$((fail + 1)); echo "FAIL partial record: no picture"; }
# inputs are never written to
sum_before=$(md5sum partial.bin)
"$B" render partial.bin -o out.png -q; [ "$(md5sum partial.bin)" = "$sum_before" ] || { fail=$((fail + 1)); echo "FAIL input changed"; }

# degenerate but valid inputs: a picture, not an error
printf '\x00\x00\x80\x3f\x00\x00\x00\x40' > single.f32                       # one sample (1, 2)
row "a single sample"       0 "1 points read, 1 drawn"          -- render single.f32 -o out.png --size 3x3
printf '\x00\x00\x80\x3f\x00\x00\x00\x40%.0s' 1 2 3 4 > same.f32          # four identical samples
row "identical samples"     0 "4 points read, 4 drawn"          -- render same.f32 -o out.png
row "reversed --xlim"       0 "1 points read, 1 drawn"          -- render single.f32 --xlim 5 0 -o out.png
row "1x1 picture"           0 "2 points read, 2 drawn"          -- render two_f32_records.bin --size 1x1 -o out.png
row "huge --skip-bytes"     1 "is not less than the file size"  -- render two_f32_records.bin --skip-bytes 4611686018427387903 -o out.png
row "huge --size number"    2 "--size: expected WIDTHxHEIGHT"   -- render two_f32_records.bin --size 99999999999x2 -o out.png

# text input: header names, a bad row reported with its line, standard input
printf 'lon,lat,mag\n# a comment\n1.5,2.5,3\n2,3,4\n3,x,5\n4,5,6\n' > quakes.csv
row "csv by column names"   0 "line 5, held \"x\" (not a number in column 1 (lat))" -- render quakes.csv --x lon --y lat -o out.png
row "csv unknown column"    1 "quakes.csv: column \"depth\" not found; the header has: lon, lat, mag" -- render quakes.csv --x lon --y depth -o out.png
row "name on a binary file" 1 "two_f32_records.bin: --x/--y name a column" -- render two_f32_records.bin --x lon --y lat -o out.png
out=$(printf '1 2\n3 4\n5 6\n' | "$B" render - -o out.png 2>&1)
case "$out" in
    *"3 points read, 3 drawn"*) pass=$((pass + 1)); echo "ok   standard input" ;;
    *) fail=$((fail + 1)); echo "FAIL standard input: $out" ;;
esac
out=$(cat two_f32_records.bin two_f32_records.bin | "$B" render - --dtype f32 -o out.png 2>&1)
case "$out" in
    *"4 points read, 4 drawn"*) pass=$((pass + 1)); echo "ok   raw records on standard input" ;;
    *) fail=$((fail + 1)); echo "FAIL raw standard input: $out" ;;
esac
out=$( { cat two_f32_records.bin; printf 'abc'; } | "$B" render - --dtype f32 -o out.png 2>&1)
case "$out" in
    *"standard input: 3 bytes of a last record cut short: ignored"*"2 points read"*) pass=$((pass + 1)); echo "ok   cut record on standard input" ;;
    *) fail=$((fail + 1)); echo "FAIL cut record on standard input: $out" ;;
esac
"$B" info quakes.csv | grep -q "records:     3" && { pass=$((pass + 1)); echo "ok   info on csv"; } \
    || { fail=$((fail + 1)); echo "FAIL info on csv"; }
# a third column (--value, --by): bad choices name the file and the option
"$B" info quakes.csv --value mag | grep -q "value:       column 2 (mag): 3 .. 6" \
    && { pass=$((pass + 1)); echo "ok   info --value"; } || { fail=$((fail + 1)); echo "FAIL info --value"; }
printf '\0\0\0\0\0\0\0\0\0\0\200\77\0\0\200\77\0\0\200\77\0\0\0\100\0\0\0\77\0\0\0\77\0\0\310\102' > xyc.f32
row "value column not in the header" 1 "quakes.csv: column \"depth\" not found; the header has: lon, lat, mag" -- render quakes.csv --value depth -o out.png
row "value by name in binary"        1 "xyc.f32: binary records have no column names: give --value as a 0-based index" -- render xyc.f32 --dtype f32 --columns 3 --value mag -o out.png
row "value column out of range"      1 "xyc.f32: the --value/--by column 2 is out of range: records have 2 columns (0..1)" -- render xyc.f32 --dtype f32 --value 2 -o out.png
row "a code that is not a category"  0 "1 sample not drawn: column 2 is not a category code there (an integer from 0 to 63)" -- render xyc.f32 --dtype f32 --columns 3 --by 2 -o out.png
row "no value for --agg"             2 "--agg std needs --value COL" -- render xyc.f32 --dtype f32 --agg std -o out.png

# --skip-bytes holds for every kind of input: a raw file, raw standard input,
# a followed raw file, a text file (its first bytes are two rows to skip), a
# followed text file, text on standard input
printf 'HDR-12-BYTES' > skip.f32; cat two_f32_records.bin >> skip.f32
printf '1 1\n5 5\n' > skip.txt; printf '1 2\n3 4\n' >> skip.txt
row "skip-bytes, raw file"         0 "2 points read, 2 drawn" -- render skip.f32 --skip-bytes 12 -o out.png
row "skip-bytes, raw stdin"        0 "2 points read, 2 drawn" -- render - --dtype f32 --skip-bytes 12 -o out.png < skip.f32
row "skip-bytes, followed raw"     0 "2 points read, 2 drawn" -- render --follow --until-idle 0.2 skip.f32 --skip-bytes 12 -o out.png
row "skip-bytes, text file"        0 "2 points read, 2 drawn" -- render skip.txt --skip-bytes 8 -o out.png
row "skip-bytes, followed text"    0 "2 points read, 2 drawn" -- render --follow --until-idle 0.2 skip.txt --skip-bytes 8 -o out.png
row "skip-bytes, text stdin"       0 "2 points read, 2 drawn" -- render - --skip-bytes 8 -o out.png < skip.txt
row "skip-bytes past a text file"  1 "skip.txt: --skip-bytes 100 is not less than the file size (16 bytes)" -- render skip.txt --skip-bytes 100 -o out.png
row "stdin ends inside skip-bytes" 1 "standard input: ended after 16 bytes, inside the 100 bytes of --skip-bytes" -- render - --skip-bytes 100 -o out.png < skip.txt

# a closed standard input is an error, not a wait forever (timeout: a hang fails)
closed() { # NAME EXPECTED_RC EXPECTED_SUBSTRING ARGS...
    local name=$1 want_rc=$2 want=$3 msg rc
    shift 3
    rm -f out.png
    msg=$(timeout 20 "$B" "$@" 2>&1 >/dev/null <&-)
    rc=$?
    if [ "$rc" = "$want_rc" ] && [[ "$msg" == *"$want"* ]] && { [ "$want_rc" = 0 ] || [ ! -e out.png ]; }; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name: rc=$rc (want $want_rc), stderr: $msg (want: $want)"
    fi
}
closed "closed stdin"               1 "standard input is closed" render - -o out.png
closed "closed stdin, raw"          1 "standard input is closed" render - --dtype f32 -o out.png
closed "closed stdin, follow"       1 "standard input is closed" render --follow --until-idle 0.2 - -o out.png
closed "closed stdin, after a file" 1 "standard input is closed" render two_f32_records.bin - -o out.png
# with no "-" a closed standard input is no concern, and no file is read in its place
closed "closed stdin, files only"   0 "2 points read, 2 drawn" render two_f32_records.bin -o out.png

printf '\x93NUMPY\x01\x00' > follow.npy
row "follow a .npy"         1 "a .npy file cannot be followed"  -- render --follow --until-idle 0.1 follow.npy -o out.png

# remembered bounds: used on a second run, never stale after the file changes
export XDG_CACHE_HOME=$D/cache
printf '\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x3f\x00\x00\x80\x3f' > grow.f32   # (0,0) (1,1)
"$B" render grow.f32 -o out.png -q --size 4x4 || { fail=$((fail + 1)); echo "FAIL cache: first render"; }
if [ "$(ls "$XDG_CACHE_HOME"/vastplot/bounds 2>/dev/null | wc -l)" = 1 ]; then
    pass=$((pass + 1)); echo "ok   bounds remembered"
else
    fail=$((fail + 1)); echo "FAIL bounds not remembered under $XDG_CACHE_HOME"
fi
printf '\x00\x00\x20\x41\x00\x00\x20\x41' >> grow.f32   # (10,10): bounds change
out=$("$B" render grow.f32 -o out.png --size 4x4 --verbose 2>&1)
case "$out" in
    *"3 drawn"*"view x [0, 10]"*) pass=$((pass + 1)); echo "ok   changed file scanned again" ;;
    *) fail=$((fail + 1)); echo "FAIL stale bounds after the file grew: $out" ;;
esac
"$B" info grow.f32 --no-cache | grep -q "x:  *0 .. 10" && { pass=$((pass + 1)); echo "ok   info agrees"; } \
    || { fail=$((fail + 1)); echo "FAIL info after growth"; }
unset XDG_CACHE_HOME

# a binary file named like text: --dtype reads it as records; without, the
# text parser refuses it and says what to give
printf '\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40\x00\x00\x80\x40' > rec.dat # (1,2) (3,4)
row "binary .dat without --dtype" 1 "give --dtype" -- render rec.dat -o out.png
out=$("$B" render rec.dat --dtype f32 -o out.png --size 4x4 --verbose --no-cache 2>&1)
case "$out" in
    *"2 points read, 2 drawn"*"view x [1, 3] y [2, 4]"*) pass=$((pass + 1)); echo "ok   --dtype reads a .dat as records" ;;
    *) fail=$((fail + 1)); echo "FAIL --dtype on a .dat: $out" ;;
esac
row "--format wins over --dtype" 1 "rec.dat" -- render rec.dat --dtype f32 --format csv -o out.png
row "options a command does not take" 2 "--overlay is not an option of info" -- info rec.dat --overlay
row "a flag given a value" 2 "--verbose takes no value" -- render rec.dat -o out.png --verbose=no

echo "$pass passed, $fail failed"
[ $fail = 0 ]
