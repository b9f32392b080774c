/**
 * What one CSPRNG id costs: `randomBytes(8)` per id (`nodeIds`) against a pooled source
 * (`pooledIds`, the embedded-service path); median µs per call over batches of 20 calls.
 *
 *   node --import tsx bench/ids.ts
 */
import { randomBytes } from 'node:crypto'
import { pooledIds } from '../src/effects/service.ts'

const time = (name: string, f: () => unknown, ms = 600): void => {
  for (let i = 0; i < 2000; i++) f()
  const xs: Array<number> = []
  for (let t0 = performance.now(); performance.now() - t0 < ms;) {
    const t = performance.now()
    for (let i = 0; i < 20; i++) f()
    xs.push(((performance.now() - t) / 20) * 1000)
  }
  xs.sort((a, b) => a - b)
  console.log(`${name}: median ${(xs[xs.length >> 1] as number).toFixed(3)} µs`)
}

const pool = pooledIds()
time("randomBytes(8).toString('hex')", () => randomBytes(8).toString('hex'))
time("pooledIds().ids().hex16('iothread') (a source and one draw)", () => pool.ids().hex16('iothread'))
