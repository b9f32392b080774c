/**
 * `-object rng-random` + `-device virtio-rng-pci|ccw` (govmm `RngDevice`): entropy from the
 * host's `entropy_source`. govmm kept the bare `virtio-rng` alias.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text } from '../input/decode.ts'
import { PlacementCodec } from './codecs.ts'
import * as Rng from './backends/rng-random.ts'
import { showPlacement, type Placement } from './placement.ts'
import { driver, romfile } from './profile.ts'
import { devnoOf, filled, pairOf, placeOf, qemuIdOf, template } from './template.ts'
import { props, switches, type DeviceModule } from './module.ts'
import { isFamily, readPlacement, sameId, sameTransport } from './read.ts'

/** The driver role, made once (an option list is built on every render). */
const rngDriver = driver('virtio-rng', { alias: true })

/** @since 0.1.0 @category model */
export interface Entropy {
  readonly _tag: 'Rng'
  /** The device's id and its backend object's. */
  readonly id: string
  readonly filename: string
  readonly placement: Placement
}

/** @since 0.3.0 @category constructors */
export const make = (rng: { readonly id: string; readonly filename: string }, placement: Placement): Entropy => ({
  _tag: 'Rng',
  id: rng.id,
  filename: rng.filename,
  placement,
})

/** The `-device` option list, compiled once per dialect and transport (`template`). */
const device = template<Entropy>('-device', [rngDriver, pairOf('rng', (d) => d.id), qemuIdOf(), romfile, devnoOf(), placeOf()])

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Entropy> = t.type({ _tag: t.literal('Rng'), id: Text, filename: Text, placement: PlacementCodec })

/** @since 0.3.0 @category model */
export const module: DeviceModule<Entropy> = {
  codec,
  vocabulary: { drivers: ['virtio-rng-pci', 'virtio-rng-ccw'], objects: ['rng-random'] },
  onBus: true,
  placement: (d) => d.placement,
  claims: (d) => [
    ['device', d.id],
    ['object', d.id],
  ],
  source: () => 'entropy_source',
  problem: () => undefined,
  render: (d) => switches(Rng.render(d.id, d.filename), filled(device, d)),
  parse: {
    drivers: isFamily('virtio-rng', true),
    read: (r, c, drv) => {
      sameTransport(r, drv, c.transport)
      const b = c.use(r, r.req('rng'), 'object', ['RngRandom'])
      if (b === undefined) return undefined
      sameId(r, b.id)
      r.fixed('romfile', [''])
      return { _tag: 'Rng', id: b.id, filename: b.filename, placement: readPlacement(r) }
    },
  },
  hotplug: undefined,
  kind: () => 'Rng',
  view: (d) => ({ kind: 'Rng', placement: showPlacement(d.placement), props: props({ filename: d.filename }) }),
}
