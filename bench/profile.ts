/**
 * A loop to profile or time: plan + render one of the benchmark inputs for a while and print the
 * mean per operation (µs).
 *
 *   node --import tsx [--cpu-prof --cpu-prof-dir=.tmp/prof] bench/profile.ts typical|large|scaled-<n> [plan|render] [--ms 4000]
 *
 * `bench/cpu-top.ts` summarises the profile by self time. Function names and lines are exact when
 * the code is compiled first (`npm run bench:compile`, then run
 * `.tmp/js/bench/profile.js` with plain `node`); under tsx, `(garbage collector)` is still exact.
 */
import { render } from '../src/core/render.ts'
import { large, plan, scaled, typical, type Input } from './inputs.ts'

const arg = process.argv[2] ?? 'typical'
const which: Input = arg === 'typical' ? typical : arg === 'large' ? large : scaled(Number(arg.replace('scaled-', '')))
const only = process.argv[3] === 'plan' || process.argv[3] === 'render' ? process.argv[3] : undefined
const ms = process.argv.includes('--ms') ? Number(process.argv[process.argv.indexOf('--ms') + 1]) : 4000
const planned = plan(which)
const once = (): void => {
  if (only === 'render') render(planned, 'govmm')
  else if (only === 'plan') plan(which)
  else render(plan(which), 'govmm')
}
for (let i = 0; i < 50; i++) once()
const t = performance.now()
let n = 0
while (performance.now() - t < ms) {
  once()
  n++
}
console.log('per op µs', ((performance.now() - t) / n) * 1000)
