/** planSandbox: Kata's device order, kernel line, vCPU clamps, binaries, knobs, warnings. */
import { describe, expect, it } from 'vitest'
import { amd64 } from '../../../src/arch/amd64.ts'
import { arches } from '../../../src/arch/index.ts'
import { planSandbox, withAccelerators } from '../../../src/arch/planner.ts'
import { ioThreadsOf } from '../../../src/core/render.ts'
import type { Device } from '../../../src/core/devices/model.ts'
import { seededIds } from '../../../src/core/ids.ts'
import type { Arch } from '../../../src/core/input/sandbox.ts'
import { kernelCmdline } from '../../../src/core/kernel.ts'
import { render } from '../../../src/core/render.ts'
import { config, image, initrd, planFor, sandbox, unsafeLeft, unsafeRight } from '../../support/amd64-fixtures.ts'

const noImage = { image: undefined, initrd }
const tags = (ds: ReadonlyArray<Device>) => ds.map((d) => `${d._tag}:${'id' in d ? d.id : ''}`)
const tpl = (to: boolean, from: boolean) => ({
  template: { bootToBeTemplate: to, bootFromTemplate: from, memoryPath: '/run/tpl/memory', devicesStatePath: '/run/tpl/state' },
})
const devices = [
  { kind: 'vsock', contextId: 3054198027, vhostFd: 10 },
  { kind: 'volume', mountTag: 'kataShared', hostPath: '/shared' },
  { kind: 'network', endpoint: 'veth', tapName: 'tap0_kata', mac: '02:42:ac:11:00:02', fds: [12], vhostFds: [11] },
]

describe('arches', () => {
  it('has a record for every arch the sandbox names', () => {
    const all: ReadonlyArray<Arch> = ['amd64', 'arm64', 'ppc64le', 's390x']
    expect(all.map((a) => arches[a].spec.arch)).toEqual(all)
    expect(arches.amd64).toBe(amd64)
  })
})

describe('withAccelerators', () => {
  const kvm = [
    ['accel', 'kvm'],
    ['kernel_irqchip', undefined],
  ] as const
  it('appends flags and key=value pairs, with or without a leading comma', () => {
    expect(withAccelerators(kvm, 'nosmm,a=b')).toEqual([...kvm, ['nosmm', undefined], ['a', 'b']])
    expect(withAccelerators(kvm, ',nosmm')).toEqual([...kvm, ['nosmm', undefined]])
  })
  it('leaves the options alone without accelerators or with empty elements only', () => {
    expect(withAccelerators(kvm, undefined)).toBe(kvm)
    expect(withAccelerators(kvm, ',,')).toEqual(kvm)
  })
})

describe("planSandbox: device order (Kata's buildDevices, then addDevice)", () => {
  it('bridges, console, image, SCSI controller, RNG, then the sandbox devices in order', () => {
    const p = unsafeRight(planFor({ machine_type: 'q35', default_bridges: 2 }, { devices }))
    expect(tags(p.devices)).toEqual([
      'Bridge:pci-bridge-0',
      'Bridge:pci-bridge-1',
      'Serial:serial0',
      'Char:console0',
      'Nvdimm:nv0',
      'Scsi:scsi0',
      'Rng:rng0',
      'Vsock:vsock-3054198027',
      'Fs9p:extra-9p-kataShared',
      'Net:network-0',
    ])
  })
  it('no image device and no nvdimm option with an initrd', () => {
    const p = unsafeRight(planFor(noImage))
    expect(p.devices.some((d) => d._tag === 'Nvdimm')).toBe(false)
    expect(p.machine.options.map(([k]) => k)).not.toContain('nvdimm')
    expect(p.kernel.initrd).toBe(initrd)
  })
  it('no SCSI controller with the virtio-blk driver', () => {
    expect(tags(unsafeRight(planFor({ block_device_driver: 'virtio-blk' })).devices)).not.toContain('Scsi:scsi0')
  })
  it('the IO thread comes from the id source', () => {
    const p = unsafeRight(planFor({ enable_iothreads: true }))
    const hex = seededIds(1).hex16('iothread')
    expect(ioThreadsOf(p.devices)).toEqual([`iothread-${hex}`])
    expect(p.devices.find((d) => d._tag === 'Scsi')).toMatchObject({ ioThread: `iothread-${hex}` })
  })
  it('virtio-fs turns a volume into vhost-user-fs on <runDir>/<id>/vhost-fs.sock', () => {
    const p = unsafeRight(planFor({ shared_fs: 'virtio-fs', virtio_fs_cache_size: 512 }, { devices: [devices[1]] }))
    const hex = seededIds(1).hex16('virtio-fs-0')
    expect(p.devices[p.devices.length - 1]).toMatchObject({
      _tag: 'VhostUser',
      type: 'fs',
      socketPath: '/run/vc/vm/sb1/vhost-fs.sock',
      tag: 'kataShared',
      cacheSizeMiB: 512,
      id: `fs-${hex}`,
      chardev: `char-${hex}`,
    })
  })
  it('the console socket path can be overridden', () => {
    expect(unsafeRight(planFor({}, { consolePath: '/tmp/console.sock' })).devices.find((d) => d._tag === 'Char')).toMatchObject({
      path: '/tmp/console.sock',
    })
  })
})

