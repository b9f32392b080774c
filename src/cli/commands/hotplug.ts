/**
 * `qemu-plan hotplug` / `qemu-plan unplug`: act on a running VM through its QMP socket. The pure
 * hot-plug plan decides slot and commands from the VM's state file; the executor runs them and
 * rolls back on failure; the state file is updated only when every step worked.
 *
 * @since 0.1.0
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { hotplugBlock, hotplugNetwork, hotplugVfio, unplug as unplugPlan, type HotplugPlan } from '../../arch/hotplug.ts'
import type { PlanError } from '../../core/errors.ts'
import type { Plan } from '../../core/vm.ts'
import { addCpus, addMemory, execute, type Failed } from '../../effects/hotplug.ts'
import { connect, type QmpClient } from '../../effects/qmp-client.ts'
import { readState, writeState } from '../../effects/state.ts'
import { flags, jsonFlag, report as reportError, usageError, type Command, type Io } from '../io.ts'
import { intFlag } from './argv.ts'

const hotUsage =
  'qemu-plan hotplug --state FILE (block --id ID --file PATH [--format F] [--scsi] | network --id ID --mac MAC --tap NAME [--queues N] | vfio --id ID --bdf BDF [--root-bus] | cpus --count N | memory --size-mib N) [--timeout-ms N] [--json]'
const unUsage = 'qemu-plan unplug --state FILE --id ID [--timeout-ms N] [--json]'

const stateDetails = `--state is the VM's state file, qemu-plan.state.json beside its QMP socket (written by run);
it is read and rewritten, so it cannot be standard input. --timeout-ms bounds each QMP wait (default 5000).`

const options = {
  state: { type: 'string' }, id: { type: 'string' }, file: { type: 'string' }, format: { type: 'string' }, scsi: { type: 'boolean' },
  mac: { type: 'string' }, tap: { type: 'string' }, queues: { type: 'string' }, bdf: { type: 'string' }, 'root-bus': { type: 'boolean' },
  count: { type: 'string' }, 'size-mib': { type: 'string' }, 'timeout-ms': { type: 'string' }, ...jsonFlag,
} as const

/** The `--state` and `--timeout-ms` shared by hotplug and unplug: a usage error, or what they say. */
const stateFlags = (io: Io, usage: string, v: { readonly state?: string | undefined; readonly 'timeout-ms'?: string | undefined }): { state: string; ms: number } | 2 => {
  const ms = intFlag(v['timeout-ms']) ?? 5000
  if (!v.state) return usageError(io, '--state is required', usage)
  if (v.state === '-') return usageError(io, '--state names the VM\'s state file, which is read and rewritten: it cannot be standard input (-)', usage)
  if (ms === 'bad') return usageError(io, '--timeout-ms takes a non-negative integer', usage)
  return { state: v.state, ms }
}

const report = (io: Io, e: Failed | PlanError): 1 => {
  const f = '_tag' in e ? { error: e, undoErrors: [] } : e
  reportError(io, f.error, { undoErrors: f.undoErrors })
  return 1
}

const session = async (io: Io, state: string, ms: number, act: (qmp: QmpClient, plan: Plan) => Promise<E.Either<Failed | PlanError, Plan>>): Promise<0 | 1> => {
  const plan = await readState(state)()
  if (E.isLeft(plan)) return report(io, plan.left)
  const qmp = await connect(plan.right.qmpPath, { timeoutMs: ms })()
  if (E.isLeft(qmp)) return report(io, qmp.left)
  try {
    const next = await act(qmp.right, plan.right)
    if (E.isLeft(next)) return report(io, next.left)
    const saved = await writeState(state, next.right)()
    return E.isLeft(saved) ? report(io, saved.left) : 0
  } finally {
    await qmp.right.close()
  }
}

