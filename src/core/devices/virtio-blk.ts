/**
 * `-device virtio-blk` + `-drive` (govmm `BlockDevice`, reference §7.5) and the virtio-scsi
 * controller with its iothread (govmm `SCSIController`, §7.6).
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { disableModern, driver, govmmDevno, place, plain, romfile } from './common.ts'
import type { BlockDevice, DeviceArgs, RenderCtx, ScsiController, ScsiDisk } from './model.ts'

/** @since 0.1.0 @category render */
export const renderBlock = (d: BlockDevice, ctx: RenderCtx): DeviceArgs => {
  const drv = driver(ctx, 'virtio-blk')
  const dev =
    ctx.dialect === 'govmm'
      ? opts([
          drv, ...disableModern(ctx, drv, d.disableModern), ['drive', d.id], ['scsi', false], ['config-wce', false],
          ...romfile(ctx, drv), ...govmmDevno(ctx, drv, d.placement), ['share-rw', d.shareRW ? true : undefined],
        ])
      : opts([
          drv, ['drive', d.id], ['scsi', false], ['config-wce', false], ['id', d.id], ...disableModern(ctx, drv, d.disableModern),
          ['share-rw', d.shareRW ? true : undefined], ...place(ctx, d.placement),
        ])
  return plain('-device', dev, '-drive', opts([['id', d.id], ['file', d.file], ['aio', d.aio], ['format', d.format], ['if', 'none']]))
}

/** @since 0.1.0 @category render */
export const renderScsi = (d: ScsiController, ctx: RenderCtx): DeviceArgs => {
  const drv = driver(ctx, 'virtio-scsi')
  return plain(
    '-device',
    opts([
      drv, ['id', d.id], ...disableModern(ctx, drv, d.disableModern), ['iothread', d.ioThread], ...romfile(ctx, drv),
      ...govmmDevno(ctx, drv, d.placement), ...place(ctx, d.placement),
    ]),
  )
}

const drive = (d: { id: string; file: string; format: string }): string =>
  opts([['id', d.id], ['file', d.file], ['aio', 'threads'], ['format', d.format], ['if', 'none']])

/** `scsi-hd` on the controller's bus, same in both dialects (Kata only hot-plugs it). @since 0.1.0 @category render */
export const renderScsiDisk = (d: ScsiDisk): DeviceArgs =>
  plain('-device', opts(['scsi-hd', ['drive', d.id], ['bus', d.bus], ['scsi-id', d.scsiId], ['lun', d.lun], ['id', d.id]]), '-drive', drive(d))
