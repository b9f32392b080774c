/**
 * `-netdev vhost-user` (govmm `VhostUserDevice`'s net backend): the chardev of the vhost-user
 * socket, forced to use vhost (govmm's bare `vhostforce`, QEMU 7.2's `vhostforce=on`).
 *
 * @since 0.3.0
 */
import type { Reader } from '../../parse/reader.ts'
import { flag, typeHead, type Switch } from '../profile.ts'

/** @since 0.3.0 @category model */
export interface VhostUserNetdev {
  readonly _tag: 'VhostUserNet'
  readonly id: string
  readonly chardev: string
}

/** @since 0.3.0 @category render */
export const render = (id: string, chardev: string): Switch => ({
  flag: '-netdev',
  items: [typeHead('vhost-user'), ['id', id], ['chardev', chardev], flag('vhostforce')],
})

/** @since 0.3.0 @category parse */
export const parse = (r: Reader, id: string): VhostUserNetdev => {
  const chardev = r.req('chardev')
  if (r.bool('vhostforce') !== true) r.fail('a vhost-user netdev in the device model has vhostforce=on')
  return { _tag: 'VhostUserNet', id, chardev }
}
