/**
 * Bytes allocated per plan and per render of one input, measured as heap growth over a run with
 * no garbage collection in it. Give V8 a young generation large enough for that; a run during
 * which any GC happens is refused rather than reported. Also the bytes one plan keeps: the heap's
 * growth while a plan is held, each side measured after two forced collections.
 *
 *   node --expose-gc --min-semi-space-size=256 --max-semi-space-size=256 --import tsx bench/alloc.ts vtypical|vlarge|typical|large|scaled-<n>
 */
import { PerformanceObserver } from 'node:perf_hooks'
import { render } from '../src/core/render.ts'
import { large, plan as planInput, scaled, typical, type Input } from './inputs.ts'
import { planVector, vectorInput } from './vectors.ts'

// typical|large: the example and its 150-drive variant; vtypical|vlarge: the Kata 1.9 vectors' specs
const arg = process.argv[2] ?? 'typical'
const vector = arg === 'vtypical' ? vectorInput('typical') : arg === 'vlarge' ? vectorInput('large') : undefined
const which: Input = vector ?? (arg === 'typical' ? typical : arg === 'large' ? large : scaled(Number(arg.replace('scaled-', ''))))
const plan = (x: Input) => (vector !== undefined ? planVector(vector) : planInput(x))
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')
let collections = 0
new PerformanceObserver((list) => (collections += list.getEntries().length)).observe({ entryTypes: ['gc'] })
const planned = plan(which)
for (let i = 0; i < 50; i++) render(plan(which), 'govmm')

const perOp = async (f: () => unknown, n: number): Promise<number> => {
  gc()
  await new Promise((r) => setTimeout(r, 10)) // let the observer see the forced GC
  collections = 0
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < n; i++) f()
  const after = process.memoryUsage().heapUsed
  await new Promise((r) => setTimeout(r, 10))
  if (collections > 0) throw new Error(`${collections} GC(s) during the run: raise --max-semi-space-size or lower n`)
  return (after - before) / n
}

const n = Math.max(2, Math.floor(20_000 / (which.sandbox.devices.length + 10)))
const planBytes = await perOp(() => plan(which), n)
const renderBytes = await perOp(() => render(planned, 'govmm'), n)
const devices = planned.devices.length

const keptBytes = async (): Promise<number> => {
  const settle = async (): Promise<number> => {
    gc()
    gc()
    await new Promise((r) => setTimeout(r, 10))
    return process.memoryUsage().heapUsed
  }
  const before = await settle()
  const held = plan(which)
  const after = await settle()
  if (held.devices.length !== devices) throw new Error('a different plan')
  return after - before
}
const kept = await keptBytes()
console.log(
  JSON.stringify({
    input: arg,
    devices,
    runs: n,
    planBytes: Math.round(planBytes),
    renderBytes: Math.round(renderBytes),
    planBytesPerDevice: Math.round(planBytes / devices),
    renderBytesPerDevice: Math.round(renderBytes / devices),
    keptBytesPerDevice: Math.round(kept / devices),
  }),
)
