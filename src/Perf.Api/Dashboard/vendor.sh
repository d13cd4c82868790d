#!/usr/bin/env bash
# Refreshes the dashboard's vendored charting library (uPlot, MIT) from the npm registry. Run it by hand when upgrading;
# the files it writes are committed, so neither the build nor the run command needs npm or a network.
#   src/Perf.Api/Dashboard/vendor.sh [VERSION]      default: the version below
set -euo pipefail
version=${1:-1.6.32}
target="$(cd "$(dirname "$0")/.." && pwd)/wwwroot/vendor/uplot"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "uplot@$version" >/dev/null && tar xzf "uplot-$version.tgz")
mkdir -p "$target"
cp "$work/package/dist/uPlot.iife.min.js" "$work/package/dist/uPlot.min.css" "$work/package/LICENSE" "$target/"
echo "uPlot $version" > "$target/VERSION"
echo "vendored uPlot $version into $target"
