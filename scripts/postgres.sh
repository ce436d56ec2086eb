# Sourced by test.sh and bench.sh: finds a PostgreSQL for the tests and
# benchmarks — $JIANFU_TEST_POSTGRES, else the server at 127.0.0.1:5432, else
# a throwaway cluster (installing Debian's postgresql when missing) that is
# stopped on exit — and exports JIANFU_TEST_POSTGRES and
# JIANFU_REQUIRE_POSTGRES=1, so nothing skips the PostgreSQL run silently.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else echo "need root for: $*" >&2; return 1; fi; }
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq && as_root apt-get install -y -qq "$@" >/dev/null
}

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
find_postgres() {
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
}
