#!/usr/bin/env bash
# make test: everything a change must pass. It finds or starts what it needs
# (PostgreSQL, Chromium) and never skips the PostgreSQL or browser runs.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq && as_root apt-get install -y -qq "$@" >/dev/null
}

say "gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "not gofmt-ed:"; echo "$unformatted"; exit 1; fi
go vet ./...

say "PostgreSQL"
TMP_PG=""
cleanup() {
  if [ -n "$TMP_PG" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$TMP_PG/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TMP_PG"
  fi
}
trap cleanup EXIT
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
probe() { go run ./internal/tools/pgprobe "$1" >/dev/null 2>&1; }
if [ -n "${JIANFU_TEST_POSTGRES:-}" ]; then
  probe "$JIANFU_TEST_POSTGRES" || { echo "JIANFU_TEST_POSTGRES is set but does not answer: $JIANFU_TEST_POSTGRES" >&2; exit 1; }
else
  for url in "postgres://postgres@127.0.0.1:5432/test?sslmode=disable" "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" "postgres://$(id -un)@127.0.0.1:5432/postgres?sslmode=disable"; do
    if probe "$url"; then JIANFU_TEST_POSTGRES="$url"; break; fi
  done
fi
if [ -z "${JIANFU_TEST_POSTGRES:-}" ]; then
  echo "no PostgreSQL at 127.0.0.1:5432; starting a throwaway cluster"
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$PG_BIN" ]; then apt_install postgresql; PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); fi
  TMP_PG=$(mktemp -d /tmp/jianfu-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$TMP_PG"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 54329)
  as_pg "$PG_BIN/initdb" -D "$TMP_PG/data" -U postgres --auth=trust -E UTF8 >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$TMP_PG/data" -l "$TMP_PG/log" -w -o "-p $PORT -k $TMP_PG -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  JIANFU_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
  probe "$JIANFU_TEST_POSTGRES" || { echo "the throwaway PostgreSQL did not answer; see $TMP_PG/log" >&2; exit 1; }
fi
echo "using $JIANFU_TEST_POSTGRES"
export JIANFU_TEST_POSTGRES JIANFU_REQUIRE_POSTGRES=1

say "Chromium"
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  echo "installing chromium and CJK fonts from Debian"
  apt_install chromium fonts-noto-cjk
fi
export JIANFU_REQUIRE_BROWSER=1

say "tests (SQLite and PostgreSQL, browser)"
go test -count=1 -timeout 20m ./...

say "race detector on the concurrent packages"
if command -v gcc >/dev/null; then
  CGO_ENABLED=1 go test -count=1 -race -timeout 20m ./store/... ./web/... ./ingest/... ./redact/...
else
  echo "gcc missing: the race detector needs cgo; install gcc to run it" >&2; exit 1
fi

say "cross builds (pure Go)"
for arch in amd64 arm64 loong64; do
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -o /dev/null ./cmd/jianfu && echo "linux/$arch ok"
done
say "all passed"
