/**
 * PCI, PCIe and CCW bridges and their slot maps (Kata `virtcontainers/types/bridges.go`), and the
 * allocator of `addDeviceToBridge` / `removeDeviceFromBridge`. Pure: every operation returns new
 * bridges; the inputs are never touched.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as S from './slots.ts'
import {
  deviceNotOnBridge,
  noBridges,
  noBridgeSlot,
  wrongBridgeType,
  type DeviceNotOnBridge,
  type NoBridges,
  type NoBridgeSlot,
  type WrongBridgeType,
} from './errors.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export type BridgeType = 'pci' | 'pcie' | 'ccw'

/** @since 0.1.0 @category model */
export interface Bridge {
  readonly type: BridgeType
  /** QEMU id of the bridge device (`pci-bridge-0`, …). */
  readonly id: string
  /** Slot of the bridge on the root bus (2 + index for PCI/PCIe; 0 for CCW). */
  readonly addr: number
  /** Slot → device id, as a persistent slot map (read it with `devicesOf`). Slot 0 is never used. */
  readonly slots: S.SlotMap
  readonly maxCapacity: number
}

/** The result of placing a device on a bridge. @since 0.1.0 @category model */
export interface BridgeSlot {
  readonly bridges: ReadonlyArray<Bridge>
  readonly bridge: Bridge
  readonly slot: number
  /** `%02x` of the slot for PCI/PCIe, `%04x` for CCW. */
  readonly addr: string
}

/** `PCIBridgeMaxCapacity` and `CCWBridgeMaxCapacity`. @since 0.1.0 @category model */
export const maxCapacity: Readonly<Record<BridgeType, number>> = { pci: 30, pcie: 30, ccw: 0xffff }

/** The top-level shift of a bridge type's slot map: one level for 32 PCI slots, four for 65536 CCW numbers. */
const shiftOf = (type: BridgeType): number => (type === 'ccw' ? S.topShift(16) : 0)

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A bridge, empty or holding `devices`: slot → id, as a record or as (slot, id) pairs (of two
 * pairs for one slot, the later wins).
 *
 * @see kata types.NewBridge
 * @since 0.1.0
 * @category constructors
 */
export const newBridge = (
  type: BridgeType,
  id: string,
  addr = 0,
  devices?: Readonly<Record<number, string>> | ReadonlyArray<readonly [number, string]>,
): Bridge => ({
  type,
  id,
  addr,
  slots:
    devices === undefined
      ? undefined
      : S.fromEntries(shiftOf(type), Array.isArray(devices) ? devices : Object.entries(devices).map(([k, v]) => [Number(k), v] as const)),
  maxCapacity: maxCapacity[type],
})

/**
 * `n` bridges of one type, ids `<type>-bridge-<i>`.
 *
 * @see kata genericBridges
 * @since 0.1.0
 * @category constructors
 */
export const makeBridges = (type: BridgeType, n: number): ReadonlyArray<Bridge> => {
  // every plan makes its bridges: a loop, not Array.from with a callback (BENCHMARKS.md)
  const out: Array<Bridge> = []
  for (let i = 0; i < n; i++) out.push(newBridge(type, `${type}-bridge-${i}`, type === 'ccw' ? i : 0))
  return out
}

/**
 * How many CCW bridges a machine can have: each one is a subchannel set of the virtual channel
 * subsystem `fe`, and QEMU takes sets 0 to 3 (`devno=fe.4.0001` is "Invalid cssid or ssid").
 * Kata 1.9 left every CCW bridge at address 0, so a second bridge repeated the first one's
 * devnos; here bridge `i` is subchannel set `i`.
 *
 * @since 0.3.0
 * @category model
 */
