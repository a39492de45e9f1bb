#!/usr/bin/env bash
# Whole-scan comparison of piiscan with ripgrep over a generated fixture:
# prints the ratios for the five performance targets (see BENCHMARKS.md).
#
#   benches/compare.sh                 # 512MiB fixture, 5 runs each
#   SIZE=64MiB RUNS=5 benches/compare.sh
#   SECTIONS="4 5" KEEP=1 WORK=/tmp/cmp benches/compare.sh   # some targets, keep files
#   SECTIONS="6 7" benches/compare.sh  # growth with input size, with the number of rules
#   SECTIONS=8 benches/compare.sh      # real source code: piiscan's own dependencies
#   SECTIONS=9 benches/compare.sh      # what finding every match costs ripgrep itself
#   SECTIONS=10 benches/compare.sh     # each part of the tree, one export of each format
#   SECTIONS=11 benches/compare.sh     # memory and time of each report format, many small files
#   SECTIONS=12 benches/compare.sh     # the same in a retention review (every location overdue)
#
# Needs hyperfine and ripgrep (installed with apt-get when missing) and
# GNU time for peak memory. Everything is written under $WORK (default: a
# temporary directory, removed at the end unless KEEP=1).
set -euo pipefail

SIZE=${SIZE:-512MiB}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
BIG_FILE_MB=${BIG_FILE_MB:-2048}
SMALL_FILES=${SMALL_FILES:-200000}
SECTIONS=${SECTIONS:-1 2 3 4 5}   # which of the five targets to measure (6, 7: growth; 8: source code; 9: every match; 10: per part; 11: report formats; 12: with retention)
GROWTH_SIZES=${GROWTH_SIZES:-10MiB 100MiB 1GiB}
GROWTH_RUNS=${GROWTH_RUNS:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
PATTERNS="$HERE/benches/naive_patterns.txt"
PIISCAN=${PIISCAN:-$HERE/target/release/piiscan}
WORK=${WORK:-$(mktemp -d)}
export PIISCAN_KEY=${PIISCAN_KEY:-compare}

need() { command -v "$1" >/dev/null 2>&1; }
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
if ! need hyperfine || ! need rg || [ ! -x /usr/bin/time ]; then
    apt-get update -qq && apt-get install -y -qq hyperfine ripgrep time >/dev/null
fi
if [ ! -x "$PIISCAN" ]; then
    (cd "$HERE" && cargo build --release --quiet)
fi
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "work dir: $WORK"

TREE="$WORK/tree"
if [ ! -d "$TREE" ]; then
    "$PIISCAN" generate --out "$TREE" --size "$SIZE" --seed 1 >/dev/null
fi
# One large CSV and one large log, cut from the tree's own files (a single
# header line, then every data row of the CRM exports).
CSV="$WORK/big.csv"
LOG="$WORK/big.log"
if [ ! -f "$CSV" ]; then
    mapfile -t csvs < <(find "$TREE" -name 'klanten_*.csv' | sort)
    head -n1 "${csvs[0]}" >"$CSV"
    for f in "${csvs[@]}"; do tail -n +2 "$f" >>"$CSV"; done
    find "$TREE" -name '*.log' | sort | xargs cat >"$LOG"
fi

# Median seconds of a hyperfine run of "$1" (piiscan) and "$2" (ripgrep).
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"])' "$@"; }
PIISCAN_ARGS="scan --no-ignore --hidden --exit-zero -q --format json"
RG_ARGS="-c --no-ignore --hidden -f $PATTERNS"
compare() { # name path [piiscan extra args]
    local name=$1 path=$2; shift 2
    # piiscan must not fail (hyperfine is told to ignore exit codes below).
    "$PIISCAN" $PIISCAN_ARGS "$@" "$path" >/dev/null
    # ripgrep exits 1 where nothing matches (the clean files); hyperfine
    # then warns that it ignores that, which says nothing here.
    hyperfine -N --warmup "$WARMUP" --runs "$RUNS" -i --export-json "$WORK/$name.json" \
        "$PIISCAN $PIISCAN_ARGS $* $path" "rg $RG_ARGS $path" 2>&1 >/dev/null |
        { grep -v -e 'Ignoring non-zero exit code' -e '^ *$' >&2 || true; }
    local p r bytes
    p=$(median "$WORK/$name.json" 0)
    r=$(median "$WORK/$name.json" 1)
    bytes=$(du -sb "$path" | cut -f1)
    python3 -c 'import sys; p,r,b=map(float,sys.argv[2:5]); print(f"{sys.argv[1]:<10} ratio {r/p:5.2f}x   piiscan {b/p/1e6:7.1f} MB/s ({p:.2f} s)   ripgrep {b/r/1e6:7.1f} MB/s ({r:.2f} s)")' \
        "$name" "$p" "$r" "$bytes"
}

# Times command "$2 PATH" against "$3 PATH" on the tree, the CSV and the
# log (exports named "$1-tree.json" and so on) and prints, for each, the
# Python f-string "$4" with n (the input's name), a and b (the two
# medians, in seconds).
each_input() { # name-prefix command-a command-b f-string
    local input name path a b
    for input in tree:"$TREE" csv:"$CSV" log:"$LOG"; do
        name=${input%%:*} path=${input#*:}
        hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/$1-$name.json" \
            "$2 $path" "$3 $path" >/dev/null
        a=$(median "$WORK/$1-$name.json" 0); b=$(median "$WORK/$1-$name.json" 1)
        python3 -c "import sys; n,a,b=sys.argv[1],float(sys.argv[2]),float(sys.argv[3]); print(f'$4')" "$name" "$a" "$b"
    done
}

if want 1; then
echo
echo "== 1. throughput, piiscan / ripgrep (medians of $RUNS runs) =="
compare tree "$TREE"
compare csv "$CSV"
compare log "$LOG"
fi

if want 2; then
echo
echo "== 2. threads: --threads 2 over --threads 1 =="
# The tree (threads take files), then one CSV and one log (threads share
# the pieces of the one file).
each_input threads "$PIISCAN $PIISCAN_ARGS --threads 1" "$PIISCAN $PIISCAN_ARGS --threads 2" \
    '{n:<10} speed-up {a/b:.2f}x ({a:.2f} s -> {b:.2f} s)'
fi

if want 3; then
echo
echo "== 3. peak memory (GNU time, NDJSON streamed to /dev/null) =="
BIG="$WORK/huge.csv"
if [ ! -f "$BIG" ]; then
    while [ "$(stat -c %s "$BIG" 2>/dev/null || echo 0)" -lt $((BIG_FILE_MB * 1048576)) ]; do
        cat "$CSV" >>"$BIG"
    done
fi
rss() { /usr/bin/time -f %M "$PIISCAN" scan --no-ignore --hidden --exit-zero -q --format ndjson "$1" 2>&1 >/dev/null | tail -n1; }
echo "tree ($(du -sh "$TREE" | cut -f1)): $(( $(rss "$TREE") / 1024 )) MB"
echo "one file ($(du -sh "$BIG" | cut -f1)): $(( $(rss "$BIG") / 1024 )) MB"
# Number-like ids with a 00 prefix reach the numbering plans of every
# country: memory must not grow with the number of countries seen.
IDS="$WORK/ids00.ndjson"
if [ ! -f "$IDS" ]; then
    python3 -c 'import random,sys; r=random.Random(1); sys.stdout.writelines("{\"request_id\":\"00%010d\",\"ms\":%d}\n" % (r.randrange(10**10), r.randrange(999)) for _ in range(200000))' >"$IDS"
fi
echo "200,000 ids like 00NNNNNNNNNN ($(du -sh "$IDS" | cut -f1)): $(( $(rss "$IDS") / 1024 )) MB"
fi

# $SMALL_FILES files of 1 KB: slices of the CSV, 1000 per directory.
SMALL="$WORK/small"
make_small() {
    [ -d "$SMALL" ] && return
    mkdir -p "$SMALL"
    local per_dir=1000 dirs d
    dirs=$(( (SMALL_FILES + per_dir - 1) / per_dir ))
    for d in $(seq 0 $((dirs - 1))); do
        mkdir -p "$SMALL/$d"
        # 1000 slices of 1 KB from the CSV, at a different offset per directory.
        dd if="$CSV" bs=1024 skip=$((d * 4)) count="$per_dir" status=none |
            split -b 1024 -a 3 -d - "$SMALL/$d/f"
    done
}

if want 4; then
echo
echo "== 4. $SMALL_FILES files of 1 KB, piiscan / ripgrep files/s =="
make_small
compare small "$SMALL"
# The same number of files with no personal data in them (workshop words):
# what each file costs apart from its findings.
CLEAN="$WORK/small-clean"
if [ ! -d "$CLEAN" ]; then
    python3 - "$CLEAN" "$SMALL_FILES" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
words = "de het een auto werkplaats onderhoud band remmen olie filter klant garantie motor storing lamp accu".split()
r = random.Random(1)
for n in range(count):
    d = os.path.join(root, str(n // 1000))
    os.makedirs(d, exist_ok=True)
    text = " ".join(r.choice(words) for _ in range(200))[:1023]
    with open(os.path.join(d, f"f{n % 1000:03}.txt"), "w") as f:
        f.write(text + "\n")
PY
fi
compare clean "$CLEAN"
fi

if want 5; then
echo
echo "== 5. empty directory =="
EMPTY="$WORK/empty"; mkdir -p "$EMPTY"
hyperfine -N --warmup 3 --runs 20 --export-json "$WORK/empty.json" \
    "$PIISCAN scan --exit-zero -q --format json $EMPTY" >/dev/null
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("median %.1f ms (mean %.1f ms)" % (r["median"]*1000, r["mean"]*1000))' "$WORK/empty.json"
fi
if want 6; then
echo
echo "== 6. growth with input size (medians of $GROWTH_RUNS runs; peak RSS with NDJSON) =="
for size in $GROWTH_SIZES; do
    dir="$WORK/grow-$size"
    [ -d "$dir" ] || "$PIISCAN" generate --out "$dir" --size "$size" --seed 1 >/dev/null
    RUNS=$GROWTH_RUNS compare "grow-$size" "$dir"
    echo "           peak RSS $(( $(/usr/bin/time -f %M "$PIISCAN" scan --no-ignore --hidden --exit-zero -q --format ndjson "$dir" 2>&1 >/dev/null | tail -n1) / 1024 )) MB, $(find "$dir" -type f | wc -l) files"
done
fi

if want 7; then
echo
echo "== 7. growth with the number of rules (the log file) =="
# Ten times the default set: nine renamed copies of every default rule.
RULES10="$WORK/rules10x"
rm -rf "$RULES10"; mkdir -p "$RULES10"
cp "$HERE"/rules/*.toml "$RULES10/"
for n in 1 2 3 4 5 6 7 8 9; do
    for f in "$HERE"/rules/*.toml; do
        sed -E "s/^id = \"([a-z0-9_]+)\"/id = \"\1_copy$n\"/" "$f" >"$RULES10/copy${n}_$(basename "$f")"
    done
done
count=$(cat "$RULES10"/*.toml | grep -c '^id = ')
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/rules.json" \
    "$PIISCAN $PIISCAN_ARGS $LOG" \
    "$PIISCAN $PIISCAN_ARGS --no-default-rules --rules $RULES10 $LOG" >/dev/null
d=$(median "$WORK/rules.json" 0); t=$(median "$WORK/rules.json" 1)
python3 -c 'import sys; d,t=map(float,sys.argv[1:3]); print(f"default set {d:.2f} s, {sys.argv[3]} rules (10x) {t:.2f} s: {t/d:.2f}x")' "$d" "$t" "$count"
fi

if want 8; then
echo
echo "== 8. source code: piiscan's own dependencies (cargo vendor --locked) =="
# Sparse personal data in real files (Rust sources, test data, tables,
# some binaries that every tool skips), as a repository scan in CI sees it.
# ripgrep runs the naive patterns twice: as written (its default Unicode
# \b) and with ASCII word boundaries, which keep its fastest engine on
# non-ASCII text.
VENDOR="$WORK/vendor"
[ -d "$VENDOR" ] || (cd "$HERE" && cargo vendor --locked --quiet "$VENDOR" >/dev/null)
sed 's/\\b/(?-u:\\b)/g' "$PATTERNS" >"$WORK/naive_patterns_ascii.txt"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/vendor.json" \
    "$PIISCAN $PIISCAN_ARGS $VENDOR" "rg $RG_ARGS $VENDOR" \
    "rg -c --no-ignore --hidden -f $WORK/naive_patterns_ascii.txt $VENDOR" >/dev/null
p=$(median "$WORK/vendor.json" 0); r=$(median "$WORK/vendor.json" 1); a=$(median "$WORK/vendor.json" 2)
python3 -c 'import sys; p,r,a=map(float,sys.argv[1:4]); print(f"{sys.argv[4]} files, {sys.argv[5]}: piiscan {p:.2f} s; ripgrep {r:.2f} s (ratio {r/p:.2f}x), with ASCII \\b {a:.2f} s (ratio {a/p:.2f}x)")' \
    "$p" "$r" "$a" "$(find "$VENDOR" -type f | wc -l)" "$(du -sh "$VENDOR" | cut -f1)"
fi

if want 9; then
echo
echo "== 9. ripgrep counting every match (--count-matches) instead of matching lines (-c) =="
# The yardstick of target 1 counts lines: once a line holds one match,
# ripgrep moves on to the next line. piiscan has to find every value on
# the line. This shows what that alone costs ripgrep, with the same four
# patterns, on the same files (ratios of medians).
each_input every "rg $RG_ARGS" "rg --count-matches --no-ignore --hidden -f $PATTERNS" \
    '{n:<10} -c {a:.3f} s, --count-matches {b:.3f} s: {b/a:.2f}x the time'
fi

if want 10; then
echo
echo "== 10. where the ratio is made: each part of the tree, one export of each format =="
# The parts differ in what they hold: dense exports (tables, JSON, SQL
# dumps), logs, mail, source code, workshop notes. An SQL dump's INSERT
# lines hold thousands of values each, and ripgrep's -c reads one of them
# per line.
for dir in "$TREE"/*/; do
    compare "part-$(basename "$dir")" "$dir"
done
for ext in csv json ndjson sql; do
    first=$(find "$TREE/exports" -name "*.$ext" | sort | head -n1)
    [ -n "$first" ] && compare "export-$ext" "$first"
done
fi

# Peak memory and wall time of every report format over the small files
# (one run each), with the scan options given.
formats_memory() {
    "$PIISCAN" scan --no-ignore --hidden --exit-zero -q --format ndjson "$@" "$SMALL" >/dev/null   # warm the page cache
    for format in human sarif ndjson csv json inventory-csv html; do
        /usr/bin/time -f "%e %M" -o "$WORK/time-$format.txt" \
            "$PIISCAN" scan --no-ignore --hidden --exit-zero -q --format "$format" "$@" "$SMALL" >/dev/null
        read -r secs kib <"$WORK/time-$format.txt"
        printf '%-14s %6.2f s   peak %6d MiB\n' "$format" "$secs" $((kib / 1024))
    done
}

if want 11; then
echo
echo "== 11. memory and time by report format, $SMALL_FILES files of 1 KB (one run each) =="
# Target 3 is measured with NDJSON; every other format should stay flat
# too: the summary (a retention review's default), SARIF (a CI scan's),
# and the formats that list every file (written out as files are done).
make_small
formats_memory --no-config
fi

if want 12; then
echo
echo "== 12. a retention review of $SMALL_FILES files of 1 KB: memory and time by report format (one run each) =="
# Every file dated 2020 and a policy of one day: each entity of each file
# is a location past its policy (over a million of them).
make_small
find "$SMALL" -type f -exec touch -d 2020-01-01 {} +
printf '[retention]\ndefault = "1d"\n' >"$WORK/retention.toml"
formats_memory --config "$WORK/retention.toml"
fi

echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
