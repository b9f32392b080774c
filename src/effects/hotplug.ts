/**
 * Running hot-plug plans against a live QEMU: steps in order, and on any failure the undo
 * commands of every completed step in reverse, so the VM is back where it was — the caller keeps
 * `before`; only a complete run returns `after`. Also the QMP programs that need a query first
 * (vCPUs, memory), `x-ignore-shared`, and the template save/restore sequences. Replies are
 * decoded, never cast.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { cpuHotplugRefusal, hotplugCpus, hotplugMemory, memoryHotplugRefusal, type CpuOptions, type HotplugPlan } from '../arch/hotplug.ts'
import { timeout, type PlanError } from '../core/errors.ts'
import type { Action, QmpCommand } from '../core/qmp/action.ts'
import { placementOf } from '../core/devices/registry.ts'
import { contradiction, type Observed } from '../core/observed.ts'
import { decodeReply, HotpluggableCpu, ignoreSharedCommand, MemoryDevice, MigrationInfo, PciInfo } from '../core/qmp/commands.ts'
import type { Plan } from '../core/vm.ts'
import * as t from 'io-ts'
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

/** One completed step's undo, and the fd it passed (if it was a `getfd`). */
interface Undo {
  readonly commands: ReadonlyArray<QmpCommand>
  readonly fd: string | undefined
}

/**
 * Run a hot-plug plan. Right: the plan after. Left: the first error, after every undo ran. An fd
 * a later command took over (`netdev_add`) is not `closefd`'d on the way back: QEMU closed it
 * with the backend.
 *
 * @since 0.1.0
 * @category adapters
 */
export const execute =
  (qmp: QmpClient, h: HotplugPlan): TE.TaskEither<Failed, Plan> =>
  async () => {
    // a plan that passes fds needs the means to: known before the first command is sent
    if (h.actions.some((a) => a._tag === 'SendFd')) {
      const can = await qmp.fdPassing()
      if (E.isLeft(can)) return E.left({ error: can.left, undoErrors: [] })
    }
    let undo: Array<Undo> = []
    const from = qmp.mark()
    for (const a of h.actions) {
      const r = await run1(qmp, a, from)
      if (E.isLeft(r)) {
        const undoErrors: Array<PlanError> = []
        for (const u of undo.reverse())
          for (const c of u.commands) {
            const x = await qmp.execute(c.execute, c.arguments)()
            if (E.isLeft(x)) undoErrors.push(x.left)
          }
        return E.left({ error: r.left, undoErrors })
      }
      if (a._tag === 'Execute' && a.consumes.length > 0) undo = undo.filter((u) => u.fd === undefined || !a.consumes.includes(u.fd))
      if (a._tag !== 'AwaitEvent') undo.push({ commands: a.undo, fd: a._tag === 'SendFd' ? a.name : undefined })
    }
    return E.right(h.after)
  }

const asFailed = TE.mapLeft((error: PlanError): Failed => ({ error, undoErrors: [] }))

const refusedBy = (e: PlanError | undefined): E.Either<PlanError, void> => (e === undefined ? E.right(undefined) : E.left(e))

/** Run a QMP command and decode its reply. @since 0.3.0 @category adapters */
export const query = <A>(
  qmp: QmpClient,
  command: string,
  codec: t.Decoder<unknown, A>,
  args?: Readonly<Record<string, unknown>>,
): TE.TaskEither<PlanError, A> => pipe(qmp.execute(command, args), TE.flatMapEither(decodeReply(codec, command)))

/** Query the free vCPU slots, then hot-add `count` vCPUs. @since 0.1.0 @category adapters */
export const addCpus = (qmp: QmpClient, plan: Plan, count: number, o: CpuOptions = {}): TE.TaskEither<Failed, HotplugPlan> =>
  pipe(
    asFailed(
      pipe(
        TE.fromEither(refusedBy(cpuHotplugRefusal(plan))),
        TE.flatMap(() => query(qmp, 'query-hotpluggable-cpus', t.array(HotpluggableCpu))),
      ),
    ),
    TE.flatMap((slots) => pipe(TE.fromEither(hotplugCpus(plan, count, slots, o)), asFailed)),
    TE.flatMap((h) =>
      pipe(
        execute(qmp, h),
        TE.map((after) => ({ ...h, after })),
      ),
    ),
  )

/** Query the memory devices for their slots, then hot-add one DIMM. @since 0.1.0 @category adapters */
export const addMemory = (qmp: QmpClient, plan: Plan, sizeMiB: number): TE.TaskEither<Failed, HotplugPlan> =>
  pipe(
    asFailed(
      pipe(
        TE.fromEither(refusedBy(memoryHotplugRefusal(plan))),
        TE.flatMap(() => query(qmp, 'query-memory-devices', t.array(MemoryDevice))),
      ),
    ),
    TE.flatMap((devices) => pipe(TE.fromEither(hotplugMemory(plan, sizeMiB, devices)), asFailed)),
    TE.flatMap((h) =>
      pipe(
        execute(qmp, h),
        TE.map((after) => ({ ...h, after })),
      ),
    ),
  )

