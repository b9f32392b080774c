/** The [hypervisor.qemu] decoder: katautils defaults, every key, one Left per bad field (Kata pkg/katautils/config.go). */
import { describe, expect, it } from 'vitest'
import { decodeConfig, fromTable, maxBridges, systemdImageParams } from '../../../../src/core/input/config.ts'
import { param } from '../../../../src/core/kernel.ts'
import { configDoc, image, initrd, kernel, unsafeLeft, unsafeRight } from '../../../support/amd64-fixtures.ts'

const decode = (over: Record<string, unknown> = {}) => decodeConfig(configDoc(over))
const problemsOf = (u: unknown) => {
  const e = unsafeLeft(decodeConfig(u))
  if (e._tag !== 'InvalidInput') throw new Error(`expected InvalidInput, got ${e._tag}`)
  return e.problems
}

describe('decodeConfig: defaults (katautils config.go, config-settings.go)', () => {
  const c = unsafeRight(decode()).value
  it('applies every default', () => {
    expect(c).toMatchObject({
      path: undefined,
      kernel,
      image,
      initrd: undefined,
      firmware: undefined,
      machineType: undefined,
      machineAccelerators: undefined,
      defaultVcpus: 0,
      defaultMaxVcpus: 0,
      memoryMiB: 2048,
      memorySlots: 10,
      memoryOffsetMiB: 0,
      defaultBridges: 1,
      disableNestingChecks: false,
      disableVhostNet: false,
      blockDeviceDriver: 'virtio-scsi',
      enableIothreads: false,
      entropySource: '/dev/urandom',
      sharedFs: 'virtio-9p',
      virtioFsCacheSizeMiB: 0,
      msize9p: 8192,
      hugePages: false,
      memPrealloc: false,
      fileMemBackend: undefined,
      mlock: true,
      debug: false,
      useVsock: false,
      hotplugVfioOnRootBus: false,
      blockDeviceCache: { set: false, direct: false, noFlush: false },
    })
  })
  it('treats 0 and empty strings as "use the default"', () => {
    const z = unsafeRight(
      decode({
        default_memory: 0,
        memory_slots: 0,
        default_bridges: 0,
        msize_9p: 0,
        entropy_source: '',
        firmware: '',
        machine_accelerators: '',
        file_mem_backend: '',
      }),
    ).value
    expect([z.memoryMiB, z.memorySlots, z.defaultBridges, z.msize9p, z.entropySource]).toEqual([2048, 10, 1, 8192, '/dev/urandom'])
    expect([z.firmware, z.machineAccelerators, z.fileMemBackend]).toEqual([undefined, undefined, undefined])
  })
  it('has no warnings for known keys', () => expect(unsafeRight(decode()).warnings).toEqual([]))
})

