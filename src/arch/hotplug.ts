/**
 * Hot-plug as plans (Kata's `hotplugAddBlockDevice`, `hotAddNetDevice`, `hotplugVFIODevice`,
 * `hotplugAddCPUs`, `hotplugAddMemory` in `virtcontainers/qemu.go`, without their ad-hoc
 * rollback): each function takes the plan and a request and returns the plan as it will be once
 * the device is in, the QMP steps that get it there (the device module's), each with the
 * commands that undo it, and where the guest will find the device. Nothing here talks to QEMU:
 * `src/effects/hotplug.ts` runs the steps, undoes the completed ones in reverse on any failure,
 * and keeps the old plan — so no slot leaks and no backend is left half-added.
 *
 * Ids are cut to 31 bytes as cold-plugged ones are, and the cut id is the device's key in its
 * bridge's slot map, so an unplug by that id frees the slot.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { WritableDraft } from 'immer'
import * as B from '../core/bridges.ts'
import type { Cache } from '../core/devices/backends/drive.ts'
import type { Device } from '../core/devices/model.ts'
import * as Nvdimm from '../core/devices/nvdimm.ts'
import type { Placement } from '../core/devices/placement.ts'
import { moduleOf } from '../core/devices/registry.ts'
import * as ScsiHd from '../core/devices/scsi-hd.ts'
import * as Vfio from '../core/devices/vfio.ts'
import * as VirtioBlk from '../core/devices/virtio-blk.ts'
import type { Nic } from '../core/devices/virtio-net.ts'
import {
  duplicateId,
  invalidDevice,
  noBridges,
  unknownDevice,
  unsupported,
  type CoreError,
  type InvalidDevice,
  type NoBridges,
  type NoBridgeSlot,
  type Unsupported,
} from '../core/errors.ts'
import { maxDevIdSize, truncateBytes } from '../core/ids.ts'
import { produce } from '../core/immer.ts'
import { command, deviceDel, execute, type Action, type FdSource } from '../core/qmp/action.ts'
import type { HotpluggableCpu, MemoryDevice } from '../core/qmp/commands.ts'
import * as S from '../core/slots.ts'
import type { HotCpu, Plan } from '../core/vm.ts'
import { cpuHotplugRefusal, memoryHotplugRefusal } from '../core/topology.ts'
import { firstDuplicate } from './draft.ts'
import { freeRootSlot } from './root-bus.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where the guest finds the device. @since 0.1.0 @category model */
export interface Location {
  readonly id: string
  readonly placement: Placement
  /** `<bridge slot>/<device slot>` (two hex digits each) for a device behind a bridge. */
  readonly pciPath: string | undefined
  /** The guest-side CCW bus id (`0.0.000N`) on s390x. */
  readonly ccwBusId: string | undefined
}

/** @since 0.1.0 @category model */
export interface HotplugPlan {
  readonly before: Plan
  readonly after: Plan
  readonly actions: ReadonlyArray<Action>
  readonly location: Location | undefined
  readonly warnings: ReadonlyArray<string>
}

/** @since 0.1.0 @category model */
export interface BlockRequest {
  readonly id: string
  readonly file: string
  readonly format?: string | undefined
  /**
   * `virtio-blk` (a bridge slot, or a CCW devno on s390x), `virtio-scsi` (a LUN on `scsi0.0`) or
   * `nvdimm`; by default the configuration's `block_device_driver`, as Kata did.
   */
  readonly via?: 'virtio-blk' | 'virtio-scsi' | 'nvdimm' | undefined
  /** `share-rw`: on unless turned off (Kata always set it). */
  readonly shareRW?: boolean | undefined
  /** By default the configuration's `block_device_cache_*`. */
  readonly cache?: Cache | undefined
  /** The file's size in bytes: an NVDIMM maps all of it (the effects layer `stat`s it). */
  readonly sizeBytes?: number | undefined
}

/** @since 0.1.0 @category model */
export interface NetRequest {
  readonly id: string
  readonly mac: string
  /** The caller's open tap queue fds… */
  readonly fds?: ReadonlyArray<number> | undefined
  /** …or a tap to open `queues` queues of (qemu-plan opens them, as Kata's xConnect does). */
  readonly tap?: { readonly name: string; readonly queues: number } | undefined
  readonly vhostFds?: ReadonlyArray<number> | undefined
}

