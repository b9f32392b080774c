/**
 * Hot-plug as plans (reference §8.4, without Kata's ad-hoc rollback): each function takes the
 * plan and a request and returns the plan as it will be once the device is in, the QMP actions
 * that get it there, each with the commands that undo it, and where the guest will find the
 * device. Nothing here talks to QEMU: `src/effects/hotplug.ts` runs the actions, runs the undo
 * commands in reverse on any failure, and keeps the old plan — so no slot leaks and no backend is
 * left half-added (Kata runtime#1941).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as B from '../core/bridges.ts'
import * as S from '../core/slots.ts'
import { deviceId, type Device, type Placement } from '../core/devices/model.ts'
import { deviceNotOnBridge, duplicateId, invalidDevice, noBridges, unsupported, type PlanError } from '../core/errors.ts'
import { produce } from '../core/immer.ts'
import type { HotCpu, Plan } from '../core/vm.ts'
import type { WritableDraft } from 'immer'
import { firstDuplicate, freeRootSlot } from './base.ts'
import { arches } from './index.ts'
import type { QmpCommand } from './types.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One step the effects layer performs. @since 0.1.0 @category model */
export type Action =
  /** Send a command; if a later step fails, send `undo` (in order). */
  | { readonly _tag: 'Execute'; readonly command: QmpCommand; readonly undo: ReadonlyArray<QmpCommand> }
  /** Pass a host fd (or a new queue of a named tap) to QEMU under `name` (`getfd`, SCM_RIGHTS). */
  | { readonly _tag: 'SendFd'; readonly name: string; readonly source: number | { readonly tap: string }; readonly undo: ReadonlyArray<QmpCommand> }
  /** Wait for an event whose data has these fields, for at most `timeoutMs`. */
  | { readonly _tag: 'AwaitEvent'; readonly event: string; readonly data: Readonly<Record<string, unknown>>; readonly timeoutMs: number }

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
}

/** @since 0.1.0 @category model */
export type BlockRequest = {
  readonly id: string
  readonly file: string
  readonly format?: string
  /** `virtio-blk` (a bridge slot, or a CCW devno on s390x) or `virtio-scsi` (a LUN on `scsi0.0`). */
  readonly via?: 'virtio-blk' | 'virtio-scsi'
  readonly shareRW?: boolean
  readonly cache?: { readonly direct: boolean; readonly noFlush: boolean }
}

/** @since 0.1.0 @category model */
export type NetRequest = {
  readonly id: string
  readonly mac: string
  /** The caller's open tap queue fds… */
  readonly fds?: ReadonlyArray<number>
  /** …or a tap to open `queues` queues of (qemu-plan opens them, as Kata's xConnect does). */
  readonly tap?: { readonly name: string; readonly queues: number }
  readonly vhostFds?: ReadonlyArray<number>
}

/** @since 0.1.0 @category model */
export type VfioRequest = { readonly id: string; readonly bdf: string; readonly onRootBus?: boolean }

/** One entry of `query-hotpluggable-cpus`. @since 0.1.0 @category model */
export interface HotpluggableCpu {
  readonly type: string
  readonly props: Readonly<Record<string, number>>
  readonly 'qom-path'?: string
}

/** Default wait for `DEVICE_DELETED`. @since 0.1.0 @category model */
export const unplugTimeoutMs = 5000

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const exec = (execute: string, args: Readonly<Record<string, unknown>>, undo: ReadonlyArray<QmpCommand> = []): Action => ({
  _tag: 'Execute',
  command: { execute, arguments: args },
  undo,
})

const hex = (n: number): string => `0x${n.toString(16)}`

const addDevice = (plan: Plan, dev: Device): E.Either<PlanError, Plan> => {
  const devices = [...plan.devices, dev]
  const dup = firstDuplicate(devices)
  return dup === undefined ? E.right({ ...plan, devices }) : E.left(duplicateId({ id: dup.id, field: 'hotplug' }))
}

/** A slot on the plan's bridges (of the type the machine has), or a CCW devno on s390x. @since 0.1.0 @category planning */
export const hotSlot = (plan: Plan, key: string): E.Either<PlanError, readonly [Plan, Location]> => {
  const bridges = plan.state.bridges
  if (bridges.length === 0) return E.left(noBridges)
  const type = plan.transport === 'ccw' ? 'ccw' : (bridges.find((b) => b.type !== 'ccw')?.type ?? 'pci')
  return pipe(
    B.addDeviceToBridge(bridges, key, type),
    E.flatMap((r): E.Either<PlanError, readonly [Plan, Location]> => {
      const next: Plan = { ...plan, state: { ...plan.state, bridges: r.bridges } }
      if (type !== 'ccw') return E.right([next, { id: key, placement: { _tag: 'Pci', bus: r.bridge.id, slot: r.slot }, pciPath: B.pciPath(r.bridge, r.slot), ccwBusId: undefined }])
      return pipe(
        E.Do,
        E.bind('devno', () => B.addressFormatCCW(r.bridge, r.addr)),
        E.bind('bus', () => B.addressFormatCCWForVirtServer(r.bridge, r.addr)),
        E.map(({ devno, bus }): readonly [Plan, Location] => [next, { id: key, placement: { _tag: 'Ccw', devno, key }, pciPath: undefined, ccwBusId: bus }]),
      )
    }),
  )
}

