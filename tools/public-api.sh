#!/usr/bin/env bash
# The public API of Encore's packed libraries (issue 15): every library under src/ that holds a PublicAPI.Shipped.txt is
# checked by Microsoft.CodeAnalysis.PublicApiAnalyzers (see the "Public API" block in Directory.Build.props).
#
#   tools/public-api.sh update [PROJECT...]   after an intended change of the public surface: builds the libraries and
#                                             rewrites their PublicAPI.Unshipped.txt from the analyzer's findings
#                                             (RS0016: new public symbol, added; RS0017: declared symbol gone, removed,
#                                             or recorded as *REMOVED* when it had shipped). Review the diff.
#   tools/public-api.sh ship [PROJECT...]     at a release: moves PublicAPI.Unshipped.txt into PublicAPI.Shipped.txt.
#   tools/public-api.sh size [PROJECT...]     the public API size of each library (declared symbols, one a line).
#
# PROJECT is a library's folder name under src/ (Encore.Core, ...); none means every tracked library.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
command=$1; shift

# A new library under src/ (any project but the encore command) starts with empty declarations, so that `update`
# declares its whole surface.
for csproj in src/*/*.csproj; do
  dir=$(dirname "$csproj"); [ "$(basename "$dir")" = Encore.Cli ] && continue
  for f in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -e "$dir/$f" ] || { printf '#nullable enable\n' > "$dir/$f"; echo "$dir/$f created"; }
  done
done

projects=()
if [ $# -eq 0 ]; then
  for f in src/*/PublicAPI.Shipped.txt; do [ -e "$f" ] && projects+=("$(basename "$(dirname "$f")")"); done
else
  for p in "$@"; do
    p=${p%/}; p=${p#src/}
    if [ ! -f "src/$p/PublicAPI.Shipped.txt" ]; then
      echo "public-api: src/$p/PublicAPI.Shipped.txt does not exist; '$p' is not a tracked library under src/" >&2; exit 2
    fi
    projects+=("$p")
  done
fi
[ ${#projects[@]} -gt 0 ] || { echo "public-api: no library under src/ holds a PublicAPI.Shipped.txt" >&2; exit 2; }

# The declared lines of a PublicAPI file, without the header, sorted as the analyzer's code fix sorts them.
body() { grep -v '^#nullable enable$' "$1" | sed '/^[[:space:]]*$/d' | LC_ALL=C sort -u || true; }
write() { # file, lines on stdin
  { echo '#nullable enable'; LC_ALL=C sort -u | sed '/^[[:space:]]*$/d'; } > "$1.tmp" && mv "$1.tmp" "$1"
}

case "$command" in
  update)
    log=$(mktemp); trap 'rm -f "$log"' EXIT
    for p in "${projects[@]}"; do
      # A library that is up to date is not compiled again and reports nothing: touching a file the compiler reads makes it.
      touch "src/$p/PublicAPI.Unshipped.txt"
    done
    status=0
    for p in "${projects[@]}"; do
      dotnet build "src/$p/$p.csproj" -c Release -nologo -tl:off -v quiet \
        -p:TreatWarningsAsErrors=false -clp:NoSummary\;ForceNoAlign >> "$log" 2>&1 || status=$?
    done
    for p in "${projects[@]}"; do
      dir="src/$p"; shipped="$dir/PublicAPI.Shipped.txt"; unshipped="$dir/PublicAPI.Unshipped.txt"
      mine=$(grep -F "[$root/$dir/$p.csproj]" "$log" || true)
      added=$(printf '%s\n' "$mine" | sed -n "s/.*warning RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" | LC_ALL=C sort -u)
      gone=$(printf '%s\n' "$mine" | sed -n "s/.*warning RS0017: Symbol '\(.*\)' is part of the declared API, but is either not public or could not be found.*/\1/p" | LC_ALL=C sort -u)
      [ -z "$added" ] && [ -z "$gone" ] && continue
      next=$(body "$unshipped")
      if [ -n "$gone" ]; then
        while IFS= read -r line; do
          if printf '%s\n' "$next" | grep -qxF -- "$line"; then
            next=$(printf '%s\n' "$next" | grep -vxF -- "$line" || true)
          elif body "$shipped" | grep -qxF -- "$line"; then
            next=$(printf '%s\n*REMOVED*%s\n' "$next" "$line")
          fi
        done <<< "$gone"
      fi
      [ -n "$added" ] && next=$(printf '%s\n%s\n' "$next" "$added")
      printf '%s\n' "$next" | write "$unshipped"
      echo "$dir: $(printf '%s\n' "$added" | sed '/^$/d' | wc -l) added, $(printf '%s\n' "$gone" | sed '/^$/d' | wc -l) removed"
    done
    # Errors other than the API's own (a broken build) are shown; the files are only as complete as the build got.
    if [ $status -ne 0 ]; then
      grep -E ': error ' "$log" | LC_ALL=C sort -u >&2 || true
      echo "public-api: the build failed (exit $status); fix the errors above and run 'tools/public-api.sh update' again" >&2
      exit 1
    fi
    ;;
  ship)
    for p in "${projects[@]}"; do
      dir="src/$p"; shipped="$dir/PublicAPI.Shipped.txt"; unshipped="$dir/PublicAPI.Unshipped.txt"
      removed=$(body "$unshipped" | sed -n 's/^\*REMOVED\*//p')
      { body "$shipped" | grep -vxF -f <(printf '%s\n' "$removed" | sed '/^$/d') || true
        body "$unshipped" | grep -v '^\*REMOVED\*' || true; } | write "$shipped"
      printf '' | write "$unshipped"
    done
    ;;
  size)
    for p in "${projects[@]}"; do
      shipped=$(body "src/$p/PublicAPI.Shipped.txt" | wc -l)
      unshipped=$(body "src/$p/PublicAPI.Unshipped.txt" | grep -vc '^\*REMOVED\*' || true)
      removed=$(body "src/$p/PublicAPI.Unshipped.txt" | grep -c '^\*REMOVED\*' || true)
      printf '%-28s %6d  (shipped %d, unshipped %d added, %d removed)\n' "$p" $((shipped + unshipped - removed)) "$shipped" "$unshipped" "$removed"
    done
    ;;
  *) usage ;;
esac
