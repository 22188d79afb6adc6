#!/usr/bin/env bash
# Builds the API reference from the libraries' XML documentation comments with docfx (a local .NET tool, see
# .config/dotnet-tools.json) into docs/api/_site (not checked in). Every warning is an error, so a broken
# <see cref="..."/> or xref, or an invalid link, fails the build: CI runs this as its API-reference check.
#
#   ./docs/api/build.sh            build the site into docs/api/_site
#   ./docs/api/build.sh --serve    build it and serve it on http://localhost:8080
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet tool restore >/dev/null
rm -rf docs/api/reference docs/api/_site
args=(docs/api/docfx.json --warningsAsErrors)
if [ "${1:-}" = "--serve" ]; then args+=(--serve); fi
dotnet docfx "${args[@]}"
