#!/usr/bin/env bash
# make test: everything a change must pass. It finds or starts what it needs
# (PostgreSQL, Chromium) and never skips the PostgreSQL or browser runs.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }
. scripts/postgres.sh

say "gofmt, go vet and staticcheck"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "not gofmt-ed:"; echo "$unformatted"; exit 1; fi
go vet ./...
# Pinned, so a new release's checks arrive in a commit of their own; go run
# fetches it through the module proxy once and then runs the cached build.
STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2
go run "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ./...

say "PostgreSQL"
find_postgres

say "Chromium"
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  echo "installing chromium and CJK fonts from Debian"
  apt_install chromium fonts-noto-cjk
fi
export JIANFU_REQUIRE_BROWSER=1

say "LibreOffice (the situation report must open in it)"
if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null; then
  echo "installing LibreOffice Writer (no GUI) and poppler-utils from Debian"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui poppler-utils >/dev/null ||
    apt_install --no-install-recommends libreoffice-writer-nogui poppler-utils
fi
export JIANFU_REQUIRE_SOFFICE=1

say "tests (SQLite and PostgreSQL, browser)"
go test -count=1 -timeout 20m ./...

say "race detector on the concurrent packages"
if command -v gcc >/dev/null; then
  # -short: the browser journeys and the long benchmarks-as-tests ran above.
  CGO_ENABLED=1 go test -count=1 -race -short -timeout 20m ./store/... ./web/... ./ingest/... ./redact/...
else
  echo "gcc missing: the race detector needs cgo; install gcc to run it" >&2; exit 1
fi

say "cross builds (pure Go)"
for arch in amd64 arm64 loong64; do
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -o /dev/null ./cmd/jianfu && echo "linux/$arch ok"
done
say "all passed"
