/**
 * `qemu-plan parse FILE`: read a QEMU command line (argv JSON, one token per line, a shell line,
 * or a Kata 1.9 line as `ps` shows it) into the device model, and print it back — in the dialect
 * it came in, or the other one (`--to qemu` turns a Kata 1.9 command line into one QEMU 7.2
 * accepts, pinning the PCI slots QEMU would have picked) — or the parsed plan as JSON. A line parse cannot read is a `ParseError` naming the
 * token and its index.
 *
 * @since 0.1.0
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { withMachineFacts } from '../../arch/index.ts'
import { parseArgv } from '../../core/parse/plan.ts'
import { render } from '../../core/render.ts'
import { assignPlacements } from '../../core/topology.ts'
import { loadArgvInput } from '../../effects/argv-input.ts'
import { files, flags, jsonFlag, report, shellQuote, usageError, warn, type Command } from '../io.ts'

const usage = 'qemu-plan parse FILE [--to qemu|govmm] [--format shell|json|lines|plan] [--json]'

/** @since 0.1.0 @category constructors */
export const parseCommand: Command = {
  summary: 'read a QEMU command line back into the device model and print it (or convert its dialect)',
  usage,
  details: `FILE holds argv as a JSON array, one token per line (*.argv), a shell-quoted line, or a Kata 1.9
line as ps shows it; - reads it from standard input (a JSON array or a line).
--to prints it in the other dialect; --format json (or --json) prints argv as a JSON array,
--format plan the parsed device model.`,
  run: async (args, io) => {
    const v = flags(io, usage, () =>
      parseArgs({
        args: [...args],
        options: { to: { type: 'string' }, format: { type: 'string' }, ...jsonFlag },
        allowPositionals: true,
        strict: true,
      }),
    )
    if (typeof v === 'number') return v
    const [file, ...extra] = v.positionals
    if (file === undefined || extra.length > 0) return usageError(io, 'parse takes exactly one file', usage)
    const to = v.values.to
    const format = v.values.format ?? (v.values.json ? 'json' : 'shell')
    if (to !== undefined && to !== 'qemu' && to !== 'govmm') return usageError(io, `--to must be qemu or govmm, not ${to}`, usage)
    if (!['shell', 'json', 'lines', 'plan'].includes(format))
      return usageError(io, `--format must be shell, json, lines or plan, not ${format}`, usage)
    if (v.values.json && format !== 'json' && format !== 'plan') return usageError(io, `--json and --format ${format} disagree`, usage)
    const loaded = await loadArgvInput(file, { dialect: to ?? 'qemu' }, files(io))()
    const parsed = E.isLeft(loaded) ? loaded : parseArgv(loaded.right.argv)
    if (E.isLeft(parsed)) {
      report(io, parsed.left)
      return 1
    }
    if (format === 'plan') {
      io.out(
        `${JSON.stringify({ dialect: parsed.right.dialect, rtc: parsed.right.rtc, derivedIds: parsed.right.derivedIds, plan: parsed.right.plan }, null, 2)}\n`,
      )
      return 0
    }
    // a govmm line leaves PCI placement to QEMU: pin the slots QEMU would pick, so the qemu dialect keeps them
    const plan =
      to === 'qemu' && parsed.right.dialect === 'govmm' ? assignPlacements(withMachineFacts(parsed.right.plan)) : parsed.right.plan
    const r = render(plan, to ?? parsed.right.dialect)
    if (E.isLeft(r)) {
      report(io, r.left)
      return 1
    }
    for (const w of r.right.warnings) warn(io, w)
    const all = parsed.right.hasBinary ? [r.right.binary, ...r.right.args] : r.right.args
    io.out(
      format === 'json' ? `${JSON.stringify(all)}\n` : format === 'lines' ? `${all.join('\n')}\n` : `${all.map(shellQuote).join(' ')}\n`,
    )
    return 0
  },
}
