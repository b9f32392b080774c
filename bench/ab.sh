#!/usr/bin/env bash
# A/B of the working tree against a commit (from f05c27a on): compiles the commit's src/ (with
# today's bench/ and test/support/kata-vectors.ts, so both builds run the same inputs) into
# .tmp/ab-base/js and the working tree into .tmp/js, then for each op runs bench/ab-op.mjs on the
# two builds in alternating processes, `pairs` times (bench/alternate.sh: which goes first
# alternates too), and prints each build's median, and the median, range and list of the per-pair
# ratios new ÷ base. Separate processes, because both builds in one process favour one of them
# (bench/notes.md, "Tried and not kept"; tried again in 8d85ade, whose bench/ab-burst.mjs timed a
# build loaded second 1.5–2.2× slower than an identical copy loaded first, for plan + render and
# the service op).
#
#   bash bench/ab.sh <commit> <op>... [-- pairs ms-per-process]
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
base=$1
shift
ops=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do ops+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
wt=$(mktemp -d)
git worktree add -q --detach "$wt" "$base"
rm -rf "$wt/bench" && cp -r bench "$wt/bench" && cp test/support/kata-vectors.ts "$wt/test/support/"
ln -s "$root/node_modules" "$wt/node_modules"
rm -rf .tmp/ab-base && mkdir -p .tmp/ab-base
(cd "$wt" && npx tsc -p bench/tsconfig.profile.json --outDir "$root/.tmp/ab-base/js" --noEmitOnError false >/dev/null || true)
git worktree remove --force "$wt"
rm -rf .tmp/js && npx tsc -p bench/tsconfig.profile.json >/dev/null
for d in .tmp/ab-base/js .tmp/js; do
  ln -sfn "$root/examples" "$d/examples"
  ln -sfn "$root/test/fixtures" "$d/test/fixtures"
done
pairs=${1:-8}
ms=${2:-1500}
source bench/alternate.sh
for op in "${ops[@]}"; do
  alternate "$op" "$pairs" "$root/.tmp/ab-base/js" "$root/.tmp/js" node bench/ab-op.mjs {} "$op" "$ms"
done
