#!/usr/bin/env bash
# `npm start`: installs, builds the packages and starts the chat example on
# http://localhost:4000 (PORT to change; REDIS_URL for the Redis layer).
# `npm run start:cluster`: two chat servers sharing Redis (see examples/chat/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh

pnpm_install
pnpm --filter './packages/*' build
if [ "${1:-}" = "--cluster" ]; then
  exec scripts/bin/pnpm --silent --filter @gqlcast/example-chat start:cluster
fi
exec scripts/bin/pnpm --silent --filter @gqlcast/example-chat start
