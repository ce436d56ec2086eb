#!/bin/sh
# Screenshots of every page, at 1366×768 and 390×844, for every demo account:
# starts a fresh small demo, crawls it as each account with
# internal/tools/shots -crawl, and stops it. Usage: scripts/shots.sh [OUT]
# (make shots). Needs Chromium.
set -eu
out=${1:-shots}
port=${SHOTS_PORT:-18090}
tmp=$(mktemp -d)
go build -o "$tmp/jianfu" ./cmd/jianfu
"$tmp/jianfu" demo --size small --db "$tmp/demo.db" --addr "127.0.0.1:$port" >"$tmp/demo.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
until grep -q "演示已启动" "$tmp/demo.log"; do
	kill -0 $pid 2>/dev/null || { cat "$tmp/demo.log"; exit 1; }
	sleep 1
done
# the demo prints its accounts as a table, the username first
users=$(awk '/^演示账号/ { on = 1; next } on && $1 ~ /^[a-z][a-z0-9._-]*$/ { print $1 }' "$tmp/demo.log" | paste -sd, -)
go run ./internal/tools/shots -url "http://127.0.0.1:$port" -crawl -users "$users" -limit "${SHOTS_LIMIT:-60}" -out "$out"
