#!/usr/bin/env bash
# The rows of an older commit's `npm run bench`, timed for that commit and for the working tree
# with the same inputs: that commit's bench/inputs.ts is compiled with each src/ (into
# .tmp/old-rows/base and .tmp/old-rows/head), then each row is timed by bench/old-row.mjs in the
# two builds in alternating processes pinned to one CPU, `pairs` times (bench/alternate.sh, which
# prints each build's median and each pair's head (new) ÷ base). This is how the device modules
# are held to fe24100's rows (every row within 10 %).
#
#   bash bench/old-rows.sh <commit> [pairs=6] [row...]
#
# rows: render-govmm render-qemu typical-govmm typical-qemu large s15 s150 s1500 decode
#       pairs-empty pairs-busy pairs-curried (default: all)
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
base=$1
pairs=${2:-6}
shift $(($# < 2 ? $# : 2))
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(render-govmm render-qemu typical-govmm typical-qemu large s15 s150 s1500 decode pairs-empty pairs-busy pairs-curried)
out=.tmp/old-rows
rm -rf "$out" && mkdir -p "$out/base" "$out/head"
git archive "$base" src examples tsconfig.json package.json bench/inputs.ts | tar -x -C "$out/base"
cp -r src examples tsconfig.json package.json "$out/head/"
mkdir -p "$out/head/bench" && cp "$out/base/bench/inputs.ts" "$out/head/bench/"
for d in base head; do
  ln -s "$root/node_modules" "$out/$d/node_modules"
  cat >"$out/$d/tsconfig.rows.json" <<'JSON'
{ "extends": "./tsconfig.json",
  "compilerOptions": { "noEmit": false, "outDir": "js", "rootDir": ".", "rewriteRelativeImportExtensions": true, "noEmitOnError": false },
  "include": ["src", "bench/inputs.ts"] }
JSON
  (cd "$out/$d" && npx tsc -p tsconfig.rows.json >/dev/null || true)
  ln -sfn "$root/$out/$d/examples" "$out/$d/js/examples"
done
pin=(taskset -c 1)
command -v taskset >/dev/null && taskset -c 1 true 2>/dev/null || pin=()
source bench/alternate.sh
for row in "${rows[@]}"; do
  alternate "$row" "$pairs" "$root/$out/base/js" "$root/$out/head/js" "${pin[@]}" node bench/old-row.mjs {} "$row"
done
