/**
 * Where the time of the large rows goes: plan, render or parse `wide(n)` (s390x block drives on
 * two CCW bridges) for each n, a few times after a warm-up, and print per n the median time and
 * how much of it was garbage collection (PerformanceObserver `gc` entries, by kind).
 *
 * `render` builds option strings as `render` chooses (flat from 5,000 devices on);
 * `render-concat` and `render-flat` force one way.
 *
 *   node --import tsx bench/scale.ts plan|render|render-concat|render-flat|parse [n…] [--runs 5]
 */
import { PerformanceObserver } from 'node:perf_hooks'
import { constants } from 'node:perf_hooks'
import { parseArgv } from '../src/core/parse/plan.ts'
import { render, renderWith } from '../src/core/render.ts'
import { ok, plan, wide } from './inputs.ts'

const what = process.argv[2] ?? 'plan'
const sizes = process.argv
  .slice(3)
  .filter((a, i, all) => /^\d+$/.test(a) && all[i - 1] !== '--runs')
  .map(Number)
const runs = process.argv.includes('--runs') ? Number(process.argv[process.argv.indexOf('--runs') + 1]) : 5

const gcMs: Record<string, number> = {}
const kinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
}
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const k = kinds[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other'
    gcMs[k] = (gcMs[k] ?? 0) + e.duration
  }
}).observe({ entryTypes: ['gc'] })

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number

for (const n of sizes.length > 0 ? sizes : [1000, 10_000, 100_000]) {
  const x = wide(n)
  const planned = plan(x)
  const argv = (() => {
    const r = ok(render(planned, 'qemu'))
    return [r.binary, ...r.args]
  })()
  const once =
    what === 'render'
      ? () => render(planned, 'govmm')
      : what === 'render-concat' || what === 'render-flat'
        ? () => renderWith(planned, 'govmm', { flat: what === 'render-flat', compiled: true })
        : what === 'parse'
          ? () => ok(parseArgv(argv))
          : () => plan(x)
  once()
  await tick()
  for (const k of Object.keys(gcMs)) delete gcMs[k]
  const ts: Array<number> = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    once()
    ts.push(performance.now() - t)
    await tick() // let the observer record this run's collections
  }
  const gc = Object.entries(gcMs)
    .map(([k, v]) => `${k} ${(v / runs).toFixed(1)} ms`)
    .join(', ')
  console.log(`${what} ${n}: median ${median(ts).toFixed(2)} ms per run; GC per run: ${gc || 'none'}`)
}
