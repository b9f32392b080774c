/**
 * `qemu-plan topology FILE`: draw the bus tree of a sandbox spec or a command line and report the
 * remaining hot-plug capacity (free bridge slots or CCW numbers, memory slots and maxmem headroom,
 * vCPU headroom).
 *
 * @since 0.1.0
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { withMachineFacts } from '../../arch/index.ts'
import { parseArgv } from '../../core/parse/plan.ts'
import { topology } from '../../core/topology.ts'
import { formatTopology } from '../../core/topology-text.ts'
import { loadArgvInput } from '../../effects/argv-input.ts'
import { files as inputFiles, flags, jsonFlag, oneStdin, report, usageError, type Command } from '../io.ts'
import { inputFlags, inputOptions } from './argv.ts'

const usage = 'qemu-plan topology (FILE | --sandbox FILE) [--config FILE] [--json] [--dialect qemu|govmm] [--seed N] [--image-size BYTES]'

/** @since 0.1.0 @category constructors */
export const topologyCommand: Command = {
  summary: 'draw the bus tree and report the remaining hot-plug capacity',
  usage,
  details: `FILE is a command line or a sandbox spec, as for diff; - reads it from standard input.`,
  run: async (args, io) => {
    const v = flags(io, usage, () =>
      parseArgs({
        args: [...args],
        options: { ...jsonFlag, sandbox: { type: 'string' }, ...inputFlags },
        allowPositionals: true,
        strict: true,
      }),
    )
    if (typeof v === 'number') return v
    const files = [...v.positionals, ...(v.values.sandbox === undefined ? [] : [v.values.sandbox])]
    const file = files[0]
    if (file === undefined || files.length > 1) return usageError(io, 'topology takes exactly one file', usage)
    const o = inputOptions(io, usage, v.values)
    if (typeof o === 'number') return o
    const twice = oneStdin(io, usage, [file, o.configPath])
    if (twice !== undefined) return twice
    const loaded = await loadArgvInput(file, o, inputFiles(io))()
    const plan = E.isLeft(loaded)
      ? loaded
      : loaded.right.plan !== undefined
        ? E.right(loaded.right.plan)
        : E.map((p: { plan: import('../../core/vm.ts').Plan }) => withMachineFacts(p.plan))(parseArgv(loaded.right.argv))
    if (E.isLeft(plan)) {
      report(io, plan.left)
      return 1
    }
    const t = topology(plan.right)
    io.out(v.values.json ? `${JSON.stringify(t, null, 2)}\n` : formatTopology(t))
    return 0
  },
}
