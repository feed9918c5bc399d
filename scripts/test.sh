#!/usr/bin/env bash
# `npm test`: installs everything a fresh machine lacks, then runs lint,
# build, typecheck (type tests included) and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "system packages"
bash scripts/ensure-system.sh

step "install"
pnpm_install

step "lint and format (biome)"
pnpm exec biome ci .

step "build"
pnpm -r build

step "typecheck (including *.test-d.ts type tests)"
pnpm exec tsc -p tsconfig.json
pnpm -r typecheck

step "API reference (typedoc into docs/api: warnings are errors, every export documented)"
pnpm exec typedoc

step "packages (pnpm pack, publint, attw --profile esm-only, require())"
bash scripts/check-packages.sh

step "tests"
pnpm exec vitest run
