/**
 * vhost-user devices (govmm `VhostUserDevice`, Kata `appendVhostUserDevice`): a client
 * `-chardev socket` to the backend's socket, plus a `virtio-net-pci` on a vhost-user netdev, a
 * `vhost-user-scsi-pci`, a `vhost-user-blk-pci` or a `vhost-user-fs-pci`. Ids are Kata's
 * `MakeNameID(<type>, devId)`; govmm printed no id for blk and fs devices and, for blk, two
 * properties QEMU 7.2 does not have (`logical_block_size`, `size`), and `cache-size` for fs.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text, UInt } from '../input/decode.ts'
import { PlacementCodec, optional } from './codecs.ts'
import { makeNameId, maxDevIdSize } from '../ids.ts'
import type { Reader } from '../parse/reader.ts'
import * as Chardev from './backends/chardev-socket.ts'
import * as VhostUserNet from './backends/netdev-vhost-user.ts'
import { parseSize } from '../parse/reader.ts'
import { showPlacement, type Placement } from './placement.ts'
import { legacy, place, qemuId, romfile, type Switch } from './profile.ts'
import { props, type DeviceModule, type ParseContext } from './module.ts'
import { derivedId, readPlacement } from './read.ts'

/** @since 0.1.0 @category model */
export interface VhostUser {
  readonly _tag: 'VhostUser'
  readonly type: 'net' | 'scsi' | 'blk' | 'fs'
  /** `<type>-<devId>`: the device's id (and the netdev's, for net). */
  readonly id: string
  /** `char-<devId>`: the chardev's id. */
  readonly chardev: string
  readonly socketPath: string
  readonly mac: string | undefined
  readonly tag: string | undefined
  readonly cacheSizeMiB: number
  readonly placement: Placement
}

/** What the planner is given (Kata `VhostUserDeviceAttrs`). @since 0.3.0 @category model */
export interface VhostUserInput {
  readonly type: VhostUser['type']
  readonly devId: string
  readonly socketPath: string
  readonly mac?: string | undefined
  readonly tag?: string | undefined
  readonly cacheSize?: number | undefined
}

/** @since 0.3.0 @category constructors */
export const idOf = (v: Pick<VhostUserInput, 'type' | 'devId'>): string => makeNameId(v.type, v.devId, maxDevIdSize)

/** @since 0.3.0 @category constructors */
export const make = (v: VhostUserInput, at: { readonly placement: Placement }): VhostUser => ({
  _tag: 'VhostUser',
  type: v.type,
  id: idOf(v),
  chardev: makeNameId('char', v.devId, maxDevIdSize),
  socketPath: v.socketPath,
  mac: v.mac,
  tag: v.tag,
  cacheSizeMiB: v.cacheSize ?? 0,
  placement: at.placement,
})

const frontend = (d: VhostUser): Switch => {
  switch (d.type) {
    case 'net':
      return { flag: '-device', items: ['virtio-net-pci', ['netdev', d.id], ['mac', d.mac], qemuId(d.id), romfile, place(d.placement)] }
    case 'scsi':
      return { flag: '-device', items: ['vhost-user-scsi-pci', ['id', d.id], ['chardev', d.chardev], romfile, place(d.placement)] }
    case 'blk':
      return {
        flag: '-device',
        items: [
          'vhost-user-blk-pci',
          legacy('logical_block_size', '4096'),
          legacy('size', '512M'),
          ['chardev', d.chardev],
          qemuId(d.id),
          romfile,
          place(d.placement),
        ],
      }
    case 'fs':
      return {
        flag: '-device',
        items: [
          'vhost-user-fs-pci',
          ['chardev', d.chardev],
          ['tag', d.tag],
          legacy('cache-size', `${d.cacheSizeMiB}M`),
          qemuId(d.id),
          romfile,
          place(d.placement),
        ],
      }
  }
}

/** The client chardev of a vhost-user device, or a recorded problem. */
const chardevOf = (r: Reader, c: ParseContext, id: string): Chardev.SocketChardev | undefined => {
  const ch = c.use(r, id, 'chardev', ['Chardev'])
  if (ch?.server) r.fail(`chardev ${ch.id}: a vhost-user chardev in the device model is a client`)
  return ch
}

