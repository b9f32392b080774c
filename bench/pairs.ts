/**
 * The bridge-pair rows alone: 1000 × (add + remove) on 5 q35 bridges, empty and busy, in the
 * data-first and data-last forms; tinybench medians. With `warm`, the process first plans and
 * renders the large and the 150-device s390x sandboxes 300 times, to show what JIT feedback from
 * other work costs these rows (the full suite runs them after the planning rows).
 *
 *   node --import tsx bench/pairs.ts [warm] [--data-last-only]
 *
 * `--data-last-only` runs just the data-last form (empty and busy), which every version of the
 * code has: bench/history.sh uses it on older commits.
 */
import { Bench } from 'tinybench'
import { busyBridges, emptyBridges, large, pairs, pairsCurried, planAndRender, scaled } from './inputs.ts'

const warm = process.argv[2] === 'warm'
if (warm) for (let i = 0; i < 300; i++) for (const x of [large, scaled(150)]) planAndRender(x)
const bench = new Bench({ time: 1000, warmupTime: 200 })
if (process.argv.includes('--data-last-only'))
  bench.add('empty, data-last', () => pairsCurried(emptyBridges)).add('busy, data-last', () => pairsCurried(busyBridges))
else
  bench
    .add('empty', () => pairs(emptyBridges))
    .add('busy', () => pairs(busyBridges))
    .add('empty, data-last', () => pairsCurried(emptyBridges))
await bench.run()
for (const t of bench.tasks) {
  const r = t.result as unknown as { latency: { p50: number } }
  console.log(`${warm ? 'warm' : 'cold'} ${t.name}: median ${(r.latency.p50 * 1000).toFixed(1)} µs`)
}
