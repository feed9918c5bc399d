# Sourced by the other scripts: runs pnpm 10 without needing it installed
# (a fresh machine has only Node and npm; corepack cannot verify pnpm here).
pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(command pnpm --version 2>/dev/null | cut -d. -f1)" = "10" ]; then
    command pnpm "$@"
  else
    npx -y pnpm@10 "$@"
  fi
}

pnpm_install() {
  if [ "${CI:-}" = "true" ]; then
    pnpm install --frozen-lockfile
  else
    pnpm install
  fi
}
