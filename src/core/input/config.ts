/**
 * The hypervisor configuration: Kata's `configuration.toml` table `[hypervisor.qemu]`, keys exactly
 * as users write them (reference §11), from TOML (parsed by the effects layer) or the same keys in
 * JSON. Decoding applies what Kata's `katautils` does before the hypervisor sees the config: the
 * defaults, and with an image the three systemd parameters placed before the user's
 * `kernel_params` (reference §3.10). Unknown keys in the table are warnings; other tables are ignored.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { invalidConfig, invalidInput, type PlanError } from '../errors.ts'
import { param, parseParams, type Param } from '../kernel.ts'
import { AbsPath, Int, NonEmptyString, UInt, decodeWith, isRecord, oneOf, show, unknownKeys } from './decode.ts'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/** The `[hypervisor.qemu]` keys this layer reads. @since 0.1.0 @category codecs */
export const QemuTable = t.partial({
  path: AbsPath,
  kernel: AbsPath,
  initrd: AbsPath,
  image: AbsPath,
  firmware: t.string,
  machine_type: NonEmptyString,
  machine_accelerators: t.string,
  kernel_params: t.string,
  default_vcpus: Int,
  default_maxvcpus: UInt,
  default_memory: UInt,
  memory_slots: UInt,
  memory_offset: UInt,
  default_bridges: UInt,
  disable_nesting_checks: t.boolean,
  disable_vhost_net: t.boolean,
  block_device_driver: oneOf(['virtio-scsi', 'virtio-blk', 'virtio-blk-ccw', 'nvdimm'] as const),
  enable_iothreads: t.boolean,
  entropy_source: t.string,
  shared_fs: oneOf(['virtio-9p', 'virtio-fs'] as const),
  virtio_fs_daemon: t.string,
  virtio_fs_cache: t.string,
  virtio_fs_extra_args: t.array(t.string),
  virtio_fs_cache_size: UInt,
  msize_9p: UInt,
  enable_hugepages: t.boolean,
  enable_mem_prealloc: t.boolean,
  file_mem_backend: t.string,
  enable_swap: t.boolean,
  enable_debug: t.boolean,
  use_vsock: t.boolean,
  hotplug_vfio_on_root_bus: t.boolean,
  block_device_cache_set: t.boolean,
  block_device_cache_direct: t.boolean,
  block_device_cache_noflush: t.boolean,
  disable_block_device_use: t.boolean,
  guest_hook_path: t.string,
})

/** @since 0.1.0 @category model */
export type QemuTable = t.TypeOf<typeof QemuTable>

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The decoded configuration with katautils' defaults applied (`HypervisorConfig`). @since 0.1.0 @category model */
export interface HypervisorConfig {
  readonly path: string | undefined
  readonly kernel: string
  readonly initrd: string | undefined
  readonly image: string | undefined
  readonly firmware: string | undefined
  readonly machineType: string | undefined
  readonly machineAccelerators: string | undefined
  /** `HypervisorConfig.KernelParams`: systemd parameters (with an image), then the user's. */
  readonly kernelParams: ReadonlyArray<Param>
  /** As configured: 0 means "default (1)", negative means "the maximum" (resolved per arch). */
  readonly defaultVcpus: number
  /** 0 means the arch's maximum. */
  readonly defaultMaxVcpus: number
  readonly memoryMiB: number
  readonly memorySlots: number
  readonly memoryOffsetMiB: number
  readonly defaultBridges: number
  readonly disableNestingChecks: boolean
  readonly disableVhostNet: boolean
  readonly blockDeviceDriver: 'virtio-scsi' | 'virtio-blk' | 'virtio-blk-ccw' | 'nvdimm'
  readonly enableIothreads: boolean
  readonly entropySource: string
  readonly sharedFs: 'virtio-9p' | 'virtio-fs'
  readonly virtioFsCacheSizeMiB: number
  readonly msize9p: number
  readonly hugePages: boolean
  readonly memPrealloc: boolean
  readonly fileMemBackend: string | undefined
  /** `Mlock = !enable_swap`. */
  readonly mlock: boolean
  readonly debug: boolean
  readonly useVsock: boolean
  readonly hotplugVfioOnRootBus: boolean
  readonly blockDeviceCache: { readonly set: boolean; readonly direct: boolean; readonly noFlush: boolean }
}

/** @since 0.1.0 @category model */
export interface Decoded<A> {
  readonly value: A
  readonly warnings: ReadonlyArray<string>
}

/** katautils' cap on `default_bridges`. @since 0.1.0 @category model */
export const maxBridges = 5

