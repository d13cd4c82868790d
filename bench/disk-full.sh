#!/usr/bin/env bash
# The disk-full fault injection of docs/BENCHMARKS.md, repeated: runs DiskFullTests (a 64 MB tmpfs filled to 6 MB free
# under 4 writers; every acknowledged point must be there after the disk is freed, a kill -9 and a restart) RUNS times
# and counts the runs that lost nothing. Needs root (it mounts the tmpfs).
#   bench/disk-full.sh [RUNS]        default: 20
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
dotnet build tests/Perf.Api.Tests -c Release -nologo -clp:ErrorsOnly >/dev/null
passed=0
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  if out=$(dotnet test tests/Perf.Api.Tests -c Release --no-build -nologo --filter "FullyQualifiedName~DiskFullTests" \
             --logger "console;verbosity=detailed" 2>&1); then
    passed=$((passed + 1)); verdict=passed
  else
    verdict=FAILED
  fi
  figures=$(grep -o "acknowledged [0-9,]* points.*" <<<"$out" | head -n 1 || true)
  echo "run $i/$runs: $verdict in $(( $(date +%s) - started )) s ${figures:+($figures)}"
  [ "$verdict" = FAILED ] && grep -E "Error Message|Assert" -A3 <<<"$out" | head -n 12
done
echo "$passed of $runs runs lost no acknowledged point"
