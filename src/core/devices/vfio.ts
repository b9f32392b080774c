/**
 * `-device vfio-pci` / `vfio-ccw` (govmm `VFIODevice`, reference §7.12): a host device by BDF.
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { driver, place, plain, romfile } from './common.ts'
import type { DeviceArgs, RenderCtx, VfioDevice } from './model.ts'

/** @since 0.1.0 @category render */
export const render = (d: VfioDevice, ctx: RenderCtx): DeviceArgs => {
  const drv = driver(ctx, 'vfio')
  if (ctx.dialect === 'govmm')
    return ctx.transport === 'pci'
      ? plain('-device', opts([drv, ['host', d.bdf], ['x-pci-vendor-id', d.vendorId], ['x-pci-device-id', d.deviceId], ...romfile(ctx, drv)]))
      : plain('-device', opts([drv, ['host', d.bdf], ['devno', d.placement._tag === 'Ccw' ? d.placement.devno : '']]))
  return plain('-device', opts([drv, ['host', d.bdf], ['x-pci-vendor-id', d.vendorId], ['x-pci-device-id', d.deviceId], ['id', d.id], ...place(ctx, d.placement)]))
}
