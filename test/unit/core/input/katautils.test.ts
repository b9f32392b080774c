/**
 * katautils' rules (kata-containers/runtime pkg/katautils/config.go at e93bf967), key by key: one
 * table row per `[hypervisor.qemu]` key with what a missing key, an empty string or 0, a value and a
 * value the Go field cannot hold become. The vCPU cases come from `defaultVCPUs`,
 * `defaultMaxVCPUs` and the arches' `MaxQemuVCPUs`.
 */
import { describe, expect, it } from 'vitest'
import { QemuTable, decodeConfig, type HypervisorConfig } from '../../../../src/core/input/config.ts'
import { configEntries, configJson, configToml } from '../../../../src/core/input/config-view.ts'
import {
  defaultMaxVCPUs,
  defaultVCPUs,
  goFields,
  kernelParams,
  machineAccelerators,
  maxQemuVCPUs,
  vcpuPlan,
} from '../../../../src/core/input/katautils.ts'
import { param } from '../../../../src/core/kernel.ts'
import { unsafeLeft, unsafeRight } from '../../../support/amd64-fixtures.ts'

const initrd = '/usr/share/kata-containers/kata-containers-initrd.img'
const base = { initrd }
const decode = (q: Record<string, unknown>) => decodeConfig({ hypervisor: { qemu: { ...base, ...q } } })
const valueOf = (q: Record<string, unknown>): HypervisorConfig => unsafeRight(decode(q)).value

type Row = {
  readonly key: string
  /** the field of HypervisorConfig the key feeds, read from the decoded config */
  readonly get: (c: HypervisorConfig) => unknown
  readonly missing: unknown
  /** what "" or 0 (the Go zero value) becomes; `undefined` here for bools */
  readonly zero?: readonly [unknown, unknown]
  readonly set: readonly [unknown, unknown]
  /** a value the Go field cannot hold (or a refused string) */
  readonly bad: unknown
}

