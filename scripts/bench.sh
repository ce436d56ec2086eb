#!/usr/bin/env bash
# make bench: run the benchmarks and print a table with the baselines
# measured in the same run. BENCHTIME overrides the default 1s per benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=$(go list ./... | while read -r p; do d=$(go list -f '{{.Dir}}' "$p"); grep -qs '^func Benchmark' "$d"/*_test.go && echo "$p"; done)
go test -run '^$' -bench . -benchmem -cpu 1 -timeout 90m -benchtime "${BENCHTIME:-1s}" $pkgs | go run ./internal/tools/benchtable
