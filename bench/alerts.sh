#!/usr/bin/env bash
# The alert latency benchmark of docs/BENCHMARKS.md: a Release node on a fresh data directory; `perf bench alerts`
# keeps HOSTS x METRICS series under ingest load and times PROBES alerts from the POST that fires each to its event on
# the SSE alert stream; STREAM_CLIENTS more clients hold the stream open the whole time (what connected consumers cost).
#   bench/alerts.sh [HOSTS] [METRICS] [PROBES] [RATE] [STREAM_CLIENTS]   defaults: 1000 10 200 0 0 (10,000 series,
#   unlimited load, no other stream client)
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-1000}; metrics=${2:-10}; probes=${3:-200}; rate=${4:-0}; stream_clients=${5:-0}
source bench/node.sh
echo "== alert latency: $probes probes, $hosts hosts x $metrics metrics = $((hosts * metrics)) series under load; data in $data"
start_node
"$perf" bench alerts --url "$url" --hosts "$hosts" --metrics "$metrics" --probes "$probes" --rate "$rate" --stream-clients "$stream_clients" --plain
stop_node
rm -rf "$data"
