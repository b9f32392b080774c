/**
 * Empty bridge pairs (data-first form) under tinybench, alone ("cold") or after planning the large
 * and 150-device s390x sandboxes 300 times ("warm"), to show what JIT feedback from other work
 * costs this row. `node --import tsx bench/pairs-warm.ts [warm]`
 */
import { Bench } from 'tinybench'
import { addDeviceToBridge, makeBridges, removeDeviceFromBridge, type Bridge } from '../src/core/bridges.ts'
import { planSandbox } from '../src/arch/planner.ts'
import { seededIds } from '../src/core/ids.ts'
import { render } from '../src/core/render.ts'
import { large, scaled } from './inputs.ts'
const pairIds = Array.from({ length: 1000 }, (_, i) => `dev-${i}`)
const empty = makeBridges('pci', 5)
const pairs = (start: ReadonlyArray<Bridge>): void => {
  let b = start
  for (let i = 0; i < 1000; i++) {
    const r = addDeviceToBridge(b, pairIds[i] as string, 'pci')
    if (r._tag === 'Left') throw new Error(r.left._tag)
    const q = removeDeviceFromBridge(r.right.bridges, pairIds[i] as string)
    if (q._tag === 'Left') throw new Error(q.left._tag)
    b = q.right
  }
}
const ids = seededIds(1)
if (process.argv[2] === 'warm')
  for (let i = 0; i < 300; i++)
    for (const x of [large, scaled(150)]) {
      const p = planSandbox(x.config, x.sandbox, { imageSizeBytes: 1 }, ids)
      if (p._tag === 'Right') render(p.right, 'govmm')
    }
const bench = new Bench({ time: 1000, warmupTime: 200 })
bench.add('pairs', () => pairs(empty))
await bench.run()
const r = bench.tasks[0]?.result as unknown as { latency: { p50: number } }
console.log(process.argv[2] ?? 'cold', 'median µs', (r.latency.p50 * 1000).toFixed(1))
