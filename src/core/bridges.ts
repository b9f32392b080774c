/**
 * PCI, PCIe and CCW bridges and their slot maps (Kata `types.Bridge`, reference §4), and the
 * allocator of `addDeviceToBridge` / `removeDeviceFromBridge`. Pure: every operation returns new
 * bridges; the inputs are never touched.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { deviceNotOnBridge, noBridges, noBridgeSlot, wrongBridgeType, type PlanError } from './errors.ts'

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
  /** Slot → device id. Slot 0 is never used. */
  readonly devices: Readonly<Record<number, string>>
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

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * @see kata types.NewBridge
 * @since 0.1.0
 * @category constructors
 */
export const newBridge = (type: BridgeType, id: string, addr = 0, devices: Readonly<Record<number, string>> = {}): Bridge => ({
  type,
  id,
  addr,
  devices,
  maxCapacity: maxCapacity[type],
})

/**
 * `n` bridges of one type, ids `<type>-bridge-<i>`.
 *
 * @see kata genericBridges
 * @since 0.1.0
 * @category constructors
 */
export const makeBridges = (type: BridgeType, n: number): ReadonlyArray<Bridge> =>
  Array.from({ length: n }, (_, i) => newBridge(type, `${type}-bridge-${i}`))

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/**
 * A lower bound of each bridge's lowest free slot, kept by add and remove, so a bridge filled in
 * order is searched from where the last add stopped, not from slot 1 (placing n devices on a CCW
 * bridge of 65535 slots would otherwise cost n²/2 probes). It is derived data about immutable
 * values, held outside them: it takes no part in equality or JSON, and a bridge without an entry
 * (built elsewhere, or parsed) is simply searched from slot 1.
 */
const lowestFree = new WeakMap<Bridge, number>()

const freeSlot = (b: Bridge): number | undefined => {
  for (let i = lowestFree.get(b) ?? 1; i <= b.maxCapacity; i++) if (b.devices[i] === undefined) return i
  return undefined
}

// Hot path (one call per placed device): copy only the bridge that changes and its slot map and
// share the rest — what immer's produce did here, without its per-call proxies and freezing
// (measured in BENCHMARKS.md). Nothing mutates a bridge after this; the types are read-only.
const replaceAt = (bridges: ReadonlyArray<Bridge>, idx: number, b: Bridge): ReadonlyArray<Bridge> => {
  const next = bridges.slice()
  next[idx] = b
  return next
}

/** `%02x` / `%04x` formatting of a slot by bridge type. @since 0.1.0 @category utils */
export const formatSlot = (type: BridgeType, slot: number): string => slot.toString(16).padStart(type === 'ccw' ? 4 : 2, '0')

/**
 * Place `id` on the first bridge of type `type` that has a free slot (lowest slot first).
 *
 * @see kata qemuArchBase.addDeviceToBridge
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { addDeviceToBridge, makeBridges } from 'qemu-plan/src/core/bridges.ts'
 * const r = addDeviceToBridge('disk', 'pci')(makeBridges('pci', 1))
 * assert.ok(E.isRight(r) && r.right.addr === '01')
 * @since 0.1.0
 * @category planning
 */
export const addDeviceToBridge =
  (id: string, type: BridgeType) =>
  (bridges: ReadonlyArray<Bridge>): E.Either<PlanError, BridgeSlot> => {
    if (bridges.length === 0) return E.left(noBridges)
    for (let idx = 0; idx < bridges.length; idx++) {
      const b = bridges[idx] as Bridge
      if (b.type !== type) continue
      const slot = freeSlot(b)
      if (slot === undefined) continue
      const bridge: Bridge = { ...b, devices: { ...b.devices, [slot]: id } }
      lowestFree.set(bridge, slot + 1)
      return E.right({ bridges: replaceAt(bridges, idx, bridge), bridge, slot, addr: formatSlot(type, slot) })
    }
    return E.left(noBridgeSlot({ bridgeType: type, available: [...new Set(bridges.map((b) => b.type))] }))
  }

/**
 * Free the first slot holding `id`, on the first bridge (of any type) that has it.
 *
 * @see kata qemuArchBase.removeDeviceFromBridge
 * @since 0.1.0
 * @category planning
 */
export const removeDeviceFromBridge =
  (id: string) =>
  (bridges: ReadonlyArray<Bridge>): E.Either<PlanError, ReadonlyArray<Bridge>> => {
    for (let idx = 0; idx < bridges.length; idx++) {
      const b = bridges[idx] as Bridge
      let slot: number | undefined
      for (const k in b.devices)
        if (b.devices[k as unknown as number] === id) {
          slot = Number(k)
          break
        }
      if (slot === undefined) continue
      const { [slot]: _gone, ...devices } = b.devices
      const bridge: Bridge = { ...b, devices }
      lowestFree.set(bridge, Math.min(lowestFree.get(b) ?? 1, slot))
      return E.right(replaceAt(bridges, idx, bridge))
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
export const addressFormatCCW = (b: Bridge, addr: string): E.Either<PlanError, string> =>
  b.type === 'ccw' ? E.right(`fe.${b.addr.toString(16)}.${addr}`) : E.left(wrongBridgeType({ expected: 'ccw', actual: b.type, bridge: b.id }))

/**
 * The guest-side CCW bus id (`0.<bridge addr %x>.<addr>`).
 *
 * @see kata types.Bridge.AddressFormatCCWForVirtServer
 * @since 0.1.0
 * @category utils
 */
export const addressFormatCCWForVirtServer = (b: Bridge, addr: string): E.Either<PlanError, string> =>
  b.type === 'ccw' ? E.right(`0.${b.addr.toString(16)}.${addr}`) : E.left(wrongBridgeType({ expected: 'ccw', actual: b.type, bridge: b.id }))

/** The PCI path of a device behind a bridge, as the guest sees it (`<bridge addr %02x>/<slot %02x>`). @since 0.1.0 @category utils */
export const pciPath = (b: Bridge, slot: number): string => `${formatSlot('pci', b.addr)}/${formatSlot('pci', slot)}`
