/**
 * Running hot-plug plans against a live QEMU: actions in order, and on any failure the undo
 * commands of every completed action in reverse, so the VM is back where it was — the caller keeps
 * `before`; only a complete run returns `after`. Also the QMP programs that need a query first
 * (vCPUs, memory), `x-ignore-shared`, and the template save/restore sequences (reference §8.4).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { hotplugCpus, hotplugMemory, type Action, type HotplugPlan, type HotpluggableCpu } from '../arch/hotplug.ts'
import { archFor } from '../arch/planner.ts'
import type { QmpCommand } from '../arch/types.ts'
import { timeout, type PlanError } from '../core/errors.ts'
import type { Plan } from '../core/vm.ts'
import { nodeClock, type Clock } from './ports.ts'
import type { QmpClient } from './qmp-client.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The outcome of a failed run: the error, and what went wrong while undoing (if anything). @since 0.1.0 @category model */
export interface Failed {
  readonly error: PlanError
  readonly undoErrors: ReadonlyArray<PlanError>
}

// -------------------------------------------------------------------------------------
// adapters
// -------------------------------------------------------------------------------------

const run1 = async (qmp: QmpClient, a: Action, from: number): Promise<E.Either<PlanError, unknown>> => {
  switch (a._tag) {
    case 'Execute':
      return qmp.execute(a.command.execute, a.command.arguments)()
    case 'SendFd':
      return qmp.getfd(a.name, a.source)()
    case 'AwaitEvent':
      return qmp.waitForEvent(a.event, (e) => Object.entries(a.data).every(([k, v]) => e.data[k] === v), a.timeoutMs, from)()
  }
}

/**
 * Run a hot-plug plan. Right: the plan after. Left: the first error, after every undo ran.
 *
 * @since 0.1.0
 * @category adapters
 */
export const execute = (qmp: QmpClient, h: HotplugPlan): TE.TaskEither<Failed, Plan> => async () => {
  const undo: Array<QmpCommand> = []
  const from = qmp.mark()
  for (const a of h.actions) {
    const r = await run1(qmp, a, from)
    if (E.isLeft(r)) {
      const undoErrors: Array<PlanError> = []
      for (const c of undo.reverse()) {
        const u = await qmp.execute(c.execute, c.arguments)()
        if (E.isLeft(u)) undoErrors.push(u.left)
      }
      return E.left({ error: r.left, undoErrors })
    }
    if (a._tag !== 'AwaitEvent') undo.push(...[...a.undo].reverse())
  }
  return E.right(h.after)
}

const asFailed = TE.mapLeft((error: PlanError): Failed => ({ error, undoErrors: [] }))

/** Query the free vCPU slots, then hot-add `count` vCPUs. @since 0.1.0 @category adapters */
export const addCpus = (qmp: QmpClient, plan: Plan, count: number): TE.TaskEither<Failed, Plan> =>
  pipe(
    asFailed(qmp.execute<ReadonlyArray<HotpluggableCpu>>('query-hotpluggable-cpus')),
    TE.flatMap((slots) => pipe(TE.fromEither(hotplugCpus(plan, count, slots)), asFailed)),
    TE.flatMap((h) => execute(qmp, h)),
  )

/** Query the memory devices for their slots, then hot-add one DIMM. @since 0.1.0 @category adapters */
export const addMemory = (qmp: QmpClient, plan: Plan, sizeMiB: number): TE.TaskEither<Failed, Plan> =>
  pipe(
    asFailed(qmp.execute<ReadonlyArray<{ type: string; data: { slot?: number } }>>('query-memory-devices')),
    TE.map((devs) => devs.flatMap((d) => (d.type === 'dimm' && typeof d.data.slot === 'number' ? [d.data.slot] : []))),
    TE.flatMap((slots) => pipe(TE.fromEither(hotplugMemory(plan, sizeMiB, slots)), asFailed)),
    TE.flatMap((h) => execute(qmp, h)),
  )

/**
 * `setIgnoreSharedMemoryMigrationCaps`: the arch's commands (none on arm64), sent in order.
 *
 * @since 0.1.0
 * @category adapters
 */
export const setIgnoreSharedMemoryMigrationCaps = (qmp: QmpClient, plan: Plan): TE.TaskEither<PlanError, void> =>
  pipe(
    TE.fromEither(archFor(plan.arch)),
    TE.flatMap((arch) =>
      arch.setIgnoreSharedMemoryMigrationCaps().reduce<TE.TaskEither<PlanError, void>>(
        (acc, c) => pipe(acc, TE.flatMap(() => qmp.execute(c.execute, c.arguments)), TE.map(() => undefined)),
        TE.right(undefined),
      ),
    ),
  )

/** Poll `query-migrate` every `everyMs` until `completed` (failed → error), within `ms`. @since 0.1.0 @category adapters */
export const waitMigration = (qmp: QmpClient, ms: number, everyMs = 100, clock: Clock = nodeClock): TE.TaskEither<PlanError, void> => async () => {
  const until = clock.now() + ms
  for (;;) {
    const r = await qmp.execute<{ status?: string }>('query-migrate')()
    if (E.isLeft(r)) return r
    if (r.right.status === 'completed') return E.right(undefined)
    if (r.right.status === 'failed' || r.right.status === 'cancelled') return E.left(timeout({ op: `migration ${r.right.status}`, ms: 0 }))
    if (clock.now() > until) return E.left(timeout({ op: 'waiting for migration to complete', ms }))
    await clock.sleep(everyMs)
  }
}

/** Save a VM template: ignore-shared (when booting to be a template), `migrate` to the state file. @since 0.1.0 @category adapters */
export const saveTemplate = (qmp: QmpClient, plan: Plan, devicesStatePath: string, ms: number): TE.TaskEither<PlanError, void> =>
  pipe(
    setIgnoreSharedMemoryMigrationCaps(qmp, plan),
    TE.flatMap(() => qmp.execute('migrate', { uri: `exec:cat>${devicesStatePath}` })),
    TE.flatMap(() => waitMigration(qmp, ms)),
  )

/** Boot from a template: ignore-shared, `migrate-incoming` from the state file (QEMU started with `-incoming defer`). @since 0.1.0 @category adapters */
export const restoreTemplate = (qmp: QmpClient, plan: Plan, devicesStatePath: string, ms: number): TE.TaskEither<PlanError, void> =>
  pipe(
    setIgnoreSharedMemoryMigrationCaps(qmp, plan),
    TE.flatMap(() => qmp.execute('migrate-incoming', { uri: `exec:cat ${devicesStatePath}` })),
    TE.flatMap(() => waitMigration(qmp, ms)),
  )
