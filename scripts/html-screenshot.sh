#!/usr/bin/env bash
# Renders the HTML data map of a scan and takes a screenshot of it, for
# people to look at:  scripts/html-screenshot.sh [PATH] [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-fixtures}
png=${2:-report.png}
scripts/install-browser.sh
html=$(mktemp --suffix=.html)
trap 'rm -f "$html"' EXIT
cargo run --quiet --release -- scan --format html --exit-zero -o "$html" "$target"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1280,2400 --screenshot="$png" "file://$html" 2>/dev/null
echo "screenshot: $png"
