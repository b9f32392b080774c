/**
 * `-device virtio-serial-pci|ccw` (govmm `SerialDevice`): the controller the console and the
 * agent's serial ports sit on.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text } from '../input/decode.ts'
import { PlacementCodec } from './codecs.ts'
import { showPlacement, type Placement } from './placement.ts'
import { driver, romfile } from './profile.ts'
import { devnoOf, filled, modernOf, pairOf, placeOf, template } from './template.ts'
import { props, switches, type DeviceModule } from './module.ts'
import { isFamily, readPlacement, readVirtio, sameTransport } from './read.ts'

/** The driver role, made once (an option list is built on every render). */
const serialDriver = driver('virtio-serial')

/** @since 0.1.0 @category model */
export interface Serial {
  readonly _tag: 'Serial'
  readonly id: string
  readonly disableModern: boolean
  readonly placement: Placement
}

/** @since 0.3.0 @category constructors */
export const make = (id: string, at: { readonly placement: Placement; readonly nested: boolean }): Serial => ({
  _tag: 'Serial',
  id,
  disableModern: at.nested,
  placement: at.placement,
})

/** The `-device` option list, compiled once per dialect and transport (`template`). */
const device = template<Serial>('-device', [serialDriver, modernOf(), pairOf('id', (d) => d.id), romfile, devnoOf(), placeOf()])

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Serial> = t.type({
  _tag: t.literal('Serial'),
  id: Text,
  disableModern: t.boolean,
  placement: PlacementCodec,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<Serial> = {
  codec,
  vocabulary: { drivers: ['virtio-serial-pci', 'virtio-serial-ccw'], objects: [] },
  onBus: true,
  placement: (d) => d.placement,
  claims: (d) => [['device', d.id]],
  source: () => 'console',
  problem: () => undefined,
  render: (d) => switches(filled(device, d)),
  parse: {
    drivers: isFamily('virtio-serial'),
    read: (r, c, drv) => {
      sameTransport(r, drv, c.transport)
      const id = r.req('id')
      return { _tag: 'Serial', id, disableModern: readVirtio(r), placement: readPlacement(r) }
    },
  },
  hotplug: undefined,
  kind: () => 'Serial',
  view: (d) => ({ kind: 'Serial', placement: showPlacement(d.placement), props: props({ 'disable-modern': d.disableModern }) }),
}