const runPlan = (io: Io, h: E.Either<PlanError, HotplugPlan>) => async (qmp: QmpClient): Promise<E.Either<Failed | PlanError, Plan>> => {
  if (E.isLeft(h)) return h
  const r = await execute(qmp, h.right)()
  const loc = h.right.location
  if (E.isRight(r) && loc)
    io.out(
      io.json
        ? `${JSON.stringify(loc)}\n`
        : `${loc.id}: ${loc.placement._tag === 'Pci' ? `bus ${loc.placement.bus} slot ${loc.placement.slot}` : loc.placement._tag === 'Ccw' ? `devno ${loc.placement.devno}` : 'added'}${loc.pciPath ? `, guest PCI path ${loc.pciPath}` : ''}${loc.ccwBusId ? `, guest CCW bus id ${loc.ccwBusId}` : ''}\n`,
    )
  return r
}

/** @since 0.1.0 @category constructors */
export const hotplug: Command = {
  summary: 'hot-add a block, network or VFIO device, vCPUs or memory to a running VM',
  usage: hotUsage,
  details: `${stateDetails}
Prints where the device landed (bus and slot, guest PCI path or CCW bus id); --json prints it as one object.`,
  run: async (args, io) => {
    const parsed = flags(io, hotUsage, () =>
      parseArgs({ args: [...args], options, allowPositionals: true, strict: true }),
    )
    if (typeof parsed === 'number') return parsed
    const v = parsed.values
    const [what, ...extra] = parsed.positionals
    const n = (x: string | undefined): number | 'bad' => (x === undefined ? 'bad' : (intFlag(x) ?? 'bad'))
    const sf = stateFlags(io, hotUsage, v)
    if (typeof sf === 'number') return sf
    const { state, ms } = sf
    if (extra.length > 0) return usageError(io, `hotplug adds one thing at a time (got ${[what, ...extra].join(' ')})`, hotUsage)
    switch (what) {
      case 'block':
        if (!v.id || !v.file) return usageError(io, 'block needs --id and --file', hotUsage)
        return session(io, state, ms, (qmp, p) => runPlan(io, hotplugBlock(p, { id: v.id as string, file: v.file as string, format: v.format, via: v.scsi ? 'virtio-scsi' : 'virtio-blk' }))(qmp))
      case 'network': {
        const queues = v.queues === undefined ? 1 : n(v.queues)
        if (!v.id || !v.mac || !v.tap || queues === 'bad') return usageError(io, 'network needs --id, --mac and --tap', hotUsage)
        return session(io, state, ms, (qmp, p) => runPlan(io, hotplugNetwork(p, { id: v.id as string, mac: v.mac as string, tap: { name: v.tap as string, queues } }))(qmp))
      }
      case 'vfio':
        if (!v.id || !v.bdf) return usageError(io, 'vfio needs --id and --bdf', hotUsage)
        return session(io, state, ms, (qmp, p) => runPlan(io, hotplugVfio(p, { id: v.id as string, bdf: v.bdf as string, onRootBus: v['root-bus'] ?? false }))(qmp))
      case 'cpus': {
        const count = n(v.count)
        if (count === 'bad') return usageError(io, 'cpus needs --count N', hotUsage)
        return session(io, state, ms, (qmp, p) => addCpus(qmp, p, count)().then(E.map((h) => h.after)))
      }
      case 'memory': {
        const size = n(v['size-mib'])
        if (size === 'bad') return usageError(io, 'memory needs --size-mib N', hotUsage)
        return session(io, state, ms, (qmp, p) => addMemory(qmp, p, size)().then(E.map((h) => h.after)))
      }
      default:
        return usageError(io, `what to hot-add: block, network, vfio, cpus or memory (got ${what ?? 'nothing'})`, hotUsage)
    }
  },
}

/** @since 0.1.0 @category constructors */
export const unplug: Command = {
  summary: 'unplug a hot-added device (or vCPU) from a running VM',
  usage: unUsage,
  details: stateDetails,
  run: async (args, io) => {
    const v = flags(io, unUsage, () =>
      parseArgs({ args: [...args], options: { state: { type: 'string' }, id: { type: 'string' }, 'timeout-ms': { type: 'string' }, ...jsonFlag }, strict: true }).values,
    )
    if (typeof v === 'number') return v
    const sf = stateFlags(io, unUsage, v)
    if (typeof sf === 'number') return sf
    if (!v.id) return usageError(io, '--id is required', unUsage)
    const id = v.id
    return session(io, sf.state, sf.ms, (qmp, p) => runPlan(io, unplugPlan(p, id, sf.ms))(qmp))
  },
}

