/**
 * `-device vhost-vsock-*` (govmm `VSOCKDevice`, reference §7.9): the agent's vsock.
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { disableModern, driver, govmmDevno, place, romfile } from './common.ts'
import type { DeviceArgs, RenderCtx, VsockDevice } from './model.ts'

/** govmm's `MinimalGuestCID` / `MaxGuestCID`. @since 0.1.0 @category model */
export const minGuestCid = 3
/** @since 0.1.0 @category model */
export const maxGuestCid = 2 ** 32 - 1

/** Why govmm's `Valid()` rejects this device, if it does. @since 0.1.0 @category utils */
export const problem = (d: VsockDevice): { field: string; reason: string } | undefined =>
  d.contextId < minGuestCid || d.contextId > maxGuestCid
    ? { field: 'contextId', reason: `guest CID ${d.contextId} is outside ${minGuestCid}..${maxGuestCid}` }
    : undefined

/** @since 0.1.0 @category render */
export const render = (d: VsockDevice, ctx: RenderCtx): DeviceArgs => {
  const drv = driver(ctx, 'vhost-vsock')
  const fd = d.vhostFd === undefined ? [] : [d.vhostFd]
  return {
    args: [
      '-device',
      opts([
        drv, ...disableModern(ctx, drv, d.disableModern), ['vhostfd', d.vhostFd === undefined ? undefined : ctx.fdBase], ['id', d.id],
        ['guest-cid', d.contextId], ...romfile(ctx, drv), ...govmmDevno(ctx, drv, d.placement), ...place(ctx, d.placement),
      ]),
    ],
    fds: fd,
  }
}
