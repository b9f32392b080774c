/**
 * What the `stat` costs inside the embedded-service op: the op with the Node `statSync` port, with
 * a fake port that answers at once, and with the fake port plus a `statSync` of a small file,
 * alternated in 50 ms bursts (20 rounds, medians); then `statSync` alone in a tight loop.
 *
 *   node --import tsx bench/service-parts.ts
 */
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { render } from '../src/core/render.ts'
import { nodeSyncFileSystem, planSandboxText, pooledIds, type SyncFileSystem } from '../src/effects/service.ts'
import { vectorInput } from './vectors.ts'

const typical = vectorInput('typical')
const dir = mkdtempSync(join(tmpdir(), 'qp-bench-parts-'))
const img = join(dir, 'rootfs.img')
writeFileSync(img, '')
truncateSync(img, 134_217_728)
const small = join(dir, 'small')
writeFileSync(small, 'x')
const config = { ...typical.config, image: img }
const ids = pooledIds()
const op = (fs: SyncFileSystem) => (): void => {
  const p = planSandboxText(config, typical.sandboxText, { ...fs, ...ids })
  if (E.isLeft(p) || E.isLeft(render(p.right, 'govmm'))) throw new Error('service op failed')
}
const variants: Record<string, () => void> = {
  'fake port (no stat)': op({ sizeSync: () => E.right(134_217_728) }),
  'statSync port (the image)': op(nodeSyncFileSystem),
  'fake port + statSync of a 1-byte file': op({ sizeSync: () => E.right(statSync(small).size) }),
}
const burst = (f: () => void, ms = 50): number => {
  const t = performance.now()
  let n = 0
  while (performance.now() - t < ms) {
    f()
    n++
  }
  return ((performance.now() - t) * 1000) / n
}
const median = (xs: Array<number>): number => xs.sort((a, b) => a - b)[xs.length >> 1] as number
for (let i = 0; i < 5; i++) for (const f of Object.values(variants)) burst(f)
const res: Record<string, Array<number>> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
for (let i = 0; i < 20; i++) for (const [k, f] of Object.entries(variants)) res[k]?.push(burst(f))
for (const [k, xs] of Object.entries(res)) console.log(`${k}: median ${median(xs).toFixed(1)} µs per op`)
const alone: Array<number> = []
for (let i = 0; i < 20; i++) alone.push(burst(() => statSync(img)))
console.log(`statSync alone, in a loop: median ${median(alone).toFixed(2)} µs`)
rmSync(dir, { recursive: true, force: true })
