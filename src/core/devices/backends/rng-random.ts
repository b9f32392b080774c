/**
 * `-object rng-random` (govmm `RngDevice`'s backend): the host entropy source.
 *
 * @since 0.3.0
 */
import type { Reader } from '../../parse/reader.ts'
import { filled, pairOf, template, type Filled } from '../template.ts'

/** @since 0.3.0 @category model */
export interface RngRandom {
  readonly _tag: 'RngRandom'
  readonly id: string
  readonly filename: string
}

/** @since 0.3.0 @category render */
export const render = (id: string, filename: string): Filled => filled(rngRandom, { id, filename })

/** The option list, compiled once per dialect and transport (`template`). */
const rngRandom = template<{ readonly id: string; readonly filename: string }>('-object', [
  'rng-random',
  pairOf('id', (r) => r.id),
  pairOf('filename', (r) => r.filename),
])

/** @since 0.3.0 @category parse */
export const parse = (r: Reader, id: string): RngRandom => ({ _tag: 'RngRandom', id, filename: r.req('filename') })
