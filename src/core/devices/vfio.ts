/**
 * `-device vfio-pci` / `vfio-ccw` (govmm `VFIODevice`, Kata `appendVFIODevice` and
 * `hotplugVFIODevice`): a host device passed through by PCI address. govmm printed the
 * `x-pci-*` ids on PCI and, on s390x, an empty `devno=` (Kata never placed VFIO devices on the
 * CCW bridge). Hot-plug sends `romfile=""` as Kata did, so the host device's option ROM stays
 * hidden.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text } from '../input/decode.ts'
import { PlacementCodec, optional } from './codecs.ts'
import { execute } from '../qmp/action.ts'
import { showPlacement, type Placement } from './placement.ts'
import { devno, driver, pciOnly, place, qemuId, resolve, romfile, toArguments, type Switch } from './profile.ts'
import { props, switches, type DeviceModule } from './module.ts'
import { isFamily, readPlacement, sameTransport } from './read.ts'

/** The driver role, made once (an option list is built on every render). */
const vfioDriver = driver('vfio')

/** @since 0.1.0 @category model */
export interface Vfio {
  readonly _tag: 'Vfio'
  readonly id: string
  /** The host device's PCI address (`[dddd:]bb:ss.f`)… */
  readonly bdf: string | undefined
  /** …or, for a mediated device, its sysfs path (`/sys/bus/mdev/devices/<uuid>`). */
  readonly sysfsdev: string | undefined
  readonly vendorId: string | undefined
  readonly deviceId: string | undefined
  readonly placement: Placement
}

/** Kata's `vfio-<n>` for the n-th VFIO device. @since 0.3.0 @category constructors */
export const idOf = (n: number): string => `vfio-${n}`

/** @since 0.3.0 @category constructors */
export const make = (
  v: { readonly bdf: string; readonly vendorId?: string | undefined; readonly deviceId?: string | undefined },
  id: string,
  placement: Placement,
): Vfio => ({ _tag: 'Vfio', id, bdf: v.bdf, sysfsdev: undefined, vendorId: v.vendorId, deviceId: v.deviceId, placement })

/** A mediated device (Kata's `VFIODeviceMediatedType`), by its sysfs path. @since 0.3.0 @category constructors */
export const mediated = (sysfsdev: string, id: string, placement: Placement): Vfio => ({
  _tag: 'Vfio',
  id,
  bdf: undefined,
  sysfsdev,
  vendorId: undefined,
  deviceId: undefined,
  placement,
})

const device = (d: Vfio): Switch => ({
  flag: '-device',
  items: [
    vfioDriver,
    ['host', d.bdf],
    ['sysfsdev', d.sysfsdev],
    pciOnly('x-pci-vendor-id', d.vendorId),
    pciOnly('x-pci-device-id', d.deviceId),
    qemuId(d.id),
    romfile,
    devno(d.placement),
    place(d.placement),
  ],
})

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Vfio> = t.type({
  _tag: t.literal('Vfio'),
  id: Text,
  bdf: optional(Text),
  sysfsdev: optional(Text),
  vendorId: optional(Text),
  deviceId: optional(Text),
  placement: PlacementCodec,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<Vfio> = {
  codec,
  vocabulary: { drivers: ['vfio-pci', 'vfio-ccw'], objects: [] },
  onBus: true,
  placement: (d) => d.placement,
  claims: (d) => [['device', d.id]],
  source: () => 'vfio',
  problem: () => undefined,
  render: (d) => switches(device(d)),
  parse: {
    drivers: isFamily('vfio'),
    read: (r, c, drv) => {
      sameTransport(r, drv, c.transport)
      const bdf = r.str('host')
      const sysfsdev = r.str('sysfsdev')
      if ((bdf === undefined) === (sysfsdev === undefined)) r.fail('a VFIO device in the device model has host= or sysfsdev=, not both')
      const id = r.str('id') ?? idOf(c.count('Vfio'))
      r.fixed('romfile', [''])
      return {
        _tag: 'Vfio',
        id,
        bdf,
        sysfsdev,
        vendorId: r.str('x-pci-vendor-id'),
        deviceId: r.str('x-pci-device-id'),
        placement: readPlacement(r),
      }
    },
  },
  hotplug: {
    add: (d, transport) => [execute('device_add', toArguments(resolve(device(d).items, 'qmp', { transport, fdBase: 0 }), 'driver'))],
    removeBackend: () => [],
  },
  kind: () => 'Vfio',
  view: (d) => ({
    kind: 'Vfio',
    placement: showPlacement(d.placement),
    props: props({ host: d.bdf, sysfsdev: d.sysfsdev, 'x-pci-vendor-id': d.vendorId, 'x-pci-device-id': d.deviceId }),
  }),
}
