/**
 * `-object memory-backend-file|ram`: the NVDIMM image's backend, the guest RAM of the NUMA node
 * (`dimm1`, govmm `Memory`/`Knobs`), and hot-plugged DIMMs' backends (`object-add`).
 *
 * @since 0.3.0
 */
import { parseSize, type Reader } from '../../parse/reader.ts'
import { filled, onWhen, pairOf, template, type Filled, type Template } from '../template.ts'

/** @since 0.3.0 @category model */
export interface MemoryBackend {
  readonly _tag: 'MemoryBackend'
  readonly id: string
  /** `mem-path` of a file backend; `undefined` for RAM. */
  readonly file: string | undefined
  readonly sizeBytes: number
  readonly share: boolean
  readonly prealloc: boolean
}

// compiled once per dialect and transport (`template`)
const fileObject = template<{ readonly id: string; readonly path: string; readonly sizeBytes: number; readonly share: boolean }>(
  '-object',
  [
    'memory-backend-file',
    pairOf('id', (f) => f.id),
    pairOf('mem-path', (f) => f.path),
    pairOf('size', (f) => f.sizeBytes),
    onWhen('share', (f) => f.share),
  ],
)

/** An NVDIMM's backend: a file, `size` in bytes, mapped shared or not. @since 0.3.0 @category render */
export const file = (id: string, path: string, sizeBytes: number, share: boolean): Filled =>
  filled(fileObject, { id, path, sizeBytes, share })

/** Guest RAM: `size` in MiB, from a file or anonymous, shared and preallocated as asked. */
interface Ram {
  readonly id: string
  readonly sizeMiB: number
  readonly file: string | undefined
  readonly share: boolean
  readonly prealloc: boolean
}

// each backend type's option list, compiled once per dialect and transport (`template`)
const ramObject = (type: string): Template<Ram> =>
  template<Ram>('-object', [
    type,
    pairOf('id', (r) => r.id),
    pairOf('size', (r) => `${r.sizeMiB}M`),
    pairOf('mem-path', (r) => r.file),
    onWhen('share', (r) => r.share),
    onWhen('prealloc', (r) => r.prealloc),
  ])
const anonymousRam = ramObject('memory-backend-ram')
const fileRam = ramObject('memory-backend-file')

/** Guest RAM (`size` in MiB), from a file or anonymous, shared and preallocated as asked. @since 0.3.0 @category render */
export const guestRam = (id: string, sizeMiB: number, file: string | undefined, share: boolean, prealloc: boolean): Filled =>
  filled(file === undefined ? anonymousRam : fileRam, { id, sizeMiB, file, share, prealloc })

/** @since 0.3.0 @category parse */
export const parse = (r: Reader, id: string): MemoryBackend => {
  const file = r.head === 'memory-backend-file' ? r.req('mem-path') : undefined
  const size = r.req('size')
  const sizeBytes = parseSize(size, 1)
  if (sizeBytes === undefined) r.fail(`property size=${size} is not a size`)
  return {
    _tag: 'MemoryBackend',
    id,
    file,
    sizeBytes: sizeBytes ?? 0,
    share: r.bool('share') ?? false,
    prealloc: r.bool('prealloc') ?? false,
  }
}
