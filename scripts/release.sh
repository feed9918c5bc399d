#!/usr/bin/env bash
# `pnpm release [--dry-run]`: builds, checks the packed packages, then publishes
# each package whose version is not on the registry yet (changeset publish).
# With --dry-run nothing is published: every tarball is packed (pnpm pack turns
# `workspace:` ranges into real ones) and its dependencies are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
pnpm -r build
bash scripts/check-packages.sh
if [[ "${1:-}" == "--dry-run" ]]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
  for dir in packages/*/; do
    tarball="$(cd "$dir" && pnpm pack --pack-destination "$out" 2>/dev/null | grep '\.tgz$' | tail -1)"
    echo "== $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KB)"
    tar -xzOf "$tarball" package/package.json |
      node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
        for (const key of ["dependencies", "peerDependencies"]) console.log(`  ${key}: ${JSON.stringify(j[key] ?? {})}`);'
  done
  echo "dry run: nothing published"
  exit 0
fi
pnpm exec changeset publish
