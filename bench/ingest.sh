#!/usr/bin/env bash
# The ingestion benchmark of docs/BENCHMARKS.md: a Release node on a fresh data directory, driven over HTTP by
# `perf bench ingest`, then restarted and asked for every series (`perf bench recovery`).
#   bench/ingest.sh [HOSTS] [METRICS] [SECONDS]         defaults: 1000 100 60 (100,000 series)
# Extra environment is passed to the node, e.g. PERF_PERF__STORAGE__SQLITE_SYNCHRONOUS=full bench/ingest.sh 100 10 30
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-1000}; metrics=${2:-100}; seconds=${3:-60}
data=$(mktemp -d /tmp/perf-bench-XXXXXX)
port=5199
url=http://127.0.0.1:$port
dotnet build -c Release src/Perf.Api -nologo -clp:ErrorsOnly >/dev/null
dotnet build -c Release src/Perf.Cli -nologo -clp:ErrorsOnly >/dev/null
perf=src/Perf.Cli/bin/Release/net10.0/perf

start_node() {
  dotnet src/Perf.Api/bin/Release/net10.0/Perf.Api.dll --urls "$url" --data-dir "$data" >"$data/node.log" 2>&1 &
  node=$!
  for _ in $(seq 1 120); do curl -sf "$url/health/ready" >/dev/null && return; sleep 0.5; done
  echo "node did not start; see $data/node.log" >&2; exit 1
}
# SIGTERM: a background job of a script ignores SIGINT. Both make the node shut down gracefully.
stop_node() { kill -TERM "$node"; wait "$node" || true; }

echo "== $hosts hosts x $metrics metrics = $((hosts * metrics)) series, ${seconds}s; data in $data"
start_node
# First pass creates every series (entity start, host registration); the second measures steady state.
"$perf" bench ingest --url "$url" --hosts "$hosts" --metrics "$metrics" --duration "$((seconds / 2))s" --plain | tail -n 1
"$perf" bench ingest --url "$url" --hosts "$hosts" --metrics "$metrics" --duration "${seconds}s" --plain | tail -n 1
stop_node
du -sh "$data/perf.db"* | sed 's/^/disk: /'
start_node
"$perf" bench recovery --url "$url" --hosts "$hosts" --metrics "$metrics" --plain | tail -n 1
stop_node
rm -rf "$data"
