/**
 * Where the time of the large rows goes: plan, render or parse `wide(n)` (s390x block drives on
 * two CCW bridges) for each n, a few times after a warm-up, and print per n the median time and
 * how much of it was garbage collection (PerformanceObserver `gc` entries, by kind).
 *
 * `render` builds option strings as `render` chooses (flat from 5,000 devices on);
 * `render-concat` and `render-flat` force one way.
 *
 * With `--ms t`, each n runs for t ms (at least 3 runs) after as long a warm-up, instead of
 * `--runs` runs after one, and the line also gives the mean per run, the collector's share of
 * it, and the rest per device: what a ×10 step costs with and without the collections it causes;
 * and the kernel's share of it (system CPU time) with the page faults per device.
 *
 *   node --import tsx bench/scale.ts plan|render|render-concat|render-flat|parse|diff [n…] [--runs 5] [--ms 3000]
 */
import { PerformanceObserver } from 'node:perf_hooks'
import { constants } from 'node:perf_hooks'
import { render, renderWith } from '../src/core/render.ts'
import { plan, wide } from './inputs.ts'
import { isWideOp, wideOp } from './wide-ops.ts'
import { flagValue, sizesIn } from './args.ts'
import { median } from './stats.ts'

const what = process.argv[2] ?? 'plan'
if (!isWideOp(what) && !['render', 'render-concat', 'render-flat'].includes(what)) {
  console.error('usage: scale.ts plan|render|render-concat|render-flat|parse|diff [n…] [--runs 5] [--ms 3000]')
  process.exit(2)
}
const sizes = sizesIn(['--runs', '--ms'])
const runs = Number(flagValue('--runs') ?? 5)
const ms = flagValue('--ms')
const budgetMs = ms === undefined ? undefined : Number(ms)

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

/** Render `wide(n)`'s plan as the mode says (planned once, here). */
const renderOp = (n: number): (() => unknown) => {
  const planned = plan(wide(n))
  return what === 'render'
    ? () => render(planned, 'govmm')
    : () => renderWith(planned, 'govmm', { flat: what === 'render-flat', compiled: true })
}

for (const n of sizes.length > 0 ? sizes : [1000, 10_000, 100_000]) {
  const once = isWideOp(what) ? wideOp(what, n) : renderOp(n)
  once()
  if (budgetMs !== undefined) for (const t = performance.now(); performance.now() - t < budgetMs;) once()
  await tick()
  for (const k of Object.keys(gcMs)) delete gcMs[k]
  const ts: Array<number> = []
  const usage = process.resourceUsage()
  const start = performance.now()
  while (budgetMs === undefined ? ts.length < runs : ts.length < 3 || performance.now() - start < budgetMs) {
    const t = performance.now()
    once()
    ts.push(performance.now() - t)
    await tick() // let the observer record this run's collections
  }
  const gc = Object.entries(gcMs)
    .map(([k, v]) => `${k} ${(v / ts.length).toFixed(2)} ms`)
    .join(', ')
  const line = `${what} ${n}: median ${median(ts).toFixed(2)} ms per run; GC per run: ${gc || 'none'}`
  if (budgetMs === undefined) console.log(line)
  else {
    const mean = ts.reduce((a, b) => a + b, 0) / ts.length
    const gcMean = Object.values(gcMs).reduce((a, b) => a + b, 0) / ts.length
    const after = process.resourceUsage()
    // the kernel's share (system CPU time, mostly the page faults of memory the heap takes from it)
    const sysMean = (after.systemCPUTime - usage.systemCPUTime) / 1000 / ts.length
    const faults = (after.minorPageFault - usage.minorPageFault) / ts.length / n
    console.log(
      `${line}; mean ${mean.toFixed(2)} ms over ${ts.length} runs, GC ${((100 * gcMean) / mean).toFixed(0)} % of it, ` +
        `the rest ${(((mean - gcMean) * 1000) / n).toFixed(3)} µs per device; ` +
        `kernel ${((100 * sysMean) / mean).toFixed(0)} %, ${faults.toFixed(2)} page faults per device`,
    )
  }
}
