# Sourced by the other scripts: puts scripts/bin first on PATH, so `pnpm` (and pnpm inside
# package scripts) runs pnpm 10 on a machine that has only Node and npm. The scripts `exec`
# the shim by its path, scripts/bin/pnpm, so that they do not depend on PATH at all.
PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bin:${PATH}"
export PATH

pnpm_install() {
  if [ "${CI:-}" = "true" ]; then
    pnpm install --frozen-lockfile
  else
    pnpm install
  fi
}
