#!/usr/bin/env bash
# The test command: installs what the suites need when this machine lacks it, builds, and runs every test project.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# The report tests read PDFs as a reader would: pdfinfo for the page count, pdftoppm to render every page.
command -v pdfinfo >/dev/null 2>&1 || need_apt+=(poppler-utils)
# Real notification receivers for the alert tests: Alertmanager, and an SMTP server (aiosmtpd, run by Debian's python3).
command -v prometheus-alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need_apt+=(python3-aiosmtpd)
# The cluster tests run a real PostgreSQL server (initdb + pg_ctl into a temporary directory).
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
# The real remote-write sender of the agent tests: Prometheus scraping node_exporter (the packages start no service here).
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
command -v prometheus-node-exporter >/dev/null 2>&1 || need_apt+=(prometheus-node-exporter)
# The dashboard tests drive Debian's Chromium through Playwright (no browser download).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

dotnet build Perf.sln -c Release -nologo -clp:ErrorsOnly
results=$(mktemp -d)
status=0
dotnet test Perf.sln -c Release --no-build -nologo --logger "trx" --results-directory "$results" "$@" || status=$?

# One plain closing line for whoever reads the log: totals over every test project.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
done
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then echo "test.sh: no test ran"; exit 1; fi
exit $status
