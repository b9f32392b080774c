/**
 * `-device scsi-hd` on the virtio-scsi controller's bus + its `-drive`: a disk Kata hot-plugs when
 * `block_device_driver` is `virtio-scsi` (`hotplugAddBlockDevice`), at SCSI id and LUN from the
 * sandbox's block index, which only ever grows (`BlockIndex`): a LUN is never given twice.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text, UInt } from '../input/decode.ts'
import { CacheCodec, optional } from './codecs.ts'
import { maxDevIdSize, truncateBytes } from '../ids.ts'
import { execute } from '../qmp/action.ts'
import * as Drive from './backends/drive.ts'
import { noPlacement } from './placement.ts'
import { resolve, toArguments, type Switch } from './profile.ts'
import { props, type DeviceModule } from './module.ts'
import { sameId } from './read.ts'

/** @since 0.1.0 @category model */
export interface ScsiDisk {
  readonly _tag: 'ScsiDisk'
  readonly id: string
  readonly file: string
  readonly format: string
  readonly cache: Drive.Cache | undefined
  /** The SCSI bus, `<controller>.0`. */
  readonly bus: string
  readonly scsiId: number
  readonly lun: number
  readonly shareRW: boolean
}

/** Kata's `GetSCSIIdLun`: 256 LUNs per SCSI id. @since 0.3.0 @category constructors */
export const scsiIdLun = (index: number): { readonly scsiId: number; readonly lun: number } => ({
  scsiId: Math.floor(index / 256),
  lun: index % 256,
})

/** A disk at block index `index` on controller `controller`. @since 0.3.0 @category constructors */
export const make = (
  b: {
    readonly id: string
    readonly file: string
    readonly format: string
    readonly shareRW?: boolean | undefined
    readonly cache?: Drive.Cache | undefined
  },
  controller: string,
  index: number,
): ScsiDisk => ({
  _tag: 'ScsiDisk',
  id: truncateBytes(b.id, maxDevIdSize),
  file: b.file,
  format: b.format,
  cache: b.cache,
  bus: `${controller}.0`,
  ...scsiIdLun(index),
  shareRW: b.shareRW ?? false,
})

const device = (d: ScsiDisk): Switch => ({
  flag: '-device',
  items: [
    'scsi-hd',
    ['drive', d.id],
    ['bus', d.bus],
    ['scsi-id', d.scsiId],
    ['lun', d.lun],
    ['id', d.id],
    ['share-rw', d.shareRW ? true : undefined],
  ],
})

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, ScsiDisk> = t.type({
  _tag: t.literal('ScsiDisk'),
  id: Text,
  file: Text,
  format: Text,
  cache: optional(CacheCodec),
  bus: Text,
  scsiId: UInt,
  lun: t.refinement(UInt, (n) => n <= 255, 'LUN (0..255)'),
  shareRW: t.boolean,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<ScsiDisk> = {
  codec,
  vocabulary: { drivers: ['scsi-hd'], objects: [] },
  onBus: false,
  placement: () => noPlacement,
  claims: (d) => [
    ['device', d.id],
    ['drive', d.id],
  ],
  source: () => 'hotplug',
  problem: () => undefined,
  render: (d) => ({ switches: [device(d), Drive.render({ ...d, aio: 'threads' })], fds: [] }),
  parse: {
    drivers: (drv) => drv === 'scsi-hd',
    read: (r, c) => {
      const b = c.use(r, r.req('drive'), 'drive', ['Drive'])
      const bus = r.req('bus')
      const scsiId = r.int('scsi-id') ?? 0
      const lun = r.int('lun') ?? 0
      if (b === undefined) return undefined
      sameId(r, b.id)
      if (b.aio !== 'threads') r.fail(`drive ${b.id}: a scsi-hd drive in the device model has aio=threads`)
      const shareRW = r.bool('share-rw') ?? false
      return { _tag: 'ScsiDisk', id: b.id, file: b.file, format: b.format, cache: b.cache, bus, scsiId, lun, shareRW }
    },
  },
  hotplug: {
    add: (d, transport) => [
      Drive.add({ ...d, aio: 'threads' }),
      execute('device_add', toArguments(resolve(device(d).items, 'qmp', { transport, fdBase: 0 }), 'driver')),
    ],
    removeBackend: (d) => [Drive.remove(d.id)],
  },
  kind: () => 'ScsiDisk',
  view: (d) => ({
    kind: 'ScsiDisk',
    placement: `${d.bus}:${d.scsiId}.${d.lun}`,
    props: props({ file: d.file, format: d.format, 'share-rw': d.shareRW }),
  }),
}
