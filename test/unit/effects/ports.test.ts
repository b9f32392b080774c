/**
 * The effects layer through its ports: `loadPlan` with an in-memory file system and a fixed id
 * source plans without touching the disk; a missing image is `ImageNotFound` from the port.
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { describe, expect, it } from 'vitest'
import { imageNotFound, io } from '../../../src/core/errors.ts'
import { render } from '../../../src/core/render.ts'
import { loadPlan } from '../../../src/effects/load.ts'
import type { FileSystem, Ids } from '../../../src/effects/ports.ts'

const files: Readonly<Record<string, string>> = {
  '/etc/kata/configuration.toml': readFileSync(new URL('../../../examples/configuration.toml', import.meta.url), 'utf8'),
  '/etc/kata/sandbox.json': readFileSync(new URL('../../../examples/sandbox.json', import.meta.url), 'utf8'),
}
const sizes: Readonly<Record<string, number>> = { '/usr/share/kata-containers/kata-containers.img': 4096 }

const memoryFs: FileSystem = {
  readText: (p) => (files[p] !== undefined ? TE.right(files[p] as string) : TE.left(io({ op: 'read', path: p, code: 'ENOENT' }))),
  size: (p) => (sizes[p] !== undefined ? TE.right(sizes[p] as number) : TE.left(imageNotFound({ path: p }))),
}
const fixedIds: Ids = { ids: () => ({ hex16: (k) => (k === 'iothread' ? 'feedfacecafebeef' : '0000000000000000') }) }

describe('loadPlan through its ports', () => {
  it('plans from an in-memory file system with the image size it reports and the ids it is given', async () => {
    const r = await loadPlan(
      { configPath: '/etc/kata/configuration.toml', sandboxPath: '/etc/kata/sandbox.json' },
      { ...memoryFs, ...fixedIds },
    )()
    const argv = E.isRight(r) ? render(r.right.plan, 'govmm') : r
    expect(E.isRight(argv) && argv.right.args).toContain(
      'memory-backend-file,id=mem0,mem-path=/usr/share/kata-containers/kata-containers.img,size=4096',
    )
    expect(E.isRight(argv) && argv.right.args).toContain('iothread,id=iothread-feedfacecafebeef')
  })
  it('a missing image is ImageNotFound, a missing file an Io error naming it', async () => {
    const noImage = await loadPlan(
      { configPath: '/etc/kata/configuration.toml', sandboxPath: '/etc/kata/sandbox.json' },
      { ...memoryFs, size: (p) => TE.left(imageNotFound({ path: p })), ...fixedIds },
    )()
    expect(E.isLeft(noImage) && noImage.left).toEqual({ _tag: 'ImageNotFound', path: '/usr/share/kata-containers/kata-containers.img' })
    const noFile = await loadPlan({ configPath: '/nope.toml', sandboxPath: '/etc/kata/sandbox.json' }, { ...memoryFs, ...fixedIds })()
    expect(E.isLeft(noFile) && noFile.left).toMatchObject({ _tag: 'Io', path: '/nope.toml' })
  })
})
