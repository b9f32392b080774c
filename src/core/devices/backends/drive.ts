/**
 * `-drive if=none` (govmm `BlockDevice`'s backend) and its QMP form, `blockdev-add` with a `file`
 * protocol node (Kata's `hotplugAddBlockDevice`, with the cache options of
 * `block_device_cache_*` when they are set).
 *
 * @since 0.3.0
 */
import { command, execute, type Action } from '../../qmp/action.ts'
import type { Reader } from '../../parse/reader.ts'
import { filled, pairOf, template, type Filled } from '../template.ts'

/** @since 0.3.0 @category model */
export interface Cache {
  readonly direct: boolean
  readonly noFlush: boolean
}

/** @since 0.3.0 @category model */
export interface Drive {
  readonly _tag: 'Drive'
  readonly id: string
  readonly file: string
  readonly aio: 'threads' | 'native'
  readonly format: string
  readonly cache: Cache | undefined
}

/** The `-drive` option list, compiled once per dialect and transport (`template`). */
const drive = template<Omit<Drive, '_tag'>>('-drive', [
  pairOf('id', (d) => d.id),
  pairOf('file', (d) => d.file),
  pairOf('aio', (d) => d.aio),
  pairOf('format', (d) => d.format),
  ['if', 'none'],
  pairOf('cache.direct', (d) => d.cache?.direct),
  pairOf('cache.no-flush', (d) => d.cache?.noFlush),
])

/** @since 0.3.0 @category render */
export const render = (d: Omit<Drive, '_tag'>): Filled => filled(drive, d)

/** `blockdev-add` of the drive as node `id`, undone by `blockdev-del`. @since 0.3.0 @category hotplug */
export const add = (d: Omit<Drive, '_tag'>): Action =>
  execute(
    'blockdev-add',
    {
      driver: d.format,
      'node-name': d.id,
      file: { driver: 'file', filename: d.file },
      ...(d.cache ? { cache: { direct: d.cache.direct, 'no-flush': d.cache.noFlush } } : {}),
    },
    [del(d.id)],
  )

const del = (id: string) => command('blockdev-del', { 'node-name': id })

/** `blockdev-del`, once the device using it is gone. @since 0.3.0 @category hotplug */
export const remove = (id: string): Action => execute('blockdev-del', { 'node-name': id })

/** @since 0.3.0 @category parse */
export const parse = (r: Reader): Drive => {
  const id = r.req('id')
  const file = r.req('file')
  const aio = r.req('aio')
  const format = r.req('format')
  r.fixed('if', ['none'], true)
  if (aio !== 'threads' && aio !== 'native') r.fail(`property aio=${aio}: the device model has aio=threads or aio=native`)
  const direct = r.bool('cache.direct')
  const noFlush = r.bool('cache.no-flush')
  const cache = direct === undefined && noFlush === undefined ? undefined : { direct: direct ?? false, noFlush: noFlush ?? false }
  return { _tag: 'Drive', id, file, aio: aio === 'native' ? 'native' : 'threads', format, cache }
}
