/**
 * Bytes allocated per device, by the function that allocated them, for planning, rendering or
 * parsing `wide(n)` (s390x block drives on two CCW bridges): V8's sampling heap profiler over a
 * few runs after a warm-up, counting what was collected too.
 *
 *   node --import tsx bench/heap-sample.ts plan|render|parse [n=10000] [rows=12]
 */
import { Session } from 'node:inspector/promises'
import { parseArgv } from '../src/core/parse/plan.ts'
import { render } from '../src/core/render.ts'
import { ok, plan, wide } from './inputs.ts'

interface Node {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly selfSize: number
  readonly children: ReadonlyArray<Node>
}

const what = process.argv[2] ?? 'parse'
const n = Number(process.argv[3] ?? 10_000)
const rows = Number(process.argv[4] ?? 12)
const runs = 5
const x = wide(n)
const planned = plan(x)
const r = ok(render(planned, 'qemu'))
const argv = [r.binary, ...r.args]
const once = what === 'plan' ? () => plan(x) : what === 'render' ? () => render(planned, 'qemu') : () => ok(parseArgv(argv))
for (let i = 0; i < 5; i++) once()

const session = new Session()
session.connect()
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
})
for (let i = 0; i < runs; i++) once()
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: Node } }

const bytes = new Map<string, number>()
let total = 0
const walk = (node: Node): void => {
  const f = node.callFrame
  const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`
  total += node.selfSize
  bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize)
  node.children.forEach(walk)
}
walk(profile.head)
const perDevice = (b: number): string => (b / runs / n).toFixed(0).padStart(6)
console.log(`${what} ${n}: ${perDevice(total).trim()} bytes per device`)
for (const [k, v] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${perDevice(v)}  ${k}`)
