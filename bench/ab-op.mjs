// One op of one compiled build (`npm run bench:compile` output, or bench/ab.sh's), timed in
// bursts of 50 ms after a warm-up: prints the median µs per op over the bursts. bench/ab.sh runs
// it for two builds in alternating processes (so neither build's code shares inline caches with
// the other's, and load from other jobs hits both alike).
//
//   node bench/ab-op.mjs <js root> <op> [ms=1500]
//
// The ops are bench/ab-ops.mjs's.
import { load } from './ab-ops.mjs'

const [root, what, msArg] = process.argv.slice(2)
const ms = Number(msArg ?? 1500)

const f = await load(root, what)
const burst = () => {
  const t = performance.now()
  let n = 0
  while (performance.now() - t < 50) {
    f()
    n++
  }
  return ((performance.now() - t) * 1000) / n
}
for (let t = performance.now(); performance.now() - t < 300;) burst()
const xs = []
for (let t = performance.now(); performance.now() - t < ms;) xs.push(burst())
xs.sort((a, b) => a - b)
console.log(xs[xs.length >> 1])
