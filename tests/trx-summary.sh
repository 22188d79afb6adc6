#!/usr/bin/env bash
# Reads every TRX file in the folder $1 and prints each skipped test with its reason, then one line
# "N passed, N failed, N skipped". It counts the <UnitTestResult> outcomes themselves: the <Counters>
# summary of a TRX says notExecuted="0" even when tests were skipped. Exit status: 0, or 1 when a test
# failed or no TRX file was found. Used by ../test.sh; tests/Encore.Cli.Tests/TestRunnerTests.cs runs it.
set -uo pipefail
results=${1:?usage: trx-summary.sh RESULTS_FOLDER}

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  outcomes=$(grep -o '<UnitTestResult [^>]*outcome="[A-Za-z]*"' "$trx" | sed 's/.*outcome="\([A-Za-z]*\)"/\1/')
  count() { printf '%s\n' "$outcomes" | grep -cx "$1"; }
  passed=$((passed + $(count Passed)))
  failed=$((failed + $(count Failed) + $(count Error) + $(count Timeout) + $(count Aborted)))
  skipped=$((skipped + $(count NotExecuted)))
  # Each skipped test with the first line of its message (xunit writes the skip reason there).
  awk '
    function unescape(s) { gsub(/&apos;/, "\047", s); gsub(/&quot;/, "\"", s); gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&amp;/, "\\&", s); return s }
    /<UnitTestResult / && /outcome="NotExecuted"/ {
      match($0, /testName="[^"]*"/); name = unescape(substr($0, RSTART + 10, RLENGTH - 11))
      if ($0 ~ /\/>[ \t\r]*$/) { print "skipped " name ": (no reason given)"; next }
      want = 1; next
    }
    want && /<Message>/ { line = $0; sub(/.*<Message>/, "", line); sub(/<\/Message>.*/, "", line); print "skipped " name ": " unescape(line); want = 0 }
    want && /<\/UnitTestResult>/ { print "skipped " name ": (no reason given)"; want = 0 }
  ' "$trx"
done

if [ $files -eq 0 ]; then echo "no test results (TRX files) in $results"; failed=$((failed + 1)); fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
