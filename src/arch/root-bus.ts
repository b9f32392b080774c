/**
 * The machine's root PCI bus: its free slots (the machine's own devices take some), and the slot
 * map the planner fills for the devices it places there explicitly.
 *
 * @since 0.3.0
 */
import * as S from '../core/slots.ts'
import type { ArchState, RootBus } from '../core/vm.ts'

const reservedMask = (rb: RootBus): number => {
  let m = 0
  for (let i = 0; i < rb.reserved.length; i++) m |= 1 << (rb.reserved[i] as number)
  return m
}

/** Lowest free slot on the root bus, or `undefined`. @since 0.1.0 @category utils */
export const freeRootSlot = (rb: RootBus, used: S.SlotMap): number | undefined => {
  const slot = S.lowestFreeLeaf(used, reservedMask(rb))
  return slot < 0 ? undefined : slot
}

/** The root-bus slot map as a slot → device id record, built fresh. @since 0.2.0 @category utils */
export const rootSlotsOf = (s: Pick<ArchState, 'rootSlots'>): Readonly<Record<number, string>> =>
  Object.fromEntries(S.entries(s.rootSlots, 0))
