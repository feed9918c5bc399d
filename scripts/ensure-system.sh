#!/usr/bin/env bash
# Makes sure the system programs the tests need are installed.
# As root with apt-get, missing ones are installed from Debian's packages;
# otherwise this prints what to install and fails.
set -euo pipefail

# command name -> Debian package
declare -A needed=(
  [redis-server]=redis-server
  [redis-cli]=redis-tools
  [chromium]=chromium
)

missing_packages=()
for command in "${!needed[@]}"; do
  if ! command -v "$command" >/dev/null 2>&1; then
    missing_packages+=("${needed[$command]}")
  fi
done

# Debian's Python with aiohttp runs the Python library DjangoChannelsGraphqlWs's
# own client against the server (packages/server/test/python-client.test.ts).
if ! /usr/bin/python3 -c 'import aiohttp' >/dev/null 2>&1; then
  missing_packages+=(python3-aiohttp)
fi

if [ ${#missing_packages[@]} -eq 0 ]; then
  exit 0
fi

# Remove duplicates (redis-server brings redis-tools, but ask for both if both are missing).
mapfile -t missing_packages < <(printf '%s\n' "${missing_packages[@]}" | sort -u)

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing missing system packages: ${missing_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
  exit 0
fi

echo "The tests need these system packages, which are not installed: ${missing_packages[*]}" >&2
echo "Install them (on Debian or Ubuntu: sudo apt-get install -y ${missing_packages[*]}) and run the tests again." >&2
exit 1
