/**
 * The hypervisor configuration: Kata's `configuration.toml` table `[hypervisor.qemu]`, keys exactly
 * as users write them (kata-containers/runtime `pkg/katautils/config.go`, type `hypervisor`), from TOML
 * (parsed by the effects layer) or the same keys in JSON. Decoding applies what Kata's `katautils`
 * does before the hypervisor sees the config: the defaults, and with an image the three systemd
 * parameters (`systemdKernelParam`, `pkg/katautils/create.go`) placed before the user's
 * `kernel_params`. Unknown keys in the table are warnings; other tables are ignored.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { invalidConfig, invalidInput, type InvalidConfig, type InvalidInput } from '../errors.ts'
import { param, type Param } from '../kernel.ts'
import {
  AbsPath,
  Int32,
  SpacedText,
  Text,
  UInt32,
  decodeWith,
  hasControlChars,
  isRecord,
  oneOf,
  orEmpty,
  show,
  unknownKeys,
} from './decode.ts'
import { kernelParams, katautilsDefaults, machineAccelerators, maxPCIBridges, minMemoryMiB } from './katautils.ts'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/** `block_device_driver` values katautils accepts (`supportedBlockDrivers`). @since 0.2.0 @category model */
export const blockDrivers = ['virtio-scsi', 'virtio-blk', 'virtio-mmio', 'nvdimm', 'virtio-blk-ccw'] as const

/**
 * The `[hypervisor.qemu]` keys of katautils' `hypervisor` struct (pkg/katautils/config.go), each
 * with the width of its Go field: `int32` for `default_vcpus`, `uint32` for the other numbers. An
 * empty string is "not set" for every string key. Strings refuse control characters, except the
 * blanks that separate words in `kernel_params` and `machine_accelerators`.
 *
 * @since 0.1.0
 * @category codecs
 */
export const QemuTable = t.partial({
  path: orEmpty(AbsPath),
  kernel: orEmpty(AbsPath),
  initrd: orEmpty(AbsPath),
  image: orEmpty(AbsPath),
  firmware: orEmpty(AbsPath),
  machine_type: Text,
  machine_accelerators: SpacedText,
  kernel_params: SpacedText,
  default_vcpus: Int32,
  default_maxvcpus: UInt32,
  default_memory: UInt32,
  memory_slots: UInt32,
  memory_offset: UInt32,
  default_bridges: UInt32,
  disable_nesting_checks: t.boolean,
  disable_vhost_net: t.boolean,
  block_device_driver: orEmpty(oneOf(blockDrivers)),
  enable_iothreads: t.boolean,
  entropy_source: orEmpty(AbsPath),
  shared_fs: orEmpty(oneOf(['virtio-9p', 'virtio-fs'] as const)),
  virtio_fs_daemon: orEmpty(AbsPath),
  virtio_fs_cache: Text,
  virtio_fs_extra_args: t.array(Text),
  virtio_fs_cache_size: UInt32,
  msize_9p: UInt32,
  enable_hugepages: t.boolean,
  enable_mem_prealloc: t.boolean,
  file_mem_backend: orEmpty(AbsPath),
  enable_swap: t.boolean,
  enable_debug: t.boolean,
  use_vsock: t.boolean,
  hotplug_vfio_on_root_bus: t.boolean,
  block_device_cache_set: t.boolean,
  block_device_cache_direct: t.boolean,
  block_device_cache_noflush: t.boolean,
  disable_block_device_use: t.boolean,
  guest_hook_path: orEmpty(AbsPath),
  // in katautils' struct for other hypervisors (firecracker, acrn); the qemu table ignores them
  jailer_path: Text,
  ctlpath: Text,
})