export const maxCcwBridges = 4

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** Every occupied slot and its device id (Kata's `Bridge.Devices` map), built fresh. @since 0.2.0 @category queries */
export const devicesOf = (b: Bridge): Readonly<Record<number, string>> => Object.fromEntries(S.entries(b.slots, shiftOf(b.type)))

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

// Hot path (one call per placed or freed device). The bridge that changes is rebuilt as a literal
// of the same shape (cheaper than a spread, and it keeps every bridge one hidden class); its slot
// map copies one short array per level; the list copies 5-odd pointers. Nothing is mutated after
// construction: the types are read-only.
const withSlotMap = (b: Bridge, slots: S.SlotMap): Bridge => ({ type: b.type, id: b.id, addr: b.addr, slots, maxCapacity: b.maxCapacity })

const replaceAt = (bs: ReadonlyArray<Bridge>, idx: number, b: Bridge): ReadonlyArray<Bridge> => {
  const next = bs.slice()
  next[idx] = b
  return next
}

const pciSlotNames: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** `%02x` / `%04x` formatting of a slot by bridge type. @since 0.1.0 @category utils */
export const formatSlot = (type: BridgeType, slot: number): string =>
  type !== 'ccw' && slot >= 0 && slot < 256 ? (pciSlotNames[slot] as string) : slot.toString(16).padStart(type === 'ccw' ? 4 : 2, '0')

/**
 * Place `id` on the first bridge of type `type` that has a free slot (lowest slot first).
 *
 * Data-first (`addDeviceToBridge(bridges, id, type)`) or data-last for `pipe`
 * (`addDeviceToBridge(id, type)(bridges)`); the data-first form allocates no closure, which is
 * measurable on the planner's hot path (BENCHMARKS.md).
 *
 * @see kata qemuArchBase.addDeviceToBridge
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { addDeviceToBridge, makeBridges } from 'qemu-plan'
 * const r = addDeviceToBridge('disk', 'pci')(makeBridges('pci', 1))
 * assert.ok(E.isRight(r) && r.right.addr === '01')
 * assert.deepStrictEqual(addDeviceToBridge(makeBridges('pci', 1), 'disk', 'pci'), r)
 * @since 0.1.0
 * @category planning
 */
export function addDeviceToBridge(
  bridges: ReadonlyArray<Bridge>,
  id: string,
  type: BridgeType,
): E.Either<NoBridges | NoBridgeSlot, BridgeSlot>
export function addDeviceToBridge(
  id: string,
  type: BridgeType,
): (bridges: ReadonlyArray<Bridge>) => E.Either<NoBridges | NoBridgeSlot, BridgeSlot>
export function addDeviceToBridge(
  a: ReadonlyArray<Bridge> | string,
  b: string | BridgeType,
  c?: BridgeType,
): E.Either<NoBridges | NoBridgeSlot, BridgeSlot> | ((bridges: ReadonlyArray<Bridge>) => E.Either<NoBridges | NoBridgeSlot, BridgeSlot>) {
  return typeof a === 'string' ? (bridges: ReadonlyArray<Bridge>) => addTo(bridges, a, b as BridgeType) : addTo(a, b, c as BridgeType)
}

const addTo = (bridges: ReadonlyArray<Bridge>, id: string, type: BridgeType): E.Either<NoBridges | NoBridgeSlot, BridgeSlot> => {
  if (bridges.length === 0) return E.left(noBridges)
  const shift = shiftOf(type)
  for (let idx = 0; idx < bridges.length; idx++) {
    const b = bridges[idx] as Bridge
    if (b.type !== type) continue
    const slot = S.lowestFree(b.slots, shift)
    if (slot < 1 || slot > b.maxCapacity) continue
    const bridge = withSlotMap(b, S.set(b.slots, shift, slot, id))
    return E.right({ bridges: replaceAt(bridges, idx, bridge), bridge, slot, addr: formatSlot(type, slot) })
  }
  return E.left(noBridgeSlot({ bridgeType: type, available: [...new Set(bridges.map((x) => x.type))] }))
}

/**
 * Free the first slot holding `id`, on the first bridge (of any type) that has it. Data-first
 * (`removeDeviceFromBridge(bridges, id)`) or data-last (`removeDeviceFromBridge(id)(bridges)`).
 *
 * @see kata qemuArchBase.removeDeviceFromBridge
 * @since 0.1.0
 * @category planning
 */
export function removeDeviceFromBridge(bridges: ReadonlyArray<Bridge>, id: string): E.Either<DeviceNotOnBridge, ReadonlyArray<Bridge>>
export function removeDeviceFromBridge(id: string): (bridges: ReadonlyArray<Bridge>) => E.Either<DeviceNotOnBridge, ReadonlyArray<Bridge>>
export function removeDeviceFromBridge(
  a: ReadonlyArray<Bridge> | string,
  id?: string,
):
  | E.Either<DeviceNotOnBridge, ReadonlyArray<Bridge>>
  | ((bridges: ReadonlyArray<Bridge>) => E.Either<DeviceNotOnBridge, ReadonlyArray<Bridge>>) {
  return typeof a === 'string' ? (bridges: ReadonlyArray<Bridge>) => removeFrom(bridges, a) : removeFrom(a, id as string)
}

const removeFrom = (bridges: ReadonlyArray<Bridge>, id: string): E.Either<DeviceNotOnBridge, ReadonlyArray<Bridge>> => {
  for (let idx = 0; idx < bridges.length; idx++) {
    const b = bridges[idx] as Bridge
    const shift = shiftOf(b.type)
    const slot = S.find(b.slots, shift, id)
    if (slot === undefined) continue
    return E.right(replaceAt(bridges, idx, withSlotMap(b, S.remove(b.slots, shift, slot))))
  }
  return E.left(deviceNotOnBridge({ id }))
}

/** The slot-map entry of a slot a removed device can no longer be replaced in. @since 0.3.0 @category utils */
export const retiredId = (id: string): string => `(retired ${id})`

/** Whether a slot-map entry is a retired slot rather than a device. @since 0.3.0 @category utils */
export const isRetired = (entry: string): boolean => entry.startsWith('(retired ') && entry.endsWith(')')

/**
 * Keep the slot `id` had, as retired: after a surprise removal the guest still holds a device
 * there and never probes the slot again, so nothing new may go into it.
 *
 * @since 0.3.0
 * @category planning
 */
export const retireDeviceOnBridge = (bridges: ReadonlyArray<Bridge>, id: string): E.Either<DeviceNotOnBridge, ReadonlyArray<Bridge>> => {
  for (let idx = 0; idx < bridges.length; idx++) {
    const b = bridges[idx] as Bridge
    const shift = shiftOf(b.type)
    const slot = S.find(b.slots, shift, id)
    if (slot !== undefined) return E.right(replaceAt(bridges, idx, withSlotMap(b, S.set(b.slots, shift, slot, retiredId(id)))))
  }
  return E.left(deviceNotOnBridge({ id }))
}

/**
 * The CCW device number QEMU takes (`fe.<bridge addr %x>.<addr>`).
 *
 * @see kata types.Bridge.AddressFormatCCW
 * @since 0.1.0
 * @category utils
 */
export const addressFormatCCW = (b: Bridge, addr: string): E.Either<WrongBridgeType, string> =>
  b.type === 'ccw' ? E.right(ccwDevno(b, addr)) : E.left(wrongBridgeType({ expected: 'ccw', actual: b.type, bridge: b.id }))

/** `addressFormatCCW` for a bridge already known to be a CCW one (the planner's placement). @since 0.2.0 @category utils */
export const ccwDevno = (b: Bridge, addr: string): string => `fe.${b.addr.toString(16)}.${addr}`

/**
 * The guest-side CCW bus id (`0.<bridge addr %x>.<addr>`).
 *
 * @see kata types.Bridge.AddressFormatCCWForVirtServer
 * @since 0.1.0
 * @category utils
 */
export const addressFormatCCWForVirtServer = (b: Bridge, addr: string): E.Either<WrongBridgeType, string> =>
  b.type === 'ccw'
    ? E.right(`0.${b.addr.toString(16)}.${addr}`)
    : E.left(wrongBridgeType({ expected: 'ccw', actual: b.type, bridge: b.id }))

/** The PCI path of a device behind a bridge, as the guest sees it (`<bridge addr %02x>/<slot %02x>`). @since 0.1.0 @category utils */
export const pciPath = (b: Bridge, slot: number): string => `${formatSlot('pci', b.addr)}/${formatSlot('pci', slot)}`
