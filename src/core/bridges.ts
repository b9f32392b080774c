/**
 * PCI, PCIe and CCW bridges and their slot maps (Kata `types.Bridge`, reference §4), and the
 * allocator of `addDeviceToBridge` / `removeDeviceFromBridge`. Pure: every operation returns new
 * bridges; the inputs are never touched.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { deviceNotOnBridge, noBridges, noBridgeSlot, wrongBridgeType, type PlanError } from './errors.ts'
import { produce } from './immer.ts'

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

const freeSlot = (b: Bridge): number | undefined => {
  for (let i = 1; i <= b.maxCapacity; i++) if (b.devices[i] === undefined) return i
  return undefined
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
      const next = produce(bridges, (draft) => {
        ;(draft[idx] as { devices: Record<number, string> }).devices[slot] = id
      })
      return E.right({ bridges: next, bridge: next[idx] as Bridge, slot, addr: formatSlot(type, slot) })
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
      const slot = Object.keys(b.devices).find((k) => b.devices[Number(k)] === id)
      if (slot === undefined) continue
      return E.right(
        produce(bridges, (draft) => {
          delete (draft[idx] as { devices: Record<number, string> }).devices[Number(slot)]
        }),
      )
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
