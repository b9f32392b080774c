/**
 * `-object iothread` (govmm `IOThread`): the virtio-scsi controller's I/O thread.
 *
 * @since 0.3.0
 */
import { filled, pairOf, template, type Filled } from '../template.ts'

/** @since 0.3.0 @category model */
export interface IoThread {
  readonly _tag: 'IoThread'
  readonly id: string
}

// compiled once per dialect and transport (`template`)
const object = template<string>('-object', ['iothread', pairOf('id', (id) => id)])

/** @since 0.3.0 @category render */
export const render = (id: string): Filled => filled(object, id)

/** @since 0.3.0 @category parse */
export const parse = (id: string): IoThread => ({ _tag: 'IoThread', id })