const rows: ReadonlyArray<Row> = [
  { key: 'path', get: (c) => c.path, missing: undefined, zero: ['', undefined], set: ['/opt/q', '/opt/q'], bad: 'qemu' },
  {
    key: 'kernel',
    get: (c) => c.kernel,
    missing: '/usr/share/kata-containers/vmlinuz.container',
    zero: ['', '/usr/share/kata-containers/vmlinuz.container'],
    set: ['/k', '/k'],
    bad: '/k\n',
  },
  { key: 'initrd', get: (c) => c.initrd, missing: initrd, set: ['/i2', '/i2'], bad: '/i\u0000' },
  { key: 'image', get: (c) => c.image, missing: undefined, zero: ['', undefined], set: ['/img', '/img'], bad: 7 },
  { key: 'firmware', get: (c) => c.firmware, missing: undefined, zero: ['', undefined], set: ['/fw', '/fw'], bad: 'fw' },
  { key: 'machine_type', get: (c) => c.machineType, missing: undefined, zero: ['', undefined], set: ['q35', 'q35'], bad: 'q35\u0000' },
  {
    key: 'machine_accelerators',
    get: (c) => c.machineAccelerators,
    missing: undefined,
    zero: ['', undefined],
    set: [', nosmm,\n', 'nosmm'],
    bad: 'a\u0000b',
  },
  {
    key: 'kernel_params',
    get: (c) => c.kernelParams,
    missing: [],
    zero: ['', []],
    set: ['a=b\n c', [param('a', 'b'), param('c')]],
    bad: 'a\u0000',
  },
  { key: 'default_vcpus', get: (c) => c.defaultVcpus, missing: 0, zero: [0, 0], set: [-1, -1], bad: 2 ** 31 },
  { key: 'default_maxvcpus', get: (c) => c.defaultMaxVcpus, missing: 0, zero: [0, 0], set: [8, 8], bad: -1 },
  { key: 'default_memory', get: (c) => c.memoryMiB, missing: 2048, zero: [0, 2048], set: [7, 2048], bad: 2 ** 32 },
  { key: 'memory_slots', get: (c) => c.memorySlots, missing: 10, zero: [0, 10], set: [4, 4], bad: 1.5 },
  { key: 'memory_offset', get: (c) => c.memoryOffsetMiB, missing: 0, zero: [0, 0], set: [512, 512], bad: 9007199254740991 },
  { key: 'default_bridges', get: (c) => c.defaultBridges, missing: 1, zero: [0, 1], set: [9, 5], bad: '2' },
  { key: 'disable_nesting_checks', get: (c) => c.disableNestingChecks, missing: false, set: [true, true], bad: 'yes' },
  { key: 'disable_vhost_net', get: (c) => c.disableVhostNet, missing: false, set: [true, true], bad: 1 },
  {
    key: 'block_device_driver',
    get: (c) => c.blockDeviceDriver,
    missing: 'virtio-scsi',
    zero: ['', 'virtio-scsi'],
    set: ['virtio-mmio', 'virtio-mmio'],
    bad: 'ide',
  },
  { key: 'enable_iothreads', get: (c) => c.enableIothreads, missing: false, set: [true, true], bad: 'true' },
  {
    key: 'entropy_source',
    get: (c) => c.entropySource,
    missing: '/dev/urandom',
    zero: ['', '/dev/urandom'],
    set: ['/dev/random', '/dev/random'],
    bad: '/dev/r\u0000',
  },
  { key: 'shared_fs', get: (c) => c.sharedFs, missing: 'virtio-9p', zero: ['', 'virtio-9p'], set: ['virtio-9p', 'virtio-9p'], bad: 'nfs' },
  { key: 'virtio_fs_daemon', get: (c) => c.virtioFsDaemon, missing: undefined, zero: ['', undefined], set: ['/v', '/v'], bad: 'virtiofsd' },
  {
    key: 'virtio_fs_cache',
    get: (c) => c.virtioFsCache,
    missing: undefined,
    zero: ['', undefined],
    set: ['always', 'always'],
    bad: 'al\nways',
  },
  {
    key: 'virtio_fs_extra_args',
    get: (c) => c.virtioFsExtraArgs,
    missing: [],
    set: [
      ['-o', 'x'],
      ['-o', 'x'],
    ],
    bad: ['a\u0000'],
  },
  { key: 'virtio_fs_cache_size', get: (c) => c.virtioFsCacheSizeMiB, missing: 0, zero: [0, 0], set: [1024, 1024], bad: -5 },
  { key: 'msize_9p', get: (c) => c.msize9p, missing: 8192, zero: [0, 8192], set: [512, 512], bad: 2 ** 40 },
  { key: 'enable_hugepages', get: (c) => c.hugePages, missing: false, set: [true, true], bad: null },
  { key: 'enable_mem_prealloc', get: (c) => c.memPrealloc, missing: false, set: [true, true], bad: 0 },
  {
    key: 'file_mem_backend',
    get: (c) => c.fileMemBackend,
    missing: undefined,
    zero: ['', undefined],
    set: ['/dev/shm/x', '/dev/shm/x'],
    bad: 'shm',
  },
  { key: 'enable_swap', get: (c) => c.mlock, missing: true, set: [true, false], bad: 'no' },
  { key: 'enable_debug', get: (c) => c.debug, missing: false, set: [true, true], bad: [] },
  { key: 'use_vsock', get: (c) => c.useVsock, missing: false, set: [true, true], bad: {} },
  { key: 'hotplug_vfio_on_root_bus', get: (c) => c.hotplugVfioOnRootBus, missing: false, set: [true, true], bad: 'x' },
  { key: 'block_device_cache_set', get: (c) => c.blockDeviceCache.set, missing: false, set: [true, true], bad: 'x' },
  { key: 'block_device_cache_direct', get: (c) => c.blockDeviceCache.direct, missing: false, set: [true, true], bad: 'x' },
  { key: 'block_device_cache_noflush', get: (c) => c.blockDeviceCache.noFlush, missing: false, set: [true, true], bad: 'x' },
  { key: 'disable_block_device_use', get: (c) => c.disableBlockDeviceUse, missing: false, set: [true, true], bad: 'x' },
  {
    key: 'guest_hook_path',
    get: (c) => c.guestHookPath,
    missing: undefined,
    zero: ['', undefined],
    set: ['/hooks', '/hooks'],
    bad: 'hooks',
  },
  { key: 'jailer_path', get: () => undefined, missing: undefined, set: ['/j', undefined], bad: 3 },
  { key: 'ctlpath', get: () => undefined, missing: undefined, set: ['/c', undefined], bad: 3 },
]

