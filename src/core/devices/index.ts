/**
 * Device dispatch: one exhaustive `switch` from the device union to its renderer, and govmm's
 * `Valid()` rules gathered in one place (`problem`).
 *
 * @since 0.1.0
 */
import * as Bridge from './bridge.ts'
import type { Device, DeviceArgs, RenderCtx } from './model.ts'
import * as Net from './netdev-tap.ts'
import * as Nvdimm from './nvdimm.ts'
import * as VhostUser from './vhost-user.ts'
import * as Vsock from './vhost-vsock.ts'
import * as Vfio from './vfio.ts'
import * as Fs9p from './virtio-9p.ts'
import * as Blk from './virtio-blk.ts'
import * as Rng from './virtio-rng.ts'
import * as Serial from './virtio-serial.ts'

export * from './model.ts'

const absurd = (x: never): never => {
  throw new Error(`unreachable: ${JSON.stringify(x)}`)
}

/** @since 0.1.0 @category render */
export const renderDevice = (d: Device, ctx: RenderCtx): DeviceArgs => {
  switch (d._tag) {
    case 'Bridge':
      return Bridge.render(d, ctx)
    case 'Serial':
      return Serial.renderSerial(d, ctx)
    case 'Char':
      return Serial.renderChar(d, ctx)
    case 'Block':
      return Blk.renderBlock(d, ctx)
    case 'Scsi':
      return Blk.renderScsi(d, ctx)
    case 'ScsiDisk':
      return Blk.renderScsiDisk(d)
    case 'Fs9p':
      return Fs9p.render(d, ctx)
    case 'Vsock':
      return Vsock.render(d, ctx)
    case 'Net':
      return Net.render(d, ctx)
    case 'VhostUser':
      return VhostUser.render(d, ctx)
    case 'Vfio':
      return Vfio.render(d, ctx)
    case 'Nvdimm':
      return Nvdimm.render(d)
    case 'Rng':
      return Rng.render(d, ctx)
    default:
      return absurd(d)
  }
}

/**
 * Why govmm's `Valid()` (or its render) would drop this device, if it would (reference §10.11).
 *
 * @since 0.1.0
 * @category utils
 */
export const problem = (d: Device): { field: string; reason: string } | undefined => {
  switch (d._tag) {
    case 'Vsock':
      return Vsock.problem(d)
    case 'Net':
      return Net.problem(d)
    case 'VhostUser':
      return VhostUser.problem(d)
    case 'Nvdimm':
      return Nvdimm.problem(d)
    default:
      return undefined
  }
}
