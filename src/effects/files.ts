/**
 * The file operations of the effects layer, each ending in a typed `Io` error that names the
 * operation and the path (never a throw): a bounded read (a character device such as `/dev/zero`
 * or an endless pipe is refused, not read until memory runs out), a `mkdir -p` that cannot spin,
 * and an atomic write (a temporary file beside the target, renamed over it) that leaves either
 * the old file or the new one, never half of one.
 *
 * @since 0.2.0
 */
import { randomBytes } from 'node:crypto'
import { fstat, type Stats } from 'node:fs'
import { mkdir, mkdtemp, open, realpath, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { io, type PlanError } from '../core/errors.ts'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** The most an input (configuration, sandbox, command line, capabilities, state) may hold: 64 MiB. @since 0.2.0 @category utils */
export const maxInputBytes = 64 << 20

/**
 * The errno code of a Node error (`ENOENT`, `EISDIR`, …). Node's own argument errors (a NUL
 * byte in a path) are the `EINVAL` the system would have answered.
 *
 * @since 0.2.0
 * @category utils
 */
export const errnoCode = (e: unknown): string => {
  const c = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined
  if (c === 'ERR_INVALID_ARG_VALUE' || c === 'ERR_INVALID_ARG_TYPE') return 'EINVAL'
  return c ?? (e instanceof Error ? e.message : String(e))
}

/** Linux's PATH_MAX (with its NUL) and NAME_MAX. */
const pathMax = 4096
const nameMax = 255

const tooBig = (): Error => Object.assign(new Error(`larger than ${maxInputBytes} bytes`), { code: 'EFBIG' })

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

/**
 * Read a whole file as UTF-8, refusing (`EFBIG`) one larger than `limit` bytes. Rejects with the
 * system error.
 *
 * @since 0.2.0
 * @category adapters
 */
export const readBounded = async (path: string, limit = maxInputBytes): Promise<string> => {
  const fh = await open(path, 'r')
  try {
    const chunks: Array<Buffer> = []
    let total = 0
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total))
      const { bytesRead } = await fh.read(buf, 0, buf.length, null)
      if (bytesRead === 0) break
      total += bytesRead
      if (total > limit) throw tooBig()
      chunks.push(buf.subarray(0, bytesRead))
    }
    return Buffer.concat(chunks, total).toString('utf8')
  } finally {
    await fh.close()
  }
}

/**
 * Read a stream (standard input) to its end as UTF-8, refusing (`EFBIG`) more than `limit` bytes.
 *
 * @since 0.2.0
 * @category adapters
 */
export const readStreamBounded = (stream: Readable, limit = maxInputBytes): Promise<string> =>
  new Promise((res, rej) => {
    const chunks: Array<Buffer> = []
    let total = 0
    const onData = (c: Buffer | string): void => {
      const b = typeof c === 'string' ? Buffer.from(c) : c
      total += b.length
      if (total > limit) {
        stream.removeListener('data', onData)
        stream.destroy()
        rej(tooBig())
        return
      }
      chunks.push(b)
    }
    stream.on('data', onData)
    stream.once('error', rej)
    stream.once('end', () => res(Buffer.concat(chunks, total).toString('utf8')))
  })

/**
 * Read this process's standard input to its end (bounded). A directory as standard input
 * (`< /`) is `EISDIR`: Node would read it as empty.
 *
 * @since 0.2.0
 * @category adapters
 */
export const readStdinBounded = async (limit = maxInputBytes): Promise<string> => {
  const st = await new Promise<Stats | undefined>((res) => fstat(0, (e, s) => res(e ? undefined : s)))
  if (st?.isDirectory()) throw Object.assign(new Error('standard input is a directory'), { code: 'EISDIR' })
  return readStreamBounded(process.stdin, limit)
}

/**
 * `mkdir -p`, one component at a time (Node's recursive `mkdir` loops forever where `mkdir`
 * answers `ENOENT` under a directory that exists, as everywhere in `/proc`), then proof that the
 * directory takes new entries: a real, writable directory, or an `Io` error naming the component
 * that failed — a regular file in the way is `ENOTDIR`.
 *
 * @since 0.2.0
 * @category adapters
 */
