/**
 * vhost-user devices (govmm `VhostUserDevice`, reference §7.11, §3.5): `-chardev socket` plus a
 * net / scsi / blk / fs frontend. The `qemu` dialect gives vhost-user-blk an id and drops the
 * properties QEMU 7.2 does not have (`logical_block_size`, `size`, `cache-size`).
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { place, romfile } from './common.ts'
import type { DeviceArgs, RenderCtx, VhostUserDevice } from './model.ts'
import { chardevSocket } from './virtio-serial.ts'

/** Why govmm's `Valid()` rejects this device, if it does. @since 0.1.0 @category utils */
export const problem = (d: VhostUserDevice): { field: string; reason: string } | undefined =>
  d.type === 'net' && !d.mac
    ? { field: 'mac', reason: 'a vhost-user net device needs a MAC address' }
    : d.type === 'fs' && !d.tag
      ? { field: 'tag', reason: 'a vhost-user fs device needs a tag' }
      : undefined

/** @since 0.1.0 @category render */
export const render = (d: VhostUserDevice, ctx: RenderCtx): DeviceArgs => {
  const chardev = ['-chardev', chardevSocket(ctx, d.charDevId, d.socketPath, false)]
  const g = ctx.dialect === 'govmm'
  const at = place(ctx, d.placement)
  switch (d.type) {
    case 'net':
      return {
        args: [
          ...chardev,
          '-netdev',
          g ? `type=vhost-user,${opts([['id', d.typeDevId], ['chardev', d.charDevId]])},vhostforce` : opts(['vhost-user', ['id', d.typeDevId], ['chardev', d.charDevId], ['vhostforce', true]]),
          '-device',
          opts(['virtio-net-pci', ['netdev', d.typeDevId], ['mac', d.mac], ...(g ? romfile(ctx, 'virtio-net-pci') : [['id', d.typeDevId] as const, ...at])]),
        ],
        fds: [],
      }
    case 'scsi':
      return { args: [...chardev, '-device', opts(['vhost-user-scsi-pci', ['id', d.typeDevId], ['chardev', d.charDevId], ...romfile(ctx, 'vhost-user-scsi-pci'), ...at])], fds: [] }
    case 'blk':
      return {
        args: [
          ...chardev,
          '-device',
          g
            ? `vhost-user-blk-pci,logical_block_size=4096,size=512M,${opts([['chardev', d.charDevId], ...romfile(ctx, 'vhost-user-blk-pci')])}`
            : opts(['vhost-user-blk-pci', ['chardev', d.charDevId], ['id', d.blkId], ...at]),
        ],
        fds: [],
      }
    case 'fs':
      return {
        args: [
          ...chardev,
          '-device',
          g
            ? opts(['vhost-user-fs-pci', ['chardev', d.charDevId], ['tag', d.tag], ['cache-size', `${d.cacheSizeMiB}M`]])
            : opts(['vhost-user-fs-pci', ['chardev', d.charDevId], ['tag', d.tag], ['id', d.typeDevId], ...at]),
        ],
        fds: [],
      }
  }
}