describe('planSandbox: kernel command line', () => {
  it('arch + root + quiet + systemd, panic, nr_cpus, agent.use_vsock, katautils systemd params, then the user params', () => {
    const p = unsafeRight(planFor({ default_maxvcpus: 8, use_vsock: true, kernel_params: 'agent.log=debug quiet=0' }))
    expect(kernelCmdline(p.kernel.params)).toBe(
      'tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k console=hvc0 console=hvc1 iommu=off cryptomgr.notests net.ifnames=0 pci=lastbus=0 ' +
        'root=/dev/pmem0p1 rootflags=dax,data=ordered,errors=remount-ro ro rootfstype=ext4 quiet systemd.show_status=false panic=1 nr_cpus=8 agent.use_vsock=true ' +
        'systemd.unit=kata-containers.target systemd.mask=systemd-networkd.service systemd.mask=systemd-networkd.socket agent.log=debug quiet=0',
    )
  })
  it('debug with an initrd: debug, no root or systemd params, agent.use_vsock=false', () => {
    const p = unsafeRight(planFor({ ...noImage, enable_debug: true }))
    expect(kernelCmdline(p.kernel.params)).toMatch(/ pci=lastbus=0 debug panic=1 nr_cpus=240 agent\.use_vsock=false$/)
  })
})

describe('planSandbox: vCPUs and memory', () => {
  const smp = (over: Record<string, unknown>) => unsafeRight(planFor(over)).smp
  it('defaults: 1 vCPU, max 240', () => expect(smp({})).toEqual({ cpus: 1, sockets: 240, cores: 1, threads: 1, maxCpus: 240 }))
  const smpOn = (cpus: number | undefined, over: Record<string, unknown>) =>
    unsafeRight(planFor(over, { host: { memoryMiB: 32000, nested: false, ...(cpus === undefined ? {} : { cpus }) } }))
  it('katautils defaultVCPUs: negative or more than the host CPUs → the host CPUs, 0 → 1', () => {
    expect(smpOn(8, { default_vcpus: -1 }).smp).toMatchObject({ cpus: 8, maxCpus: 8 })
    expect(smpOn(8, { default_vcpus: 9 }).smp).toMatchObject({ cpus: 8, maxCpus: 8 })
    expect(smpOn(8, { default_vcpus: 0 }).smp).toMatchObject({ cpus: 1, maxCpus: 8 })
    expect(smpOn(8, { default_vcpus: 3, default_maxvcpus: 4 }).smp).toMatchObject({ cpus: 3, maxCpus: 4 })
  })
  it('katautils defaultMaxVCPUs: 0 on a 4-CPU host gives maxcpus=4 and nr_cpus=4', () => {
    const p = smpOn(4, { default_maxvcpus: 0 })
    expect(p.smp).toEqual({ cpus: 1, sockets: 4, cores: 1, threads: 1, maxCpus: 4 })
    expect(kernelCmdline(p.kernel.params)).toContain(' nr_cpus=4 ')
    expect(smpOn(4, { default_maxvcpus: 16 }).smp.maxCpus).toBe(4)
    expect(smpOn(300, { default_maxvcpus: 0 }).smp.maxCpus).toBe(240)
  })
  it('vCPUs above the maximum are not clamped: govmm refuses them when rendering', () => {
    const p = smpOn(16, { default_vcpus: 8, default_maxvcpus: 4 })
    expect(p.smp).toMatchObject({ cpus: 8, maxCpus: 4 })
    expect(unsafeLeft(render(p, 'govmm'))).toEqual({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.default_maxvcpus',
      reason: 'MaxCPUs 4 must be equal to or greater than CPUs 8',
    })
  })
  it('without host.cpus: the arch maximum stands in for the host, with a warning', () => {
    const p = smpOn(undefined, { default_vcpus: -1 })
    expect(p.smp).toMatchObject({ cpus: 240, maxCpus: 240 })
    expect(p.warnings[0]).toMatch(/^host\.cpus is not given: .* 240 CPUs \(the amd64 maximum\)/)
  })
  it('max vCPUs above the arch limit → the limit', () => expect(smp({ default_maxvcpus: 1000 }).maxCpus).toBe(240))
  it('memory: size, slots, maxmem = host + 1024 + offset', () => {
    expect(
      unsafeRight(planFor({ default_memory: 512, memory_slots: 4, memory_offset: 10 }, { host: { memoryMiB: 8000, nested: false } }))
        .memory,
    ).toEqual({
      sizeMiB: 512,
      slots: 4,
      maxMemMiB: 9034,
    })
  })
})

