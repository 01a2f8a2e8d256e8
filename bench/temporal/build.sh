#!/usr/bin/env bash
# Builds the real Temporal server (and its SQL schema tool) from the Go module proxy into
# .tools/temporal-server/, for the benchmark's production-like run (bench/temporal/start.sh).
# Nothing built here is committed. Needs Go >= 1.23; about 10-20 minutes on 2 cores.
set -euo pipefail
VERSION="${TEMPORAL_SERVER_VERSION:-v1.28.1}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/.tools/temporal-server"
mkdir -p "$OUT/bin"
if [[ -x "$OUT/bin/server" && -x "$OUT/bin/sql" && "$(cat "$OUT/VERSION" 2>/dev/null)" == "$VERSION" ]]; then
  echo "temporal server $VERSION already built in $OUT/bin"
  exit 0
fi
# Nice: the machine is usually shared with tests.
GOBIN="$OUT/bin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 nice -n 10 go install \
  "go.temporal.io/server/cmd/server@$VERSION" "go.temporal.io/server/cmd/tools/sql@$VERSION"
# The schema files ship in the module source.
rm -rf "$OUT/schema"
cp -r "$(go env GOMODCACHE)/go.temporal.io/server@$VERSION/schema" "$OUT/schema"
chmod -R u+w "$OUT/schema"
echo "$VERSION" > "$OUT/VERSION"
echo "built temporal server $VERSION into $OUT/bin"
