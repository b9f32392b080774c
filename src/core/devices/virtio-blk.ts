/**
 * `-device virtio-blk` + `-drive` (govmm `BlockDevice`, reference §7.5) and the virtio-scsi
 * controller with its iothread (govmm `SCSIController`, §7.6).
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { disableModern, driver, govmmDevno, place, plain, romfile } from './common.ts'
import type { BlockDevice, DeviceArgs, RenderCtx, ScsiController } from './model.ts'

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
