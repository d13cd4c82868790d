#!/usr/bin/env bash
# The ingestion benchmark of docs/BENCHMARKS.md: a Release node on a fresh data directory, driven over HTTP by
# `perf bench ingest`, then restarted and asked for every host's series (`perf bench recovery --by-host`: the hosts'
# recovery), then for every series' state one request each (HTTP-bound: 100,000 requests at 100,000 series).
#   bench/ingest.sh [HOSTS] [METRICS] [SECONDS]         defaults: 1000 100 60 (100,000 series)
# Extra environment is passed to the node, e.g. PERF_PERF__STORAGE__SQLITE_SYNCHRONOUS=full bench/ingest.sh 100 10 30
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-1000}; metrics=${2:-100}; seconds=${3:-60}
source bench/node.sh
echo "== $hosts hosts x $metrics metrics = $((hosts * metrics)) series, ${seconds}s; data in $data"
start_node
# First pass creates every series (entity start, host registration); the second measures steady state, with the
# node's CPU time per accepted point (cpu_us_per_point).
"$perf" bench ingest --url "$url" --hosts "$hosts" --metrics "$metrics" --duration "$((seconds / 2))s" --plain | tail -n 1
"$perf" bench ingest --url "$url" --pid "$node" --hosts "$hosts" --metrics "$metrics" --duration "${seconds}s" --plain | tail -n 1
stop_node
du -sh "$data/perf.db"* | sed 's/^/disk: /'
started=$(date +%s.%N)
start_node
# Readiness waits for the series journal's start-up scan: time it too, the recovery below starts after it.
echo "restart: ready after $(echo "$(date +%s.%N) - $started" | bc) s"
"$perf" bench recovery --url "$url" --hosts "$hosts" --metrics "$metrics" --by-host --plain | tail -n 1 | sed 's/^/by host: /'
"$perf" bench recovery --url "$url" --hosts "$hosts" --metrics "$metrics" --plain | tail -n 1 | sed 's/^/by series: /'
stop_node
rm -rf "$data"
