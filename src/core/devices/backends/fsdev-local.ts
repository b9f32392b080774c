/**
 * `-fsdev local` (govmm `FSDevice`'s backend): the shared directory, `security_model=none`.
 *
 * @since 0.3.0
 */
import type { Reader } from '../../parse/reader.ts'
import { filled, pairOf, template, type Filled } from '../template.ts'

/** @since 0.3.0 @category model */
export interface LocalFsdev {
  readonly _tag: 'Fsdev'
  readonly id: string
  readonly path: string
}

/** @since 0.3.0 @category render */
export const render = (id: string, path: string): Filled => filled(fsdev, { id, path })

/** The option list, compiled once per dialect and transport (`template`). */
const fsdev = template<{ readonly id: string; readonly path: string }>('-fsdev', [
  'local',
  pairOf('id', (f) => f.id),
  pairOf('path', (f) => f.path),
  ['security_model', 'none'],
])

/** @since 0.3.0 @category parse */
export const parse = (r: Reader): LocalFsdev => {
  if (r.head !== 'local') r.fail('only local fsdevs are in the device model')
  const id = r.req('id')
  const path = r.req('path')
  r.fixed('security_model', ['none'], true)
  return { _tag: 'Fsdev', id, path }
}
