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
import type { Device } from './devices/model.ts'
import { ccwNumber, ccwSet } from './devices/placement.ts'
import { kindOf, onBus, placementOf } from './devices/registry.ts'
import { noHotplugCapacity, unsupported, type NoHotplugCapacity, type Unsupported } from './errors.ts'
import type { Plan } from './vm.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

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

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const pciSlots = 32

/** A PCI or CCW device other than a bridge, and where it is. */
const busPlacement = (d: Device) => (d._tag !== 'Bridge' && onBus(d) ? placementOf(d) : undefined)

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
export const assignPlacements = (plan: Plan): Plan => {
  const rb = plan.facts.rootBus
  if (rb === undefined || plan.transport !== 'pci') return plan
  const taken = new Set<number>(rb.reserved)
  for (const d of plan.devices) {
    const p = d._tag === 'Bridge' ? placementOf(d) : busPlacement(d)
    if (p?._tag === 'Pci' && p.bus === rb.bus) taken.add(p.slot)
  }
  let rootSlots = plan.state.rootSlots
  let next = 0
  const devices = plan.devices.map((d): Device => {
    if (busPlacement(d)?._tag !== 'None' || !('placement' in d)) return d
    while (next < pciSlots && taken.has(next)) next++
    if (next >= pciSlots) return d
    const slot = next
    taken.add(slot)
    rootSlots = S.set(rootSlots, 0, slot, d.id)
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
export const topology = (given: Plan): Topology => {
  const plan = assignPlacements(given)
  const devs = plan.devices
  const assigned = new Set(devs.filter((d, i) => d !== given.devices[i]).map((d) => d.id))
  const root = plan.transport === 'ccw' ? undefined : rootOf(plan, assigned)
  const ccwDevices = new Map(devs.flatMap((d) => (busPlacement(d)?._tag === 'Ccw' ? [[d.id, d] as const] : [])))
  const bridges = plan.state.bridges.map((b): BridgeNode => {
    // a bridge's slot map says which devices are its own; without one, the devices of its
    // subchannel set (a devno fe.<set>.<number> names its bridge by the set)
    const own = devicesOf(b)
    const ccwByMap = (): ReadonlyArray<SlotEntry> =>
      Object.entries(own).flatMap(([slot, id]) => {
        const d = ccwDevices.get(id)
        return d === undefined ? [] : [{ slot: Number(slot), id, kind: kindOf(d) }]
      })
    const slots =
      b.type === 'ccw'
        ? Object.keys(own).length > 0
          ? ccwByMap()
          : devs.flatMap((d) => {
              const p = busPlacement(d)
              return p?._tag === 'Ccw' && ccwSet(p.devno) === b.addr ? [{ slot: ccwNumber(p.devno), id: d.id, kind: kindOf(d) }] : []
            })
        : placedOn(devs, b.id)
    const used = new Set([...slots.map((x) => x.slot), ...Object.keys(own).map(Number)])
    return {
      id: b.id,
      type: b.type,
      addr: b.addr,
      slots: [...slots].sort((x, y) => x.slot - y.slot),
      capacity: b.maxCapacity,
      free: b.maxCapacity - used.size,
    }
  })
  return {
    transport: plan.transport,
    machine: plan.machine.type,
    root,
    bridges,
    unplaced: devs.flatMap((d) => (busPlacement(d)?._tag === 'None' ? [{ id: d.id, kind: kindOf(d) }] : [])),
    offBus: devs.flatMap((d) => (onBus(d) ? [] : [{ id: d.id, kind: kindOf(d) }])),
    capacity: capacityOf(plan, root, bridges),
  }
}

const placedOn = (devs: ReadonlyArray<Device>, bus: string): ReadonlyArray<SlotEntry> =>
  devs.flatMap((d) => {
    const p = busPlacement(d)
    return p?._tag === 'Pci' && p.bus === bus ? [{ slot: p.slot, id: d.id, kind: kindOf(d) }] : []
  })

/** The root bus: the arch's, or the bus bridges and unbridged devices sit on. */
const rootOf = (plan: Plan, assigned: ReadonlySet<string>): Topology['root'] => {
  const devs = plan.devices
  const rb = plan.facts.rootBus
  const bridgeIds = new Set(plan.state.bridges.map((b) => b.id))
  const bus =
    rb?.bus ??
    devs.flatMap((d) => {
      if (d._tag === 'Bridge') return [d.bus]
      const p = busPlacement(d)
      return p?._tag === 'Pci' && !bridgeIds.has(p.bus) ? [p.bus] : []
    })[0]
  if (bus === undefined) return undefined
  const slots = [
    ...(rb?.reserved ?? []).map((slot) => ({ slot, id: undefined, kind: 'machine' })),
    ...devs.flatMap((d) => (d._tag === 'Bridge' && d.bus === bus ? [{ slot: d.addr, id: d.id, kind: kindOf(d) }] : [])),
    ...placedOn(devs, bus).map((e) => (e.id !== undefined && assigned.has(e.id) ? { ...e, kind: `${e.kind}, QEMU-assigned` } : e)),
  ].sort((x, y) => x.slot - y.slot)
  const taken = new Set(slots.map((x) => x.slot))
  return { bus, slots, free: Array.from({ length: pciSlots }, (_, i) => i).filter((i) => !taken.has(i)) }
}

const capacityOf = (plan: Plan, root: Topology['root'], bridges: ReadonlyArray<BridgeNode>): Capacity => {
  const hotplugBridges = bridges.filter((b) => (plan.transport === 'ccw' ? b.type === 'ccw' : b.type !== 'ccw'))
  const nvdimms = plan.devices.filter((d) => d._tag === 'Nvdimm')
  const nvMiB = nvdimms.reduce((n, d) => n + Math.ceil(d.size / 2 ** 20), 0)
  const dimmMiB = plan.hotplugged.dimms.reduce((n, d) => n + d.sizeMiB, 0)
  return {
    bridgeSlots: hotplugBridges.reduce((n, b) => n + b.free, 0),
    rootSlots: root?.free.length ?? 0,
    memory: {
      hotplug: plan.facts.memoryHotplug,
      slots: plan.memory.slots,
      slotsUsed: nvdimms.length + plan.hotplugged.dimms.length,
      headroomMiB: Math.max(0, plan.memory.maxMemMiB - plan.memory.sizeMiB - nvMiB - dimmMiB),
    },
    vcpus: { cpus: plan.smp.cpus, max: plan.smp.maxCpus, free: Math.max(0, plan.smp.maxCpus - plan.smp.cpus) },
  }
}

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/** Why memory devices cannot be hot-added here, if they cannot: ask before querying QEMU. @since 0.3.0 @category planning */
export const memoryHotplugRefusal = (plan: Plan, what = 'memory'): Unsupported | undefined =>
  !plan.facts.memoryHotplug
    ? unsupported({ arch: plan.arch, feature: `${what} hot-plug (no guest memory hot-plug on ${plan.machine.type})` })
    : plan.facts.memoryNeedsFirmware && plan.bios === undefined
      ? unsupported({
          arch: plan.arch,
          feature: `${what} hot-plug without firmware: ${plan.machine.type} has no ACPI GED without it (missing acpi-ged device)`,
        })
      : undefined

/** Why vCPUs cannot be hot-added here, if they cannot: ask before querying QEMU. @since 0.3.0 @category planning */
export const cpuHotplugRefusal = (plan: Plan): Unsupported | undefined =>
  plan.facts.cpuHotplug ? undefined : unsupported({ arch: plan.arch, feature: `vCPU hot-plug on ${plan.machine.type}` })

/**
 * Refuse a plan whose topology cannot hold the declared hot-plug needs. Block devices take bridge
 * slots with `virtio-blk` (CCW numbers with `virtio-blk-ccw`), memory slots with `nvdimm`, and
 * nothing countable with `virtio-scsi` (they go on the SCSI bus); network devices take bridge
 * slots; VFIO devices take bridge slots, or root-bus slots with `hotplug_vfio_on_root_bus`.
 *
 * @since 0.1.0
 * @category planning
 */
export const checkHotplug = (plan: Plan, needs: HotplugNeeds): E.Either<NoHotplugCapacity | Unsupported, Plan> => {
  // what the machine cannot hot-add at all is refused as hot-plug itself would refuse it
  const cpuRefused = (needs.vcpus ?? 0) > 0 ? cpuHotplugRefusal(plan) : undefined
  if (cpuRefused !== undefined) return E.left(cpuRefused)
  const memRefused =
    (needs.memoryMiB ?? 0) > 0
      ? memoryHotplugRefusal(plan)
      : (needs.blockDevices ?? 0) > 0 && plan.hotplugConfig.blockDeviceDriver === 'nvdimm'
        ? memoryHotplugRefusal(plan, 'nvdimm block device')
        : undefined
  if (memRefused !== undefined) return E.left(memRefused)
  const config = plan.hotplugConfig
  const cap = topology(plan).capacity
  const blockOnBridges = config.blockDeviceDriver === 'virtio-blk' || config.blockDeviceDriver === 'virtio-blk-ccw'
  const onBridges: ReadonlyArray<readonly [keyof HotplugNeeds, number]> = [
    ['blockDevices', blockOnBridges ? (needs.blockDevices ?? 0) : 0],
    ['networkDevices', needs.networkDevices ?? 0],
    ['vfioDevices', config.hotplugVfioOnRootBus && plan.transport === 'pci' ? 0 : (needs.vfioDevices ?? 0)],
  ]
  const resource = plan.transport === 'ccw' ? 'free CCW device numbers' : 'free hot-plug bridge slots'
  let total = 0
  for (const [field, n] of onBridges) {
    total += n
    if (n > 0 && total > cap.bridgeSlots)
      return E.left(noHotplugCapacity({ field: `hotplug.${field}`, resource, needed: total, available: cap.bridgeSlots }))
  }
  const vfioRoot = config.hotplugVfioOnRootBus && plan.transport === 'pci' ? (needs.vfioDevices ?? 0) : 0
  if (vfioRoot > cap.rootSlots)
    return E.left(
      noHotplugCapacity({ field: 'hotplug.vfioDevices', resource: 'free root-bus slots', needed: vfioRoot, available: cap.rootSlots }),
    )
  const m = cap.memory
  const freeMemSlots = m.hotplug ? m.slots - m.slotsUsed : 0
  const nvBlocks = config.blockDeviceDriver === 'nvdimm' ? (needs.blockDevices ?? 0) : 0
  if (nvBlocks > freeMemSlots)
    return E.left(
      noHotplugCapacity({
        field: 'hotplug.blockDevices',
        resource: 'free memory slots (nvdimm block devices)',
        needed: nvBlocks,
        available: freeMemSlots,
      }),
    )
  const mem = needs.memoryMiB ?? 0
  if (mem > 0 && freeMemSlots - nvBlocks < 1)
    return E.left(
      noHotplugCapacity({ field: 'hotplug.memoryMiB', resource: 'free memory slots', needed: nvBlocks + 1, available: freeMemSlots }),
    )
  if (mem > m.headroomMiB)
    return E.left(noHotplugCapacity({ field: 'hotplug.memoryMiB', resource: 'MiB below maxmem', needed: mem, available: m.headroomMiB }))
  const cpus = needs.vcpus ?? 0
  if (cpus > cap.vcpus.free)
    return E.left(noHotplugCapacity({ field: 'hotplug.vcpus', resource: 'vCPUs below maxcpus', needed: cpus, available: cap.vcpus.free }))
  return E.right(plan)
}
