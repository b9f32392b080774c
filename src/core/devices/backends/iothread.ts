/**
 * `-object iothread` (govmm `IOThread`): the virtio-scsi controller's I/O thread.
 *
 * @since 0.3.0
 */
import type { Switch } from '../profile.ts'

/** @since 0.3.0 @category model */
export interface IoThread {
  readonly _tag: 'IoThread'
  readonly id: string
}

/** @since 0.3.0 @category render */
export const render = (id: string): Switch => ({ flag: '-object', items: ['iothread', ['id', id]] })

/** @since 0.3.0 @category parse */
export const parse = (id: string): IoThread => ({ _tag: 'IoThread', id })
