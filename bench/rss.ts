/**
 * Resident memory growth while planning (and rendering) 10,000 typical sandboxes (the Kata 1.9
 * vectors' spec-typical.json) in one process, nothing kept: a leak check. Run with --expose-gc;
 * prints JSON.
 *
 *   node --expose-gc --import tsx bench/rss.ts [10000]
 */
import { planSandbox } from '../src/arch/planner.ts'
import { seededIds } from '../src/core/ids.ts'
import { render } from '../src/core/render.ts'
import { vectorInput } from './vectors.ts'

const typical = vectorInput('typical')

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const n = Number(process.argv[2] ?? 10_000)
const once = (i: number): void => {
  const p = planSandbox(typical.config, typical.sandbox, { imageSizeBytes: typical.imageSizeBytes }, seededIds(i))
  if (p._tag === 'Right') render(p.right, 'govmm')
}
for (let i = 0; i < 200; i++) once(i) // warm up: JIT, caches
gc()
const before = process.memoryUsage().rss
const t0 = performance.now()
for (let i = 0; i < n; i++) once(i)
const ms = performance.now() - t0
gc()
const after = process.memoryUsage().rss
console.log(
  JSON.stringify({ plans: n, rssBeforeMiB: before / 2 ** 20, rssAfterMiB: after / 2 ** 20, growthMiB: (after - before) / 2 ** 20, ms }),
)
