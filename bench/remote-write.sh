#!/usr/bin/env bash
# The side-by-side remote-write benchmark of docs/BENCHMARKS.md: the same Prometheus remote-write load (`perf bench
# remote-write`: pre-encoded requests, SERIES series, each rate in RATES samples/s for SECONDS, CONCURRENCY requests in
# flight) against (a) a Perf node (Release, embedded SQLite, default configuration: every point fsynced and run through
# its detectors before the answer) and (b) Debian's Prometheus started with --web.enable-remote-write-receiver, one
# after the other in one run. Each receiver first gets a warm-up run at the lowest rate (it creates the series).
#   bench/remote-write.sh [SERIES] [RATES] [SECONDS] [CONCURRENCY] [HOSTS] [PER_REQUEST]
#   defaults: 20000 100000,200000,300000,400000 30 4 100 1000 (the load of docs/BENCHMARKS.md: 20,000 series over 100
#   hosts, 1,000 samples a request, 4 requests in flight)
# With CHART=FILE.svg, the runs are also drawn (`perf bench chart`): achieved against asked samples/s per receiver.
set -euo pipefail
cd "$(dirname "$0")/.."
series=${1:-20000}; rates=${2:-100000,200000,300000,400000}; seconds=${3:-30}; concurrency=${4:-4}; hosts=${5:-100}; per_request=${6:-1000}
lowest=${rates%%,*}
command -v prometheus >/dev/null || { echo "needs Debian's prometheus (apt-get install prometheus)" >&2; exit 1; }
source bench/node.sh
# Free ports rather than node.sh's fixed one: other benchmarks may be running on this machine.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); url=http://127.0.0.1:$port; prom_port=$(free_port)
# The load comes from one key: lift the per-key request limit (10,000/s by default) so it measures ingestion, not the limiter.
export PERF_PERF__SECURITY__RATE_LIMIT__REQUESTS_PER_SECOND=1000000 PERF_PERF__SECURITY__RATE_LIMIT__BURST=1000000
results=$(mktemp /tmp/remote-write-results-XXXXXX)
load() { "$perf" bench remote-write --series "$series" --hosts "$hosts" --series-per-request "$per_request" --concurrency "$concurrency" "$@" | grep -E "^RESULT|first error" | tee -a "$results" || true; }

echo "== $series series over $hosts hosts, $per_request samples a request, rates $rates samples/s, ${seconds}s each, $concurrency in flight; $(nproc) cores, $(date -u +%FT%TZ)"
start_node
load --url "$url" --pid "$node" --label perf-warmup --rates "$lowest" --duration 10s
load --url "$url" --pid "$node" --label perf --rates "$rates" --duration "${seconds}s"
stop_node
du -sh "$data/perf.db"* | sed 's/^/perf disk: /'
rm -rf "$data"

pdata=$(mktemp -d /tmp/prometheus-bench-XXXXXX)
echo 'global: {scrape_interval: 1m}' > "$pdata/prometheus.yml"
prometheus --config.file="$pdata/prometheus.yml" --web.listen-address=127.0.0.1:$prom_port --storage.tsdb.path="$pdata/tsdb" \
  --web.enable-remote-write-receiver >"$pdata/prometheus.log" 2>&1 &
prom=$!
for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$prom_port/-/ready >/dev/null && break; sleep 0.5; done
load --url http://127.0.0.1:$prom_port --pid "$prom" --label prometheus-warmup --rates "$lowest" --duration 10s
load --url http://127.0.0.1:$prom_port --pid "$prom" --label prometheus --rates "$rates" --duration "${seconds}s"
kill -TERM "$prom"; wait "$prom" || true
du -sh "$pdata/tsdb" | sed 's/^/prometheus disk: /'
rm -rf "$pdata"
if [ -n "${CHART:-}" ]; then
  "$perf" bench chart "$results" --output "$CHART" --title "Remote write, $(echo "$series" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') series, $concurrency requests in flight ($(nproc) cores, $(date -u +%F))"
fi
rm -f "$results"