/** @since 0.1.0 @category model */
export type QemuTable = t.TypeOf<typeof QemuTable>

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The decoded configuration with katautils' defaults applied (`HypervisorConfig`). @since 0.1.0 @category model */
export interface HypervisorConfig {
  /** Unset: the arch's binary for the machine type. */
  readonly path: string | undefined
  readonly kernel: string
  readonly initrd: string | undefined
  readonly image: string | undefined
  readonly firmware: string | undefined
  /** Unset: the arch's default machine. */
  readonly machineType: string | undefined
  /** katautils' normalised list (`a,b`), or unset. */
  readonly machineAccelerators: string | undefined
  /** `HypervisorConfig.KernelParams`: systemd parameters (with an image), then the user's. */
  readonly kernelParams: ReadonlyArray<Param>
  /** As configured (`int32`): 0 means 1, negative or above the host's CPUs means the host's CPUs (katautils `defaultVCPUs`). */
  readonly defaultVcpus: number
  /** As configured (`uint32`): 0 or above the host's CPUs means the host's CPUs, then at most the arch maximum (katautils `defaultMaxVCPUs`). */
  readonly defaultMaxVcpus: number
  readonly memoryMiB: number
  readonly memorySlots: number
  readonly memoryOffsetMiB: number
  readonly defaultBridges: number
  readonly disableNestingChecks: boolean
  readonly disableVhostNet: boolean
  readonly blockDeviceDriver: (typeof blockDrivers)[number]
  readonly enableIothreads: boolean
  readonly entropySource: string
  readonly sharedFs: 'virtio-9p' | 'virtio-fs'
  readonly virtioFsDaemon: string | undefined
  readonly virtioFsCache: string | undefined
  readonly virtioFsExtraArgs: ReadonlyArray<string>
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
  readonly disableBlockDeviceUse: boolean
  readonly guestHookPath: string | undefined
}

/** @since 0.1.0 @category model */
export interface Decoded<A> {
  readonly value: A
  readonly warnings: ReadonlyArray<string>
}

/** katautils' cap on `default_bridges` (`maxPCIBridges`). @since 0.1.0 @category model */
export const maxBridges = maxPCIBridges

/** Added by katautils when an image is used (`systemdKernelParam`, pkg/katautils/create.go). @since 0.1.0 @category model */
export const systemdImageParams: ReadonlyArray<Param> = [
  param('systemd.unit', 'kata-containers.target'),
  param('systemd.mask', 'systemd-networkd.service'),
  param('systemd.mask', 'systemd-networkd.socket'),
]

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const table = (u: unknown): E.Either<InvalidInput | InvalidConfig, { raw: unknown; at: string }> => {
  if (!isRecord(u)) return E.left(invalidInput({ problems: [{ path: '', expected: 'an object (the configuration)', actual: show(u) }] }))
  if (!('hypervisor' in u)) return E.right({ raw: u, at: 'hypervisor.qemu' })
  const h = u.hypervisor
  if (!isRecord(h))
    return E.left(invalidInput({ problems: [{ path: 'hypervisor', expected: 'a table holding a qemu table', actual: show(h) }] }))
  if (!isRecord(h.qemu)) return E.left(invalidInput({ problems: [{ path: 'hypervisor.qemu', expected: 'a table', actual: show(h.qemu) }] }))
  return E.right({ raw: h.qemu, at: 'hypervisor.qemu' })
}

const set = <A extends string>(s: A | '' | undefined): A | undefined => (s === '' ? undefined : s)
const field = (k: keyof QemuTable): string => `hypervisor.qemu.${k}`

/**
 * Build the configuration from a decoded table, as katautils' `newQemuHypervisorConfig` does:
 * an empty string is "not set", 0 is "the default", and the same checks refuse the same tables.
 *
 * @see kata katautils.newQemuHypervisorConfig
 * @since 0.1.0
 * @category constructors
 */
