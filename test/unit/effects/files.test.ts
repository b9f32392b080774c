/** The file operations of the effects layer: bounded reads, a mkdir -p that cannot spin, atomic writes. */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureDir, prepareWrite, readBounded, readStreamBounded, writeAtomic } from '../../../src/effects/files.ts'

const tmp = mkdtempSync(join(tmpdir(), 'qemu-plan-files-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const code = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: { code?: unknown }) => e.code,
  )

describe('readBounded', () => {
  it('reads a file up to the limit and refuses a longer one with EFBIG', async () => {
    const f = join(tmp, 'ten')
    writeFileSync(f, '0123456789')
    expect(await readBounded(f, 10)).toBe('0123456789')
    expect(await code(readBounded(f, 9))).toBe('EFBIG')
  })
  it('refuses an endless device instead of reading it until memory runs out', async () => {
    expect(await code(readBounded('/dev/zero', 1 << 20))).toBe('EFBIG')
  })
  it('keeps a multi-byte character split across reads whole', async () => {
    const f = join(tmp, 'utf8')
    const text = '😀'.repeat(700_000)
    writeFileSync(f, text)
    expect(await readBounded(f)).toBe(text)
  })
  it('answers the system error of a directory, a missing file or a loop', async () => {
    expect(await code(readBounded(tmp))).toBe('EISDIR')
    expect(await code(readBounded(join(tmp, 'missing')))).toBe('ENOENT')
    symlinkSync(join(tmp, 'loop-b'), join(tmp, 'loop-a'))
    symlinkSync(join(tmp, 'loop-a'), join(tmp, 'loop-b'))
    expect(await code(readBounded(join(tmp, 'loop-a')))).toBe('ELOOP')
  })
  it('bounds a stream too', async () => {
    expect(await readStreamBounded(Readable.from([Buffer.from('ab'), Buffer.from('c')]), 3)).toBe('abc')
    expect(await code(readStreamBounded(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 3))).toBe('EFBIG')
  })
})

describe('ensureDir', () => {
  it('makes every missing component, and accepts what exists', async () => {
    const d = join(tmp, 'a', 'b', 'c')
    expect(await ensureDir(d)()).toEqual(E.right(undefined))
    expect(statSync(d).isDirectory()).toBe(true)
    expect(await ensureDir(d)()).toEqual(E.right(undefined))
    expect(readdirSync(d)).toEqual([])
  })
  it('names the regular file in the way (ENOTDIR)', async () => {
    writeFileSync(join(tmp, 'file'), '')
    expect(await ensureDir(join(tmp, 'file', 'x', 'y'))()).toEqual(
      E.left({ _tag: 'Io', op: 'mkdir', path: join(tmp, 'file'), code: 'ENOTDIR' }),
    )
  })
  it('refuses an overlong name or path before making any of it', async () => {
    const long = await ensureDir(join(tmp, 'p', 'x'.repeat(256), 'q'))()
    expect(long).toEqual(E.left({ _tag: 'Io', op: 'mkdir', path: join(tmp, 'p', 'x'.repeat(256)), code: 'ENAMETOOLONG' }))
    const deep = await ensureDir(join(tmp, 'deep', ...Array.from({ length: 2100 }, () => 'a')))()
    expect(E.isLeft(deep) && deep.left._tag === 'Io' && deep.left.code).toBe('ENAMETOOLONG')
    expect(existsSync(join(tmp, 'p'))).toBe(false)
    expect(existsSync(join(tmp, 'deep'))).toBe(false)
  })
  it("ends at once under /proc, where Node's recursive mkdir spins forever", async () => {
    const t0 = Date.now()
    expect(await ensureDir('/proc/qemu-plan-test/x')()).toEqual(
      E.left({ _tag: 'Io', op: 'mkdir', path: '/proc/qemu-plan-test', code: 'ENOENT' }),
    )
    // a directory that exists but takes no entries
    const self = await ensureDir('/proc/self')()
    expect(E.isLeft(self) && self.left._tag === 'Io' && self.left.op).toBe('create an entry in')
    expect(Date.now() - t0).toBeLessThan(1000)
  })
})

describe('prepareWrite and writeAtomic', () => {
  it('refuses a directory, and a missing directory, before any content exists', async () => {
    expect(await prepareWrite(tmp)()).toEqual(E.left({ _tag: 'Io', op: 'write', path: tmp, code: 'EISDIR' }))
    expect(await prepareWrite(join(tmp, 'nowhere', 'f'))()).toEqual(
      E.left({ _tag: 'Io', op: 'write', path: join(tmp, 'nowhere', 'f'), code: 'ENOENT' }),
    )
  })
  it('puts the whole text in place on commit, and leaves the old file on discard', async () => {
    const dir = join(tmp, 'w')
    mkdirSync(dir)
    const f = join(dir, 'out.json')
    writeFileSync(f, 'old')
    const w = await prepareWrite(f)()
    if (E.isLeft(w)) throw new Error('prepare failed')
    await w.right.discard()
    expect(readFileSync(f, 'utf8')).toBe('old')
    expect(readdirSync(dir)).toEqual(['out.json'])
    expect(await writeAtomic(f, 'new')()).toEqual(E.right(undefined))
    expect(readFileSync(f, 'utf8')).toBe('new')
    expect(readdirSync(dir)).toEqual(['out.json'])
  })
  it('writes through a symlink, keeping the link', async () => {
    const target = join(tmp, 'target.json')
    writeFileSync(target, 'old')
    symlinkSync(target, join(tmp, 'link.json'))
    expect(await writeAtomic(join(tmp, 'link.json'), 'new')()).toEqual(E.right(undefined))
    expect(lstatSync(join(tmp, 'link.json')).isSymbolicLink()).toBe(true)
    expect(readlinkSync(join(tmp, 'link.json'))).toBe(target)
    expect(readFileSync(target, 'utf8')).toBe('new')
  })
  it('writes a device in place (renaming over /dev/null would replace it), and reports a full one', async () => {
    expect(await writeAtomic('/dev/null', 'x')()).toEqual(E.right(undefined))
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true)
    expect(await writeAtomic('/dev/full', 'x')()).toEqual(E.left({ _tag: 'Io', op: 'write', path: '/dev/full', code: 'ENOSPC' }))
  })
})
