/**
 * `npm run bench`: the benchmark suite of the benchmarks issue. Prints medians and writes
 * BENCHMARKS.md (machine, Node version, command, figures against the Go original's).
 *
 *   npm run bench [-- --quick] [-- --no-qemu]
 */
import { execFileSync } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { writeFileSync } from 'node:fs'
import { Bench } from 'tinybench'
import { decodeSandbox } from '../src/core/input/sandbox.ts'
import { render } from '../src/core/render.ts'
import type { Plan } from '../src/core/vm.ts'
import { busyBridges, emptyBridges, exampleSandboxText, large, ok, pairs, pairsCurried, plan, planAndRender, scaled, typical } from './inputs.ts'

const quick = process.argv.includes('--quick')
const noQemu = process.argv.includes('--no-qemu')
const time = quick ? 300 : 1500
// `--only <text>`: run just the rows whose name contains it (and skip the extras and the report)
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined

const typicalPlan: Plan = plan(typical)
const s15 = scaled(15)
const s150 = scaled(150)
const s1500 = scaled(1500)

const bench = new Bench({ time, warmupTime: quick ? 100 : 300 })
const add = (name: string, fn: () => unknown): void => {
  if (only === undefined || name.includes(only)) bench.add(name, fn)
}
add('typical: plan + render (govmm)', () => planAndRender(typical))
add('typical: plan + render (qemu)', () => planAndRender(typical, 'qemu'))
add('large: plan + render (govmm)', () => planAndRender(large))
add('bridge pairs, empty (1000 pairs)', () => pairs(emptyBridges))
add('bridge pairs, busy (1000 pairs)', () => pairs(busyBridges))
add('bridge pairs, empty, data-last form (1000 pairs)', () => pairsCurried(emptyBridges))
add('scaling: 15 devices', () => planAndRender(s15))
add('scaling: 150 devices', () => planAndRender(s150))
add('scaling: 1500 devices', () => planAndRender(s1500))
add('render only (govmm)', () => ok(render(typicalPlan, 'govmm')))
add('render only (qemu)', () => ok(render(typicalPlan, 'qemu')))
add('decode sandbox JSON', () => ok(decodeSandbox(JSON.parse(exampleSandboxText))))

export interface Row {
  readonly name: string
  readonly medianUs: number
  readonly samples: number
}

const main = async (): Promise<void> => {
  console.log(`typical argv: ${planAndRender(typical) + 1} strings; large argv: ${planAndRender(large) + 1} strings`)
  await bench.run()
  const rows: Array<Row> = bench.tasks.map((t) => {
    const r = t.result as unknown as { latency?: { p50?: number; samplesCount?: number; samples?: ReadonlyArray<number> } }
    return { name: t.name, medianUs: (r.latency?.p50 ?? NaN) * 1000, samples: r.latency?.samplesCount ?? r.latency?.samples?.length ?? 0 }
  })
  for (const r of rows) console.log(`${r.name.padEnd(36)} median ${r.medianUs.toFixed(2).padStart(10)} µs  (${r.samples} samples)`)
  if (only !== undefined) return
  const extra = await import('./extra.ts').then((m) => m.extras({ quick, noQemu }))
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), (await import('./report.ts')).report(rows, extra, machine()))
  console.log('wrote BENCHMARKS.md')
}

const machine = (): { cpu: string; cores: number; memGiB: number; node: string; qemu: string } => {
  let qemu = 'not installed'
  try {
    qemu = execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? ''
  } catch {
    /* reported as not installed */
  }
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, qemu }
}

await main()