export const ensureDir =
  (dir: string): TE.TaskEither<PlanError, void> =>
  async () => {
    const abs = resolve(dir)
    const parts = abs.split(sep).filter((p) => p !== '')
    // what the kernel would refuse part-way is refused before anything is made (no half-made tree)
    if (Buffer.byteLength(abs) >= pathMax) return { _tag: 'Left', left: io({ op: 'mkdir', path: abs, code: 'ENAMETOOLONG' }) }
    const long = parts.findIndex((p) => Buffer.byteLength(p) > nameMax)
    if (long >= 0) return { _tag: 'Left', left: io({ op: 'mkdir', path: join(sep, ...parts.slice(0, long + 1)), code: 'ENAMETOOLONG' }) }
    let at: string = sep
    for (const part of parts) {
      at = join(at, part)
      try {
        await mkdir(at)
      } catch (e) {
        const c = errnoCode(e)
        if (c !== 'EEXIST') return { _tag: 'Left', left: io({ op: 'mkdir', path: at, code: c }) }
        const isDir = await stat(at).then(
          (s) => s.isDirectory(),
          (e2: unknown) => errnoCode(e2),
        )
        if (isDir !== true) return { _tag: 'Left', left: io({ op: 'mkdir', path: at, code: isDir === false ? 'ENOTDIR' : isDir }) }
      }
    }
    try {
      await rmdir(await mkdtemp(join(abs, '.qemu-plan-')))
    } catch (e) {
      return { _tag: 'Left', left: io({ op: 'create an entry in', path: abs, code: errnoCode(e) }) }
    }
    return { _tag: 'Right', right: undefined }
  }

/** A file being written: `commit` puts the text in place whole, `discard` leaves the target untouched. @since 0.2.0 @category model */
export interface PendingWrite {
  readonly commit: (text: string) => TE.TaskEither<PlanError, void>
  readonly discard: () => Promise<void>
}

/**
 * Get ready to write `path` atomically, checking everything that can be checked before the
 * content exists: the target is not a directory, its directory exists and takes a new file (a
 * temporary one, created now, renamed over the target on `commit`). A target that exists and is
 * not a regular file (`/dev/null`, a FIFO) is written in place: renaming over it would replace it.
 *
 * @since 0.2.0
 * @category adapters
 */
export const prepareWrite =
  (path: string): TE.TaskEither<PlanError, PendingWrite> =>
  async () => {
    const fail = (op: string, p: string, e: unknown) => ({ _tag: 'Left' as const, left: io({ op, path: p, code: errnoCode(e) }) })
    let target = path
    try {
      const s = await stat(path)
      if (s.isDirectory()) return fail('write', path, { code: 'EISDIR' })
      if (!s.isFile())
        return {
          _tag: 'Right',
          right: {
            commit: (text) =>
              TE.tryCatch(
                () => writeFile(path, text),
                (e) => io({ op: 'write', path, code: errnoCode(e) }),
              ),
            discard: async () => {},
          },
        }
      target = await realpath(path)
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') return fail('write', path, e)
    }
    const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
    try {
      await writeFile(tmp, '', { flag: 'wx', mode: 0o644 })
    } catch (e) {
      return fail('write', path, e)
    }
    const discard = (): Promise<void> => unlink(tmp).catch(() => undefined)
    return {
      _tag: 'Right',
      right: {
        commit: (text) => async () => {
          try {
            await writeFile(tmp, text)
            await rename(tmp, target)
            return { _tag: 'Right', right: undefined }
          } catch (e) {
            await discard()
            return fail('write', path, e)
          }
        },
        discard,
      },
    }
  }

/**
 * Write `path` atomically: the whole text or, on any failure, the file as it was.
 *
 * @since 0.2.0
 * @category adapters
 */
export const writeAtomic = (path: string, text: string): TE.TaskEither<PlanError, void> =>
  TE.flatMap(prepareWrite(path), (w) => w.commit(text))
