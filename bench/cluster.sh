#!/usr/bin/env bash
# The scale-out benchmark of docs/BENCHMARKS.md: acknowledged points/s through one thin api node with 1, 2 and 3
# worker processes on a PostgreSQL server of this machine, against the embedded node (SQLite, and PostgreSQL) in the
# same run, all driven by `perf bench ingest`.
#   bench/cluster.sh [HOSTS] [METRICS] [SECONDS]        defaults: 100 10 30 (1,000 series)
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-100}; metrics=${2:-10}; seconds=${3:-30}
source bench/node.sh
dotnet build -c Release src/Perf.Host -nologo -clp:ErrorsOnly >/dev/null
api_dll=src/Perf.Api/bin/Release/net10.0/Perf.Api.dll
host_dll=src/Perf.Host/bin/Release/net10.0/Perf.Host.dll

# PostgreSQL in a temporary directory on a free port (as the tests start it; as root it runs as user postgres).
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | head -1)
pg_dir=$(mktemp -d /tmp/perf-bench-pg-XXXXXX); pg_port=55$((RANDOM % 900 + 100))
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U perf --auth=trust -E UTF8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$pg_dir -c max_connections=300" start >/dev/null
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null || true; rm -rf "$pg_dir" "$data"
}
trap cleanup EXIT
database() { "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U perf -d postgres -qc "CREATE DATABASE $1" >/dev/null; echo "Host=127.0.0.1;Port=$pg_port;Database=$1;Username=perf;Pooling=true;Maximum Pool Size=200"; }
wait_ready() { for _ in $(seq 1 240); do curl -sf "$url/health/ready" >/dev/null && return; sleep 0.5; done; echo "no ready node at $url" >&2; exit 1; }
wait_workers() {
  for _ in $(seq 1 240); do
    n=$(curl -sf -H "X-Api-Key: $PERF_ADMIN_KEY" "$url/api/v1/cluster" | grep -o '"roles":\["worker"\],"status":"up"' | wc -l || true)
    [ "$n" -ge "$1" ] && return; sleep 0.5
  done
  echo "fewer than $1 workers up" >&2; exit 1
}
measure() { # label: a first pass creates the series, the second is the figure
  "$perf" bench ingest --url "$url" --hosts "$hosts" --metrics "$metrics" --duration "$((seconds / 2))s" --plain >/dev/null
  echo "$1: $("$perf" bench ingest --url "$url" --hosts "$hosts" --metrics "$metrics" --duration "${seconds}s" --plain | tail -n 1)"
}
stop_all() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=(); }

echo "== $hosts hosts x $metrics metrics = $((hosts * metrics)) series, ${seconds}s per figure"
mkdir -p "$data"
dotnet "$api_dll" --urls "$url" --data-dir "$data/embedded-sqlite" >"$data/embedded-sqlite.log" 2>&1 & pids+=($!)
wait_ready; measure "embedded, SQLite"; stop_all

cs=$(database embedded)
PERF_PERF__STORAGE__PROVIDER=postgresql PERF_PERF__STORAGE__POSTGRESQL__CONNECTION_STRING="$cs" \
  dotnet "$api_dll" --urls "$url" --data-dir "$data/embedded-pg" >"$data/embedded-pg.log" 2>&1 & pids+=($!)
wait_ready; measure "embedded, PostgreSQL"; stop_all

for workers in 1 2 3; do
  cs=$(database "cluster$workers")
  ports=(); seeds=""
  for i in $(seq 1 "$workers"); do ports+=($((47000 + workers * 10 + i))); seeds+="${seeds:+,}akka.tcp://perf@127.0.0.1:${ports[-1]}"; done
  export PERF_PERF__STORAGE__PROVIDER=postgresql PERF_PERF__STORAGE__POSTGRESQL__CONNECTION_STRING="$cs" PERF_PERF__CLUSTER__SEED_NODES="$seeds"
  for i in $(seq 1 "$workers"); do
    PERF_PERF__CLUSTER__PORT=${ports[$((i - 1))]} dotnet "$host_dll" --data-dir "$data/w$workers-$i" >"$data/w$workers-$i.log" 2>&1 & pids+=($!)
  done
  PERF_PERF__CLUSTER__ROLES=api PERF_PERF__CLUSTER__PORT=$((47100 + workers)) dotnet "$api_dll" --urls "$url" --data-dir "$data/api$workers" >"$data/api$workers.log" 2>&1 & pids+=($!)
  wait_ready; wait_workers "$workers"
  measure "thin api + $workers worker(s), PostgreSQL"
  stop_all
  unset PERF_PERF__STORAGE__PROVIDER PERF_PERF__STORAGE__POSTGRESQL__CONNECTION_STRING PERF_PERF__CLUSTER__SEED_NODES
done
