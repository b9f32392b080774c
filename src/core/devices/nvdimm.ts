/**
 * The NVDIMM rootfs image: `-device nvdimm` then `-object memory-backend-file` (govmm `Object`,
 * reference §7.13, §3.7). The device comes before its backend, as govmm prints it.
 *
 * @since 0.1.0
 */
import { opts } from '../opts.ts'
import { plain } from './common.ts'
import type { DeviceArgs, NvdimmDevice } from './model.ts'

/** Why govmm's `Valid()` rejects this object (a zero-size image), if it does. @since 0.1.0 @category utils */
export const problem = (d: NvdimmDevice): { field: string; reason: string } | undefined =>
  d.size > 0 ? undefined : { field: 'image', reason: `image ${d.memPath} has size 0` }

/** @since 0.1.0 @category render */
export const render = (d: NvdimmDevice): DeviceArgs =>
  plain(
    '-device',
    opts(['nvdimm', ['id', d.deviceId], ['memdev', d.id]]),
    '-object',
    opts(['memory-backend-file', ['id', d.id], ['mem-path', d.memPath], ['size', d.size]]),
  )