/** A `virtio-net-pci` whose netdev is vhost-user. @since 0.3.0 @category parse */
export const readNet = (r: Reader, c: ParseContext, drv: string, b: VhostUserNet.VhostUserNetdev, mac: string): VhostUser => {
  if (drv !== 'virtio-net-pci') r.fail('a vhost-user net device in the device model is virtio-net-pci')
  r.fixed('romfile', [''])
  const ch = chardevOf(r, c, b.chardev)
  return {
    _tag: 'VhostUser',
    type: 'net',
    id: b.id,
    chardev: ch?.id ?? '',
    socketPath: ch?.path ?? '',
    mac,
    tag: undefined,
    cacheSizeMiB: 0,
    placement: readPlacement(r),
  }
}

const read = (r: Reader, c: ParseContext, drv: string): VhostUser | undefined => {
  const ch = chardevOf(r, c, r.req('chardev'))
  if (ch === undefined) return undefined
  const base = { _tag: 'VhostUser', chardev: ch.id, socketPath: ch.path, mac: undefined, tag: undefined, cacheSizeMiB: 0 } as const
  if (drv === 'vhost-user-scsi-pci') {
    const id = r.req('id')
    r.fixed('romfile', [''])
    return { ...base, type: 'scsi', id, placement: readPlacement(r) }
  }
  if (drv === 'vhost-user-blk-pci') {
    const id = r.str('id') ?? derivedId('blk', ch.id)
    r.fixed('logical_block_size', ['4096'])
    r.fixed('size', ['512M'])
    r.fixed('romfile', [''])
    return { ...base, type: 'blk', id, placement: readPlacement(r) }
  }
  const tag = r.req('tag')
  const cache = r.str('cache-size')
  const cacheBytes = cache === undefined ? 0 : parseSize(cache, 1)
  if (cacheBytes === undefined || cacheBytes % 2 ** 20 !== 0) r.fail(`cache-size=${cache} is not a whole number of MiB`)
  const id = r.str('id') ?? derivedId('fs', ch.id)
  return { ...base, type: 'fs', id, tag, cacheSizeMiB: (cacheBytes ?? 0) / 2 ** 20, placement: readPlacement(r) }
}

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, VhostUser> = t.type({
  _tag: t.literal('VhostUser'),
  type: t.union([t.literal('net'), t.literal('scsi'), t.literal('blk'), t.literal('fs')]),
  id: Text,
  chardev: Text,
  socketPath: Text,
  mac: optional(Text),
  tag: optional(Text),
  cacheSizeMiB: UInt,
  placement: PlacementCodec,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<VhostUser> = {
  codec,
  vocabulary: { drivers: ['virtio-net-pci', 'vhost-user-scsi-pci', 'vhost-user-blk-pci', 'vhost-user-fs-pci'], objects: [] },
  onBus: true,
  placement: (d) => d.placement,
  // the chardev and netdev come before the device on the command line
  claims: (d) =>
    d.type === 'net'
      ? [
          ['chardev', d.chardev],
          ['netdev', d.id],
          ['device', d.id],
        ]
      : [
          ['chardev', d.chardev],
          ['device', d.id],
        ],
  source: () => 'vhostUser',
  problem: (d) =>
    d.type === 'net' && !d.mac
      ? { field: 'mac', reason: 'a vhost-user net device needs a MAC address' }
      : d.type === 'fs' && !d.tag
        ? { field: 'tag', reason: 'a vhost-user fs device needs a tag' }
        : undefined,
  render: (d) => ({
    switches: [
      Chardev.render(d.chardev, d.socketPath, false),
      ...(d.type === 'net' ? [VhostUserNet.render(d.id, d.chardev)] : []),
      frontend(d),
    ],
    fds: [],
  }),
  parse: { drivers: (drv) => drv === 'vhost-user-scsi-pci' || drv === 'vhost-user-blk-pci' || drv === 'vhost-user-fs-pci', read },
  hotplug: undefined,
  kind: (d) => `vhost-user-${d.type}`,
  view: (d) => ({
    kind: `VhostUser/${d.type}`,
    placement: showPlacement(d.placement),
    props: props({
      socket: d.socketPath,
      chardev: d.chardev,
      mac: d.mac,
      tag: d.tag,
      cacheSizeMiB: d.type === 'fs' ? d.cacheSizeMiB : undefined,
    }),
  }),
}