/** @since 0.1.0 @category model */
export interface VfioRequest {
  readonly id: string
  /** A host PCI device… */
  readonly bdf?: string | undefined
  /** …or a mediated device's sysfs path. */
  readonly sysfsdev?: string | undefined
  /** By default the configuration's `hotplug_vfio_on_root_bus`. */
  readonly onRootBus?: boolean | undefined
}

/** @since 0.3.0 @category model */
export interface CpuOptions {
  /** Kata's semantics: a count past `maxcpus` or the free slots is cut to what fits, with a warning, instead of refused. */
  readonly clamp?: boolean | undefined
}

/** Default wait for `DEVICE_DELETED`. @since 0.1.0 @category model */
export const unplugTimeoutMs = 5000

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const qemuId = (id: string): string => truncateBytes(id, maxDevIdSize)

const addDevice = (plan: Plan, dev: Device): E.Either<CoreError, Plan> => {
  const devices = [...plan.devices, dev]
  const dup = firstDuplicate(devices)
  return dup === undefined ? E.right({ ...plan, devices }) : E.left(duplicateId({ id: dup.id, field: 'hotplug' }))
}

const hotplugOf = (d: Device, plan: Plan): ReadonlyArray<Action> => moduleOf(d).hotplug?.add(d, plan.transport) ?? []

/** `plan` with `dev` added at `loc`, and the device module's QMP steps. */
const adding = (
  plan: Plan,
  next: Plan,
  dev: Device,
  loc: Location | undefined,
  warnings: ReadonlyArray<string> = [],
): E.Either<CoreError, HotplugPlan> =>
  E.map((after: Plan): HotplugPlan => ({ before: plan, after, actions: hotplugOf(dev, plan), location: loc, warnings }))(
    addDevice(next, dev),
  )

/** A slot on the plan's bridges (of the type the machine has), or a CCW devno on s390x. @since 0.1.0 @category planning */
export const hotSlot = (plan: Plan, id: string): E.Either<NoBridges | NoBridgeSlot, readonly [Plan, Location]> => {
  const bridges = plan.state.bridges
  if (bridges.length === 0) return E.left(noBridges)
  const type = plan.transport === 'ccw' ? 'ccw' : (bridges.find((b) => b.type !== 'ccw')?.type ?? 'pci')
  const r = B.addDeviceToBridge(bridges, id, type)
  if (r._tag === 'Left') return r
  const next: Plan = { ...plan, state: { ...plan.state, bridges: r.right.bridges } }
  const { bridge, slot, addr } = r.right
  if (type !== 'ccw')
    return E.right([next, { id, placement: { _tag: 'Pci', bus: bridge.id, slot }, pciPath: B.pciPath(bridge, slot), ccwBusId: undefined }])
  return E.right([
    next,
    {
      id,
      placement: { _tag: 'Ccw', devno: B.ccwDevno(bridge, addr) },
      pciPath: undefined,
      ccwBusId: `0.${bridge.addr.toString(16)}.${addr}`,
    },
  ])
}

/** Memory devices need room below maxmem, a free memory slot, and (on virt) firmware. */
const memoryRoom = (plan: Plan, what: string, sizeMiB: number, slotsUsed: number): E.Either<Unsupported | InvalidDevice, void> => {
  const refused = memoryHotplugRefusal(plan, what)
  if (refused !== undefined) return E.left(refused)
  const plugged = plan.hotplugged.dimms.reduce((n, d) => n + d.sizeMiB, 0)
  const nvdimm = plan.devices.reduce((n, d) => n + (d._tag === 'Nvdimm' ? Math.ceil(d.size / 2 ** 20) : 0), 0)
  const headroom = plan.memory.maxMemMiB - plan.memory.sizeMiB - plugged - nvdimm
  if (sizeMiB <= 0 || sizeMiB > headroom)
    return E.left(
      invalidDevice({ device: what, field: 'sizeMiB', reason: `${sizeMiB} MiB does not fit the ${headroom} MiB left below maxmem` }),
    )
  if (slotsUsed >= plan.memory.slots)
    return E.left(invalidDevice({ device: what, field: 'slots', reason: `all ${plan.memory.slots} memory slots are used` }))
  return E.right(undefined)
}

