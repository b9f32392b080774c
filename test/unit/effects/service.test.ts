/**
 * The embedded-service path through its synchronous ports: `planSandboxText` plans what
 * `loadPlan` plans for the same inputs; a missing image is `ImageNotFound` from the port; bad JSON
 * and an invalid sandbox are typed errors; pooled CSPRNG ids keep one value per key.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { parse as parseToml } from 'smol-toml'
import { describe, expect, it } from 'vitest'
import { planSandbox } from '../../../src/arch/planner.ts'
import { imageNotFound } from '../../../src/core/errors.ts'
import { decodeConfig } from '../../../src/core/input/config.ts'
import { decodeSandbox } from '../../../src/core/input/sandbox.ts'
import { render } from '../../../src/core/render.ts'
import type { Ids } from '../../../src/effects/ports.ts'
import { nodeServiceEnv, nodeSyncFileSystem, planSandboxText, pooledIds, type SyncFileSystem } from '../../../src/effects/service.ts'

const configDoc = parseToml(readFileSync(new URL('../../../examples/configuration.toml', import.meta.url), 'utf8'))
const sandboxText = readFileSync(new URL('../../../examples/sandbox.json', import.meta.url), 'utf8')
const config = (() => {
  const c = decodeConfig(configDoc)
  if (E.isLeft(c)) throw new Error('example configuration does not decode')
  return c.right.value
})()
const image = config.image as string
const fixedIds: Ids = { ids: () => ({ hex16: (k) => (k === 'iothread' ? 'feedfacecafebeef' : '0000000000000000') }) }
const sizes = (m: Readonly<Record<string, number>>): SyncFileSystem => ({
  sizeSync: (p) => (m[p] !== undefined ? E.right(m[p] as number) : E.left(imageNotFound({ path: p }))),
})

describe('planSandboxText', () => {
  it('plans what planSandbox plans for the decoded sandbox and the size the port reports', () => {
    const sandbox = decodeSandbox(JSON.parse(sandboxText))
    if (E.isLeft(sandbox)) throw new Error('example sandbox does not decode')
    const want = planSandbox(config, sandbox.right.value, { imageSizeBytes: 4096 }, fixedIds.ids())
    expect(planSandboxText(config, sandboxText, { ...sizes({ [image]: 4096 }), ...fixedIds })).toEqual(want)
  })

  it('is ImageNotFound when the port finds no image', () => {
    expect(planSandboxText(config, sandboxText, { ...sizes({}), ...fixedIds })).toEqual(E.left(imageNotFound({ path: image })))
  })

  it('refuses text that is not JSON, and a sandbox that does not decode, as InvalidInput', () => {
    const bad = planSandboxText(config, '{', { ...sizes({ [image]: 4096 }), ...fixedIds })
    expect(E.isLeft(bad) && bad.left._tag).toBe('InvalidInput')
    const invalid = planSandboxText(config, '{"arch":"vax"}', { ...sizes({ [image]: 4096 }), ...fixedIds })
    expect(E.isLeft(invalid) && invalid.left._tag).toBe('InvalidInput')
  })

  it('stats a real file through the Node adapter, and plans with CSPRNG ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qp-service-'))
    try {
      const img = join(dir, 'rootfs.img')
      writeFileSync(img, '')
      truncateSync(img, 134_217_728)
      expect(nodeSyncFileSystem.sizeSync(img)).toEqual(E.right(134_217_728))
      expect(nodeSyncFileSystem.sizeSync(join(dir, 'missing.img'))).toEqual(E.left(imageNotFound({ path: join(dir, 'missing.img') })))
      const p = planSandboxText({ ...config, image: img }, sandboxText, nodeServiceEnv)
      const argv = E.flatMap((x: Parameters<typeof render>[0]) => render(x, 'govmm'))(p)
      expect(E.isRight(argv) && argv.right.args.some((a) => /^iothread,id=iothread-[0-9a-f]{16}$/.test(a))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('pooledIds', () => {
  it('gives 16 hex characters, one value per key for a source, and different values across keys and sources', () => {
    const ids = pooledIds(64)
    const a = ids.ids()
    const seen = new Set<string>()
    for (let i = 0; i < 100; i++) {
      const v = a.hex16(`k${i}`)
      expect(v).toMatch(/^[0-9a-f]{16}$/)
      expect(a.hex16(`k${i}`)).toBe(v)
      seen.add(v)
    }
    expect(seen.size).toBe(100)
    expect(ids.ids().hex16('k0')).not.toBe(a.hex16('k0'))
  })
})
