/**
 * `-device pci-bridge` / `pcie-pci-bridge` (govmm `BridgeDevice`): the bridges Kata hot-plugs
 * behind. A PCI bridge has a chassis number and SHPC; virt's `pcie-pci-bridge` has neither.
 * govmm printed the root-bus slot with `%x`, QEMU is told `0x%x`.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text, UInt } from '../input/decode.ts'
import { PciSlot } from './codecs.ts'
import { parseUInt } from '../parse/reader.ts'
import { type Item, romfile, slot } from './profile.ts'
import { props, switches, type DeviceModule } from './module.ts'

/** @since 0.1.0 @category model */
export interface Bridge {
  readonly _tag: 'Bridge'
  readonly type: 'pci' | 'pcie'
  /** The root bus it hangs off. */
  readonly bus: string
  readonly id: string
  readonly chassis: number
  readonly shpc: boolean
  /** Its slot on the root bus. */
  readonly addr: number
}

const driverOf = (b: Bridge): string => (b.type === 'pci' ? 'pci-bridge' : 'pcie-pci-bridge')

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Bridge> = t.type({
  _tag: t.literal('Bridge'),
  type: t.union([t.literal('pci'), t.literal('pcie')]),
  bus: Text,
  id: Text,
  chassis: UInt,
  shpc: t.boolean,
  addr: PciSlot,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<Bridge> = {
  codec,
  vocabulary: { drivers: ['pci-bridge', 'pcie-pci-bridge'], objects: [] },
  onBus: true,
  placement: (b) => ({ _tag: 'Pci', bus: b.bus, slot: b.addr }),
  claims: (b) => [['device', b.id]],
  source: () => 'default_bridges',
  problem: () => undefined,
  render: (b) => {
    const pciOnly: ReadonlyArray<Item> =
      b.type === 'pci'
        ? [
            ['chassis_nr', b.chassis],
            ['shpc', b.shpc],
          ]
        : []
    return switches({ flag: '-device', items: [driverOf(b), ['bus', b.bus], ['id', b.id], ...pciOnly, slot('addr', b.addr), romfile] })
  },
  parse: {
    drivers: (drv) => drv === 'pci-bridge' || drv === 'pcie-pci-bridge',
    read: (r, _c, drv) => {
      const type = drv === 'pci-bridge' ? 'pci' : 'pcie'
      const bus = r.req('bus')
      const id = r.req('id')
      const chassis = type === 'pci' ? r.int('chassis_nr') : 0
      const shpc = type === 'pci' ? r.bool('shpc') : false
      if (chassis === undefined || shpc === undefined) r.fail('a pci-bridge in the device model has chassis_nr= and shpc=')
      const addr = parseUInt(r.req('addr'), 16)
      if (addr === undefined || addr > 31) r.fail('addr= is not a PCI slot')
      r.fixed('romfile', [''])
      return { _tag: 'Bridge', type, bus, id, chassis: chassis ?? 0, shpc: shpc ?? false, addr: addr ?? 0 }
    },
  },
  hotplug: undefined,
  kind: driverOf,
  view: (b) => ({
    kind: `Bridge/${b.type}`,
    placement: `${b.bus}:0x${b.addr.toString(16)}`,
    props: props(b.type === 'pci' ? { chassis_nr: b.chassis, shpc: b.shpc } : {}),
  }),
}
