# Sourced by the other scripts: puts scripts/bin first on PATH, so `pnpm`
# (and `exec pnpm`, and pnpm inside package scripts) runs pnpm 10 on a machine
# that has only Node and npm. See scripts/bin/pnpm.
PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bin:${PATH}"
export PATH

pnpm_install() {
  if [ "${CI:-}" = "true" ]; then
    pnpm install --frozen-lockfile
  else
    pnpm install
  fi
}
