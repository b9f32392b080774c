#!/usr/bin/env bash
# What each commit bought: runs today's bench/inputs.ts, profile.ts and pairs.ts against the src/ of
# each given commit (a temporary worktree sharing this checkout's node_modules) and prints one
# markdown row per commit. Plan + render figures are means of bench/profile.ts (3 s per row); pair
# figures are tinybench medians through the data-last form, which every commit has.
#
#   bash bench/history.sh <commit>...
set -euo pipefail
root=$(git rev-parse --show-toplevel)
echo '| commit | typical | large | 150 devices | 1,500 devices | 1,500 ÷ 150 | pairs, empty | pairs, busy |'
echo '|---|---:|---:|---:|---:|---:|---:|---:|'
for c in "$@"; do
  wt=$(mktemp -d)
  git -C "$root" worktree add -q --detach "$wt" "$c"
  cp "$root"/bench/inputs.ts "$root"/bench/profile.ts "$root"/bench/pairs.ts "$wt/bench/"
  ln -s "$root/node_modules" "$wt/node_modules"
  us() { (cd "$wt" && node --import tsx bench/profile.ts "$1" --ms 3000) | awk '{ printf "%.1f", $4 }'; }
  typical=$(us typical); large=$(us large); s150=$(us scaled-150); s1500=$(us scaled-1500)
  pairs=$(cd "$wt" && node --import tsx bench/pairs.ts --data-last-only)
  empty=$(echo "$pairs" | awk '/empty/ { print $(NF-1) }'); busy=$(echo "$pairs" | awk '/busy/ { print $(NF-1) }')
  ratio=$(awk -v a="$s1500" -v b="$s150" 'BEGIN { printf "%.1f", a / b }')
  echo "| $(git -C "$root" log -1 --format='%h %s' "$c" | cut -c1-70) | $typical µs | $large µs | $s150 µs | $s1500 µs | ${ratio}× | $empty µs | $busy µs |"
  git -C "$root" worktree remove --force "$wt"
done
