// One op of two compiled builds in one process, timed in alternating 50 ms bursts (which build
// goes first alternates too), after a warm-up of both: prints each build's median µs per op, and
// the median and quartiles of the per-round ratios new ÷ base. A round's two bursts are a few
// milliseconds apart, so the ratio holds through this shared machine's changes of speed, which
// separate processes (bench/ab-op.mjs) can straddle. The builds are separate module instances, so
// neither's functions share type feedback with the other's.
//
//   node bench/ab-burst.mjs <base js root> <new js root> <op> [rounds=40]
//
// The ops are bench/ab-ops.mjs's; bench/ab.sh runs this with `-- bursts N`.
import { load } from './ab-ops.mjs'

const [baseRoot, newRoot, what, roundsArg] = process.argv.slice(2)
const rounds = Number(roundsArg ?? 40)
const base = await load(baseRoot, what)
const next = await load(newRoot, what)

const burst = (f) => {
  const t = performance.now()
  let n = 0
  while (performance.now() - t < 50) {
    f()
    n++
  }
  return ((performance.now() - t) * 1000) / n
}
for (let i = 0; i < 6; i++) (burst(base), burst(next))
const a = []
const b = []
for (let i = 0; i < rounds; i++) {
  if (i % 2 === 0) {
    a.push(burst(base))
    b.push(burst(next))
  } else {
    b.push(burst(next))
    a.push(burst(base))
  }
}
const sorted = (xs) => [...xs].sort((x, y) => x - y)
const at = (xs, q) => sorted(xs)[Math.round(q * (xs.length - 1))]
const r = a.map((x, i) => b[i] / x)
const us = (x) => (x < 1 ? `${(x * 1000).toFixed(0)} ns` : `${x.toFixed(2)} µs`)
console.log(
  `${what}: base ${us(at(a, 0.5))}, new ${us(at(b, 0.5))}, new ÷ base ${at(r, 0.5).toFixed(3)} ` +
    `(quartiles ${at(r, 0.25).toFixed(3)}–${at(r, 0.75).toFixed(3)}, range ${at(r, 0).toFixed(3)}–${at(r, 1).toFixed(3)}; ${rounds} rounds)`,
)
