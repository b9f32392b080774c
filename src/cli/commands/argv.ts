/**
 * `qemu-plan argv`: plan a sandbox and print its QEMU command line.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { render } from '../../core/render.ts'
import { loadPlan } from '../../effects/load.ts'
import { missingBinary } from '../../effects/host.ts'
import { nodeFileSystem } from '../../effects/ports.ts'
import type { Dialect } from '../../core/devices/profile.ts'
import { files, flagValues, jsonFlag, oneStdin, report, shellQuote, usageError, warn, type Command, type Exit, type Io } from '../io.ts'

const usage =
  'qemu-plan argv --config FILE --sandbox FILE [--dialect qemu|govmm] [--format shell|json|lines] [--json] [--seed N] [--image-size BYTES]'

/** Parse a non-negative integer flag. @since 0.1.0 @category utils */
export const intFlag = (v: string | undefined): number | undefined | 'bad' =>
  v === undefined ? undefined : /^\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : 'bad'

/** Parse the flags shared by the commands that plan a sandbox. @since 0.1.0 @category utils */
export const planFlags = {
  config: { type: 'string' },
  sandbox: { type: 'string' },
  seed: { type: 'string' },
  'image-size': { type: 'string' },
} as const

/** The flags of the commands that load one input, a command line or a sandbox spec (`check`, `diff`, `topology`). @since 0.2.0 @category utils */
export const inputFlags = {
  config: { type: 'string' },
  dialect: { type: 'string' },
  seed: { type: 'string' },
  'image-size': { type: 'string' },
} as const

/**
 * Check `--dialect`, `--seed` and `--image-size` of those commands: the options `loadArgvInput`
 * takes, or the exit status of the usage error already printed.
 *
 * @since 0.2.0
 * @category utils
 */
export const inputOptions = (
  io: Io,
  usage: string,
  v: {
    readonly config?: string | undefined
    readonly dialect?: string | undefined
    readonly seed?: string | undefined
    readonly 'image-size'?: string | undefined
  },
):
  | {
      readonly configPath: string | undefined
      readonly dialect: Dialect
      readonly seed: number | undefined
      readonly imageSizeBytes: number | undefined
    }
  | Exit => {
  const dialect = v.dialect ?? 'qemu'
  if (dialect !== 'qemu' && dialect !== 'govmm') return usageError(io, `--dialect must be qemu or govmm, not ${dialect}`, usage)
  const seed = intFlag(v.seed)
  const imageSizeBytes = intFlag(v['image-size'])
  if (seed === 'bad' || imageSizeBytes === 'bad') return usageError(io, '--seed and --image-size take a non-negative integer', usage)
  return { configPath: v.config, dialect, seed, imageSizeBytes }
}

/** @since 0.1.0 @category constructors */
export const argvCommand: Command = {
  summary: 'plan a sandbox and print its QEMU command line',
  usage,
  details: `--format shell   one shell-quoted line (the default)
--format lines   one argv token per line
--format json    one JSON array whose first element is the QEMU binary (--json is the same)
Host fds named in the sandbox are listed on stderr in the order QEMU sees them (fd 3, 4, …).`,
  run: async (args, io) => {
    const v = flagValues(io, usage, args, { ...planFlags, ...jsonFlag, dialect: { type: 'string' }, format: { type: 'string' } })
    if (typeof v === 'number') return v
    if (!v.config || !v.sandbox) return usageError(io, '--config and --sandbox are required', usage)
    const dialect = v.dialect ?? 'qemu'
    const format = v.format ?? (v.json ? 'json' : 'shell')
    if (dialect !== 'qemu' && dialect !== 'govmm') return usageError(io, `--dialect must be qemu or govmm, not ${dialect}`, usage)
    if (format !== 'shell' && format !== 'json' && format !== 'lines')
      return usageError(io, `--format must be shell, json or lines, not ${format}`, usage)
    if (v.json && format !== 'json') return usageError(io, `--json and --format ${format} disagree`, usage)
    const seed = intFlag(v.seed)
    const imageSizeBytes = intFlag(v['image-size'])
    if (seed === 'bad' || imageSizeBytes === 'bad') return usageError(io, '--seed and --image-size take a non-negative integer', usage)
    const twice = oneStdin(io, usage, [v.config, v.sandbox])
    if (twice !== undefined) return twice
    const loaded = await loadPlan({ configPath: v.config, sandboxPath: v.sandbox, seed, imageSizeBytes }, files(io))()
    const r = pipe(
      loaded,
      E.flatMap((l) =>
        pipe(
          render(l.plan, dialect),
          E.map((x) => ({ ...x, warnings: [...l.warnings, ...x.warnings] })),
        ),
      ),
    )
    if (E.isLeft(r)) {
      report(io, r.left)
      return 1
    }
    const noBinary = await missingBinary(nodeFileSystem, r.right.binary)()
    for (const w of [...r.right.warnings, ...(noBinary === undefined ? [] : [noBinary])]) warn(io, w)
    if (r.right.fds.length > 0)
      warn(io, `pass host fds ${r.right.fds.join(',')} as QEMU's fds ${r.right.fds.map((_, i) => 3 + i).join(',')}`, 'note')
    const all = [r.right.binary, ...r.right.args]
    io.out(
      format === 'json' ? `${JSON.stringify(all)}\n` : format === 'lines' ? `${all.join('\n')}\n` : `${all.map(shellQuote).join(' ')}\n`,
    )
    return 0
  },
}
