#!/usr/bin/env bash
# The analyze benchmark of docs/BENCHMARKS.md: a Release node on a fresh data directory; `perf bench analyze` writes
# HOURS of one-minute history for HOSTS x METRICS series, then times REQUESTS full analyses (every metric of a host).
#   bench/analyze.sh [HOSTS] [METRICS] [HOURS] [REQUESTS]    defaults: 10 10 24 20 (100 series, 24 h)
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-10}; metrics=${2:-10}; hours=${3:-24}; requests=${4:-20}
source bench/node.sh
echo "== analyze: $hosts hosts x $metrics metrics, ${hours} h of one-minute data, $requests analyses; data in $data"
start_node
"$perf" bench analyze --url "$url" --hosts "$hosts" --metrics "$metrics" --hours "$hours" --requests "$requests" --plain
stop_node
rm -rf "$data"
