#!/usr/bin/env bash
# make bench: run the benchmarks and print a table with the baselines
# measured in the same run. BENCHTIME overrides the default 1s per benchmark.
# Benchmarks with PostgreSQL use the server test.sh would (see postgres.sh).
#
# Then the province pages over HTTP (internal/tools/pagebench): the demo on
# SQLite and on PostgreSQL, served by the binary and timed from another
# process, at ×1 and grown to ×JIANFU_BENCH_SCALE (default 10) its groups,
# each page against the pre-rollup baseline served from the same database.
# BENCH_PAGES=only runs just the pages, BENCH_PAGES=skip leaves them out;
# BENCH_PAGE_REQUESTS sets the requests per page (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
find_postgres >&2
if [ "${BENCH_PAGES:-}" != "only" ]; then
  pkgs=$(go list ./... | while read -r p; do d=$(go list -f '{{.Dir}}' "$p"); grep -qs '^func Benchmark' "$d"/*_test.go && echo "$p"; done)
  go test -run '^$' -bench . -benchmem -cpu 1 -timeout 90m -benchtime "${BENCHTIME:-1s}" $pkgs | go run ./internal/tools/benchtable
fi
if [ "${BENCH_PAGES:-}" != "skip" ]; then
  scale=${JIANFU_BENCH_SCALE:-10}
  scales=1
  [ "$scale" -gt 1 ] && scales="1,$scale"
  tmp=$(mktemp -d /tmp/jianfu-bench.XXXXXX)
  trap 'rm -rf "$tmp"; cleanup' EXIT
  CGO_ENABLED=0 go build -o "$tmp/jianfu" ./cmd/jianfu
  go build -o "$tmp/pagebench" ./internal/tools/pagebench
  echo
  echo "## Province pages over HTTP (p95 of ${BENCH_PAGE_REQUESTS:-30} requests per page; baseline: burden from the stored days, without migration 0016's indexes)"
  for engine in sqlite postgres; do
    "$tmp/pagebench" -bin "$tmp/jianfu" -engine "$engine" -pg "$JIANFU_TEST_POSTGRES" -scales "$scales" -n "${BENCH_PAGE_REQUESTS:-30}" -dir "$tmp"
  done
fi
