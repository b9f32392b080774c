/**
 * What QEMU says it has, set against what a plan says it has: before a hot-plug sends anything,
 * the devices, vCPUs and DIMMs of the state file must be the ones QEMU lists, PCI devices and
 * bridges at the slots the plan gives them (`query-pci`), CCW devices at their devno. A
 * contradiction (a hand-edited or stale state file, a device added behind qemu-plan's back) is a
 * `StateMismatch`: planning on it would hot-plug into a taken slot or predict a wrong guest path.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { placementOf } from './devices/registry.ts'
import { stateMismatch, type StateMismatch } from './errors.ts'
import type { PciDeviceInfo } from './qmp/commands.ts'
import type { Plan } from './vm.ts'

/** @since 0.3.0 @category model */
export interface Observed {
  /** The ids under `/machine/peripheral`. */
  readonly peripherals: ReadonlyArray<string>
  /** `query-pci`'s root buses (PCI machines only). */
  readonly pci: ReadonlyArray<{ readonly devices: ReadonlyArray<PciDeviceInfo> }> | undefined
  /** The devno of each CCW device of the plan, as QEMU has it. */
  readonly devnos: Readonly<Record<string, string>>
}

/** Where `query-pci` has each device with an id: the bridge it sits behind (`''` for a root bus), and its slot. */
const pciPlaces = (buses: NonNullable<Observed['pci']>): ReadonlyMap<string, { readonly behind: string; readonly slot: number }> => {
  const out = new Map<string, { behind: string; slot: number }>()
  const walk = (devices: ReadonlyArray<PciDeviceInfo>, behind: string): void => {
    for (const d of devices) {
      if (d.qdev_id !== '') out.set(d.qdev_id, { behind, slot: d.slot })
      if (d.pci_bridge?.devices !== undefined) walk(d.pci_bridge.devices, d.qdev_id)
    }
  }
  for (const b of buses) walk(b.devices, '')
  return out
}

/**
 * The first contradiction between a plan and what QEMU has, if any.
 *
 * @since 0.3.0
 * @category planning
 */
export const contradiction = (plan: Plan, seen: Observed): E.Either<StateMismatch, void> => {
  const planned = new Set([
    ...plan.devices.map((d) => d.id),
    ...plan.hotplugged.cpus.map((c) => c.id),
    ...plan.hotplugged.dimms.map((d) => d.deviceId),
  ])
  const present = new Set(seen.peripherals)
  for (const id of planned)
    if (!present.has(id)) return E.left(stateMismatch({ field: `device ${id}`, reason: 'the state file has it, QEMU does not' }))
  for (const id of present)
    if (!planned.has(id)) return E.left(stateMismatch({ field: `device ${id}`, reason: 'QEMU has it, the state file does not' }))
  const bridgeIds = new Set(plan.state.bridges.map((b) => b.id))
  const places = seen.pci === undefined ? undefined : pciPlaces(seen.pci)
  for (const d of plan.devices) {
    const p = placementOf(d)
    if (p._tag === 'Pci' && places !== undefined) {
      const at = places.get(d.id)
      const behind = bridgeIds.has(p.bus) && d._tag !== 'Bridge' ? p.bus : ''
      if (at === undefined || at.behind !== behind || at.slot !== p.slot)
        return E.left(
          stateMismatch({
            field: `device ${d.id}`,
            reason: `the state file has it on ${p.bus} slot ${p.slot}, QEMU ${at === undefined ? 'has it on no PCI bus' : `on ${at.behind || 'the root bus'} slot ${at.slot}`}`,
          }),
        )
    }
    if (p._tag === 'Ccw' && seen.devnos[d.id] !== p.devno)
      return E.left(
        stateMismatch({
          field: `device ${d.id}`,
          reason: `the state file has it at ${p.devno}, QEMU at ${seen.devnos[d.id] ?? 'no devno'}`,
        }),
      )
  }
  return E.right(undefined)
}
