/**
 * `-device nvdimm` + its `-object memory-backend-file`: Kata's NVDIMM rootfs on amd64 and arm64
 * (`nv0` on `mem0`; the device comes before its backend, as govmm printed them), and block
 * devices hot-plugged with `block_device_driver = "nvdimm"` (Kata's `hotplugAddBlockDevice` over
 * govmm's `ExecuteNVDIMMDeviceAdd`: `nvdimmbackmem<id>`, shared, then `nvdimm<id>`). govmm's
 * `Valid()` drops an object of size 0; the qemu dialect refuses it.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text, UInt } from '../input/decode.ts'
import { maxDevIdSize, truncateBytes } from '../ids.ts'
import { command, execute } from '../qmp/action.ts'
import * as MemoryBackend from './backends/memory-backend.ts'
import { resolve, toArguments } from './profile.ts'
import { filled, itemsOf, pairOf, template } from './template.ts'
import { noPlacement } from './placement.ts'
import { props, switches, type DeviceModule } from './module.ts'

/** @since 0.1.0 @category model */
export interface Nvdimm {
  readonly _tag: 'Nvdimm'
  readonly id: string
  /** Its memory backend's id. */
  readonly memdev: string
  readonly memPath: string
  /** Bytes. */
  readonly size: number
  /** The backend maps the file shared (hot-plugged disks), not privately (the rootfs image). */
  readonly share: boolean
}

/** Kata's rootfs image: `nv0` backed by `mem0`. @since 0.3.0 @category constructors */
export const image = (img: { readonly path: string; readonly sizeBytes: number }): Nvdimm => ({
  _tag: 'Nvdimm',
  id: 'nv0',
  memdev: 'mem0',
  memPath: img.path,
  size: img.sizeBytes,
  share: false,
})

/** A block device hot-plugged as an NVDIMM: `nvdimm<id>` on `nvdimmbackmem<id>`, ids cut to 31 bytes. @since 0.3.0 @category constructors */
export const disk = (b: { readonly id: string; readonly file: string; readonly sizeBytes: number }): Nvdimm => ({
  _tag: 'Nvdimm',
  id: truncateBytes(`nvdimm${b.id}`, maxDevIdSize),
  memdev: truncateBytes(`nvdimmbackmem${b.id}`, maxDevIdSize),
  memPath: b.file,
  size: b.sizeBytes,
  share: true,
})

/** The `-device` option list, compiled once per dialect and transport (`template`). */
const device = template<Nvdimm>('-device', ['nvdimm', pairOf('id', (d) => d.id), pairOf('memdev', (d) => d.memdev)])

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Nvdimm> = t.type({
  _tag: t.literal('Nvdimm'),
  id: Text,
  memdev: Text,
  memPath: Text,
  size: UInt,
  share: t.boolean,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<Nvdimm> = {
  codec,
  vocabulary: { drivers: ['nvdimm'], objects: ['memory-backend-file'] },
  onBus: false,
  placement: () => noPlacement,
  claims: (d) => [
    ['device', d.id],
    ['object', d.memdev],
  ],
  source: () => 'image',
  problem: (d) => (d.size > 0 ? undefined : { field: 'image', reason: `image ${d.memPath} has size 0` }),
  render: (d) => switches(filled(device, d), MemoryBackend.file(d.memdev, d.memPath, d.size, d.share)),
  parse: {
    drivers: (drv) => drv === 'nvdimm',
    read: (r, c) => {
      const id = r.req('id')
      const b = c.use(r, r.req('memdev'), 'object', ['MemoryBackend'])
      if (b === undefined) return undefined
      if (b.file === undefined || b.prealloc)
        r.fail(`memdev ${b.id}: an NVDIMM backend in the device model is a memory-backend-file without prealloc`)
      return { _tag: 'Nvdimm', id, memdev: b.id, memPath: b.file ?? '', size: b.sizeBytes, share: b.share }
    },
  },
  hotplug: {
    add: (d, transport) => [
      execute('object-add', { 'qom-type': 'memory-backend-file', id: d.memdev, 'mem-path': d.memPath, size: d.size, share: d.share }, [
        command('object-del', { id: d.memdev }),
      ]),
      execute('device_add', toArguments(resolve(itemsOf(device, d), 'qmp', { transport, fdBase: 0 }), 'driver')),
    ],
    removeBackend: (d) => [execute('object-del', { id: d.memdev })],
  },
  kind: () => 'Nvdimm',
  view: (d) => ({
    kind: 'Nvdimm',
    placement: undefined,
    props: props({ memdev: d.memdev, 'mem-path': d.memPath, size: d.size, share: d.share ? true : undefined }),
  }),
}
