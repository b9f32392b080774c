/** The state file on disk: private atomic writes, decoded reads, and the lock that serialises hot-plugs. */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import type { Plan } from '../../../src/core/vm.ts'
import { readState, withStateLock, writeState } from '../../../src/effects/state.ts'
import { planOf, type GoldenInput } from '../../support/golden.ts'

const tmp = mkdtempSync(join(tmpdir(), 'qemu-plan-state-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const plan = ((): Plan => {
  const r = planOf(
    JSON.parse(readFileSync(resolve(import.meta.dirname, '../../golden/amd64/kata-worked-example.input.json'), 'utf8')) as GoldenInput,
  )
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
})()
const tag = (e: E.Either<{ _tag: string }, unknown>): string => (E.isLeft(e) ? e.left._tag : 'Right')

describe('writeState / readState', () => {
  it('writes mode 0600 through a fresh temporary file, creating the directory, and reads the same plan back', async () => {
    const f = join(tmp, 'a', 'b', 'state.json')
    expect(await writeState(f, plan)()).toEqual(E.right(undefined))
    expect(statSync(f).mode & 0o777).toBe(0o600)
    expect(readdirSync(join(tmp, 'a', 'b'))).toEqual(['state.json'])
    const back = await readState(f)()
    expect(E.isRight(back) && back.right.devices).toEqual(plan.devices)
  })
  it('refuses text that is not JSON, and a missing file, with typed errors', async () => {
    const f = join(tmp, 'broken.json')
    writeFileSync(f, '{"format": ')
    expect(tag(await readState(f)())).toBe('InvalidInput')
    expect(await readState(join(tmp, 'none.json'))()).toEqual(E.left(expect.objectContaining({ _tag: 'Io', op: 'read', code: 'ENOENT' })))
  })
})

describe('withStateLock', () => {
  const stateFile = (name: string): string => {
    const f = join(tmp, name)
    writeFileSync(f, '{}')
    return f
  }
  it('holds <state>.lock while the body runs and removes it after, also when the body fails', async () => {
    const f = stateFile('locked.json')
    const seen = await withStateLock(f, async () => E.right(existsSync(`${f}.lock`)))
    expect(seen).toEqual(E.right(true))
    expect(existsSync(`${f}.lock`)).toBe(false)
    await expect(withStateLock(f, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(existsSync(`${f}.lock`)).toBe(false)
  })
  it('runs one body at a time', async () => {
    const f = stateFile('serial.json')
    let inside = 0
    let most = 0
    const body = async (): Promise<E.Either<never, void>> => {
      most = Math.max(most, ++inside)
      await new Promise((r) => setTimeout(r, 15))
      inside--
      return E.right(undefined)
    }
    await Promise.all([1, 2, 3, 4].map(() => withStateLock(f, body, 5000)))
    expect(most).toBe(1)
  })
  it('waits a bounded time for a live holder (Busy), and takes over the lock of a process that is gone', async () => {
    const f = stateFile('busy.json')
    writeFileSync(`${f}.lock`, `${process.pid}\n`)
    expect(await withStateLock(f, async () => E.right(1), 100)).toEqual(
      E.left(expect.objectContaining({ _tag: 'Busy', holder: `pid ${process.pid}`, ms: 100 })),
    )
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
    writeFileSync(`${f}.lock`, `${gone}\n`)
    expect(await withStateLock(f, async () => E.right(2), 1000)).toEqual(E.right(2))
  })
  it('creates no lock file beside a path that is not a state file', async () => {
    const dir = join(tmp, 'odd')
    mkdirSync(dir)
    symlinkSync('loop', join(dir, 'loop'))
    const never = async (): Promise<E.Either<never, void>> => {
      throw new Error('the body must not run')
    }
    expect(await withStateLock(join(dir, 'missing.json'), never)).toEqual(E.left(expect.objectContaining({ _tag: 'Io', code: 'ENOENT' })))
    expect(await withStateLock(join(dir, 'loop'), never)).toEqual(E.left(expect.objectContaining({ _tag: 'Io', code: 'ELOOP' })))
    expect(await withStateLock(dir, never)).toEqual(E.left(expect.objectContaining({ _tag: 'Io', code: 'EISDIR' })))
    expect(readdirSync(dir)).toEqual(['loop'])
  })
})