/** Memory slots in use: NVDIMMs and hot-plugged DIMMs. */
const memorySlotsUsed = (plan: Plan): number => plan.devices.filter((d) => d._tag === 'Nvdimm').length + plan.hotplugged.dimms.length

/** Re-exported: the refusals live with the capacity rules in core, so `planSandbox` applies them too. @since 0.3.0 @category planning */
export { cpuHotplugRefusal, memoryHotplugRefusal }

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/**
 * Hot-add a block device as the configuration's `block_device_driver` says (or `via`): a
 * virtio-blk disk on a bridge slot (a CCW devno on s390x), a `scsi-hd` at the next block index
 * on `scsi0.0`, or an NVDIMM.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugBlock = (plan: Plan, req: BlockRequest): E.Either<CoreError, HotplugPlan> => {
  const configured = plan.hotplugConfig.blockDeviceDriver
  // Kata's hotplugAddBlockDevice had no case for virtio-mmio: "Block device virtio-mmio not recognized"
  if (req.via === undefined && configured === 'virtio-mmio')
    return E.left(unsupported({ arch: plan.arch, feature: 'block hot-plug with block_device_driver virtio-mmio' }))
  const via = req.via ?? (configured === 'virtio-blk-ccw' || configured === 'virtio-mmio' ? 'virtio-blk' : configured)
  const input = {
    id: req.id,
    file: req.file,
    format: req.format ?? 'raw',
    shareRW: req.shareRW ?? true,
    cache: req.cache ?? plan.hotplugConfig.blockDeviceCache,
  }
  const none: Location = { id: qemuId(req.id), placement: { _tag: 'None' }, pciPath: undefined, ccwBusId: undefined }
  switch (via) {
    case 'virtio-scsi': {
      const ctrl = plan.devices.find((d) => d._tag === 'Scsi')
      if (ctrl === undefined)
        return E.left(
          invalidDevice({
            device: req.id,
            field: 'via',
            reason: 'the plan has no virtio-scsi controller (block_device_driver is not virtio-scsi)',
          }),
        )
      const disk = ScsiHd.make(input, ctrl.id, plan.hotplugged.scsiIndex)
      const next = { ...plan, hotplugged: { ...plan.hotplugged, scsiIndex: plan.hotplugged.scsiIndex + 1 } }
      return adding(plan, next, disk, none)
    }
    case 'nvdimm': {
      if (req.sizeBytes === undefined)
        return E.left(
          invalidDevice({
            device: req.id,
            field: 'sizeBytes',
            reason: 'an NVDIMM maps the whole file: its size is needed (stat it first)',
          }),
        )
      const room = memoryRoom(plan, 'NVDIMM', Math.ceil(req.sizeBytes / 2 ** 20), memorySlotsUsed(plan))
      if (room._tag === 'Left') return room
      const dev = Nvdimm.disk({ id: req.id, file: req.file, sizeBytes: req.sizeBytes })
      return adding(plan, plan, dev, { ...none, id: dev.id })
    }
    case 'virtio-blk': {
      const slot = hotSlot(plan, VirtioBlk.idOf(req))
      if (slot._tag === 'Left') return slot
      const [next, loc] = slot.right
      return adding(plan, next, VirtioBlk.make(input, { placement: loc.placement, nested: false }), loc)
    }
  }
}

/**
 * Hot-add a network device from the caller's tap (and vhost-net) fds, or from new queues of a
 * named tap: `getfd` each, `netdev_add` by fd names, `device_add` on a slot with `mq`/`vectors`.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugNetwork = (plan: Plan, req: NetRequest): E.Either<CoreError, HotplugPlan> => {
  const tap = req.tap
  const fds: ReadonlyArray<FdSource> = tap ? Array.from({ length: tap.queues }, () => ({ tap: tap.name })) : (req.fds ?? [])
  if (fds.length === 0)
    return E.left(
      invalidDevice({ device: req.id, field: 'fds', reason: 'hot-adding a network device needs at least one tap fd (or a tap name)' }),
    )
  const id = qemuId(req.id)
  const slot = hotSlot(plan, id)
  if (slot._tag === 'Left') return slot
  const [next, loc] = slot.right
  const vhostFds = req.vhostFds ?? []
  const nic: Nic = {
    _tag: 'Net',
    type: 'tap',
    id,
    ifName: tap?.name ?? id,
    mac: req.mac,
    fds,
    vhostFds,
    vhost: vhostFds.length > 0,
    disableModern: false,
    placement: loc.placement,
  }
  return adding(plan, next, nic, loc)
}

/**
 * Hot-add a VFIO device (by PCI address, or a mediated device by sysfs path) on a bridge slot, or
 * on the root bus where the machine hot-plugs there.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugVfio = (plan: Plan, req: VfioRequest): E.Either<CoreError, HotplugPlan> => {
  if (plan.transport === 'ccw')
    return E.left(unsupported({ arch: plan.arch, feature: 'VFIO hot-plug by PCI address (vfio-ccw needs a mediated device)' }))
  if ((req.bdf === undefined) === (req.sysfsdev === undefined))
    return E.left(
      invalidDevice({ device: req.id, field: 'bdf', reason: 'give either a PCI address (bdf) or a mediated device (sysfsdev)' }),
    )
  const id = qemuId(req.id)
  const make = (placement: Placement) =>
    req.sysfsdev !== undefined ? Vfio.mediated(req.sysfsdev, id, placement) : Vfio.make({ bdf: req.bdf as string }, id, placement)
  if (!(req.onRootBus ?? plan.hotplugConfig.hotplugVfioOnRootBus)) {
    const slot = hotSlot(plan, id)
    if (slot._tag === 'Left') return slot
    return adding(plan, slot.right[0], make(slot.right[1].placement), slot.right[1])
  }
  const rb = plan.facts.rootBus
  if (rb === undefined || !rb.hotplug)
    return E.left(
      unsupported({
        arch: plan.arch,
        feature: `VFIO hot-plug onto the root bus of ${plan.machine.type} (${rb?.bus ?? 'none'} does not support hot-plugging)`,
      }),
    )
  const free = freeRootSlot(rb, plan.state.rootSlots)
  if (free === undefined) return E.left(invalidDevice({ device: req.id, field: 'onRootBus', reason: `no free slot on ${rb.bus}` }))
  const placement: Placement = { _tag: 'Pci', bus: rb.bus, slot: free }
  const next: Plan = { ...plan, state: { ...plan.state, rootSlots: S.set(plan.state.rootSlots, 0, free, id) } }
  return adding(plan, next, make(placement), { id, placement, pciPath: undefined, ccwBusId: undefined })
}

/**
 * Hot-add `count` vCPUs into the free entries of `query-hotpluggable-cpus`, ids `cpu-<k>`, with
 * exactly the topology properties QEMU listed. Past `maxcpus` or the free slots the request is
 * refused, or with `clamp` cut to what fits (Kata's behaviour), with a warning.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugCpus = (
  plan: Plan,
  count: number,
  slots: ReadonlyArray<HotpluggableCpu>,
  o: CpuOptions = {},
): E.Either<Unsupported | InvalidDevice, HotplugPlan> => {
  const refused = cpuHotplugRefusal(plan)
  if (refused !== undefined) return E.left(refused)
  const free = slots.filter((s) => s['qom-path'] === undefined)
  const online = plan.smp.cpus + plan.hotplugged.cpus.length
  const fits = Math.min(plan.smp.maxCpus - online, free.length)
  const why = `${online} online, maxcpus ${plan.smp.maxCpus}, ${free.length} free slots`
  if (count <= 0 || (count > fits && !(o.clamp === true && fits > 0)))
    return E.left(invalidDevice({ device: 'cpus', field: 'count', reason: `cannot add ${count} vCPUs: ${why}` }))
  const n = Math.min(count, fits)
  const start = plan.hotplugged.cpus.reduce((m, c) => Math.max(m, Number(c.id.slice(4)) + 1), 0)
  const cpus = free.slice(0, n).map((s, i): HotCpu => ({ id: `cpu-${start + i}`, driver: s.type, props: s.props }))
  return E.right({
    before: plan,
    after: produce(plan, (draft) => {
      draft.hotplugged.cpus.push(...(cpus as Array<WritableDraft<HotCpu>>))
    }),
    actions: cpus.map((c) => execute('device_add', { driver: c.driver, id: c.id, ...c.props }, [command('device_del', { id: c.id })])),
    location: undefined,
    warnings: n < count ? [`adding ${n} vCPUs, not ${count}: ${why}`] : [],
  })
}

/**
 * Hot-add memory as one DIMM: the backend `mem<slot>` and the `pc-dimm` `dimmmem<slot>`, the slot
 * one past the highest of every memory device QEMU lists (NVDIMMs included, as Kata counted).
 * The backend is Kata's: hugepages, the virtio-fs / `file_mem_backend` file, or RAM — for VM
 * templates too, whose memory file is guest RAM already.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugMemory = (
  plan: Plan,
  sizeMiB: number,
  devices: ReadonlyArray<MemoryDevice>,
): E.Either<Unsupported | InvalidDevice, HotplugPlan> => {
  const room = memoryRoom(plan, 'memory', sizeMiB, Math.max(devices.length, memorySlotsUsed(plan)))
  if (room._tag === 'Left') return room
  const slot = devices.reduce((m, d) => Math.max(m, d.data.slot ?? -1), -1) + 1
  const k = plan.knobs
  const fileBacked = k.fileBackedMem && !plan.state.vmFactory && k.memPath !== undefined
  const backend = k.hugePages
    ? { 'qom-type': 'memory-backend-file', 'mem-path': '/dev/hugepages', share: true }
    : fileBacked
      ? { 'qom-type': 'memory-backend-file', 'mem-path': k.memPath, ...(k.memShared ? { share: true } : {}) }
      : { 'qom-type': 'memory-backend-ram', ...(k.memShared ? { share: true } : {}) }
  const dimm = { slot, backendId: `mem${slot}`, deviceId: `dimmmem${slot}`, sizeMiB }
  return E.right({
    before: plan,
    after: produce(plan, (draft) => {
      draft.hotplugged.dimms.push(dimm)
    }),
    actions: [
      execute('object-add', { ...backend, id: dimm.backendId, size: sizeMiB * 2 ** 20 }, [command('object-del', { id: dimm.backendId })]),
      execute('device_add', { driver: 'pc-dimm', id: dimm.deviceId, memdev: dimm.backendId }),
    ],
    location: undefined,
    warnings: [],
  })
}

/**
 * Unplug a device: `device_del`, wait for `DEVICE_DELETED`, remove its backend, free its slot.
 * The slot is freed in `after` only; the effects layer adopts `after` only when every step worked.
 *
 * @since 0.1.0
 * @category planning
 */
