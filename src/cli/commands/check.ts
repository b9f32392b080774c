/**
 * `qemu-plan check --caps FILE INPUT`: check a command line or sandbox spec against a binary's
 * capabilities document (from `qemu-plan probe`) before launch. Exit 0 when the binary has
 * everything, 1 with one `CapabilityMissing` line per missing machine, option, driver,
 * property, object type, backend or CPU model, 2 on bad usage.
 *
 * @since 0.1.0
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { checkArgv, decodeCapabilities } from '../../core/caps.ts'
import { toMessage } from '../../core/errors.ts'
import { loadArgvInput } from '../../effects/argv-input.ts'
import { parseJson } from '../../effects/load.ts'
import { missingBinary } from '../../effects/host.ts'
import { nodeFileSystem } from '../../effects/ports.ts'
import { files as inputFiles, flags, jsonFlag, oneStdin, report, usageError, warn, type Command } from '../io.ts'
import { inputFlags, inputOptions } from './argv.ts'

const usage =
  'qemu-plan check --caps FILE (INPUT | --sandbox FILE) [--config FILE] [--dialect qemu|govmm] [--json] [--seed N] [--image-size BYTES]'

/** @since 0.1.0 @category constructors */
export const checkCommand: Command = {
  summary: "check a command line or sandbox against a QEMU binary's probed capabilities",
  usage,
  details: `--caps FILE is a capabilities document from qemu-plan probe; INPUT a command line or a sandbox spec,
as for diff. One of them may be - (standard input).
Exit status: 0 the binary has everything, 1 something is missing (one CapabilityMissing line each, on stdout)
or an input does not load, 2 a usage error.`,
  run: async (args, io) => {
    const v = flags(io, usage, () =>
      parseArgs({
        args: [...args],
        options: { caps: { type: 'string' }, ...jsonFlag, sandbox: { type: 'string' }, ...inputFlags },
        allowPositionals: true,
        strict: true,
      }),
    )
    if (typeof v === 'number') return v
    const files = [...v.positionals, ...(v.values.sandbox === undefined ? [] : [v.values.sandbox])]
    const file = files[0]
    if (v.values.caps === undefined || file === undefined || files.length > 1)
      return usageError(io, 'check takes --caps FILE and exactly one input', usage)
    const o = inputOptions(io, usage, v.values)
    if (typeof o === 'number') return o
    const capsPath = v.values.caps
    const twice = oneStdin(io, usage, [capsPath, file, o.configPath])
    if (twice !== undefined) return twice
    const fs = inputFiles(io)
    const r = await pipe(
      TE.Do,
      TE.bind('caps', () =>
        pipe(
          fs.readText(capsPath),
          TE.flatMapEither((t) => parseJson(t, capsPath)),
          TE.flatMapEither(decodeCapabilities),
        ),
      ),
      TE.bind('input', () => loadArgvInput(file, o, fs)),
      TE.flatMapEither(({ caps, input }) =>
        pipe(
          checkArgv(input.argv, caps),
          E.map((problems) => ({ caps, input, problems })),
        ),
      ),
    )()
    if (E.isLeft(r)) {
      report(io, r.left)
      return 1
    }
    const { caps, input, problems } = r.right
    const binary = input.argv[0]
    const noBinary = binary === undefined ? undefined : await missingBinary(nodeFileSystem, binary)()
    if (noBinary !== undefined) warn(io, `${noBinary}: checked against ${capsPath} only`)
    const target = `${caps.binary} ${caps.version.major}.${caps.version.minor}.${caps.version.micro}`
    if (v.values.json) io.out(`${JSON.stringify({ ok: problems.length === 0, binary: target, argv: input.argv, problems }, null, 2)}\n`)
    else if (problems.length === 0) io.out(`ok: ${target} has every machine, option, driver, property and object this command line uses\n`)
    else io.out(problems.map((p) => `${toMessage(p)}\n`).join(''))
    return problems.length === 0 ? 0 : 1
  },
}
