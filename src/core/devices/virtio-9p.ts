/**
 * `-device virtio-9p-*` + `-fsdev local` (govmm `FSDevice`, reference §7.8): the shared folder.
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { disableModern, driver, govmmDevno, place, plain, romfile } from './common.ts'
import type { DeviceArgs, FsDevice, RenderCtx } from './model.ts'

/** @since 0.1.0 @category render */
export const render = (d: FsDevice, ctx: RenderCtx): DeviceArgs => {
  const drv = driver(ctx, 'virtio-9p')
  const id = ctx.dialect === 'qemu' ? ([['id', d.id]] as const) : []
  return plain(
    '-device',
    opts([drv, ...disableModern(ctx, drv, d.disableModern), ['fsdev', d.id], ['mount_tag', d.mountTag], ...id, ...romfile(ctx, drv), ...govmmDevno(ctx, drv, d.placement), ...place(ctx, d.placement)]),
    '-fsdev',
    opts(['local', ['id', d.id], ['path', d.path], ['security_model', 'none']]),
  )
}
