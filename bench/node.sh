# Sourced by the bench scripts: a Release node on a fresh data directory, on port 5199.
#   start_node / stop_node; $url, $data and $perf (the CLI) are set for the caller.
data=$(mktemp -d /tmp/perf-bench-XXXXXX)
port=5199
url=http://127.0.0.1:$port
dotnet build -c Release src/Perf.Api -nologo -clp:ErrorsOnly >/dev/null
dotnet build -c Release src/Perf.Cli -nologo -clp:ErrorsOnly >/dev/null
perf=src/Perf.Cli/bin/Release/net10.0/perf
# The node starts with this admin key and the CLI sends it (--api-key defaults to $PERF_API_KEY).
PERF_ADMIN_KEY=${PERF_ADMIN_KEY:-bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export PERF_ADMIN_KEY PERF_API_KEY=$PERF_ADMIN_KEY

start_node() {
  dotnet src/Perf.Api/bin/Release/net10.0/Perf.Api.dll --urls "$url" --data-dir "$data" >"$data/node.log" 2>&1 &
  node=$!
  for _ in $(seq 1 120); do curl -sf "$url/health/ready" >/dev/null && return; sleep 0.5; done
  echo "node did not start; see $data/node.log" >&2; exit 1
}
# SIGTERM: a background job of a script ignores SIGINT. Both make the node shut down gracefully.
stop_node() { kill -TERM "$node"; wait "$node" || true; }
