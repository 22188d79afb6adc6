#!/usr/bin/env bash
# Runs Encore's whole test suite and ends with one line "N passed, N failed, N skipped" taken from the
# TRX results of every test project. Exits non-zero if any test failed or the build broke.
set -uo pipefail
cd "$(dirname "$0")"

results=TestResults
rm -rf "$results"
mkdir -p "$results"

dotnet build Encore.slnx -c Release --nologo -v quiet -clp:ErrorsOnly
build=$?
if [ $build -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

dotnet test Encore.slnx -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results"
status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted); n=$(get notExecuted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${n:-0}))
done

# A test host that crashed leaves no counters: count the run as failed rather than silently green.
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
if [ $files -eq 0 ]; then failed=$((failed + 1)); fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