const placementArgs = (p: Placement): Readonly<Record<string, unknown>> =>
  p._tag === 'Pci' ? { bus: p.bus, addr: hex(p.slot) } : p._tag === 'Ccw' ? { devno: p.devno } : {}

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/**
 * Hot-add a block device: `blockdev-add`, then `device_add` on a bridge slot (virtio-blk), a CCW
 * devno (s390x), or a LUN on `scsi0.0` (virtio-scsi).
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugBlock = (plan: Plan, req: BlockRequest): E.Either<PlanError, HotplugPlan> => {
  const format = req.format ?? 'raw'
  const blockdev = exec(
    'blockdev-add',
    { driver: format, 'node-name': req.id, file: { driver: 'file', filename: req.file }, ...(req.cache ? { cache: { direct: req.cache.direct, 'no-flush': req.cache.noFlush } } : {}) },
    [{ execute: 'blockdev-del', arguments: { 'node-name': req.id } }],
  )
  if (req.via === 'virtio-scsi') {
    const ctrl = plan.devices.find((d) => d._tag === 'Scsi')
    if (ctrl === undefined) return E.left(invalidDevice({ device: req.id, field: 'via', reason: 'the plan has no virtio-scsi controller (block_device_driver is not virtio-scsi)' }))
    const index = plan.devices.filter((d) => d._tag === 'ScsiDisk').length
    const disk: Device = { _tag: 'ScsiDisk', id: req.id, file: req.file, format, bus: `${ctrl.id}.0`, scsiId: Math.floor(index / 256), lun: index % 256 }
    return pipe(
      addDevice(plan, disk),
      E.map((after) => ({
        before: plan,
        after,
        actions: [blockdev, exec('device_add', { driver: 'scsi-hd', id: req.id, drive: req.id, bus: disk.bus, 'scsi-id': disk.scsiId, lun: disk.lun })],
        location: { id: req.id, placement: { _tag: 'None' }, pciPath: undefined, ccwBusId: undefined },
      })),
    )
  }
  return pipe(
    hotSlot(plan, req.id),
    E.flatMap(([next, loc]) =>
      pipe(
        addDevice(next, { _tag: 'Block', id: req.id, file: req.file, format, aio: 'threads', disableModern: false, shareRW: req.shareRW ?? false, placement: loc.placement }),
        E.map((after) => ({
          before: plan,
          after,
          actions: [
            blockdev,
            exec('device_add', {
              driver: `virtio-blk-${plan.transport}`, id: req.id, drive: req.id, ...placementArgs(loc.placement), ...(req.shareRW ? { 'share-rw': true } : {}),
            }),
          ],
          location: loc,
        })),
      ),
    ),
  )
}

/**
 * Hot-add a network device from the caller's tap (and vhost-net) fds: `getfd` each, `netdev_add`
 * by fd names, `device_add` on a slot with `mq`/`vectors`.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugNetwork = (plan: Plan, req: NetRequest): E.Either<PlanError, HotplugPlan> => {
  const sources: ReadonlyArray<number | { readonly tap: string }> = req.tap
    ? Array.from({ length: req.tap.queues }, () => ({ tap: req.tap?.name ?? '' }))
    : (req.fds ?? [])
  if (sources.length === 0) return E.left(invalidDevice({ device: req.id, field: 'fds', reason: 'hot-adding a network device needs at least one tap fd (or a tap name)' }))
  const fds = sources.map((s, i) => (typeof s === 'number' ? s : -1 - i))
  const vhost = req.vhostFds ?? []
  const names = sources.map((_, i) => `fd-${req.id}-${i}`)
  const vhostNames = vhost.map((_, i) => `vhostfd-${req.id}-${i}`)
  const sendFd = (name: string, source: number | { readonly tap: string }): Action => ({ _tag: 'SendFd', name, source, undo: [{ execute: 'closefd', arguments: { fdname: name } }] })
  return pipe(
    hotSlot(plan, req.id),
    E.flatMap(([next, loc]) =>
      pipe(
        addDevice(next, {
          _tag: 'Net', type: 'tap', id: req.id, ifName: req.tap?.name ?? req.id, mac: req.mac, fds, vhostFds: vhost, vhost: vhost.length > 0, disableModern: false, placement: loc.placement,
        }),
        E.map((after) => ({
          before: plan,
          after,
          actions: [
            ...sources.map((src, i) => sendFd(names[i] as string, src)),
            ...vhost.map((fd, i) => sendFd(vhostNames[i] as string, fd)),
            exec(
              'netdev_add',
              { type: 'tap', id: req.id, fds: names.join(':'), ...(vhost.length > 0 ? { vhost: true, vhostfds: vhostNames.join(':') } : {}) },
              [{ execute: 'netdev_del', arguments: { id: req.id } }],
            ),
            exec('device_add', {
              driver: `virtio-net-${plan.transport}`, id: req.id, netdev: req.id, mac: req.mac, ...placementArgs(loc.placement),
              mq: true, ...(plan.transport === 'pci' ? { vectors: 2 * sources.length + 2 } : {}),
            }),
          ],
          location: loc,
        })),
      ),
    ),
  )
}

/**
 * Hot-add a VFIO device on a bridge slot, or on the root bus.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugVfio = (plan: Plan, req: VfioRequest): E.Either<PlanError, HotplugPlan> => {
  if (plan.transport === 'ccw') return E.left(unsupported({ arch: plan.arch, feature: 'VFIO hot-plug by PCI address (vfio-ccw needs a mediated device)' }))
  const rootBus = arches[plan.arch]?.spec.rootBus[plan.state.machineType]
  const placed: E.Either<PlanError, readonly [Plan, Location]> = req.onRootBus
    ? rootBus === undefined
      ? E.left(unsupported({ arch: plan.arch, feature: `root-bus hot-plug on ${plan.state.machineType}` }))
      : pipe(freeRootSlot(rootBus, plan.state.rootSlots), (slot) =>
          slot === undefined
            ? E.left(invalidDevice({ device: req.id, field: 'onRootBus', reason: `no free slot on ${rootBus.bus}` }))
            : E.right([
                { ...plan, state: { ...plan.state, rootSlots: S.set(plan.state.rootSlots, 0, slot, req.id) } },
                { id: req.id, placement: { _tag: 'Pci', bus: rootBus.bus, slot }, pciPath: undefined, ccwBusId: undefined },
              ] as const),
        )
    : hotSlot(plan, req.id)
  return pipe(
    placed,
    E.flatMap(([next, loc]) =>
      pipe(
        addDevice(next, { _tag: 'Vfio', id: req.id, bdf: req.bdf, vendorId: undefined, deviceId: undefined, placement: loc.placement }),
        E.map((after) => ({ before: plan, after, actions: [exec('device_add', { driver: 'vfio-pci', id: req.id, host: req.bdf, ...placementArgs(loc.placement) })], location: loc })),
      ),
    ),
  )
}

/**
 * Hot-add `count` vCPUs into the free entries of `query-hotpluggable-cpus`, ids `cpu-<k>`,
 * with exactly the topology properties QEMU listed. Refused past `maxcpus`.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugCpus = (plan: Plan, count: number, slots: ReadonlyArray<HotpluggableCpu>): E.Either<PlanError, HotplugPlan> => {
  const free = slots.filter((s) => s['qom-path'] === undefined)
  const online = plan.smp.cpus + plan.hotplugged.cpus.length
  if (count <= 0 || online + count > plan.smp.maxCpus || count > free.length)
    return E.left(invalidDevice({ device: 'cpus', field: 'count', reason: `cannot add ${count} vCPUs: ${online} online, maxcpus ${plan.smp.maxCpus}, ${free.length} free slots` }))
  const start = plan.hotplugged.cpus.reduce((m, c) => Math.max(m, Number(c.id.slice(4)) + 1), 0)
  const cpus = free.slice(0, count).map((s, i) => ({ id: `cpu-${start + i}`, driver: s.type, props: s.props }))
  return E.right({
    before: plan,
    after: produce(plan, (draft) => {
      draft.hotplugged.cpus.push(...(cpus as Array<WritableDraft<HotCpu>>))
    }),
    actions: cpus.map((c) => exec('device_add', { driver: c.driver, id: c.id, ...c.props }, [{ execute: 'device_del', arguments: { id: c.id } }])),
    location: undefined,
  })
}

/**
 * Hot-add memory as one DIMM: `object-add` of the backend (`mem<slot>`, slot = highest + 1),
 * `device_add` of `pc-dimm` (`dimmmem<slot>`). Refused where the arch cannot, past the memory slots,
 * or past `maxmem`.
 *
 * @since 0.1.0
 * @category planning
 */
