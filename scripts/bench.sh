#!/usr/bin/env bash
# make bench: run the benchmarks and print a table with the baselines
# measured in the same run. BENCHTIME overrides the default 1s per benchmark.
# Benchmarks with PostgreSQL use the server test.sh would (see postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
find_postgres >&2
pkgs=$(go list ./... | while read -r p; do d=$(go list -f '{{.Dir}}' "$p"); grep -qs '^func Benchmark' "$d"/*_test.go && echo "$p"; done)
go test -run '^$' -bench . -benchmem -cpu 1 -timeout 90m -benchtime "${BENCHTIME:-1s}" $pkgs | go run ./internal/tools/benchtable
