#!/usr/bin/env bash
# `npm start`: installs, builds the packages and starts the example.
# Arguments after `npm start --` go to the example (e.g. `npm start -- --once`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh

pnpm_install
pnpm --filter './packages/*' build
exec pnpm --silent --filter @gqlcast/example-broadcast-demo start "$@"
