/**
 * `-object rng-random` (govmm `RngDevice`'s backend): the host entropy source.
 *
 * @since 0.3.0
 */
import type { Reader } from '../../parse/reader.ts'
import type { Switch } from '../profile.ts'

/** @since 0.3.0 @category model */
export interface RngRandom {
  readonly _tag: 'RngRandom'
  readonly id: string
  readonly filename: string
}

/** @since 0.3.0 @category render */
export const render = (id: string, filename: string): Switch => ({
  flag: '-object',
  items: ['rng-random', ['id', id], ['filename', filename]],
})

/** @since 0.3.0 @category parse */
export const parse = (r: Reader, id: string): RngRandom => ({ _tag: 'RngRandom', id, filename: r.req('filename') })
