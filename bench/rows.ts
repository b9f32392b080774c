/**
 * One round of the benchmark rows, in this process: tinybench medians, printed as JSON
 * (`{ rows: [{ name, medianUs, samples }] }`). `bench/run.ts` runs several rounds, each in a
 * fresh process, and reports the median of the round medians with their spread.
 *
 *   node --import tsx bench/rows.ts [--quick] [--only <text>] [--go-placement | --versus]
 *
 * `--versus` runs only the rows set beside the original Go code's benchmarks (bench/run.ts runs
 * them in short rounds, each followed by the Go benchmarks, so the two are timed close together).
 * `--go-placement` runs only the "large" row with the Go benchmark's placement of the drives
 * (`installGoPlacement` changes the amd64 record, so it gets a process of its own).
 */
import { Bench } from 'tinybench'
import * as E from 'fp-ts/lib/Either.js'
import { diffArgv } from '../src/core/diff/index.ts'
import { decodeSandbox } from '../src/core/input/sandbox.ts'
import { parseArgv } from '../src/core/parse/plan.ts'
import { render } from '../src/core/render.ts'
import { busyBridges, emptyBridges, ok, pairs, pairsCurried, plan, planAndRender, scaled, wide, wideArgv, type Input } from './inputs.ts'
import { checkVector, drivePlacement, installGoPlacement, planAndRenderVector, planVector, serviceInput, vectorInput } from './vectors.ts'
import { flagValue } from './args.ts'

export interface Row {
  readonly name: string
  readonly medianUs: number
  readonly samples: number
}

const quick = process.argv.includes('--quick')
const only = flagValue('--only')
const time = quick ? 300 : 1500

// rows of a few µs to a few ms; and rows of 10,000 devices and more, which get more time and fewer
// warm-up runs (tinybench's time budget is per bench, not per task)
const bench = new Bench({ time, warmupTime: quick ? 100 : 300, throws: true })
const bigBench = new Bench({ time: 2 * time, warmupTime: 0, warmupIterations: 2, iterations: 5, throws: true })
const add = (name: string, fn: () => unknown, o: { big?: boolean } = {}): void => {
  if (only !== undefined && !name.includes(only)) return
  ;(o.big === true ? bigBench : bench).add(name, fn)
}

const typical = vectorInput('typical')
const large = vectorInput('large')

if (process.argv.includes('--go-placement')) {
  installGoPlacement(new Set(large.sandbox.devices.flatMap((d) => (d.kind === 'block' ? [d.id] : []))))
  checkVector(large)
  const where = drivePlacement(planVector(large))
  if (where.behindBridges !== 150) throw new Error(`Go placement: ${JSON.stringify(where)}`)
  add("large, Go's placement: plan + render (govmm)", () => planAndRenderVector(large))
} else {
  checkVector(typical)
  checkVector(large)
  const service = serviceInput(typical)
  service.check()
  process.on('exit', service.dispose)
  add('typical: plan + render (govmm)', () => planAndRenderVector(typical))
  add('large: plan + render (govmm)', () => planAndRenderVector(large))
  add('bridge pairs, empty (1000 pairs)', () => pairs(emptyBridges))
  add('bridge pairs, busy (1000 pairs)', () => pairs(busyBridges))
  add('embedded service: typical (decode sandbox JSON, stat, crypto ids, plan, render)', () => service.once())
  if (!process.argv.includes('--versus')) addTheRest()
}

function addTheRest(): void {
  const typicalPlan = planVector(typical)
  const parsedInputs = new Map<number, { readonly a: ReadonlyArray<string>; readonly b: ReadonlyArray<string> }>()
  /** `wideArgv(n)`, made once per size. */
  const argvOf = (n: number): { readonly a: ReadonlyArray<string>; readonly b: ReadonlyArray<string> } => {
    const out = parsedInputs.get(n) ?? wideArgv(n)
    parsedInputs.set(n, out)
    return out
  }
  const big = (n: number): Input => wide(n)
  add('typical: plan + render (qemu)', () => ok(render(planVector(typical), 'qemu')).args.length)
  add('typical: plan only', () => planVector(typical))
  add('render only (govmm)', () => ok(render(typicalPlan, 'govmm')))
  add('render only (qemu)', () => ok(render(typicalPlan, 'qemu')))
  add('decode sandbox JSON (typical)', () => ok(decodeSandbox(JSON.parse(typical.sandboxText))))
  add('bridge pairs, empty, data-last form (1000 pairs)', () => pairsCurried(emptyBridges))
  for (const n of [15, 150, 1500]) {
    const x = scaled(n)
    add(`scaling: ${n} devices`, () => planAndRender(x))
  }
  for (const n of [1000, 10_000, 100_000]) {
    const x = big(n)
    add(`plan: ${n.toLocaleString('en')} devices`, () => plan(x), { big: n >= 10_000 })
    add(`plan + render: ${n.toLocaleString('en')} devices`, () => planAndRender(x), { big: n >= 10_000 })
  }
  for (const n of [1000, 10_000, 100_000]) {
    add(`parse: ${n.toLocaleString('en')} devices`, () => ok(parseArgv(argvOf(n).a)), { big: n >= 10_000 })
  }
  for (const n of [1000, 10_000, 100_000]) {
    add(
      `diff: ${n.toLocaleString('en')} devices`,
      () => {
        const { a, b } = argvOf(n)
        const d = diffArgv(a, b)
        if (E.isLeft(d)) throw new Error(JSON.stringify(d.left))
      },
      { big: n >= 10_000 },
    )
  }
}

await bench.run()
await bigBench.run()
const rows: Array<Row> = [...bench.tasks, ...bigBench.tasks].map((t) => {
  const r = t.result as unknown as { latency?: { p50?: number; samplesCount?: number } }
  return { name: t.name, medianUs: (r.latency?.p50 ?? NaN) * 1000, samples: r.latency?.samplesCount ?? 0 }
})
console.log(JSON.stringify({ rows }))
