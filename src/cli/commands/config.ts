/**
 * `qemu-plan config --config FILE [--json]`: the configuration after katautils' defaults, every
 * `[hypervisor.qemu]` key with the value Kata will use, as `kata-env` shows what the runtime
 * loaded — so a blank, 0 or missing key shows what it became.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { decodeConfig } from '../../core/input/config.ts'
import { configJson, configToml } from '../../core/input/config-view.ts'
import { parseConfigText } from '../../effects/load.ts'
import { files, flagValues, jsonFlag, report, usageError, warn, type Command } from '../io.ts'

const usage = 'qemu-plan config --config FILE|- [--json]'

/** @since 0.2.0 @category constructors */
export const configCommand: Command = {
  summary: "print the configuration after katautils' defaults",
  usage,
  run: async (args, io) => {
    const v = flagValues(io, usage, args, { config: { type: 'string' }, ...jsonFlag })
    if (typeof v === 'number') return v
    const path = v.config
    if (!path) return usageError(io, '--config is required', usage)
    const r = await pipe(
      files(io).readText(path),
      TE.flatMapEither((t) => parseConfigText(t, path)),
      TE.flatMapEither(decodeConfig),
    )()
    if (E.isLeft(r)) {
      report(io, r.left)
      return 1
    }
    for (const w of r.right.warnings) warn(io, w)
    io.out(v.json ? `${JSON.stringify(configJson(r.right.value), null, 2)}\n` : configToml(r.right.value))
    return 0
  },
}