/**
 * `setIgnoreSharedMemoryMigrationCaps`: `x-ignore-shared` where the arch sets it (not on arm64).
 *
 * @since 0.1.0
 * @category adapters
 */
export const setIgnoreSharedMemoryMigrationCaps = (qmp: QmpClient, plan: Plan): TE.TaskEither<PlanError, void> =>
  plan.facts.ignoreSharedMemory
    ? pipe(
        qmp.execute(ignoreSharedCommand.execute, ignoreSharedCommand.arguments),
        TE.map(() => undefined),
      )
    : TE.right(undefined)

/** Poll `query-migrate` every `everyMs` until `completed` (failed → error), within `ms`. @since 0.1.0 @category adapters */
export const waitMigration =
  (qmp: QmpClient, ms: number, everyMs = 100, clock: Clock = nodeClock): TE.TaskEither<PlanError, void> =>
  async () => {
    const until = clock.now() + ms
    for (;;) {
      const r = await query(qmp, 'query-migrate', MigrationInfo)()
      if (E.isLeft(r)) return r
      if (r.right.status === 'completed') return E.right(undefined)
      if (r.right.status === 'failed' || r.right.status === 'cancelled')
        return E.left(timeout({ op: `migration ${r.right.status}`, ms: 0 }))
      if (clock.now() > until) return E.left(timeout({ op: 'waiting for migration to complete', ms }))
      await clock.sleep(everyMs)
    }
  }

/** Save a VM template: ignore-shared, `migrate` to the state file. @since 0.1.0 @category adapters */
export const saveTemplate = (
  qmp: QmpClient,
  plan: Plan,
  devicesStatePath: string,
  ms = plan.facts.migrationTimeoutMs,
): TE.TaskEither<PlanError, void> =>
  pipe(
    setIgnoreSharedMemoryMigrationCaps(qmp, plan),
    TE.flatMap(() => qmp.execute('migrate', { uri: `exec:cat>${devicesStatePath}` })),
    TE.flatMap(() => waitMigration(qmp, ms)),
  )

/** Boot from a template: ignore-shared, `migrate-incoming` from the state file (QEMU started with `-incoming defer`). @since 0.1.0 @category adapters */
export const restoreTemplate = (
  qmp: QmpClient,
  plan: Plan,
  devicesStatePath: string,
  ms = plan.facts.migrationTimeoutMs,
): TE.TaskEither<PlanError, void> =>
  pipe(
    setIgnoreSharedMemoryMigrationCaps(qmp, plan),
    TE.flatMap(() => qmp.execute('migrate-incoming', { uri: `exec:cat ${devicesStatePath}` })),
    TE.flatMap(() => waitMigration(qmp, ms)),
  )

const QomChildren = t.array(t.type({ name: t.string, type: t.string }))

/**
 * What QEMU has, as far as a plan can be checked against it: the ids under `/machine/peripheral`,
 * `query-pci` on PCI machines, and the devno of each CCW device of the plan.
 *
 * @since 0.3.0
 * @category adapters
 */
export const observe =
  (qmp: QmpClient, plan: Plan): TE.TaskEither<PlanError, Observed> =>
  async () => {
    const children = await query(qmp, 'qom-list', QomChildren, { path: '/machine/peripheral' })()
    if (E.isLeft(children)) return children
    const peripherals = children.right.filter((c) => c.type.startsWith('child<')).map((c) => c.name)
    let pci: Observed['pci']
    if (plan.transport === 'pci') {
      const r = await query(qmp, 'query-pci', PciInfo)()
      if (E.isLeft(r)) return r
      pci = r.right
    }
    const devnos: Record<string, string> = {}
    for (const d of plan.devices) {
      if (placementOf(d)._tag !== 'Ccw' || !peripherals.includes(d.id)) continue
      const r = await query(qmp, 'qom-get', t.string, { path: `/machine/peripheral/${d.id}`, property: 'devno' })()
      if (E.isLeft(r)) return r
      devnos[d.id] = r.right
    }
    return E.right({ peripherals, pci, devnos })
  }

/**
 * Refuse a plan QEMU contradicts (`StateMismatch`): run before any hot-plug command is sent.
 *
 * @since 0.3.0
 * @category adapters
 */
export const checkAgainstQemu = (qmp: QmpClient, plan: Plan): TE.TaskEither<PlanError, Plan> =>
  pipe(
    observe(qmp, plan),
    TE.flatMapEither((seen) => contradiction(plan, seen)),
    TE.map(() => plan),
  )
