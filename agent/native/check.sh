#!/usr/bin/env bash
# `npm run test:native`: the Go agent's own checks — formatting, vet, and every Go test (the golden
# reports against the TypeScript agent's, collectors, transport, schema). Go comes from Debian's
# golang-go, which `npm test` provisions (server/cli/provision-test-deps.sh).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v go >/dev/null 2>&1; then
  echo "[native] go not found: as root run: apt-get update && apt-get install -y --no-install-recommends golang-go" >&2
  exit 1
fi
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "[native] not gofmt-formatted (run gofmt -w on them):" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 ./...
