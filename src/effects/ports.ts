/**
 * The ports the effects layer works through, and the Node adapters that implement them
 * (`nodeEnv`, the one composition root). Programs ask only for the ports they use, so a test can
 * hand them an in-memory file system, a fixed id source or a fake clock.
 *
 * @since 0.1.0
 */
import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { imageNotFound, io, type PlanError } from '../core/errors.ts'
import type { IdSource } from '../core/ids.ts'
import { errnoCode, readBounded } from './files.ts'

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category ports */
export interface FileSystem {
  readonly readText: (path: string) => TE.TaskEither<PlanError, string>
  /** Size in bytes; a missing file is `ImageNotFound`. */
  readonly size: (path: string) => TE.TaskEither<PlanError, number>
}

/** Where ids the original drew at random come from. @since 0.1.0 @category ports */
export interface Ids {
  readonly ids: () => IdSource
}

/** @since 0.1.0 @category ports */
export interface Clock {
  readonly now: () => number
  readonly sleep: (ms: number) => Promise<void>
}

/** Everything, for programs that need it all. @since 0.1.0 @category ports */
export type Env = FileSystem & Ids & Clock

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

/** What a failed `stat` of `path` means to a plan: a missing file is `ImageNotFound`, anything else an `Io` error. @since 0.3.0 @category utils */
export const statError = (path: string, e: unknown): PlanError => {
  const code = errnoCode(e)
  return code === 'ENOENT' ? imageNotFound({ path }) : io({ op: 'stat', path, code })
}

/** @since 0.1.0 @category adapters */
export const nodeFileSystem: FileSystem = {
  readText: (path) =>
    TE.tryCatch(
      () => readBounded(path),
      (e) => io({ op: 'read', path, code: errnoCode(e) }),
    ),
  size: (path) =>
    TE.tryCatch(
      async () => (await stat(path)).size,
      (e) => statError(path, e),
    ),
}

/**
 * Ids drawn by `draw`, one value per key for the life of each source (a plan asks for the same key
 * more than once and must get the same id).
 *
 * @since 0.3.0
 * @category adapters
 */
export const drawnIds = (draw: () => string): Ids => ({
  ids: () => {
    const seen = new Map<string, string>()
    return {
      hex16: (key) => {
        const hit = seen.get(key)
        if (hit !== undefined) return hit
        const v = draw()
        seen.set(key, v)
        return v
      },
    }
  },
})

/** Ids from the OS CSPRNG, one value per key for the life of the source. @since 0.1.0 @category adapters */
export const nodeIds: Ids = drawnIds(() => randomBytes(8).toString('hex'))

/** @since 0.1.0 @category adapters */
export const nodeClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }

/** The composition root: the real machine. @since 0.1.0 @category adapters */
export const nodeEnv: Env = { ...nodeFileSystem, ...nodeIds, ...nodeClock }
