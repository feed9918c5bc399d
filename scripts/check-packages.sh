#!/usr/bin/env bash
# Packs every package (pnpm pack: workspace: ranges become real ones) and checks
# each tarball as the registry would serve it: publint (errors fail) and
# @arethetypeswrong/cli with the esm-only profile (the packages are ESM only;
# Node 20.19+ and 22.12+ require() them; CommonJS resolution under node16 is not
# checked, node10 / node16-ESM / bundler are), then require()s each entry.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pnpm.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for dir in packages/*/; do
  name="$(node -p "require('./${dir}package.json').name")"
  tarball="$(cd "$dir" && pnpm pack --pack-destination "$out" 2>/dev/null | grep '\.tgz$' | tail -1)"
  echo "-- $name ($(basename "$tarball"))"
  if tar -xzOf "$tarball" package/package.json | grep -q '"workspace:'; then
    echo "$name: the packed package.json still has a workspace: range" >&2
    exit 1
  fi
  pnpm exec publint run "$tarball" --level error --strict
  pnpm exec attw "$tarball" --profile esm-only --format table-flipped
  # require() of every entry, from CommonJS, as Node 20.19+ allows for ESM.
  node -e "
    const exp = require('./${dir}package.json').exports;
    for (const key of Object.keys(exp)) {
      if (key === './package.json') continue;
      const entry = require('node:path').resolve('${dir}', exp[key].default);
      const mod = require(entry);
      if (Object.keys(mod).length === 0) throw new Error('${name}' + key.slice(1) + ': require() gave no exports');
    }
    console.log('require(): every entry of ${name} loads');
  "
done
