/**
 * `-device virtio-9p-pci|ccw` + `-fsdev local` (govmm `FSDevice`): a shared directory, by its
 * mount tag. The id is `extra-9p-<tag>` cut to Kata's 31 bytes; the tag is kept whole.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text } from '../input/decode.ts'
import { PlacementCodec } from './codecs.ts'
import { maxDevIdSize, truncateBytes } from '../ids.ts'
import * as Fsdev from './backends/fsdev-local.ts'
import { showPlacement, type Placement } from './placement.ts'
import { driver, romfile } from './profile.ts'
import { devnoOf, filled, modernOf, pairOf, placeOf, qemuIdOf, template } from './template.ts'
import { props, switches, type DeviceModule } from './module.ts'
import { isFamily, readPlacement, readVirtio, sameId, sameTransport } from './read.ts'

/** The driver role, made once (an option list is built on every render). */
const ninepDriver = driver('virtio-9p')

/** @since 0.1.0 @category model */
export interface Share {
  readonly _tag: 'Fs9p'
  /** The device's id and its fsdev's. */
  readonly id: string
  readonly path: string
  readonly mountTag: string
  readonly disableModern: boolean
  readonly placement: Placement
}

/** @since 0.3.0 @category constructors */
export const idOf = (mountTag: string): string => truncateBytes(`extra-9p-${mountTag}`, maxDevIdSize)

/** @since 0.3.0 @category constructors */
export const make = (
  v: { readonly mountTag: string; readonly hostPath: string },
  at: { readonly placement: Placement; readonly nested: boolean },
): Share => ({
  _tag: 'Fs9p',
  id: idOf(v.mountTag),
  path: v.hostPath,
  mountTag: v.mountTag,
  disableModern: at.nested,
  placement: at.placement,
})

/** The `-device` option list, compiled once per dialect and transport (`template`). */
const device = template<Share>('-device', [
  ninepDriver,
  modernOf(),
  pairOf('fsdev', (d) => d.id),
  pairOf('mount_tag', (d) => d.mountTag),
  qemuIdOf(),
  romfile,
  devnoOf(),
  placeOf(),
])

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Share> = t.type({
  _tag: t.literal('Fs9p'),
  id: Text,
  path: Text,
  mountTag: Text,
  disableModern: t.boolean,
  placement: PlacementCodec,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<Share> = {
  codec,
  vocabulary: { drivers: ['virtio-9p-pci', 'virtio-9p-ccw'], objects: [] },
  onBus: true,
  placement: (d) => d.placement,
  claims: (d) => [
    ['device', d.id],
    ['fsdev', d.id],
  ],
  source: () => 'volume',
  problem: () => undefined,
  render: (d) => switches(filled(device, d), Fsdev.render(d.id, d.path)),
  parse: {
    drivers: isFamily('virtio-9p'),
    read: (r, c, drv) => {
      sameTransport(r, drv, c.transport)
      const b = c.use(r, r.req('fsdev'), 'fsdev', ['Fsdev'])
      const mountTag = r.req('mount_tag')
      if (b === undefined) return undefined
      sameId(r, b.id)
      return { _tag: 'Fs9p', id: b.id, path: b.path, mountTag, disableModern: readVirtio(r), placement: readPlacement(r) }
    },
  },
  hotplug: undefined,
  kind: () => 'Fs9p',
  view: (d) => ({
    kind: 'Fs9p',
    placement: showPlacement(d.placement),
    props: props({ path: d.path, mount_tag: d.mountTag, 'disable-modern': d.disableModern }),
  }),
}
