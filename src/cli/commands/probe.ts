/**
 * `qemu-plan probe --qemu PATH`: record what an installed QEMU offers the planner (version,
 * machines, device types and properties, object types, migration capabilities) as JSON, the
 * capabilities document `qemu-plan check --caps` reads.
 *
 * @since 0.1.0
 */
import { writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { toMessage } from '../../core/errors.ts'
import { probeBinary } from '../../effects/probe.ts'
import { flags, usageError, type Command } from '../io.ts'

const usage = 'qemu-plan probe --qemu PATH [--name NAME] [--out FILE]'

/** @since 0.1.0 @category constructors */
export const probeCommand: Command = {
  summary: 'record what an installed QEMU binary offers, as a capabilities document',
  usage,
  run: async (args, io) => {
    const v = flags(io, usage, () =>
      parseArgs({ args: [...args], options: { qemu: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' } }, strict: true }).values,
    )
    if (typeof v === 'number') return v
    if (!v.qemu) return usageError(io, '--qemu is required', usage)
    const caps = await probeBinary(v.qemu, v.name ?? basename(v.qemu))()
    if (E.isLeft(caps)) {
      io.err(`${toMessage(caps.left)}\n`)
      return 1
    }
    const text = `${JSON.stringify(caps.right, null, 1)}\n`
    if (v.out) writeFileSync(v.out, text)
    else io.out(text)
    return 0
  },
}