describe('decodeConfig: values', () => {
  it('copies every key to its HypervisorConfig field', () => {
    const c = unsafeRight(
      decode({
        path: '/opt/q',
        firmware: '/fw.bin',
        machine_type: 'q35',
        machine_accelerators: 'nosmm',
        default_vcpus: 2,
        default_maxvcpus: 4,
        default_memory: 1024,
        memory_slots: 3,
        memory_offset: 512,
        default_bridges: 3,
        disable_nesting_checks: true,
        disable_vhost_net: true,
        block_device_driver: 'virtio-blk',
        enable_iothreads: true,
        entropy_source: '/dev/random',
        shared_fs: 'virtio-fs',
        virtio_fs_cache_size: 64,
        msize_9p: 512,
        enable_hugepages: true,
        enable_mem_prealloc: true,
        file_mem_backend: '/dev/shm/x',
        enable_swap: true,
        enable_debug: true,
        use_vsock: true,
        hotplug_vfio_on_root_bus: true,
        block_device_cache_set: true,
        block_device_cache_direct: true,
        block_device_cache_noflush: true,
      }),
    ).value
    expect(c).toMatchObject({
      path: '/opt/q',
      firmware: '/fw.bin',
      machineType: 'q35',
      machineAccelerators: 'nosmm',
      defaultVcpus: 2,
      defaultMaxVcpus: 4,
      memoryMiB: 1024,
      memorySlots: 3,
      memoryOffsetMiB: 512,
      defaultBridges: 3,
      disableNestingChecks: true,
      disableVhostNet: true,
      blockDeviceDriver: 'virtio-blk',
      enableIothreads: true,
      entropySource: '/dev/random',
      sharedFs: 'virtio-fs',
      virtioFsCacheSizeMiB: 64,
      msize9p: 512,
      hugePages: true,
      memPrealloc: true,
      fileMemBackend: '/dev/shm/x',
      mlock: false,
      debug: true,
      useVsock: true,
      hotplugVfioOnRootBus: true,
      blockDeviceCache: { set: true, direct: true, noFlush: true },
    })
  })
  it('caps default_bridges at 5 (katautils maxPCIBridges)', () => {
    expect(maxBridges).toBe(5)
    expect(unsafeRight(decode({ default_bridges: 9 })).value.defaultBridges).toBe(5)
  })
  it('keeps a negative default_vcpus (resolved to the maximum by the planner)', () => {
    expect(unsafeRight(decode({ default_vcpus: -1 })).value.defaultVcpus).toBe(-1)
  })
  it('enable_swap = true means Mlock = false', () => {
    expect(unsafeRight(decode({ enable_swap: true })).value.mlock).toBe(false)
    expect(unsafeRight(decode({ enable_swap: false })).value.mlock).toBe(true)
  })
  it('puts the systemd unit/mask parameters before the user kernel_params with an image', () => {
    expect(unsafeRight(decode({ kernel_params: 'quiet  a=b' })).value.kernelParams).toEqual([
      ...systemdImageParams,
      param('quiet'),
      param('a', 'b'),
    ])
    expect(systemdImageParams.map((p) => `${p.key}=${p.value}`)).toEqual([
      'systemd.unit=kata-containers.target',
      'systemd.mask=systemd-networkd.service',
      'systemd.mask=systemd-networkd.socket',
    ])
  })
  it('adds no systemd parameters with an initrd', () => {
    expect(unsafeRight(decode({ image: undefined, initrd, kernel_params: 'x=1' })).value.kernelParams).toEqual([param('x', '1')])
  })
  it('accepts the bare [hypervisor.qemu] keys as well as the whole document', () => {
    expect(unsafeRight(decodeConfig({ kernel, image })).value.kernel).toBe(kernel)
  })
})

describe('decodeConfig: warnings', () => {
  it('warns about unknown keys in the table, naming their path', () => {
    expect(unsafeRight(decode({ colour: 'blue' })).warnings).toEqual(['unknown key hypervisor.qemu.colour ignored'])
  })
  it('ignores other tables', () => {
    expect(unsafeRight(decodeConfig({ ...configDoc(), runtime: { internetworking_model: 'tcfilter' }, agent: {} })).warnings).toEqual([])
  })
})

