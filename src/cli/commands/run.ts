/**
 * `qemu-plan run`: plan the sandbox, launch QEMU in the foreground (qemu dialect), wait until QMP
 * answers, and on Ctrl-C (or SIGTERM) stop it cleanly with `quit`. The plan is written to the
 * state file hot-plug commands read.
 *
 * @since 0.1.0
 */
import { dirname } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { toMessage, type PlanError } from '../../core/errors.ts'
import { render } from '../../core/render.ts'
import { ensureDir } from '../../effects/files.ts'
import { exitedError, launch, waitForSocket } from '../../effects/launcher.ts'
import { loadPlan } from '../../effects/load.ts'
import { connect, waitForQmp } from '../../effects/qmp-client.ts'
import { statePath, writeState } from '../../effects/state.ts'
import { files, flagValues, jsonFlag, oneStdin, report, usageError, warn, type Command } from '../io.ts'
import { intFlag, planFlags } from './argv.ts'

const usage = 'qemu-plan run --config FILE --sandbox FILE [--seed N] [--image-size BYTES] [--timeout-ms N] [--json]'

/** @since 0.1.0 @category constructors */
export const runCommand: Command = {
  summary: 'launch the planned VM in the foreground; Ctrl-C stops it with QMP quit',
  usage,
  details: `The run directory (runDir/id) must be a real, writable directory or one run can create;
--timeout-ms bounds the wait for QEMU's QMP socket (default 15000). --json prints events as
JSON lines: {"event": "running", …}, {"event": "stopping"}, {"event": "stopped", …}.`,
  run: async (args, io) => {
    const v = flagValues(io, usage, args, { ...planFlags, ...jsonFlag, 'timeout-ms': { type: 'string' } })
    if (typeof v === 'number') return v
    const seed = intFlag(v.seed)
    const size = intFlag(v['image-size'])
    const ms = intFlag(v['timeout-ms']) ?? 15_000
    if (!v.config || !v.sandbox) return usageError(io, '--config and --sandbox are required', usage)
    if (seed === 'bad' || size === 'bad' || ms === 'bad')
      return usageError(io, '--seed, --image-size and --timeout-ms take a non-negative integer', usage)
    const twice = oneStdin(io, usage, [v.config, v.sandbox])
    if (twice !== undefined) return twice
    const fail = (e: PlanError): 1 => (report(io, e), 1)
    const say = (event: string, text: string, data: Readonly<Record<string, unknown>> = {}): void =>
      io.out(v.json ? `${JSON.stringify({ event, ...data })}\n` : `${text}\n`)
    const loaded = await loadPlan({ configPath: v.config, sandboxPath: v.sandbox, seed, imageSizeBytes: size }, files(io))()
    if (E.isLeft(loaded)) return fail(loaded.left)
    const plan = { ...loaded.right.plan, knobs: { ...loaded.right.plan.knobs, daemonize: false } }
    const r = render(plan, 'qemu')
    if (E.isLeft(r)) return fail(r.left)
    for (const w of [...loaded.right.warnings, ...r.right.warnings]) warn(io, w)
    const dir = await ensureDir(dirname(plan.qmpPath))()
    if (E.isLeft(dir)) return fail(dir.left)
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
    if (E.isLeft(saved)) warn(io, `state file not written (hot-plug will not find this VM): ${toMessage(saved.left)}`)
    say('running', `running ${plan.name}: pid ${proc.pid}, QMP ${plan.qmpPath}`, {
      name: plan.name,
      pid: proc.pid,
      qmp: plan.qmpPath,
      state: statePath(plan),
    })
    let stopping = false
    const stop = async (): Promise<void> => {
      if (stopping) return
      stopping = true
      say('stopping', 'stopping: QMP quit')
      const c = await connect(plan.qmpPath, { process: proc, timeoutMs: 3000 })()
      if (E.isRight(c)) {
        await c.right.execute('quit', undefined, 3000)()
        await c.right.close()
      }
      // QEMU gets 5 s to go; the timer is cleared as soon as it has, so nothing keeps us waiting
      let timer: NodeJS.Timeout | undefined
      const gone = await Promise.race([proc.exited, new Promise((res) => (timer = setTimeout(() => res(undefined), 5000)))])
      clearTimeout(timer)
      if (gone === undefined) proc.kill('SIGKILL')
    }
    const onSignal = (): void => void stop()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    const exit = await proc.exited
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (stopping) {
      say('stopped', `stopped ${plan.name}`, { name: plan.name })
      return 0
    }
    return fail(exitedError(proc, exit))
  },
}
