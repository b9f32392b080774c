/**
 * The bus tree of a plan and what is left for hot-plug: the root bus with its slots (the
 * machine's own, devices, bridges), each bridge with its slots, the CCW device numbers on s390x,
 * devices QEMU places itself; and the capacity Kata's hot-plug draws from — free bridge slots (or
 * CCW numbers), memory slots and maxmem headroom, vCPU headroom. `checkHotplug` turns a sandbox's
 * declared hot-plug needs into a typed error at plan time instead of a failure at hot-plug time.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { devicesOf, type BridgeType } from './bridges.ts'
import * as S from './slots.ts'
import { deviceId, placementOf, type Device } from './devices/model.ts'
import { noHotplugCapacity, type PlanError } from './errors.ts'
import type { Plan } from './vm.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What the arch knows about the machine's root bus (the arch layer's `RootBus`). @since 0.1.0 @category model */
export interface RootBusInfo {
  readonly bus: string
  readonly reserved: ReadonlyArray<number>
  readonly bridgeType: BridgeType | undefined
}

/** Facts from the arch that the plan does not carry. @since 0.1.0 @category model */
export interface TopologyContext {
  readonly rootBus: RootBusInfo | undefined
  /** `supportGuestMemoryHotplug` (false on s390x). */
  readonly memoryHotplug: boolean
}

/** One occupied or reserved slot. @since 0.1.0 @category model */
export interface SlotEntry {
  readonly slot: number
  /** The device id, or `undefined` for a slot the machine's own devices take. */
  readonly id: string | undefined
  readonly kind: string
}

/** @since 0.1.0 @category model */
export interface BridgeNode {
  readonly id: string
  readonly type: BridgeType
  /** Slot on the root bus (PCI) or CSS id (CCW). */
  readonly addr: number
  readonly slots: ReadonlyArray<SlotEntry>
  readonly capacity: number
  readonly free: number
}

/** @since 0.1.0 @category model */
export interface Topology {
  readonly transport: Plan['transport']
  readonly machine: string
  /** The root PCI bus, when the machine has one the plan uses. */
  readonly root: { readonly bus: string; readonly slots: ReadonlyArray<SlotEntry>; readonly free: ReadonlyArray<number> } | undefined
  readonly bridges: ReadonlyArray<BridgeNode>
  /** Bus devices QEMU places itself (no `bus=`/`addr=`/`devno=`) whose slot could not be worked out here. */
  readonly unplaced: ReadonlyArray<{ readonly id: string; readonly kind: string }>
  /** Devices on no PCI/CCW bus (virtio-serial ports, NVDIMMs). */
  readonly offBus: ReadonlyArray<{ readonly id: string; readonly kind: string }>
  readonly capacity: Capacity
}

/** @since 0.1.0 @category model */
export interface Capacity {
  /** Free slots on the bridges hot-plug uses (PCI/PCIe bridges, or the CCW bridge). */
  readonly bridgeSlots: number
  /** Free root-bus slots (used by VFIO hot-plug with `hotplug_vfio_on_root_bus`). */
  readonly rootSlots: number
  readonly memory: {
    readonly hotplug: boolean
    readonly slots: number
    readonly slotsUsed: number
    /** MiB between what is plugged (RAM + NVDIMMs) and `maxmem`. */
    readonly headroomMiB: number
  }
  readonly vcpus: { readonly cpus: number; readonly max: number; readonly free: number }
}

/** Declared hot-plug needs (the sandbox's `hotplug` section). @since 0.1.0 @category model */
export interface HotplugNeeds {
  readonly blockDevices?: number | undefined
  readonly networkDevices?: number | undefined
  readonly vfioDevices?: number | undefined
  readonly vcpus?: number | undefined
  readonly memoryMiB?: number | undefined
}

