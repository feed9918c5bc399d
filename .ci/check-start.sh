#!/usr/bin/env bash
# Proves `npm start` on a machine without pnpm: runs it with every folder that
# holds a global pnpm removed from PATH, in its own process group, waits until
# the chat answers (.ci/check-start.mjs), then stops the whole group.
# On failure the server's output is shown.
set -euo pipefail
cd "$(dirname "$0")/.."

# A folder holding pnpm is replaced by a copy of it (symlinks) without pnpm and
# pnpx, since it may hold node and npm too (/usr/local/bin often does).
shadow_root="$(mktemp -d)"
clean_path=""
IFS=: read -r -a dirs <<<"${PATH}"
for dir in "${dirs[@]}"; do
  [ -n "$dir" ] || continue
  if [ -e "$dir/pnpm" ] || [ -e "$dir/pnpx" ]; then
    shadow="$(mktemp -d -p "$shadow_root")"
    for entry in "$dir"/*; do
      case "$(basename "$entry")" in pnpm | pnpx) ;; *) ln -s "$entry" "$shadow/" ;; esac
    done
    dir="$shadow"
  fi
  clean_path="${clean_path:+$clean_path:}$dir"
done
if PATH="$clean_path" command -v pnpm >/dev/null 2>&1; then
  echo "check-start: could not remove pnpm from PATH" >&2
  exit 1
fi

port="${PORT:-4000}"
log="$(mktemp)"
# setsid: the server gets its own process group, so one kill stops npm, pnpm, tsx and node.
PATH="$clean_path" PORT="$port" setsid npm start >"$log" 2>&1 &
leader=$!

stop() {
  kill -TERM -- "-$leader" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 -- "-$leader" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$leader" 2>/dev/null || true
  rm -rf "$shadow_root"
}
trap stop EXIT

if ! PATH="$clean_path" PORT="$port" START_PID="$leader" node .ci/check-start.mjs; then
  echo "---- npm start output ----" >&2
  cat "$log" >&2
  if ! kill -0 "$leader" 2>/dev/null; then echo "(npm start exited)" >&2; fi
  exit 1
fi
grep -q 'Chat on http://localhost' "$log" || {
  echo "check-start: npm start did not print its ready line; output:" >&2
  cat "$log" >&2
  exit 1
}
echo "check-start: npm start works without pnpm on PATH"
