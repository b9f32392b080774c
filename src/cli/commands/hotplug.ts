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
import { addCpus, addMemory, checkAgainstQemu, execute, type Failed } from '../../effects/hotplug.ts'
import { connect, type QmpClient } from '../../effects/qmp-client.ts'
import { nodeFileSystem } from '../../effects/ports.ts'
import { lockWaitMs, readState, withStateLock, writeState } from '../../effects/state.ts'
import { flags, flagValues, jsonFlag, report as reportError, usageError, warn, type Command, type Io } from '../io.ts'
import { intFlag } from './argv.ts'

const hotUsage =
  'qemu-plan hotplug --state FILE (block --id ID --file PATH [--format F] [--via virtio-blk|virtio-scsi|nvdimm] [--no-share-rw] | network --id ID --mac MAC --tap NAME [--queues N] | vfio --id ID (--bdf BDF | --sysfsdev PATH) [--root-bus] | cpus --count N [--clamp] | memory --size-mib N) [--timeout-ms N] [--lock-wait-ms N] [--json]'
const unUsage = 'qemu-plan unplug --state FILE --id ID [--timeout-ms N] [--lock-wait-ms N] [--json]'

const stateDetails = `--state is the VM's state file, qemu-plan.state.json beside its QMP socket (written by run);
it is read and rewritten, so it cannot be standard input. Hot-plugs on one state file take turns
(a lock beside it; --lock-wait-ms bounds the wait, default 10000, then Busy). Before anything is sent,
what the state file says is checked against what QEMU has (a contradiction is StateMismatch).
--timeout-ms bounds each QMP wait (default 5000).`

const options = {
  state: { type: 'string' },
  id: { type: 'string' },
  file: { type: 'string' },
  format: { type: 'string' },
  via: { type: 'string' },
  scsi: { type: 'boolean' },
  'no-share-rw': { type: 'boolean' },
  mac: { type: 'string' },
  tap: { type: 'string' },
  queues: { type: 'string' },
  bdf: { type: 'string' },
  sysfsdev: { type: 'string' },
  'root-bus': { type: 'boolean' },
  count: { type: 'string' },
  clamp: { type: 'boolean' },
  'size-mib': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'lock-wait-ms': { type: 'string' },
  ...jsonFlag,
} as const

/** The flags hotplug and unplug share: a usage error, or what they say. */
const stateFlags = (
  io: Io,
  usage: string,
  v: { readonly state?: string | undefined; readonly 'timeout-ms'?: string | undefined; readonly 'lock-wait-ms'?: string | undefined },
): { state: string; ms: number; lockMs: number } | 2 => {
  const ms = intFlag(v['timeout-ms']) ?? 5000
  const lockMs = intFlag(v['lock-wait-ms']) ?? lockWaitMs
  if (!v.state) return usageError(io, '--state is required', usage)
  if (v.state === '-')
    return usageError(io, "--state names the VM's state file, which is read and rewritten: it cannot be standard input (-)", usage)
  if (ms === 'bad' || lockMs === 'bad') return usageError(io, '--timeout-ms and --lock-wait-ms take a non-negative integer', usage)
  return { state: v.state, ms, lockMs }
}

const report = (io: Io, e: Failed | PlanError): 1 => {
  const f = '_tag' in e ? { error: e, undoErrors: [] } : e
  reportError(io, f.error, { undoErrors: f.undoErrors })
  return 1
}

/** What one hot-plug or unplug does once the state is read and checked: the plan it ends with. */
type Act = (qmp: QmpClient, plan: Plan) => Promise<E.Either<Failed | PlanError, HotplugPlan>>

/**
 * Holding the state file's lock: read and decode it, connect, check it against QEMU, act, and
 * write the plan the act ends with — or, on any failure, leave the file as it was.
 */
const session = async (io: Io, sf: { state: string; ms: number; lockMs: number }, act: Act): Promise<0 | 1> => {
  let failed: Failed | PlanError | undefined
  const locked = await withStateLock(
    sf.state,
    async (): Promise<E.Either<PlanError, void>> => {
      const plan = await readState(sf.state)()
      if (E.isLeft(plan)) return plan
      const qmp = await connect(plan.right.qmpPath, { timeoutMs: sf.ms })()
      if (E.isLeft(qmp)) return qmp
      try {
        const checked = await checkAgainstQemu(qmp.right, plan.right)()
        if (E.isLeft(checked)) return checked
        const done = await act(qmp.right, checked.right)
        if (E.isLeft(done)) {
          failed = done.left
          return E.right(undefined)
        }
        for (const w of done.right.warnings) warn(io, w)
        printLocation(io, done.right.location)
        return writeState(sf.state, done.right.after)()
      } finally {
        await qmp.right.close()
      }
    },
    sf.lockMs,
  )
  if (E.isLeft(locked)) return report(io, locked.left)
  return failed === undefined ? 0 : report(io, failed)
}