/** How the configuration hot-plugs block and VFIO devices. @since 0.1.0 @category model */
export interface HotplugConfig {
  readonly blockDeviceDriver: 'virtio-scsi' | 'virtio-blk' | 'virtio-blk-ccw' | 'virtio-mmio' | 'nvdimm'
  readonly hotplugVfioOnRootBus: boolean
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const kindOf = (d: Device): string =>
  d._tag === 'VhostUser' ? `vhost-user-${d.type}` : d._tag === 'Bridge' ? (d.type === 'pci' ? 'pci-bridge' : 'pcie-pci-bridge') : d._tag === 'Char' ? d.driver : d._tag

const ccwSlot = (devno: string): number => parseInt(devno.split('.')[2] ?? '0', 16)

const pciSlots = 32

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Pin the slots QEMU would give PCI devices that have no `bus=`/`addr=` (as a govmm command line
 * leaves them): the lowest free root-bus slot, in `-device` order, after the machine's reserved
 * slots and the explicitly placed devices. Needs the root bus from the arch; without it, or on
 * CCW, the plan is returned as it is. Devices that do not fit stay unplaced.
 *
 * @since 0.1.0
 * @category planning
 */
export const assignPlacements = (plan: Plan, ctx: TopologyContext): Plan => {
  const rb = ctx.rootBus
  if (rb === undefined || plan.transport !== 'pci') return plan
  const taken = new Set<number>(rb.reserved)
  for (const d of plan.devices) {
    if (d._tag === 'Bridge' && d.bus === rb.bus) taken.add(d.addr)
    else if ('placement' in d && d.placement._tag === 'Pci' && d.placement.bus === rb.bus) taken.add(d.placement.slot)
  }
  let rootSlots = plan.state.rootSlots
  const devices = plan.devices.map((d): Device => {
    if (d._tag === 'Bridge' || !('placement' in d) || d.placement._tag !== 'None') return d
    const slot = Array.from({ length: pciSlots }, (_, i) => i).find((i) => !taken.has(i))
    if (slot === undefined) return d
    taken.add(slot)
    rootSlots = S.set(rootSlots, 0, slot, deviceId(d))
    return { ...d, placement: { _tag: 'Pci', bus: rb.bus, slot } }
  })
  return { ...plan, devices, state: { ...plan.state, rootSlots } }
}

/**
 * The bus tree and capacity of a plan.
 *
 * @since 0.1.0
 * @category constructors
 */
export const topology = (given: Plan, ctx: TopologyContext): Topology => {
  const plan = assignPlacements(given, ctx)
  const devs = plan.devices
  const assigned = new Set(devs.filter((d, i) => 'placement' in d && d.placement !== placementOf(given.devices[i] as Device)).map(deviceId))
  const root = plan.transport === 'ccw' ? undefined : rootOf(plan, ctx, assigned)
  const firstCcw = plan.state.bridges.findIndex((b) => b.type === 'ccw')
  const bridges = plan.state.bridges.map((b, idx): BridgeNode => {
    // CCW devnos do not name their bridge (every CCW bridge sits at addr 0): a planned bridge's
    // slot map says which devices are its own; a parsed plan has no map, so the first one takes all
    const own = devicesOf(b)
    const ccwByMap = (): ReadonlyArray<SlotEntry> =>
      Object.entries(own).flatMap(([slot, key]) => {
        const d = devs.find((x) => 'placement' in x && x.placement._tag === 'Ccw' && x.placement.key === key)
        return d === undefined ? [] : [{ slot: Number(slot), id: deviceId(d), kind: kindOf(d) }]
      })
    const slots =
      b.type === 'ccw'
        ? Object.keys(own).length > 0
          ? ccwByMap()
          : idx === firstCcw
            ? devs.flatMap((d) => ('placement' in d && d.placement._tag === 'Ccw' ? [{ slot: ccwSlot(d.placement.devno), id: deviceId(d), kind: kindOf(d) }] : []))
            : []
        : placedOn(devs, b.id)
    const used = new Set([...slots.map((x) => x.slot), ...Object.keys(own).map(Number)])
    return { id: b.id, type: b.type, addr: b.addr, slots: [...slots].sort((x, y) => x.slot - y.slot), capacity: b.maxCapacity, free: b.maxCapacity - used.size }
  })
  return {
    transport: plan.transport,
    machine: plan.machine.type,
    root,
    bridges,
    unplaced: devs.flatMap((d) => (d._tag !== 'Bridge' && 'placement' in d && d.placement._tag === 'None' ? [{ id: deviceId(d), kind: kindOf(d) }] : [])),
    offBus: devs.flatMap((d) => (d._tag === 'Char' || d._tag === 'Nvdimm' ? [{ id: deviceId(d), kind: kindOf(d) }] : [])),
    capacity: capacityOf(plan, ctx, root, bridges),
  }
}

const placedOn = (devs: ReadonlyArray<Device>, bus: string): ReadonlyArray<SlotEntry> =>
  devs.flatMap((d) => (d._tag !== 'Bridge' && 'placement' in d && d.placement._tag === 'Pci' && d.placement.bus === bus ? [{ slot: d.placement.slot, id: deviceId(d), kind: kindOf(d) }] : []))

/** The root bus: the arch's, or the bus bridges and unbridged devices sit on. */
const rootOf = (plan: Plan, ctx: TopologyContext, assigned: ReadonlySet<string>): Topology['root'] => {
  const devs = plan.devices
  const bridgeIds = new Set(plan.state.bridges.map((b) => b.id))
  const bus =
    ctx.rootBus?.bus ??
    devs.flatMap((d) => (d._tag === 'Bridge' ? [d.bus] : 'placement' in d && d.placement._tag === 'Pci' && !bridgeIds.has(d.placement.bus) ? [d.placement.bus] : []))[0]
  if (bus === undefined) return undefined
  const slots = [
    ...(ctx.rootBus?.reserved ?? []).map((slot) => ({ slot, id: undefined, kind: 'machine' })),
    ...devs.flatMap((d) => (d._tag === 'Bridge' && d.bus === bus ? [{ slot: d.addr, id: d.id, kind: kindOf(d) }] : [])),
    ...placedOn(devs, bus).map((e) => (e.id !== undefined && assigned.has(e.id) ? { ...e, kind: `${e.kind}, QEMU-assigned` } : e)),
  ].sort((x, y) => x.slot - y.slot)
  const taken = new Set(slots.map((x) => x.slot))
  return { bus, slots, free: Array.from({ length: pciSlots }, (_, i) => i).filter((i) => !taken.has(i)) }
}

const capacityOf = (plan: Plan, ctx: TopologyContext, root: Topology['root'], bridges: ReadonlyArray<BridgeNode>): Capacity => {
  const hotplugBridges = bridges.filter((b) => (plan.transport === 'ccw' ? b.type === 'ccw' : b.type !== 'ccw'))
  const nvdimms = plan.devices.filter((d) => d._tag === 'Nvdimm')
  const nvMiB = nvdimms.reduce((n, d) => n + Math.ceil(d.size / 2 ** 20), 0)
  return {
    bridgeSlots: hotplugBridges.reduce((n, b) => n + b.free, 0),
    rootSlots: root?.free.length ?? 0,
    memory: { hotplug: ctx.memoryHotplug, slots: plan.memory.slots, slotsUsed: nvdimms.length, headroomMiB: Math.max(0, plan.memory.maxMemMiB - plan.memory.sizeMiB - nvMiB) },
    vcpus: { cpus: plan.smp.cpus, max: plan.smp.maxCpus, free: Math.max(0, plan.smp.maxCpus - plan.smp.cpus) },
  }
}

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/**
 * Refuse a plan whose topology cannot hold the declared hot-plug needs. Block devices take bridge
 * slots with `virtio-blk` (CCW numbers with `virtio-blk-ccw`), memory slots with `nvdimm`, and
 * nothing countable with `virtio-scsi` (they go on the SCSI bus); network devices take bridge
 * slots; VFIO devices take bridge slots, or root-bus slots with `hotplug_vfio_on_root_bus`.
 *
 * @since 0.1.0
 * @category planning
 */
export const checkHotplug = (plan: Plan, needs: HotplugNeeds, config: HotplugConfig, ctx: TopologyContext): E.Either<PlanError, Plan> => {
  const cap = topology(plan, ctx).capacity
  const blockOnBridges = config.blockDeviceDriver === 'virtio-blk' || config.blockDeviceDriver === 'virtio-blk-ccw'
  const onBridges: ReadonlyArray<readonly [keyof HotplugNeeds, number]> = [
    ['blockDevices', blockOnBridges ? needs.blockDevices ?? 0 : 0],
    ['networkDevices', needs.networkDevices ?? 0],
    ['vfioDevices', config.hotplugVfioOnRootBus && plan.transport === 'pci' ? 0 : needs.vfioDevices ?? 0],
  ]
  const resource = plan.transport === 'ccw' ? 'free CCW device numbers' : 'free hot-plug bridge slots'
  let total = 0
  for (const [field, n] of onBridges) {
    total += n
    if (n > 0 && total > cap.bridgeSlots) return E.left(noHotplugCapacity({ field: `hotplug.${field}`, resource, needed: total, available: cap.bridgeSlots }))
  }
  const vfioRoot = config.hotplugVfioOnRootBus && plan.transport === 'pci' ? needs.vfioDevices ?? 0 : 0
  if (vfioRoot > cap.rootSlots) return E.left(noHotplugCapacity({ field: 'hotplug.vfioDevices', resource: 'free root-bus slots', needed: vfioRoot, available: cap.rootSlots }))
  const m = cap.memory
  const freeMemSlots = m.hotplug ? m.slots - m.slotsUsed : 0
  const nvBlocks = config.blockDeviceDriver === 'nvdimm' ? needs.blockDevices ?? 0 : 0
  if (nvBlocks > freeMemSlots) return E.left(noHotplugCapacity({ field: 'hotplug.blockDevices', resource: 'free memory slots (nvdimm block devices)', needed: nvBlocks, available: freeMemSlots }))
  const mem = needs.memoryMiB ?? 0
  if (mem > 0 && freeMemSlots - nvBlocks < 1)
    return E.left(noHotplugCapacity({ field: 'hotplug.memoryMiB', resource: 'free memory slots', needed: nvBlocks + 1, available: freeMemSlots }))
  if (mem > m.headroomMiB) return E.left(noHotplugCapacity({ field: 'hotplug.memoryMiB', resource: 'MiB below maxmem', needed: mem, available: m.headroomMiB }))
  const cpus = needs.vcpus ?? 0
  if (cpus > cap.vcpus.free) return E.left(noHotplugCapacity({ field: 'hotplug.vcpus', resource: 'vCPUs below maxcpus', needed: cpus, available: cap.vcpus.free }))
  return E.right(plan)
}
