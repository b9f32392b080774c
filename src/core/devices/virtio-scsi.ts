/**
 * `-device virtio-scsi-pci|ccw` (govmm `SCSIController`): the controller Kata's default
 * `block_device_driver` hot-plugs disks onto, with its I/O thread when `enable_iothreads` is set
 * (the `-object iothread` is printed near the end of the command line, as govmm did).
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text } from '../input/decode.ts'
import { PlacementCodec, optional } from './codecs.ts'
import { showPlacement, type Placement } from './placement.ts'
import { driver, romfile } from './profile.ts'
import { devnoOf, filled, modernOf, pairOf, placeOf, template } from './template.ts'
import { props, switches, type DeviceModule } from './module.ts'
import { isFamily, readPlacement, readVirtio, sameTransport } from './read.ts'

/** The driver role, made once (an option list is built on every render). */
const scsiDriver = driver('virtio-scsi')

/** @since 0.1.0 @category model */
export interface ScsiController {
  readonly _tag: 'Scsi'
  readonly id: string
  readonly ioThread: string | undefined
  readonly disableModern: boolean
  readonly placement: Placement
}

/** Kata's `scsi0`, with `iothread-<16 hex>` when I/O threads are on. @since 0.3.0 @category constructors */
export const make = (ioThreadHex: string | undefined, at: { readonly placement: Placement; readonly nested: boolean }): ScsiController => ({
  _tag: 'Scsi',
  id: 'scsi0',
  ioThread: ioThreadHex === undefined ? undefined : `iothread-${ioThreadHex}`,
  disableModern: at.nested,
  placement: at.placement,
})

/** The `-device` option list, compiled once per dialect and transport (`template`). */
const device = template<ScsiController>('-device', [
  scsiDriver,
  pairOf('id', (d) => d.id),
  modernOf(),
  pairOf('iothread', (d) => d.ioThread),
  romfile,
  devnoOf(),
  placeOf(),
])

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, ScsiController> = t.type({
  _tag: t.literal('Scsi'),
  id: Text,
  ioThread: optional(Text),
  disableModern: t.boolean,
  placement: PlacementCodec,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<ScsiController> = {
  codec,
  vocabulary: { drivers: ['virtio-scsi-pci', 'virtio-scsi-ccw'], objects: ['iothread'] },
  onBus: true,
  placement: (d) => d.placement,
  claims: (d) =>
    d.ioThread === undefined
      ? [['device', d.id]]
      : [
          ['device', d.id],
          ['object', d.ioThread],
        ],
  source: () => 'block_device_driver',
  problem: () => undefined,
  render: (d) => switches(filled(device, d)),
  parse: {
    drivers: isFamily('virtio-scsi'),
    read: (r, c, drv) => {
      sameTransport(r, drv, c.transport)
      const id = r.req('id')
      const ioThread = r.str('iothread')
      if (ioThread !== undefined) c.use(r, ioThread, 'object', ['IoThread'])
      return { _tag: 'Scsi', id, ioThread, disableModern: readVirtio(r), placement: readPlacement(r) }
    },
  },
  hotplug: undefined,
  kind: () => 'Scsi',
  view: (d) => ({
    kind: 'Scsi',
    placement: showPlacement(d.placement),
    props: props({ iothread: d.ioThread, 'disable-modern': d.disableModern }),
  }),
}