export const hotplugMemory = (plan: Plan, sizeMiB: number, usedSlots: ReadonlyArray<number>): E.Either<PlanError, HotplugPlan> => {
  if (!plan.memoryHotplug) return E.left(unsupported({ arch: plan.arch, feature: 'guest memory hotplug' }))
  const plugged = plan.hotplugged.dimms.reduce((n, d) => n + d.sizeMiB, 0)
  const nvdimm = plan.devices.reduce((n, d) => n + (d._tag === 'Nvdimm' ? Math.ceil(d.size / 2 ** 20) : 0), 0)
  const headroom = plan.memory.maxMemMiB - plan.memory.sizeMiB - plugged - nvdimm
  if (sizeMiB <= 0 || sizeMiB > headroom)
    return E.left(invalidDevice({ device: 'memory', field: 'sizeMiB', reason: `${sizeMiB} MiB does not fit the ${headroom} MiB left below maxmem` }))
  if (usedSlots.length >= plan.memory.slots) return E.left(invalidDevice({ device: 'memory', field: 'slots', reason: `all ${plan.memory.slots} memory slots are used` }))
  const slot = usedSlots.length === 0 ? 0 : Math.max(...usedSlots) + 1
  const k = plan.knobs
  const backend =
    k.hugePages
      ? { 'qom-type': 'memory-backend-file', 'mem-path': '/dev/hugepages', share: true }
      : k.fileBackedMem && k.memPath !== undefined
        ? { 'qom-type': 'memory-backend-file', 'mem-path': k.memPath, ...(k.memShared ? { share: true } : {}) }
        : { 'qom-type': 'memory-backend-ram', ...(k.memShared ? { share: true } : {}) }
  const dimm = { slot, backendId: `mem${slot}`, deviceId: `dimmmem${slot}`, sizeMiB }
  return E.right({
    before: plan,
    after: produce(plan, (draft) => {
      draft.hotplugged.dimms.push(dimm)
    }),
    actions: [
      exec('object-add', { ...backend, id: dimm.backendId, size: sizeMiB * 2 ** 20 }, [{ execute: 'object-del', arguments: { id: dimm.backendId } }]),
      exec('device_add', { driver: 'pc-dimm', id: dimm.deviceId, memdev: dimm.backendId }),
    ],
    location: undefined,
  })
}

