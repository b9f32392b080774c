/**
 * `qemu-plan host [--json]`: the running host's facts, in the sandbox's `host` shape — what the
 * effects layer fills in when a sandbox leaves them out (memory, CPUs, and the nesting or GIC
 * version Kata reads on this arch).
 *
 * @since 0.2.0
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { nodeMachine, readHostFacts } from '../../effects/host.ts'
import { nodeFileSystem } from '../../effects/ports.ts'
import { flags, jsonFlag, report, usageError, type Command } from '../io.ts'

const usage = 'qemu-plan host [--json]'

/** @since 0.2.0 @category constructors */
export const hostCommand: Command = {
  summary: "print the running host's facts in the sandbox's host shape",
  usage,
  run: async (args, io) => {
    const v = flags(io, usage, () => parseArgs({ args: [...args], options: { ...jsonFlag }, allowPositionals: true, strict: true }))
    if (typeof v === 'number') return v
    if (v.positionals.length > 0) return usageError(io, 'host takes no arguments', usage)
    const r = await readHostFacts(nodeFileSystem, nodeMachine)()
    if (E.isLeft(r)) {
      report(io, r.left)
      return 1
    }
    io.out(
      v.values.json
        ? `${JSON.stringify(r.right)}\n`
        : `${Object.entries(r.right)
            .map(([k, x]) => `${k}: ${String(x)}`)
            .join('\n')}\n`,
    )
    return 0
  },
}