describe('decodeConfig: errors', () => {
  it('InvalidInput at the root for a non-object', () => {
    for (const u of [null, 3, 'x', [], undefined]) expect(problemsOf(u)[0]?.path).toBe('')
  })
  it('InvalidInput at hypervisor when it is not a table', () => {
    expect(problemsOf({ hypervisor: 5 })).toEqual([{ path: 'hypervisor', expected: 'a table holding a qemu table', actual: '5' }])
  })
  it('InvalidInput at hypervisor.qemu when it is missing or not a table', () => {
    expect(problemsOf({ hypervisor: {} })[0]).toEqual({ path: 'hypervisor.qemu', expected: 'a table', actual: 'nothing (missing)' })
    expect(problemsOf({ hypervisor: { qemu: [1] } })[0]).toEqual({ path: 'hypervisor.qemu', expected: 'a table', actual: '[1]' })
  })
  it.each([
    ['kernel', 'vmlinuz', 'absolute path without control characters or "" (not set)'],
    ['path', 7, 'absolute path without control characters or "" (not set)'],
    ['default_memory', -1, 'non-negative integer (uint32: 0..4294967295)'],
    ['default_memory', 1.5, 'non-negative integer (uint32: 0..4294967295)'],
    ['default_vcpus', '2', 'integer (int32: -2147483648..2147483647)'],
    ['machine_type', 'q35\n', 'string without control characters'],
    ['block_device_driver', 'virtio-foo', '"virtio-scsi" | "virtio-blk" | "virtio-mmio" | "nvdimm" | "virtio-blk-ccw" or "" (not set)'],
    ['shared_fs', 'nfs', '"virtio-9p" | "virtio-fs" or "" (not set)'],
    ['enable_debug', 'yes', 'boolean'],
    ['virtio_fs_extra_args', ['a', 1], 'string without control characters'],
  ])('InvalidInput naming hypervisor.qemu.%s for %j', (key, value, expected) => {
    const ps = problemsOf(configDoc({ [key]: value }))
    expect(ps).toHaveLength(1)
    expect(ps[0]?.path.startsWith(`hypervisor.qemu.${key}`)).toBe(true)
    expect(ps[0]?.expected).toBe(expected)
  })
  it('reports every bad key at once', () => {
    expect(problemsOf(configDoc({ default_memory: 'x', use_vsock: 1 })).map((p) => p.path)).toEqual([
      'hypervisor.qemu.default_memory',
      'hypervisor.qemu.use_vsock',
    ])
  })
  it('names the element of a bad array entry', () => {
    expect(problemsOf(configDoc({ virtio_fs_extra_args: ['a', 1] }))[0]?.path).toBe('hypervisor.qemu.virtio_fs_extra_args.1')
  })
  it("katautils' default kernel when kernel is unset or empty", () => {
    expect(unsafeRight(decode({ kernel: undefined })).value.kernel).toBe('/usr/share/kata-containers/vmlinuz.container')
    expect(unsafeRight(decode({ kernel: '' })).value.kernel).toBe('/usr/share/kata-containers/vmlinuz.container')
  })
  it("InvalidConfig without image and initrd (both unset or empty), in katautils' words", () => {
    for (const over of [{ image: undefined }, { image: '', initrd: '' }])
      expect(unsafeLeft(decode(over))).toEqual({
        _tag: 'InvalidConfig',
        field: 'hypervisor.qemu.image',
        reason: 'Either initrd or image must be set to a valid path (initrd: initrd is not set) (image: image is not set)',
      })
  })
  it('InvalidConfig with both image and initrd (katautils refuses them)', () => {
    expect(unsafeLeft(decode({ initrd }))).toMatchObject({ _tag: 'InvalidConfig', field: 'hypervisor.qemu.initrd' })
  })
  it('InvalidConfig for more memory slots than QEMU counts', () => {
    expect(unsafeLeft(decode({ memory_slots: 256 }))).toMatchObject({ _tag: 'InvalidConfig', field: 'hypervisor.qemu.memory_slots' })
    expect(unsafeRight(decode({ memory_slots: 255 })).value.memorySlots).toBe(255)
  })
  it('shows BigInt, deep and long values without throwing', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    for (const v of [10n, deep, 'x'.repeat(10_000), { a: { b: { c: { d: 1 } } } }]) {
      const ps = problemsOf(configDoc({ kernel: v }))
      expect(ps[0]?.path).toBe('hypervisor.qemu.kernel')
      expect(ps[0]?.actual.length).toBeLessThanOrEqual(81)
    }
  })
})

describe('fromTable', () => {
  it('builds the configuration from an already-decoded table', () => {
    expect(unsafeRight(fromTable({ kernel, initrd })).initrd).toBe(initrd)
    expect(unsafeLeft(fromTable({ kernel }))._tag).toBe('InvalidConfig')
  })
})
