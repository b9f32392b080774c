/**
 * `qemu-plan diff A B`: semantic diff of two command lines or sandbox specs. Exit 0 when they are
 * equivalent, 1 when they differ, 2 on trouble (bad usage or an input that does not load or
 * parse), as `diff` does.
 *
 * @since 0.1.0
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import type { Dialect } from '../../core/devices/profile.ts'
import { diff, formatDiff, isEmpty, view } from '../../core/diff/index.ts'
import { parseArgv } from '../../core/parse/plan.ts'
import { loadArgvInput } from '../../effects/argv-input.ts'
import { files, flags, jsonFlag, oneStdin, report, usageError, type Command, type Io } from '../io.ts'
import { inputFlags, inputOptions } from './argv.ts'

const usage = 'qemu-plan diff A B [--json] [--config FILE] [--dialect qemu|govmm] [--seed N] [--image-size BYTES]'

/** Load and parse one side; print the error and answer `undefined` on trouble. */
const side = async (
  io: Io,
  path: string,
  o: { configPath: string | undefined; dialect: Dialect; seed: number | undefined; imageSizeBytes: number | undefined },
) => {
  const loaded = await loadArgvInput(path, o, files(io))()
  const parsed = E.isLeft(loaded) ? loaded : parseArgv(loaded.right.argv)
  if (E.isLeft(parsed)) {
    report(io, parsed.left, { input: path })
    return undefined
  }
  return { kind: E.isRight(loaded) ? loaded.right.kind : 'argv', parsed: parsed.right }
}

/** @since 0.1.0 @category constructors */
export const diffCommand: Command = {
  summary: 'semantic diff of two QEMU command lines or sandbox specs (exit 0 same, 1 different)',
  usage,
  details: `A and B are command lines (a JSON array, one token per line, a shell or ps line) or sandbox specs
(a sandbox JSON with --config FILE, or a {config, sandbox} document); one of them may be - (standard input).
Exit status: 0 equivalent, 1 different, 2 trouble (a usage error, or an input that does not load or parse).`,
  run: async (args, io) => {
    const v = flags(io, usage, () =>
      parseArgs({
        args: [...args],
        options: { ...jsonFlag, ...inputFlags },
        allowPositionals: true,
        strict: true,
      }),
    )
    if (typeof v === 'number') return v
    const [a, b, ...extra] = v.positionals
    if (a === undefined || b === undefined || extra.length > 0) return usageError(io, 'diff takes exactly two files', usage)
    const o = inputOptions(io, usage, v.values)
    if (typeof o === 'number') return o
    const twice = oneStdin(io, usage, [a, b, o.configPath])
    if (twice !== undefined) return twice
    // the first side that fails is the one error reported
    const sa = await side(io, a, o)
    if (sa === undefined) return 2
    const sb = await side(io, b, o)
    if (sb === undefined) return 2
    const d = diff(view(sa.parsed), view(sb.parsed))
    const same = isEmpty(d)
    if (v.values.json) {
      const who = (path: string, s: typeof sa) => ({ path, kind: s.kind, dialect: s.parsed.dialect })
      io.out(`${JSON.stringify({ equal: same, a: who(a, sa), b: who(b, sb), diff: d }, null, 2)}\n`)
    } else if (!same) io.out(`--- ${a} (${sa.parsed.dialect})\n+++ ${b} (${sb.parsed.dialect})\n${formatDiff(d)}`)
    return same ? 0 : 1
  },
}
