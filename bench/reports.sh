#!/usr/bin/env bash
# The report benchmark of docs/BENCHMARKS.md: a Release node on a fresh data directory; `perf bench analyze` writes
# HOURS of one-minute history for HOSTS x METRICS series, then `perf report` generates a FORMAT report of all of it.
#   bench/reports.sh [HOSTS] [METRICS] [HOURS] [FORMAT]    defaults: 10 10 168 pdf (10 hosts x 7 days)
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-10}; metrics=${2:-10}; hours=${3:-168}; format=${4:-pdf}
source bench/node.sh
echo "== report: $hosts hosts x $metrics metrics, ${hours} h of one-minute data, $format; data in $data"
start_node
"$perf" bench analyze --url "$url" --hosts "$hosts" --metrics "$metrics" --hours "$hours" --requests 1 --plain | tail -n 1
list=$(seq -s, 0 $((metrics - 1)) | sed 's/\([0-9]*\)/bench.m\1/g')
hostlist=$(seq -s, 0 $((hosts - 1)) | sed 's/\([0-9]*\)/analyze-bench-\1/g')
started=$(date +%s.%N)
"$perf" report --url "$url" --type performance_summary --range "${hours}h" --metrics "$list" --hosts "$hostlist" \
  --format "$format" --output "$data/report.$format" --plain | tail -n 2
ended=$(date +%s.%N)
echo "RESULT {\"hosts\":$hosts,\"metrics\":$metrics,\"hours\":$hours,\"format\":\"$format\",\"seconds\":$(echo "$ended - $started" | bc),\"bytes\":$(stat -c %s "$data/report.$format")}"
stop_node
rm -rf "$data"
