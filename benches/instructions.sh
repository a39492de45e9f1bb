#!/usr/bin/env bash
# Counts the instructions one-thread scans execute (valgrind's cachegrind
# without cache simulation). Unlike times, the count barely moves with the
# load of a shared machine, so two builds can be compared on small inputs
# in a few seconds each; it does not see cache misses or branch
# mispredictions, so a change is still confirmed with paired timings.
#
#   benches/instructions.sh big.csv small/          # this build
#   OTHER=/tmp/piiscan-before benches/instructions.sh big.csv small/
#
# Installs valgrind with apt-get when missing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
PIISCAN=${PIISCAN:-$HERE/target/release/piiscan}
OTHER=${OTHER:-}
export PIISCAN_KEY=${PIISCAN_KEY:-instructions}

if [ "$#" -eq 0 ]; then
    echo "usage: [OTHER=older-build] $0 FILE_OR_DIR..." >&2
    exit 2
fi
if ! command -v valgrind >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi
if [ ! -x "$PIISCAN" ]; then
    (cd "$HERE" && cargo build --release --quiet)
fi

# Instructions of one scan of "$2" by the build "$1", in millions.
count() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$1" scan --threads 1 --no-ignore --hidden --exit-zero -q --format json "$2" 2>&1 >/dev/null |
        awk '/I *refs/ { gsub(",", "", $NF); printf "%.1f", $NF / 1e6 }'
}

for path in "$@"; do
    this=$(count "$PIISCAN" "$path")
    if [ -n "$OTHER" ]; then
        other=$(count "$OTHER" "$path")
        python3 -c 'import sys; p,t,o=sys.argv[1],float(sys.argv[2]),float(sys.argv[3]); print(f"{p:<40} this {t:9.1f}M   other {o:9.1f}M   this/other {t/o:.3f}")' \
            "$path" "$this" "$other"
    else
        printf '%-40s %9.1fM instructions\n' "$path" "$this"
    fi
done
