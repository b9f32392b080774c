/**
 * The configuration after katautils, shown as a user wrote it: every `[hypervisor.qemu]` key with
 * the value Kata will use (its default when the key was missing, blank or 0), as `kata-env` shows
 * what the runtime loaded. Keys whose value depends on the sandbox (the binary and machine when
 * unset, the vCPU numbers) say what decides them.
 *
 * @since 0.2.0
 */
import { serializeParams } from '../kernel.ts'
import type { HypervisorConfig } from './config.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One key: its effective value (`undefined`: not set), and what decides it when that is not the file alone. @since 0.2.0 @category model */
export interface ConfigEntry {
  readonly key: string
  readonly value: string | number | boolean | ReadonlyArray<string> | undefined
  readonly note?: string
}

// -------------------------------------------------------------------------------------
// render
// -------------------------------------------------------------------------------------

/**
 * Every key of the table, in the order of katautils' `hypervisor` struct.
 *
 * @since 0.2.0
 * @category render
 */
export const configEntries = (c: HypervisorConfig): ReadonlyArray<ConfigEntry> => [
  { key: 'path', value: c.path, ...(c.path === undefined ? { note: "not set: the arch's QEMU binary for the machine type" } : {}) },
  { key: 'kernel', value: c.kernel },
  { key: 'initrd', value: c.initrd },
  { key: 'image', value: c.image },
  { key: 'firmware', value: c.firmware },
  { key: 'machine_accelerators', value: c.machineAccelerators },
  {
    key: 'kernel_params',
    value: serializeParams(c.kernelParams).join(' '),
    ...(c.image !== undefined ? { note: "katautils' systemd parameters (with an image) come first" } : {}),
  },
  { key: 'machine_type', value: c.machineType, ...(c.machineType === undefined ? { note: "not set: the arch's default machine" } : {}) },
  { key: 'block_device_driver', value: c.blockDeviceDriver },
  { key: 'entropy_source', value: c.entropySource },
  { key: 'shared_fs', value: c.sharedFs },
  { key: 'virtio_fs_daemon', value: c.virtioFsDaemon },
  { key: 'virtio_fs_cache', value: c.virtioFsCache },
  { key: 'virtio_fs_extra_args', value: c.virtioFsExtraArgs },
  { key: 'virtio_fs_cache_size', value: c.virtioFsCacheSizeMiB },
  { key: 'block_device_cache_set', value: c.blockDeviceCache.set },
  { key: 'block_device_cache_direct', value: c.blockDeviceCache.direct },
  { key: 'block_device_cache_noflush', value: c.blockDeviceCache.noFlush },
  { key: 'default_vcpus', value: c.defaultVcpus, note: '0: 1; negative or above host.cpus: host.cpus (katautils defaultVCPUs)' },
  {
    key: 'default_maxvcpus',
    value: c.defaultMaxVcpus,
    note: "0 or above host.cpus: host.cpus, then at most the arch's maximum (katautils defaultMaxVCPUs)",
  },
  { key: 'default_memory', value: c.memoryMiB },
  { key: 'memory_slots', value: c.memorySlots },
  { key: 'memory_offset', value: c.memoryOffsetMiB },
  { key: 'default_bridges', value: c.defaultBridges },
  { key: 'msize_9p', value: c.msize9p },
  { key: 'disable_block_device_use', value: c.disableBlockDeviceUse },
  { key: 'enable_mem_prealloc', value: c.memPrealloc },
  { key: 'enable_hugepages', value: c.hugePages },
  { key: 'file_mem_backend', value: c.fileMemBackend },
  { key: 'enable_swap', value: !c.mlock },
  { key: 'enable_debug', value: c.debug },
  { key: 'disable_nesting_checks', value: c.disableNestingChecks },
  { key: 'enable_iothreads', value: c.enableIothreads },
  { key: 'use_vsock', value: c.useVsock },
  { key: 'hotplug_vfio_on_root_bus', value: c.hotplugVfioOnRootBus },
  { key: 'disable_vhost_net', value: c.disableVhostNet },
  { key: 'guest_hook_path', value: c.guestHookPath },
]

const tomlValue = (v: Exclude<ConfigEntry['value'], undefined>): string =>
  typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : String(v)

/**
 * The entries as a `configuration.toml` table: a key that is not set is a comment.
 *
 * @example
 * import { configToml } from 'qemu-plan'
 * import { decodeConfig } from 'qemu-plan'
 * const c = decodeConfig({ initrd: '/i', default_memory: 0 })
 * assert.ok(c._tag === 'Right' && configToml(c.right.value).includes('\ndefault_memory = 2048\n'))
 * @since 0.2.0
 * @category render
 */
export const configToml = (c: HypervisorConfig): string =>
  `[hypervisor.qemu]\n${configEntries(c)
    .map((e) => {
      const line = e.value === undefined ? `# ${e.key} is not set` : `${e.key} = ${tomlValue(e.value)}`
      return e.note === undefined || e.value === undefined
        ? e.note === undefined
          ? line
          : `${line}: ${e.note.replace(/^not set: /, '')}`
        : `${line}  # ${e.note}`
    })
    .join('\n')}\n`

/** The entries as JSON: key → value (`null` when not set). @since 0.2.0 @category render */
export const configJson = (c: HypervisorConfig): Readonly<Record<string, unknown>> =>
  Object.fromEntries(configEntries(c).map((e) => [e.key, e.value ?? null]))