describe('every [hypervisor.qemu] key (katautils config.go)', () => {
  it('the table covers every key the codec knows', () => expect(rows.map((r) => r.key).sort()).toEqual(Object.keys(QemuTable.props).sort()))
  for (const r of rows) {
    describe(r.key, () => {
      it('missing', () => expect(r.get(valueOf({}))).toEqual(r.missing))
      if (r.zero)
        it(`${JSON.stringify(r.zero[0])} is "not set"`, () => expect(r.get(valueOf({ [r.key]: r.zero?.[0] }))).toEqual(r.zero?.[1]))
      it(`${JSON.stringify(r.set[0])}`, () =>
        expect(r.get(valueOf({ [r.key]: r.set[0], ...(r.key === 'image' ? { initrd: '' } : {}) }))).toEqual(r.set[1]))
      it(`refuses ${JSON.stringify(r.bad)}, naming the key`, () => {
        const e = unsafeLeft(decode({ [r.key]: r.bad }))
        expect(e._tag).toBe('InvalidInput')
        if (e._tag === 'InvalidInput') expect(e.problems[0]?.path.startsWith(`hypervisor.qemu.${r.key}`)).toBe(true)
      })
    })
  }
  it('virtio-fs needs virtio_fs_daemon', () => {
    expect(unsafeLeft(decode({ shared_fs: 'virtio-fs' }))).toEqual({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.virtio_fs_daemon',
      reason: 'cannot enable virtio-fs without daemon path in configuration file',
    })
    expect(valueOf({ shared_fs: 'virtio-fs', virtio_fs_daemon: '/v' }).sharedFs).toBe('virtio-fs')
  })
  it('a kernel parameter without a key is refused (AddKernelParam: Empty kernel parameter)', () => {
    expect(unsafeLeft(decode({ kernel_params: 'a =b' }))).toMatchObject({ _tag: 'InvalidConfig', field: 'hypervisor.qemu.kernel_params' })
  })
  it('memory_offset = 2^53 - 1 is refused (uint32), so maxmem cannot go wrong', () => {
    expect(unsafeLeft(decode({ memory_offset: 9007199254740991 }))).toMatchObject({
      _tag: 'InvalidInput',
      problems: [{ path: 'hypervisor.qemu.memory_offset' }],
    })
    expect(valueOf({ memory_offset: 4294967295 }).memoryOffsetMiB).toBe(4294967295)
  })
})

describe('katautils functions', () => {
  it('goFields splits on Go white space (NEL and NBSP included, BOM not)', () => {
    expect(goFields('a\u0085b\u00a0c\ufeffd\te')).toEqual(['a', 'b', 'c\ufeffd', 'e'])
  })
  it('kernelParams: DeserializeParams splits at the first =', () => {
    expect(kernelParams('a=b=c  d')).toEqual({ _tag: 'Right', right: [param('a', 'b=c'), param('d')] })
  })
  it('machineAccelerators trims items and commas', () => expect(machineAccelerators(',,a , b,\t')).toBe('a,b'))
  // config_test.go TestHypervisorDefaults / defaultVCPUs and defaultMaxVCPUs
  it.each([
    [0, 4, 1],
    [1, 4, 1],
    [4, 4, 4],
    [5, 4, 4],
    [-1, 4, 4],
    [-100, 2, 2],
  ])('defaultVCPUs(%i) on %i CPUs = %i', (n, cpus, want) => expect(defaultVCPUs(n, cpus)).toBe(want))
  it.each([
    [0, 4, 240, 4],
    [2, 4, 240, 2],
    [4, 4, 240, 4],
    [8, 4, 240, 4],
    [0, 300, 240, 240],
    [250, 300, 240, 240],
    [0, 16, 8, 8],
  ])('defaultMaxVCPUs(%i) on %i CPUs, arch max %i = %i', (n, cpus, max, want) => expect(defaultMaxVCPUs(n, cpus, max)).toBe(want))
  it('MaxQemuVCPUs: arm64 without a GIC version is the host CPU count; with one, the GIC limit', () => {
    expect(maxQemuVCPUs('arm64', { cpus: 6 }, 123)).toBe(6)
    expect(maxQemuVCPUs('arm64', { cpus: 6, gicVersion: 2 }, 8)).toBe(8)
    expect(maxQemuVCPUs('arm64', {}, 123)).toBe(123)
    expect(maxQemuVCPUs('amd64', { cpus: 6 }, 240)).toBe(240)
  })
  it('vcpuPlan: default_maxvcpus = 0 on a 4-CPU host gives 4; no host.cpus gives the arch maximum and a warning', () => {
    expect(vcpuPlan({ defaultVcpus: 0, defaultMaxVcpus: 0 }, 'amd64', { cpus: 4 }, 240)).toEqual({ vcpus: 1, maxVcpus: 4, warnings: [] })
    const w = vcpuPlan({ defaultVcpus: 0, defaultMaxVcpus: 0 }, 'arm64', {}, 123)
    expect([w.vcpus, w.maxVcpus, w.warnings.length]).toEqual([1, 123, 1])
  })
})

describe('config view (qemu-plan config)', () => {
  const c = valueOf({ default_memory: 0, block_device_driver: '', kernel: '' })
  it('shows what blank and missing keys became', () => {
    const text = configToml(c)
    expect(text).toContain('\ndefault_memory = 2048\n')
    expect(text).toContain('\nblock_device_driver = "virtio-scsi"\n')
    expect(text).toContain('\nkernel = "/usr/share/kata-containers/vmlinuz.container"\n')
    expect(text).toContain("\n# path is not set: the arch's QEMU binary for the machine type\n")
  })
  it('lists every key once, in JSON too', () => {
    const keys = configEntries(c).map((e) => e.key)
    expect(new Set(keys).size).toBe(keys.length)
    expect(keys.sort()).toEqual(
      Object.keys(QemuTable.props)
        .filter((k) => k !== 'jailer_path' && k !== 'ctlpath')
        .sort(),
    )
    expect(configJson(c).path).toBeNull()
  })
})