export const unplug = (plan: Plan, id: string, timeoutMs = unplugTimeoutMs): E.Either<CoreError, HotplugPlan> => {
  const cpu = plan.hotplugged.cpus.find((c) => c.id === id)
  if (cpu !== undefined)
    return E.right({
      before: plan,
      after: produce(plan, (draft) => {
        draft.hotplugged.cpus.splice(plan.hotplugged.cpus.indexOf(cpu), 1)
      }),
      actions: deviceDel(id, timeoutMs),
      location: undefined,
      warnings: [],
    })
  if (plan.hotplugged.dimms.some((d) => d.deviceId === id)) return E.left(unsupported({ arch: plan.arch, feature: 'memory hot-remove' }))
  const qid = qemuId(id)
  const at = plan.devices.findIndex((d) => d.id === qid)
  const dev = plan.devices[at]
  if (dev === undefined) return E.left(unknownDevice({ id }))
  const hp = moduleOf(dev).hotplug
  if (hp === undefined)
    return E.left(unsupported({ arch: plan.arch, feature: `unplugging ${dev._tag} ${dev.id} (it is not hot-pluggable)` }))
  // search the base plan, then draft the one change (freeing a bridge slot or a root-bus slot);
  // where the guest is never told of the removal, the bridge slot stays taken, as retired
  const freed = plan.facts.unplugIsSurprise
    ? B.retireDeviceOnBridge(plan.state.bridges, qid)
    : B.removeDeviceFromBridge(plan.state.bridges, qid)
  const rootSlot = S.find(plan.state.rootSlots, 0, qid)
  const after = produce(plan, (draft) => {
    draft.devices.splice(at, 1)
    if (E.isRight(freed)) draft.state.bridges = freed.right as WritableDraft<Plan>['state']['bridges']
    if (rootSlot !== undefined)
      draft.state.rootSlots = S.remove(plan.state.rootSlots, 0, rootSlot) as WritableDraft<Plan>['state']['rootSlots']
  })
  return E.right({
    before: plan,
    after,
    actions: [...deviceDel(qid, timeoutMs), ...hp.removeBackend(dev)],
    location: undefined,
    warnings: [],
  })
}
