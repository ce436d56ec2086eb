#!/usr/bin/env bash
# make bench: run the benchmarks and print a table with the baselines
# measured in the same run. BENCHTIME overrides the default 1s per benchmark;
# BENCH chooses the go benchmarks by name (default all; BENCH='^$' runs none).
# Benchmarks with PostgreSQL use the server test.sh would (see postgres.sh).
#
# Then ingest as a deployment sees it (internal/tools/ingestload): a real
# `jianfu serve` and a separate client process posting 1,000-message
# batches of the last 24 h (80% ordinary text) to 1,000 groups over
# loopback HTTP with JIANFU_BENCH_CONNS connections (4), for
# JIANFU_BENCH_SECONDS (20) after a warm-up, on each engine: into an empty
# database (the baseline) and into one grown beforehand to
# JIANFU_BENCH_MESSAGES messages (200,000 by default so the run ends in
# minutes; the issue-16 shape is JIANFU_BENCH_MESSAGES=10000000, which takes
# hours to grow on a small machine — keep the database with
# JIANFU_BENCH_DIR=/some/dir to grow it once and measure again later).
# Then stream ingest on PostgreSQL (-ingest stream): the same clients, serve
# publishing to a JetStream server the tool starts, and 1, 2 and 4
# `jianfu worker` processes (JIANFU_BENCH_WORKERS), measured by what the
# workers commit, against two workers: on a backlog with the API idle
# (…Drain…), then while the clients post.
# Last the province pages over HTTP (internal/tools/pagebench): the demo on
# SQLite and on PostgreSQL, served by the binary and timed from another
# process, at ×1 and grown to ×JIANFU_BENCH_SCALE (default 10) its groups,
# each page against a baseline served from the same database: by default
# the same binary reading every window through the weekly rollups instead
# of the current window (JIANFU_BENCH_NO_CURRENT=1, migration 0021's
# "before"); BENCH_PAGE_BASELINE=direct compares with the pre-rollup reading
# of the stored days instead (slow: 15-27 s a request at ×10 on the dev VM).
# BENCH_PAGES=only runs just the pages, BENCH_PAGES=skip leaves them out;
# BENCH_PAGE_REQUESTS sets the requests per page (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
find_postgres >&2
pkgs=$(go list ./... | while read -r p; do d=$(go list -f '{{.Dir}}' "$p"); grep -qs '^func Benchmark' "$d"/*_test.go && echo "$p"; done)
messages=${JIANFU_BENCH_MESSAGES:-200000}
seconds=${JIANFU_BENCH_SECONDS:-20}
conns=${JIANFU_BENCH_CONNS:-4}
workers=${JIANFU_BENCH_WORKERS:-1,2,4}
work=${JIANFU_BENCH_DIR:-}
if [ -z "$work" ]; then work=$(mktemp -d /tmp/jianfu-bench.XXXXXX); trap 'rm -rf "$work"; cleanup' EXIT; fi
mkdir -p "$work"
CGO_ENABLED=0 go build -trimpath -o "$work/jianfu" ./cmd/jianfu

if [ "${BENCH_PAGES:-}" != "only" ]; then
  go build -o "$work/ingestload" ./internal/tools/ingestload
  load() { "$work/ingestload" -server "$work/jianfu" -duration "${seconds}s" -conns "$conns" "$@"; }
  {
    go test -run '^$' -bench "${BENCH:-.}" -benchmem -cpu 1 -timeout 90m -benchtime "${BENCHTIME:-1s}" $pkgs
    echo "pkg: jianfu/internal/tools/ingestload"
    rm -f "$work"/empty.db*
    load -db "$work/empty.db" -suffix EmptyBaseline
    load -db "$work/grown.db" -grow "$messages"
    load -db "$JIANFU_TEST_POSTGRES" -schema jianfu_bench_empty -drop -suffix EmptyBaseline
    load -db "$JIANFU_TEST_POSTGRES" -schema jianfu_bench_grown -grow "$messages" $([ -n "${JIANFU_BENCH_DIR:-}" ] || echo -drop)
    # stream ingest: serve publishing to JetStream, N workers storing; the
    # baseline is two workers. First the workers alone on a backlog posted
    # beforehand, then while the clients keep posting.
    load -db "$JIANFU_TEST_POSTGRES" -schema jianfu_bench_stream -drop -ingest stream -workers "$workers" -drain "${seconds}s"
    load -db "$JIANFU_TEST_POSTGRES" -schema jianfu_bench_stream -drop -ingest stream -workers "$workers"
  } | go run ./internal/tools/benchtable
fi
if [ "${BENCH_PAGES:-}" != "skip" ]; then
  scale=${JIANFU_BENCH_SCALE:-10}
  scales=1
  [ "$scale" -gt 1 ] && scales="1,$scale"
  go build -o "$work/pagebench" ./internal/tools/pagebench
  echo
  baseline=(-before-env JIANFU_BENCH_NO_CURRENT=1)
  what="the same binary reading windows through the weekly rollups, not the current window"
  if [ "${BENCH_PAGE_BASELINE:-}" = direct ]; then
    baseline=()
    what="burden from the stored days, without migration 0016's indexes"
  fi
  echo "## Province pages over HTTP (p95 of ${BENCH_PAGE_REQUESTS:-30} requests per page; baseline: $what)"
  for engine in sqlite postgres; do
    "$work/pagebench" -bin "$work/jianfu" -engine "$engine" -pg "$JIANFU_TEST_POSTGRES" -scales "$scales" -n "${BENCH_PAGE_REQUESTS:-30}" -dir "$work" "${baseline[@]}"
  done
fi
