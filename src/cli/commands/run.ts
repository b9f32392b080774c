/**
 * `qemu-plan run`: plan the sandbox, launch QEMU in the foreground (qemu dialect), wait until QMP
 * answers, and on Ctrl-C (or SIGTERM) stop it cleanly with `quit`. The plan is written to the
 * state file hot-plug commands read.
 *
 * @since 0.1.0
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { toMessage, type PlanError } from '../../core/errors.ts'
import { render } from '../../core/render.ts'
import { exitedError, launch, waitForSocket } from '../../effects/launcher.ts'
import { loadPlan } from '../../effects/load.ts'
import { connect, waitForQmp } from '../../effects/qmp-client.ts'
import { statePath, writeState } from '../../effects/state.ts'
import { flags, usageError, type Command } from '../io.ts'
import { intFlag, planFlags } from './argv.ts'

const usage = 'qemu-plan run --config FILE --sandbox FILE [--seed N] [--image-size BYTES] [--timeout-ms N]'

/** @since 0.1.0 @category constructors */
export const run: Command = {
  summary: 'launch the planned VM in the foreground; Ctrl-C stops it with QMP quit',
  usage,
  run: async (args, io) => {
    const v = flags(io, usage, () =>
      parseArgs({ args: [...args], options: { ...planFlags, 'timeout-ms': { type: 'string' } }, strict: true }).values,
    )
    if (typeof v === 'number') return v
    const seed = intFlag(v.seed)
    const size = intFlag(v['image-size'])
    const ms = intFlag(v['timeout-ms']) ?? 15_000
    if (!v.config || !v.sandbox || seed === 'bad' || size === 'bad' || ms === 'bad') return usageError(io, '--config and --sandbox are required; numbers are non-negative integers', usage)
    const fail = (e: PlanError): 1 => (io.err(`${toMessage(e)}\n`), 1)
    const loaded = await loadPlan({ configPath: v.config, sandboxPath: v.sandbox, seed, imageSizeBytes: size })()
    if (E.isLeft(loaded)) return fail(loaded.left)
    const plan = { ...loaded.right.plan, knobs: { ...loaded.right.plan.knobs, daemonize: false } }
    const r = render(plan, 'qemu')
    if (E.isLeft(r)) return fail(r.left)
    for (const w of [...loaded.right.warnings, ...r.right.warnings]) io.err(`warning: ${w}\n`)
    mkdirSync(dirname(plan.qmpPath), { recursive: true })
    const q = await launch(r.right.binary, r.right.args, r.right.fds)()
    if (E.isLeft(q)) return fail(q.left)
    const proc = q.right
    const ready = await waitForSocket(proc, plan.qmpPath, ms)()
    if (E.isLeft(ready)) return (proc.kill(), fail(ready.left))
    // connect once to know QMP answers, then let go: QEMU serves one QMP client at a time
    const probe = await waitForQmp(plan.qmpPath, { process: proc, timeoutMs: ms })()
    if (E.isLeft(probe)) return (proc.kill(), fail(probe.left))
    await probe.right.close()
    const saved = await writeState(statePath(plan), plan)()
    if (E.isLeft(saved)) io.err(`warning: ${toMessage(saved.left)}\n`)
    io.out(`running ${plan.name}: pid ${proc.pid}, QMP ${plan.qmpPath}\n`)
    let stopping = false
    const stop = async (): Promise<void> => {
      if (stopping) return
      stopping = true
      io.out('stopping: QMP quit\n')
      const c = await connect(plan.qmpPath, { process: proc, timeoutMs: 3000 })()
      if (E.isRight(c)) await c.right.execute('quit', undefined, 3000)()
      const gone = await Promise.race([proc.exited, new Promise((res) => setTimeout(() => res(undefined), 5000))])
      if (gone === undefined) proc.kill('SIGKILL')
    }
    process.once('SIGINT', () => void stop())
    process.once('SIGTERM', () => void stop())
    const exit = await proc.exited
    if (stopping) {
      io.out(`stopped ${plan.name}\n`)
      return 0
    }
    return fail(exitedError(proc, exit))
  },
}
