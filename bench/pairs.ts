/**
 * Bridge pairs alone (1000 × add + remove on 5 q35 bridges, empty and busy), medians of 200 runs.
 * `node --import tsx bench/pairs.ts`
 */
import { addDeviceToBridge, makeBridges, removeDeviceFromBridge, type Bridge } from '../src/core/bridges.ts'
const ok = <A>(r: { _tag: string; right?: A }): A => { if (r._tag === "Left") throw new Error("left"); return r.right as A }
let busy: ReadonlyArray<Bridge> = makeBridges('pci', 5)
for (let i = 0; i < 70; i++) busy = ok(addDeviceToBridge(`busy-${i}`, 'pci')(busy)).bridges
// the ids are made once, outside the timed loop: the row times the allocator, not string formatting
const pairIds = Array.from({ length: 1000 }, (_, i) => `dev-${i}`)
const pairs = (start: ReadonlyArray<Bridge>) => { let b = start; for (let i = 0; i < 1000; i++) { b = ok(addDeviceToBridge(b, pairIds[i] as string, 'pci')).bridges; b = ok(removeDeviceFromBridge(b, pairIds[i] as string)) } }
for (const [name, s] of [['empty', makeBridges('pci', 5)], ['busy', busy]] as const) {
  for (let i = 0; i < 50; i++) pairs(s)
  const ts: number[] = []
  for (let i = 0; i < 200; i++) { const t = performance.now(); pairs(s); ts.push(performance.now() - t) }
  ts.sort((a, b) => a - b); console.log(name, 'median ms', ts[100]?.toFixed(3))
}
