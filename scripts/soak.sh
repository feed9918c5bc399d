#!/usr/bin/env bash
# `npm run soak` / `pnpm soak`: the long soak (10,000 connections, 2 minutes, memory and Redis).
# Arguments go to bench/soak/run.ts, e.g. `npm run soak -- --connections 2000 --seconds 30`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
bash scripts/ensure-system.sh
pnpm_install
exec scripts/bin/pnpm --silent --filter @gqlcast/bench soak "$@"
