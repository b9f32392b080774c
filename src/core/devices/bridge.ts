/**
 * `-device pci-bridge` / `-device pcie-pci-bridge` (govmm `BridgeDevice`, reference §7.7). govmm
 * takes the address as decimal and prints it in hex; both dialects print hex (`0x` in `qemu`).
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { plain, romfile } from './common.ts'
import type { BridgeDevice, DeviceArgs, RenderCtx } from './model.ts'

/** @since 0.1.0 @category render */
export const render = (d: BridgeDevice, ctx: RenderCtx): DeviceArgs => {
  const drv = d.type === 'pci' ? 'pci-bridge' : 'pcie-pci-bridge'
  const addr = ctx.dialect === 'govmm' ? d.addr.toString(16) : `0x${d.addr.toString(16)}`
  const pciOnly = d.type === 'pci' ? ([['chassis_nr', d.chassis], ['shpc', d.shpc]] as const) : []
  return plain('-device', opts([drv, ['bus', d.bus], ['id', d.id], ...pciOnly, ['addr', addr], ...romfile(ctx, drv)]))
}