describe('planSandbox: binary and machine', () => {
  it('the configured path wins; otherwise qemuPaths', () => {
    expect(unsafeRight(planFor({ path: '/opt/qemu' })).binary).toEqual({ govmm: '/opt/qemu', qemu: '/opt/qemu' })
    expect(unsafeRight(planFor({ machine_type: 'pc-lite' })).binary.govmm).toBe('/usr/bin/qemu-lite-system-x86_64')
  })
  it('virt: UnknownBinary unless a path is configured', () => {
    expect(unsafeLeft(planFor({ machine_type: 'virt' }))).toEqual({ _tag: 'UnknownBinary', machine: 'virt' })
    expect(unsafeRight(planFor({ machine_type: 'virt', path: '/opt/qemu' })).binary.govmm).toBe('/opt/qemu')
  })
  it('machine_accelerators are appended after nvdimm', () => {
    expect(unsafeRight(planFor({ machine_accelerators: 'nosmm,nosmbus' })).machine.options.map(([k]) => k)).toEqual([
      'accel',
      'kernel_irqchip',
      'nvdimm',
      'nosmm',
      'nosmbus',
    ])
  })
  it('UnknownMachine for a machine outside the whitelist', () =>
    expect(unsafeLeft(planFor({ machine_type: 'isapc' }))._tag).toBe('UnknownMachine'))
  it('QEMU 7.2 cannot run pc-lite or amd64 virt', () => {
    expect(unsafeRight(planFor({ machine_type: 'pc-lite' })).qemuRefusal).toMatch(/pc-lite/)
    expect(unsafeRight(planFor({ machine_type: 'virt', path: '/q' })).qemuRefusal).toMatch(/virt/)
    expect(unsafeRight(planFor({ machine_type: 'q35' })).qemuRefusal).toBeUndefined()
  })
})

describe('planSandbox: knobs', () => {
  const knobs = (c: Record<string, unknown>, s: Record<string, unknown> = {}) => unsafeRight(planFor(c, s)).knobs
  it('defaults: no-user-config, nodefaults, nographic, mlock, nothing else', () => {
    expect(knobs({})).toEqual({
      noUserConfig: true,
      noDefaults: true,
      noGraphic: true,
      daemonize: false,
      hugePages: false,
      memPrealloc: false,
      fileBackedMem: false,
      memShared: false,
      memPath: undefined,
      realtime: false,
      mlock: true,
      stopped: false,
    })
  })
  it('daemonize, hugepages, prealloc, swap', () => {
    expect(knobs({ enable_hugepages: true, enable_mem_prealloc: true, enable_swap: true }, { daemonize: true })).toMatchObject({
      daemonize: true,
      hugePages: true,
      memPrealloc: true,
      mlock: false,
    })
  })
  it('VM templating: file-backed memory at the template path, shared only for the template', () => {
    expect(knobs({}, tpl(true, false))).toMatchObject({ fileBackedMem: true, memShared: true, memPath: '/run/tpl/memory' })
    expect(knobs({}, tpl(false, true))).toMatchObject({ fileBackedMem: true, memShared: false, memPath: '/run/tpl/memory' })
    expect(unsafeRight(planFor({}, tpl(false, true))).incoming).toBe('defer')
    expect(unsafeRight(planFor({}, tpl(true, false))).incoming).toBeUndefined()
  })
  it('virtio-fs or file_mem_backend: shared file-backed memory (/dev/shm by default), prealloc forced with hugepages', () => {
    expect(knobs({ shared_fs: 'virtio-fs' })).toMatchObject({
      fileBackedMem: true,
      memShared: true,
      memPath: '/dev/shm',
      memPrealloc: false,
    })
    expect(knobs({ file_mem_backend: '/mnt/mem' })).toMatchObject({ fileBackedMem: true, memShared: true, memPath: '/mnt/mem' })
    expect(knobs({ shared_fs: 'virtio-fs', enable_hugepages: true })).toMatchObject({ memPrealloc: true, hugePages: true })
    expect(knobs({ enable_hugepages: true })).toMatchObject({ memPrealloc: false })
  })
  it('InvalidConfig for templating with virtio-fs or file-backed memory', () => {
    expect(unsafeLeft(planFor({ shared_fs: 'virtio-fs' }, tpl(true, false)))).toMatchObject({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.shared_fs',
    })
    expect(unsafeLeft(planFor({ file_mem_backend: '/m' }, tpl(false, true)))).toMatchObject({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.file_mem_backend',
    })
  })
})

