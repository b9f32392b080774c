/**
 * `-device virtio-blk-pci|ccw` + `-drive if=none` (govmm `BlockDevice`): a sandbox's block
 * drives, and the rootfs image where the arch attaches it as a disk. govmm kept the bare
 * `virtio-blk` alias and printed `disable-modern=` before `drive=`; QEMU is told the explicit
 * driver, the id and the placement. Hot-plug is Kata's `hotplugAddBlockDevice`: `blockdev-add`,
 * then `device_add` with `share-rw=on` and, on PCI, `romfile=""`.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text } from '../input/decode.ts'
import { CacheCodec, PlacementCodec, optional } from './codecs.ts'
import { maxDevIdSize, truncateBytes } from '../ids.ts'
import { execute } from '../qmp/action.ts'
import * as Drive from './backends/drive.ts'
import { showPlacement, type Placement } from './placement.ts'
import { driver, resolve, romfile, toArguments } from './profile.ts'
import { devnoOf, filled, itemsOf, modernOf, onWhen, pairOf, placeOf, qemuIdOf, template } from './template.ts'
import { props, type DeviceModule } from './module.ts'
import { isFamily, off, readPlacement, readVirtio, sameId, sameTransport } from './read.ts'

/** The driver role, made once. */
const blkDriver = driver('virtio-blk', { alias: true })

/** @since 0.1.0 @category model */
export interface Block {
  readonly _tag: 'Block'
  /** The device's id and its drive's. */
  readonly id: string
  readonly file: string
  readonly format: string
  readonly aio: 'threads' | 'native'
  readonly cache: Drive.Cache | undefined
  readonly disableModern: boolean
  readonly shareRW: boolean
  readonly placement: Placement
}

/** What the planner is given. @since 0.3.0 @category model */
export interface BlockInput {
  readonly id: string
  readonly file: string
  readonly format: string
  readonly shareRW?: boolean | undefined
  readonly cache?: Drive.Cache | undefined
}

/** The QEMU id: the input id cut to Kata's 31 bytes (`maxDevIDSize`). @since 0.3.0 @category constructors */
export const idOf = (b: Pick<BlockInput, 'id'>): string => truncateBytes(b.id, maxDevIdSize)

/** @since 0.3.0 @category constructors */
export const make = (b: BlockInput, at: { readonly placement: Placement; readonly nested: boolean }): Block => ({
  _tag: 'Block',
  id: idOf(b),
  file: b.file,
  format: b.format,
  aio: 'threads',
  cache: b.cache,
  disableModern: at.nested,
  shareRW: b.shareRW ?? false,
  placement: at.placement,
})

/** The `-device` option list, compiled once per dialect and transport (`template`). */
const device = template<Block>('-device', [
  blkDriver,
  modernOf('govmm'),
  pairOf('drive', (d) => d.id),
  ['scsi', false],
  ['config-wce', false],
  qemuIdOf(),
  modernOf('qemu'),
  romfile,
  devnoOf(),
  onWhen('share-rw', (d) => d.shareRW),
  placeOf(),
])

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Block> = t.type({
  _tag: t.literal('Block'),
  id: Text,
  file: Text,
  format: Text,
  aio: t.union([t.literal('threads'), t.literal('native')]),
  cache: optional(CacheCodec),
  disableModern: t.boolean,
  shareRW: t.boolean,
  placement: PlacementCodec,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<Block> = {
  codec,
  vocabulary: { drivers: ['virtio-blk-pci', 'virtio-blk-ccw'], objects: [] },
  onBus: true,
  placement: (d) => d.placement,
  claims: (d) => [
    ['device', d.id],
    ['drive', d.id],
  ],
  source: () => 'block',
  problem: () => undefined,
  render: (d) => ({ switches: [filled(device, d), Drive.render(d)], fds: [] }),
  parse: {
    drivers: isFamily('virtio-blk', true),
    read: (r, c, drv) => {
      sameTransport(r, drv, c.transport)
      const b = c.use(r, r.req('drive'), 'drive', ['Drive'])
      off(r, 'scsi')
      off(r, 'config-wce')
      if (b === undefined) return undefined
      sameId(r, b.id)
      const shareRW = r.bool('share-rw') ?? false
      const disableModern = readVirtio(r)
      // the key order of make(), so a planned and a parsed disk print alike
      return {
        _tag: 'Block',
        id: b.id,
        file: b.file,
        format: b.format,
        aio: b.aio,
        cache: b.cache,
        disableModern,
        shareRW,
        placement: readPlacement(r),
      }
    },
  },
  hotplug: {
    add: (d, transport) => [
      Drive.add(d),
      execute('device_add', toArguments(resolve(itemsOf(device, d), 'qmp', { transport, fdBase: 0 }), 'driver')),
    ],
    removeBackend: (d) => [Drive.remove(d.id)],
  },
  kind: () => 'Block',
  view: (d) => ({
    kind: 'Block',
    placement: showPlacement(d.placement),
    props: props({
      file: d.file,
      format: d.format,
      aio: d.aio,
      'share-rw': d.shareRW,
      'disable-modern': d.disableModern,
      'cache.direct': d.cache?.direct,
      'cache.no-flush': d.cache?.noFlush,
    }),
  }),
}