export const fromTable = (q: QemuTable): E.Either<InvalidInput | InvalidConfig, HypervisorConfig> => {
  const image = set(q.image)
  const initrd = set(q.initrd)
  if (image === undefined && initrd === undefined)
    return E.left(
      invalidConfig({
        field: field('image'),
        reason: 'Either initrd or image must be set to a valid path (initrd: initrd is not set) (image: image is not set)',
      }),
    )
  // planning with both would mix NVDIMM root params with an initrd boot
  if (image !== undefined && initrd !== undefined)
    return E.left(
      invalidConfig({
        field: field('initrd'),
        reason: 'having both an image and an initrd defined in the configuration file is not supported',
      }),
    )
  // Kata casts MemSlots to uint8 (256 becomes 0 and drops slots=): refused here instead
  if ((q.memory_slots ?? 0) > 255)
    return E.left(
      invalidConfig({
        field: field('memory_slots'),
        reason: `${q.memory_slots} does not fit QEMU's slot count (at most 255; Kata casts it to uint8)`,
      }),
    )
  const sharedFs = set(q.shared_fs) ?? katautilsDefaults.sharedFs
  if (sharedFs === 'virtio-fs' && set(q.virtio_fs_daemon) === undefined)
    return E.left(
      invalidConfig({ field: field('virtio_fs_daemon'), reason: 'cannot enable virtio-fs without daemon path in configuration file' }),
    )
  const accel = machineAccelerators(q.machine_accelerators ?? '')
  if (hasControlChars(accel))
    return E.left(invalidConfig({ field: field('machine_accelerators'), reason: `a control character inside an option: ${show(accel)}` }))
  const bridges = q.default_bridges ?? 0
  return pipe(
    kernelParams(q.kernel_params ?? ''),
    E.map((user) => ({
      path: set(q.path),
      kernel: set(q.kernel) ?? katautilsDefaults.kernel,
      initrd,
      image,
      firmware: set(q.firmware),
      machineType: set(q.machine_type),
      machineAccelerators: accel === '' ? undefined : accel,
      kernelParams: [...(image !== undefined ? systemdImageParams : []), ...user],
      defaultVcpus: q.default_vcpus ?? 0,
      defaultMaxVcpus: q.default_maxvcpus ?? 0,
      memoryMiB: (q.default_memory ?? 0) < minMemoryMiB ? katautilsDefaults.memoryMiB : (q.default_memory as number),
      memorySlots: q.memory_slots || katautilsDefaults.memorySlots,
      memoryOffsetMiB: q.memory_offset ?? 0,
      defaultBridges: bridges === 0 ? katautilsDefaults.defaultBridges : Math.min(bridges, maxPCIBridges),
      disableNestingChecks: q.disable_nesting_checks ?? false,
      disableVhostNet: q.disable_vhost_net ?? false,
      blockDeviceDriver: set(q.block_device_driver) ?? katautilsDefaults.blockDeviceDriver,
      enableIothreads: q.enable_iothreads ?? false,
      entropySource: set(q.entropy_source) ?? katautilsDefaults.entropySource,
      sharedFs,
      virtioFsDaemon: set(q.virtio_fs_daemon),
      virtioFsCache: set(q.virtio_fs_cache),
      virtioFsExtraArgs: q.virtio_fs_extra_args ?? [],
      virtioFsCacheSizeMiB: q.virtio_fs_cache_size ?? 0,
      msize9p: q.msize_9p || katautilsDefaults.msize9p,
      hugePages: q.enable_hugepages ?? false,
      memPrealloc: q.enable_mem_prealloc ?? false,
      fileMemBackend: set(q.file_mem_backend),
      mlock: !(q.enable_swap ?? false),
      debug: q.enable_debug ?? false,
      useVsock: q.use_vsock ?? false,
      hotplugVfioOnRootBus: q.hotplug_vfio_on_root_bus ?? false,
      blockDeviceCache: {
        set: q.block_device_cache_set ?? false,
        direct: q.block_device_cache_direct ?? false,
        noFlush: q.block_device_cache_noflush ?? false,
      },
      disableBlockDeviceUse: q.disable_block_device_use ?? false,
      guestHookPath: set(q.guest_hook_path),
    })),
  )
}

/**
 * Decode a configuration: either `{ hypervisor: { qemu: {...} } }` (as TOML parses) or the
 * `[hypervisor.qemu]` keys themselves.
 *
 * @since 0.1.0
 * @category codecs
 */
export const decodeConfig = (u: unknown): E.Either<InvalidInput | InvalidConfig, Decoded<HypervisorConfig>> =>
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