describe('planSandbox: the rest of the plan', () => {
  it('names, paths and facts', () => {
    const p = unsafeRight(planFor({}, { runDir: '/tmp/vm' }))
    expect(p).toMatchObject({
      arch: 'amd64',
      transport: 'pci',
      name: 'sandbox-sb1',
      uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11',
      qmpPath: '/tmp/vm/sb1/qmp.sock',
      pidFile: '/tmp/vm/sb1/pid',
      logFile: undefined,
      bios: undefined,
      dimmSupported: true,
      cpuModel: 'host',
      binary: { qemu: '/usr/bin/qemu-system-x86_64' },
      capabilities: { blockDeviceHotplug: true, multiQueue: true, fsSharing: true },
      warnings: [],
      facts: {
        rootBus: { bus: 'pci.0', reserved: [0, 1], bridgeType: 'pci', hotplug: true },
        kvmPit: true,
        maxMemAlignMiB: 1,
        memoryHotplug: true,
        ignoreSharedMemory: true,
      },
      hotplugConfig: { blockDeviceDriver: 'virtio-scsi', blockDeviceCache: undefined, hotplugVfioOnRootBus: false },
      hotplugged: { cpus: [], dimms: [], scsiIndex: 0 },
    })
    expect(p.state.bridges.map((b) => [b.id, b.addr])).toEqual([['pci-bridge-0', 2]])
  })
  it('the log file in debug, firmware as -bios', () => {
    expect(unsafeRight(planFor({ enable_debug: true, firmware: '/fw' }))).toMatchObject({ logFile: '/run/vc/vm/sb1/qemu.log', bios: '/fw' })
  })
  it('InvalidConfig when the image size was not resolved', () => {
    expect(unsafeLeft(planSandbox(config(), sandbox(), {}, seededIds(1)))).toMatchObject({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.image',
    })
    expect(unsafeRight(planSandbox(config(noImage), sandbox(), {}, seededIds(1))).kernel.initrd).toBe(initrd)
  })
  it('warns that vhost fds are not passed when vhost-net is disabled', () => {
    const p = unsafeRight(planFor({ disable_vhost_net: true }, { devices: [devices[2]] }))
    expect(p.warnings).toEqual(['network-0: vhostFds 11 are not passed to QEMU because vhost-net is disabled (disable_vhost_net)'])
  })
  it('warns that a memory file is not used when hugepages win', () => {
    expect(unsafeRight(planFor({ shared_fs: 'virtio-fs', enable_hugepages: true })).warnings).toEqual([
      'memory file /dev/shm is not used: enable_hugepages puts guest memory on /dev/hugepages (govmm checks hugepages first)',
    ])
    expect(unsafeRight(planFor({ enable_hugepages: true })).warnings).toEqual([])
  })
  it('the image is the NVDIMM at the configured path with the resolved size', () => {
    expect(unsafeRight(planFor({}, {}, 4096)).devices.find((d) => d._tag === 'Nvdimm')).toMatchObject({ memPath: image, size: 4096 })
  })
  it('a device error stops planning with that error', () => {
    expect(unsafeLeft(planFor({}, { devices: [{ ...devices[2], model: 'enlightened' }] }))).toMatchObject({
      _tag: 'InvalidDevice',
      field: 'model',
    })
  })
  it('is deterministic for one id source', () => {
    expect(planFor({ enable_iothreads: true }, { devices })).toEqual(planFor({ enable_iothreads: true }, { devices }))
  })
})
