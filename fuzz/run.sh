#!/bin/sh
# Runs every fuzz target (optimised build: -O) for a fixed time (default 60 s each):
#   fuzz/run.sh [SECONDS] [TARGET...]
# Installs cargo-fuzz and a nightly toolchain when they are missing (libFuzzer
# instrumentation needs nightly). Crashes are left in fuzz/artifacts/TARGET/;
# the corpus grows in fuzz/corpus/TARGET/ (seeded from fixtures/).
set -eu
cd "$(dirname "$0")"
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"table json sql archive encoding scan_bytes"}

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# Seeds: the fixtures, each prefixed with the byte that makes the target
# read it as its own format (see NAMES in the targets).
seed() { # target file pick
    mkdir -p "corpus/$1"
    { printf "\\$(printf %o "$3")"; cat "$2"; } > "corpus/$1/seed-$(basename "$2")"
}
for f in ../fixtures/exports/crm/*.csv; do mkdir -p corpus/table; cp "$f" corpus/table/; done
for f in ../fixtures/exports/crm/*.json ../fixtures/exports/crm/*.ndjson; do mkdir -p corpus/json; cp "$f" corpus/json/; done
for f in ../fixtures/exports/db/*.sql ../fixtures/src/schema.sql; do mkdir -p corpus/sql; cp "$f" corpus/sql/; done
seed archive ../fixtures/exports/archive/app_2023.log.gz 0
seed archive ../fixtures/exports/archive/mail_2023.zip 2
seed archive ../fixtures/exports/archive/werkplaats_2022.tar.gz 4
seed archive ../fixtures/exports/archive/klanten_2024.xlsx 5
seed archive ../fixtures/exports/mail/bericht_0005.msg 11
seed archive ../fixtures/exports/documenten/bevestiging_2023-0612.rtf 14
seed encoding ../fixtures/exports/mail/bericht_0001.txt 0
seed encoding ../fixtures/exports/crm/klanten.csv 1
seed scan_bytes ../fixtures/logs/app.log 0
seed scan_bytes ../fixtures/exports/crm/klanten.csv 1
seed scan_bytes ../fixtures/exports/crm/customers.json 3
seed scan_bytes ../fixtures/exports/db/dealer_pg.sql 5
seed scan_bytes ../fixtures/exports/archive/mail_2023.zip 8

status=0
for t in $targets; do
    echo "== $t ($seconds s)"
    if ! cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 -print_final_stats=1; then
        echo "!! $t found a crash: see fuzz/artifacts/$t/"
        status=1
    fi
done
exit $status
