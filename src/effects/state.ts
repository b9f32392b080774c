/**
 * The running VM's plan on disk (Kata persisted its bridges in `QemuState`): `run` writes it next
 * to the QMP socket, every hot-plug reads it and writes the plan it ends with, so slots are
 * allocated from what the VM really has.
 *
 * - Reading decodes it (`core/state-file.ts`): a damaged or hand-edited file is a typed error
 *   naming the field.
 * - Writing is atomic and private: a temporary file with a name of its own, created exclusively
 *   (never through a symlink), mode 0600, synced, then renamed over the state file.
 * - `withStateLock` serialises the commands that read, change and write it: a lock file created
 *   exclusively, held from reading the state to writing the new one; a bounded wait ends in `Busy`;
 *   a lock whose process is gone is taken over.
 *
 * @since 0.1.0
 */
import { randomBytes } from 'node:crypto'
import { open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { busy, invalidInput, io, type PlanError } from '../core/errors.ts'
import { decodeState, encodeState } from '../core/state-file.ts'
import type { Plan } from '../core/vm.ts'
import { ensureDir, errnoCode, readBounded } from './files.ts'

/** Where a plan's state file lives: beside its QMP socket. @since 0.1.0 @category utils */
export const statePath = (plan: Pick<Plan, 'qmpPath'>): string => `${dirname(plan.qmpPath)}/qemu-plan.state.json`

/**
 * Write the state file atomically (a reader sees the old plan or the new one, never half) and
 * privately (mode 0600), creating its directory.
 *
 * @since 0.1.0
 * @category adapters
 */
export const writeState = (path: string, plan: Plan): TE.TaskEither<PlanError, void> =>
  TE.flatMap(ensureDir(dirname(path)), () => async () => {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
    try {
      // wx: created here and now, never an existing file or a symlink someone planted
      const f = await open(tmp, 'wx', 0o600)
      try {
        await f.writeFile(`${JSON.stringify(encodeState(plan))}\n`)
        await f.sync()
      } finally {
        await f.close()
      }
      await rename(tmp, path)
      return E.right(undefined)
    } catch (e) {
      await unlink(tmp).catch(() => undefined)
      return E.left(io({ op: 'write', path, code: errnoCode(e) }))
    }
  })

/**
 * Read and decode the state file.
 *
 * @since 0.1.0
 * @category adapters
 */
export const readState =
  (path: string): TE.TaskEither<PlanError, Plan> =>
  async () => {
    let text: string
    try {
      text = await readBounded(path)
    } catch (e) {
      return E.left(io({ op: 'read', path, code: errnoCode(e) }))
    }
    let u: unknown
    try {
      u = JSON.parse(text)
    } catch (e) {
      return E.left(
        invalidInput({
          problems: [
            { path: '', expected: `a qemu-plan state file (JSON) in ${path}`, actual: e instanceof Error ? e.message : String(e) },
          ],
        }),
      )
    }
    return decodeState(u)
  }

// -------------------------------------------------------------------------------------
// the lock
// -------------------------------------------------------------------------------------

/** Default wait for another hot-plug to finish with the state file. @since 0.3.0 @category model */
export const lockWaitMs = 10_000

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errnoCode(e) === 'EPERM'
  }
}

/** Take the lock: Right(true) when taken, Right(false) while another live process holds it. */
const tryLock = async (lock: string): Promise<E.Either<PlanError, boolean | number>> => {
  try {
    const f = await open(lock, 'wx', 0o600)
    try {
      await f.writeFile(`${process.pid}\n`)
    } finally {
      await f.close()
    }
    return E.right(true)
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') return E.left(io({ op: 'lock', path: lock, code: errnoCode(e) }))
  }
  const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim())
  // a lock left by a process that is gone: take it over (whoever unlinks first wins the retry)
  if (Number.isSafeInteger(holder) && holder > 0 && !alive(holder)) {
    await unlink(lock).catch(() => undefined)
    return E.right(false)
  }
  return E.right(Number.isSafeInteger(holder) && holder > 0 ? holder : false)
}

/**
 * Run `f` holding the state file's lock (`<state>.lock`): at most one hot-plug reads, changes and
 * writes the state at a time. Waits up to `waitMs` for another holder, then `Busy`. A path that
 * is not a regular file is an `Io` error before any lock file is created.
 *
 * @since 0.3.0
 * @category adapters
 */
export const withStateLock = async <A>(
  path: string,
  f: () => Promise<E.Either<PlanError, A>>,
  waitMs = lockWaitMs,
): Promise<E.Either<PlanError, A>> => {
  // no lock file beside something that is not a state file (missing, a directory, a symlink loop)
  try {
    const s = await stat(path)
    if (!s.isFile()) return E.left(io({ op: 'read', path, code: s.isDirectory() ? 'EISDIR' : 'not a regular file' }))
  } catch (e) {
    return E.left(io({ op: 'read', path, code: errnoCode(e) }))
  }
  const lock = `${path}.lock`
  const until = Date.now() + waitMs
  let holder: number | undefined
  for (;;) {
    const r = await tryLock(lock)
    if (r._tag === 'Left') return r
    if (r.right === true) break
    if (typeof r.right === 'number') holder = r.right
    if (Date.now() > until) return E.left(busy({ path, holder: holder === undefined ? 'another process' : `pid ${holder}`, ms: waitMs }))
    await new Promise((res) => setTimeout(res, 10 + Math.floor(Math.random() * 20)))
  }
  try {
    return await f()
  } finally {
    await unlink(lock).catch(() => undefined)
  }
}
