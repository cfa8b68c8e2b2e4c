#!/usr/bin/env bash
# README.md's option tables, --help and the parser all come from the one table
# in src/app/options.c. This checks that they still agree:
#  - every block between <!-- options:begin NAME ... --> and <!-- options:end -->
#    in README.md is, line for line, what `vastplot help --markdown` prints;
#  - the options of --help are the options of those tables, and every long
#    option README.md mentions anywhere (outside indented code) is in --help;
#  - `vastplot help CMD` and `vastplot CMD --help` list exactly the options
#    whose "commands" cell names CMD.
# After editing the table, refresh README.md with
#   VP_UPDATE_README=1 bash tests/test_options_doc.sh build/vastplot /tmp/x
# usage: test_options_doc.sh VASTPLOT_BINARY SCRATCH_DIR
set -u
B=$(realpath "$1")
D=$2
README=$(realpath "$(dirname "$0")/../README.md")
rm -rf "$D" && mkdir -p "$D" && cd "$D" || exit 1
unset DISPLAY WAYLAND_DISPLAY

fail=0
bad() { echo "FAIL $*"; fail=1; }

"$B" help --markdown > md.txt || bad "vastplot help --markdown: exit $?"
"$B" --help > help.txt || bad "vastplot --help: exit $?"
[ -s md.txt ] && [ -s help.txt ] || { echo "FAIL: no help output"; exit 1; }

if [ "${VP_UPDATE_README:-}" = 1 ]; then
    # each README block replaced by the generated block of the same name
    awk 'FNR == NR { if ($0 ~ /^<!-- options:begin /) name = $3
                     if (name != "" && $0 != "") gen[name] = gen[name] $0 "\n"
                     if ($0 ~ /^<!-- options:end/) name = ""; next }
         /^<!-- options:begin / { skip = 1; printf "%s", gen[$3]; delete gen[$3] }
         !skip { print }
         /^<!-- options:end/ { skip = 0 }
         END { for (n in gen) print "missing in README.md (add its markers by hand): " n > "/dev/stderr" }' \
        md.txt "$README" > readme.new && cat readme.new > "$README" && echo "README.md updated"
fi

# 1. README's blocks, in README's order, are the generated ones
awk '/^<!-- options:begin /{on = 1} on {print} /^<!-- options:end/{on = 0}' "$README" > readme_blocks.txt
grep -v '^$' md.txt > md_blocks.txt
if ! diff -u md_blocks.txt readme_blocks.txt > blocks.diff; then
    bad "README.md's option tables differ from 'vastplot help --markdown' (- generated, + README);" \
        "refresh them with VP_UPDATE_README=1 bash $0 BINARY DIR"
    cat blocks.diff
fi
[ "$(grep -c '^<!-- options:begin ' md.txt)" -ge 5 ] || bad "help --markdown prints fewer groups than expected"

# the option spellings of --help's option lines ("  --name, -a METAVAR  text")
help_opts() {
    sed -n 's/^  \(-[^ ,]*\)\(, \(-[^ ,]*\)\)\{0,1\}.*/\1 \3/p' "$1" | tr ' ' '\n' | sed '/^$/d' | sort -u
}
# the option spellings of the generated tables' first cells (the only cells in backticks)
md_opts() {
    grep '^| `-' "$1" | grep -o '`-[^` ]*' | tr -d '`' | sort -u
}
help_opts help.txt > help_opts.txt
md_opts md.txt > md_opts.txt
[ "$(wc -l < help_opts.txt)" -ge 40 ] || bad "--help lists only $(wc -l < help_opts.txt) options"
diff -u help_opts.txt md_opts.txt > opts.diff || { bad "--help (-) and help --markdown (+) list different options"; cat opts.diff; }

# 2. every option of --help is in README.md, and every long option README.md
#    names (prose and tables; indented code blocks hold cmake's options) is in --help
while read -r opt; do
    grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$README" || bad "$opt is in --help but not in README.md"
done < help_opts.txt
grep -v '^    ' "$README" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u > readme_long.txt
while read -r opt; do
    case "$opt" in --markdown) grep -q -- "$opt" help.txt && continue ;; esac
    grep -qx -- "$opt" help_opts.txt || bad "README.md names $opt, which --help does not list"
done < readme_long.txt

# 3. per command: the options `help CMD` lists are those whose commands cell names CMD
for cmd in view render info demo; do
    "$B" help "$cmd" > "help_$cmd.txt" || bad "vastplot help $cmd: exit $?"
    "$B" "$cmd" --help > "help2_$cmd.txt" || bad "vastplot $cmd --help: exit $?"
    cmp -s "help_$cmd.txt" "help2_$cmd.txt" || bad "vastplot help $cmd and vastplot $cmd --help differ"
    grep -q "^  vastplot $cmd " "help_$cmd.txt" || bad "vastplot help $cmd: no usage line for $cmd"
    help_opts "help_$cmd.txt" > "opts_$cmd.txt"
    grep -E "^\| .* \|( [a-z]+)*( $cmd| all)( [a-z]+)* \|$" md.txt > "rows_$cmd.txt"
    md_opts "rows_$cmd.txt" > "md_opts_$cmd.txt"
    diff -u "opts_$cmd.txt" "md_opts_$cmd.txt" > "cmd_$cmd.diff" ||
        { bad "help $cmd (-) and the tables' '$cmd' rows (+) differ"; cat "cmd_$cmd.diff"; }
done

if [ $fail = 0 ]; then echo "ok   README.md's option tables, --help and the option table agree"; fi
exit $fail
