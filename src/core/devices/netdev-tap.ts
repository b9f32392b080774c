/**
 * `-netdev tap` + `-device virtio-net-*` (govmm `NetDevice`, reference §7.10). Vhost fds are
 * numbered before the tap fds, as govmm allocates them.
 *
 * @since 0.1.0
 */
import { opts, type Opt } from '../opts.ts'
import { disableModern, driver, govmmDevno, place, romfile } from './common.ts'
import type { DeviceArgs, NetDevice, RenderCtx } from './model.ts'

/** Why govmm would render nothing for this device (a macvtap netdev needs fds). @since 0.1.0 @category utils */
export const problem = (d: NetDevice): { field: string; reason: string } | undefined =>
  d.type === 'macvtap' && d.fds.length === 0 ? { field: 'fds', reason: 'a macvtap network device needs at least one fd' } : undefined

/** `from:from+1:…` for n fds. */
const fdList = (from: number, n: number): string => {
  let out = ''
  for (let i = 0; i < n; i++) out = i === 0 ? String(from) : `${out}:${from + i}`
  return out
}

/** @since 0.1.0 @category render */
export const render = (d: NetDevice, ctx: RenderCtx): DeviceArgs => {
  const drv = driver(ctx, 'virtio-net')
  const vhostFds = d.vhost ? d.vhostFds : []
  const backend: ReadonlyArray<Opt> =
    d.fds.length > 0
      ? [['fds', fdList(ctx.fdBase + vhostFds.length, d.fds.length)]]
      : [['ifname', d.ifName], ['downscript', 'no'], ['script', 'no']]
  const netdev = opts([
    'tap', ['id', d.id], ['vhost', d.vhost ? true : undefined], ['vhostfds', vhostFds.length > 0 ? fdList(ctx.fdBase, vhostFds.length) : undefined], ...backend,
  ])
  const mq: ReadonlyArray<Opt> =
    d.fds.length > 0 ? [['mq', true], ['vectors', ctx.transport === 'pci' ? 2 * d.fds.length + 2 : undefined]] : []
  const dev =
    ctx.dialect === 'govmm'
      ? `driver=${opts([drv, ['netdev', d.id], ['mac', d.mac], ...disableModern(ctx, drv, d.disableModern), ...mq, ...romfile(ctx, drv), ...govmmDevno(ctx, drv, d.placement)])}`
      : opts([drv, ['netdev', d.id], ['mac', d.mac], ['id', d.id], ...disableModern(ctx, drv, d.disableModern), ...mq, ...place(ctx, d.placement)])
  return { args: ['-netdev', netdev, '-device', dev], fds: [...vhostFds, ...d.fds] }
}