/** Added by katautils when an image is used (reference §3.10). @since 0.1.0 @category model */
export const systemdImageParams: ReadonlyArray<Param> = [
  param('systemd.unit', 'kata-containers.target'),
  param('systemd.mask', 'systemd-networkd.service'),
  param('systemd.mask', 'systemd-networkd.socket'),
]

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const table = (u: unknown): E.Either<PlanError, { raw: unknown; at: string }> => {
  if (!isRecord(u)) return E.left(invalidInput({ problems: [{ path: '', expected: 'an object (the configuration)', actual: show(u) }] }))
  if (!('hypervisor' in u)) return E.right({ raw: u, at: 'hypervisor.qemu' })
  const h = u.hypervisor
  if (!isRecord(h)) return E.left(invalidInput({ problems: [{ path: 'hypervisor', expected: 'a table holding a qemu table', actual: show(h) }] }))
  if (!isRecord(h.qemu)) return E.left(invalidInput({ problems: [{ path: 'hypervisor.qemu', expected: 'a table', actual: show(h.qemu) }] }))
  return E.right({ raw: h.qemu, at: 'hypervisor.qemu' })
}

/**
 * Build the configuration from a decoded table.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTable = (q: QemuTable): E.Either<PlanError, HypervisorConfig> => {
  if (q.kernel === undefined) return E.left(invalidConfig({ field: 'hypervisor.qemu.kernel', reason: 'Missing kernel path' }))
  if (q.image === undefined && q.initrd === undefined)
    return E.left(invalidConfig({ field: 'hypervisor.qemu.image', reason: 'Missing image and initrd path (set image or initrd)' }))
  // katautils newQemuHypervisorConfig refuses both; planning with both would mix NVDIMM root params with an initrd boot
  if (q.image !== undefined && q.initrd !== undefined)
    return E.left(invalidConfig({ field: 'hypervisor.qemu.initrd', reason: 'having both an image and an initrd defined in the configuration file is not supported' }))
  if ((q.memory_slots ?? 0) > 255)
    return E.left(invalidConfig({ field: 'hypervisor.qemu.memory_slots', reason: `${q.memory_slots} does not fit QEMU's slot count (at most 255)` }))
  const bridges = q.default_bridges ?? 0
  return E.right({
    path: q.path,
    kernel: q.kernel,
    initrd: q.initrd,
    image: q.image,
    firmware: q.firmware || undefined,
    machineType: q.machine_type,
    machineAccelerators: q.machine_accelerators || undefined,
    kernelParams: [...(q.image !== undefined ? systemdImageParams : []), ...parseParams(q.kernel_params ?? '')],
    defaultVcpus: q.default_vcpus ?? 0,
    defaultMaxVcpus: q.default_maxvcpus ?? 0,
    memoryMiB: q.default_memory || 2048,
    memorySlots: q.memory_slots || 10,
    memoryOffsetMiB: q.memory_offset ?? 0,
    defaultBridges: bridges === 0 ? 1 : Math.min(bridges, maxBridges),
    disableNestingChecks: q.disable_nesting_checks ?? false,
    disableVhostNet: q.disable_vhost_net ?? false,
    blockDeviceDriver: q.block_device_driver ?? 'virtio-scsi',
    enableIothreads: q.enable_iothreads ?? false,
    entropySource: q.entropy_source || '/dev/urandom',
    sharedFs: q.shared_fs ?? 'virtio-9p',
    virtioFsCacheSizeMiB: q.virtio_fs_cache_size ?? 0,
    msize9p: q.msize_9p || 8192,
    hugePages: q.enable_hugepages ?? false,
    memPrealloc: q.enable_mem_prealloc ?? false,
    fileMemBackend: q.file_mem_backend || undefined,
    mlock: !(q.enable_swap ?? false),
    debug: q.enable_debug ?? false,
    useVsock: q.use_vsock ?? false,
    hotplugVfioOnRootBus: q.hotplug_vfio_on_root_bus ?? false,
    blockDeviceCache: { set: q.block_device_cache_set ?? false, direct: q.block_device_cache_direct ?? false, noFlush: q.block_device_cache_noflush ?? false },
  })
}

/**
 * Decode a configuration: either `{ hypervisor: { qemu: {...} } }` (as TOML parses) or the
 * `[hypervisor.qemu]` keys themselves.
 *
 * @since 0.1.0
 * @category codecs
 */
export const decodeConfig = (u: unknown): E.Either<PlanError, Decoded<HypervisorConfig>> =>
  pipe(
    table(u),
    E.flatMap(({ raw, at }) =>
      pipe(
        decodeWith(QemuTable, at)(raw),
        E.flatMap(fromTable),
        E.map((value) => ({ value, warnings: unknownKeys(raw, Object.keys(QemuTable.props), at) })),
      ),
    ),
  )
