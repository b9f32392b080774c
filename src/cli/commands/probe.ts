/**
 * `qemu-plan probe --qemu PATH`: record what an installed QEMU offers the planner (version,
 * machines, device types and properties, object types, migration capabilities) as JSON, the
 * capabilities document `qemu-plan check --caps` reads.
 *
 * @since 0.1.0
 */
import { basename } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { prepareWrite } from '../../effects/files.ts'
import { probeBinary } from '../../effects/probe.ts'
import { flagValues, jsonFlag, report, usageError, type Command } from '../io.ts'

const usage = 'qemu-plan probe --qemu PATH [--name NAME] [--out FILE] [--json]'

/** @since 0.1.0 @category constructors */
export const probeCommand: Command = {
  summary: 'record what an installed QEMU binary offers, as a capabilities document',
  usage,
  details: `Starts the binary with -machine none, paused, asks over QMP, quits it, and prints the JSON document
(it is JSON with or without --json). --out FILE writes it there instead, atomically (the whole document
or, on failure, the file as it was); the place is checked before the probe runs. --name sets the
binary name recorded (default: the file name of --qemu).`,
  run: async (args, io) => {
    const v = flagValues(io, usage, args, { qemu: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' }, ...jsonFlag })
    if (typeof v === 'number') return v
    if (!v.qemu) return usageError(io, '--qemu is required', usage)
    // where the document goes is known before the probe runs: a directory, a missing or
    // read-only place fails now, not after the whole probe
    const out = v.out === undefined || v.out === '-' ? undefined : await prepareWrite(v.out)()
    if (out !== undefined && E.isLeft(out)) {
      report(io, out.left)
      return 1
    }
    const caps = await probeBinary(v.qemu, v.name ?? basename(v.qemu))()
    if (E.isLeft(caps)) {
      if (out !== undefined) await out.right.discard()
      report(io, caps.left)
      return 1
    }
    const text = `${JSON.stringify(caps.right, null, 1)}\n`
    if (out === undefined) {
      io.out(text)
      return 0
    }
    const written = await out.right.commit(text)()
    if (E.isLeft(written)) {
      report(io, written.left)
      return 1
    }
    return 0
  },
}
