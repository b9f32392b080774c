/**
 * `-object rng-random` + `-device virtio-rng` (govmm `RngDevice`, reference §7.14).
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { driver, govmmDevno, place, plain, romfile } from './common.ts'
import type { DeviceArgs, RenderCtx, RngDevice } from './model.ts'

/** @since 0.1.0 @category render */
export const render = (d: RngDevice, ctx: RenderCtx): DeviceArgs => {
  const drv = driver(ctx, 'virtio-rng')
  const id = ctx.dialect === 'qemu' ? ([['id', d.id]] as const) : []
  return plain(
    '-object',
    opts(['rng-random', ['id', d.id], ['filename', d.filename]]),
    '-device',
    opts([drv, ['rng', d.id], ...id, ...romfile(ctx, drv), ...govmmDevno(ctx, drv, d.placement), ...place(ctx, d.placement)]),
  )
}