const printLocation = (io: Io, loc: HotplugPlan['location']): void => {
  if (loc === undefined) return
  io.out(
    io.json
      ? `${JSON.stringify(loc)}\n`
      : `${loc.id}: ${loc.placement._tag === 'Pci' ? `bus ${loc.placement.bus} slot ${loc.placement.slot}` : loc.placement._tag === 'Ccw' ? `devno ${loc.placement.devno}` : 'added'}${loc.pciPath ? `, guest PCI path ${loc.pciPath}` : ''}${loc.ccwBusId ? `, guest CCW bus id ${loc.ccwBusId}` : ''}\n`,
  )
}

/** Run a pure hot-plug plan: the plan it ends with, or the failure after its undo. */
const running =
  (h: E.Either<PlanError, HotplugPlan>): Act =>
  async (qmp) => {
    if (E.isLeft(h)) return h
    const r = await execute(qmp, h.right)()
    return E.map((after: Plan) => ({ ...h.right, after }))(r)
  }

const vias = ['virtio-blk', 'virtio-scsi', 'nvdimm'] as const

/** @since 0.1.0 @category constructors */
export const hotplugCommand: Command = {
  summary: 'hot-add a block, network or VFIO device, vCPUs or memory to a running VM',
  usage: hotUsage,
  details: `${stateDetails}
Prints where the device landed (bus and slot, guest PCI path or CCW bus id); --json prints it as one object.`,
  run: async (args, io) => {
    const parsed = flags(io, hotUsage, () => parseArgs({ args: [...args], options, allowPositionals: true, strict: true }))
    if (typeof parsed === 'number') return parsed
    const v = parsed.values
    const [what, ...extra] = parsed.positionals
    const n = (x: string | undefined): number | 'bad' => (x === undefined ? 'bad' : (intFlag(x) ?? 'bad'))
    const sf = stateFlags(io, hotUsage, v)
    if (typeof sf === 'number') return sf
    if (extra.length > 0) return usageError(io, `hotplug adds one thing at a time (got ${[what, ...extra].join(' ')})`, hotUsage)
    switch (what) {
      case 'block': {
        if (!v.id || !v.file) return usageError(io, 'block needs --id and --file', hotUsage)
        const via = v.scsi ? 'virtio-scsi' : v.via
        if (via !== undefined && !(vias as ReadonlyArray<string>).includes(via))
          return usageError(io, `--via takes ${vias.join(', ')} (got ${via})`, hotUsage)
        const req = {
          id: v.id,
          file: v.file,
          format: v.format,
          via: via as (typeof vias)[number] | undefined,
          shareRW: v['no-share-rw'] ? false : undefined,
        }
        return session(io, sf, async (qmp, p) => {
          // an NVDIMM maps the whole file: its size comes from stat, as Kata's BLKGETSIZE64 did
          const nvdimm = (req.via ?? p.hotplugConfig.blockDeviceDriver) === 'nvdimm'
          const size = nvdimm ? await nodeFileSystem.size(req.file)() : E.right(undefined)
          if (E.isLeft(size)) return size
          return running(hotplugBlock(p, { ...req, sizeBytes: size.right }))(qmp, p)
        })
      }
      case 'network': {
        const queues = v.queues === undefined ? 1 : n(v.queues)
        if (!v.id || !v.mac || !v.tap || queues === 'bad') return usageError(io, 'network needs --id, --mac and --tap', hotUsage)
        return session(io, sf, (qmp, p) =>
          running(hotplugNetwork(p, { id: v.id as string, mac: v.mac as string, tap: { name: v.tap as string, queues } }))(qmp, p),
        )
      }
      case 'vfio':
        if (!v.id || (v.bdf === undefined) === (v.sysfsdev === undefined))
          return usageError(io, 'vfio needs --id and one of --bdf or --sysfsdev', hotUsage)
        return session(io, sf, (qmp, p) =>
          running(
            hotplugVfio(p, { id: v.id as string, bdf: v.bdf, sysfsdev: v.sysfsdev, onRootBus: v['root-bus'] === true ? true : undefined }),
          )(qmp, p),
        )
      case 'cpus': {
        const count = n(v.count)
        if (count === 'bad') return usageError(io, 'cpus needs --count N', hotUsage)
        return session(io, sf, (qmp, p) => addCpus(qmp, p, count, { clamp: v.clamp === true })())
      }
      case 'memory': {
        const size = n(v['size-mib'])
        if (size === 'bad') return usageError(io, 'memory needs --size-mib N', hotUsage)
        return session(io, sf, (qmp, p) => addMemory(qmp, p, size)())
      }
      default:
        return usageError(io, `what to hot-add: block, network, vfio, cpus or memory (got ${what ?? 'nothing'})`, hotUsage)
    }
  },
}

/** @since 0.1.0 @category constructors */
export const unplugCommand: Command = {
  summary: 'unplug a hot-added device (or vCPU) from a running VM',
  usage: unUsage,
  details: stateDetails,
  run: async (args, io) => {
    const v = flagValues(io, unUsage, args, {
      state: { type: 'string' },
      id: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'lock-wait-ms': { type: 'string' },
      ...jsonFlag,
    })
    if (typeof v === 'number') return v
    const sf = stateFlags(io, unUsage, v)
    if (typeof sf === 'number') return sf
    if (!v.id) return usageError(io, '--id is required', unUsage)
    const id = v.id
    return session(io, sf, (qmp, p) => running(unplugPlan(p, id, sf.ms))(qmp, p))
  },
}
