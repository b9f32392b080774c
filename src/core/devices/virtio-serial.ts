/**
 * `-device virtio-serial-*` (govmm `SerialDevice`) and the ports on it with their socket
 * chardev (govmm `CharDevice`, reference §7.3–7.4): the console and the agent's serial channel.
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { disableModern, driver, govmmDevno, place, plain, romfile } from './common.ts'
import type { CharDevice, DeviceArgs, RenderCtx, SerialDevice } from './model.ts'

/** @since 0.1.0 @category render */
export const renderSerial = (d: SerialDevice, ctx: RenderCtx): DeviceArgs => {
  const drv = driver(ctx, 'virtio-serial')
  return plain(
    '-device',
    opts([drv, ...disableModern(ctx, drv, d.disableModern), ['id', d.id], ...romfile(ctx, drv), ...govmmDevno(ctx, drv, d.placement), ...place(ctx, d.placement)]),
  )
}

/** The socket chardev: govmm's bare `server,nowait`, QEMU 7.2's `server=on,wait=off`. @since 0.1.0 @category render */
export const chardevSocket = (ctx: RenderCtx, id: string, path: string, server: boolean): string =>
  server
    ? ctx.dialect === 'govmm'
      ? `${opts(['socket', ['id', id], ['path', path]])},server,nowait`
      : opts(['socket', ['id', id], ['path', path], ['server', true], ['wait', false]])
    : opts(['socket', ['id', id], ['path', path]])

/** @since 0.1.0 @category render */
export const renderChar = (d: CharDevice, ctx: RenderCtx): DeviceArgs =>
  plain('-device', opts([d.driver, ['chardev', d.id], ['id', d.deviceId], ['name', d.name]]), '-chardev', chardevSocket(ctx, d.id, d.path, true))