/**
 * Unplug a device: `device_del`, wait for `DEVICE_DELETED`, delete its backend, free its slot.
 * The slot is freed in `after` only; the effects layer adopts `after` only when every step worked.
 *
 * @since 0.1.0
 * @category planning
 */
export const unplug = (plan: Plan, id: string, timeoutMs = unplugTimeoutMs): E.Either<PlanError, HotplugPlan> => {
  const del = (qomId: string): ReadonlyArray<Action> => [
    exec('device_del', { id: qomId }),
    { _tag: 'AwaitEvent', event: 'DEVICE_DELETED', data: { device: qomId }, timeoutMs },
  ]
  const cpu = plan.hotplugged.cpus.find((c) => c.id === id)
  if (cpu !== undefined)
    return E.right({
      before: plan,
      after: produce(plan, (draft) => {
        draft.hotplugged.cpus.splice(plan.hotplugged.cpus.indexOf(cpu), 1)
      }),
      actions: del(id),
      location: undefined,
    })
  if (plan.hotplugged.dimms.some((d) => d.deviceId === id)) return E.left(unsupported({ arch: plan.arch, feature: 'memory hot-remove' }))
  const dev = plan.devices.find((d) => deviceId(d) === id)
  if (dev === undefined) return E.left(deviceNotOnBridge({ id }))
  const backend: ReadonlyArray<Action> =
    dev._tag === 'Block' || dev._tag === 'ScsiDisk' ? [exec('blockdev-del', { 'node-name': id })] : dev._tag === 'Net' ? [exec('netdev_del', { id })] : []
  // search the base plan, then draft the one change (freeing a bridge slot or a root-bus slot)
  const freed = B.removeDeviceFromBridge(plan.state.bridges, id)
  const rootSlot = S.find(plan.state.rootSlots, 0, id)
  const at = plan.devices.indexOf(dev)
  const after = produce(plan, (draft) => {
    draft.devices.splice(at, 1)
    if (E.isRight(freed)) draft.state.bridges = freed.right as WritableDraft<Plan>['state']['bridges']
    if (rootSlot !== undefined) draft.state.rootSlots = S.remove(plan.state.rootSlots, 0, rootSlot) as WritableDraft<Plan>['state']['rootSlots']
  })
  return E.right({ before: plan, after, actions: [...del(id), ...backend], location: undefined })
}
