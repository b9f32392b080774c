/**
 * Every function of the ppc64le record, checked against Kata 1.9 (kata-containers/runtime e93bf967):
 * `virtcontainers/qemu_ppc64le.go` (`qemuPPC64le`, `newQemuArch`, `MaxQemuVCPUs`, `capabilities`,
 * `cpuModel`, `memoryTopology`, `appendImage`), the `qemuArchBase` methods it inherits
 * (`qemu_arch_base.go`), `genericBridges`/`genericAppendBridges`/`genericMemoryTopology`
 * (`qemu.go`); then what the planner and the renderer make of it.
 */
import { describe, expect, it } from 'vitest'
import { defaultMemMaxPPC64le, ppc64le, ppcMaxMemBase, spec } from '../../../src/arch/ppc64le.ts'
import { draftDevices as listOf, uniqueDevices } from '../../../src/arch/draft.ts'
import { planSandbox } from '../../../src/arch/planner.ts'
import { rootSlotsOf } from '../../../src/arch/root-bus.ts'
import { seededIds } from '../../../src/core/ids.ts'
import type { HostFacts } from '../../../src/core/vm.ts'
import {
  config,
  fixturesFor,
  image,
  initrd,
  lastDevice as last,
  paramLine as line,
  runSteps as run,
  switchesStarting,
  unsafeLeft,
  unsafeRight,
  values,
  everyPciKind,
  landings,
} from '../../support/arch-fixtures.ts'

const { sandbox, stateFor, draftFor, planFor, argvFor } = fixturesFor('ppc64le')

const archParams =
  'tsc=reliable no_timer_check rcupdate.rcu_expedited=1 noreplace-smp reboot=k console=hvc0 console=hvc1 cryptomgr.notests net.ifnames=0'
const machineOptions = [
  ['accel', 'kvm'],
  ['usb', 'off'],
  ['cap-cfpc', 'broken'],
  ['cap-sbbc', 'broken'],
  ['cap-ibs', 'broken'],
]
const noImage = { image: undefined, initrd }
/** The fixtures' host (8 CPUs) with some facts changed. */
const host = (facts: Record<string, unknown>) => ({ host: { memoryMiB: 32000, cpus: 8, ...facts } })
const facts = (over: Partial<HostFacts>): HostFacts => ({
  memoryMiB: 32100,
  nested: false,
  qemuVersion: undefined,
  gicVersion: undefined,
  accelerator: 'kvm',
  ...over,
})
const ep = { tapName: 'tap0_kata', mac: '02:42:ac:11:00:02' }
const imageId = `image-${seededIds(1).hex16('image')}`

describe('ppc64le spec (qemu_ppc64le.go)', () => {
  it('whitelists pseries only, the default, with accel=kvm,usb=off and the spectre caps (defaultQemuMachineOptions)', () => {
    expect(spec.defaultMachine).toBe('pseries')
    expect(spec.machines).toEqual([{ type: 'pseries', options: machineOptions }])
    expect(spec.nvdimmOnImage).toBe(false)
  })
  it('Kata runs /usr/bin/qemu-system-ppc64le (defaultQemuPath); QEMU ships /usr/bin/qemu-system-ppc64', () => {
    expect(spec.qemuPaths).toEqual({ pseries: '/usr/bin/qemu-system-ppc64le' })
    expect(spec.qemuBinary).toBe('/usr/bin/qemu-system-ppc64')
    expect(spec.qemuRefuses).toEqual({})
  })
  it('has the arch kernel parameters and no root parameters (kernelRootParams is empty)', () => {
    expect(line(spec.kernelParams)).toBe(archParams)
    expect(spec.kernelRootParams).toEqual([])
  })
  it('caps vCPUs at 128 (MaxQemuVCPUs), waits 5 s for migration, reads no nesting (RunningOnVMM), PCI on pci.0, no kvm-pit, maxmem aligned to 256 MiB', () => {
    expect(spec.maxVCpus(facts({}))).toBe(128)
    expect(spec.migrationWaitTimeoutMs).toBe(5000)
    expect(spec.detectsNesting).toBe(false)
    expect(spec.transport).toBe('pci')
    expect(spec.rootBus).toEqual({ pseries: { bus: 'pci.0', reserved: [], bridgeType: 'pci', hotplug: true } })
    expect(spec.kvmPit).toBe(false)
    expect(spec.maxMemAlignMiB).toBe(256)
  })
  it('machine facts: no firmware needed, vCPU hot-plug, orderly unplugs', () => {
    expect([spec.memoryNeedsFirmware, spec.cpuHotplug, spec.unplugIsSurprise]).toEqual([false, true, false])
  })
})

describe('binary per dialect', () => {
  it('govmm: qemu-system-ppc64le; qemu: qemu-system-ppc64', () => {
    expect(unsafeRight(planFor()).binary).toEqual({ govmm: '/usr/bin/qemu-system-ppc64le', qemu: '/usr/bin/qemu-system-ppc64' })
    expect(unsafeRight(argvFor('govmm')).binary).toBe('/usr/bin/qemu-system-ppc64le')
    expect(unsafeRight(argvFor('qemu')).binary).toBe('/usr/bin/qemu-system-ppc64')
  })
  it('a configured path is used in both', () => {
    expect(unsafeRight(planFor({ path: '/opt/qemu/bin/qemu-system-ppc64' })).binary).toEqual({
      govmm: '/opt/qemu/bin/qemu-system-ppc64',
      qemu: '/opt/qemu/bin/qemu-system-ppc64',
    })
  })
})

describe('vCPUs (MaxQemuVCPUs = 128)', () => {
  it('default_maxvcpus is cut to 128 on a 256-CPU host', () => {
    const p = unsafeRight(planFor({ default_vcpus: 2, default_maxvcpus: 200 }, host({ cpus: 256 })))
    expect(p.smp).toEqual({ cpus: 2, sockets: 128, cores: 1, threads: 1, maxCpus: 128 })
    expect(line(p.kernel.params)).toContain(' nr_cpus=128 ')
  })
  it('InvalidConfig (govmm) for more vCPUs than 128', () => {
    expect(unsafeLeft(argvFor('govmm', { default_vcpus: 200 }, host({ cpus: 256 })))).toEqual({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.default_maxvcpus',
      reason: 'MaxCPUs 128 must be equal to or greater than CPUs 200',
    })
  })
})

describe('machine', () => {
  it('pseries with its options, and no nvdimm even with an image', () => {
    expect(unsafeRight(ppc64le.machine(stateFor()))).toEqual({ type: 'pseries', options: machineOptions })
    expect(unsafeRight(ppc64le.machine(stateFor(noImage)))).toEqual({ type: 'pseries', options: machineOptions })
  })
  it('-machine in both dialects', () => {
    const m = 'pseries,accel=kvm,usb=off,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken'
    expect(values(unsafeRight(argvFor('govmm')).args, '-machine')).toEqual([m])
    expect(values(unsafeRight(argvFor('qemu')).args, '-machine')).toEqual([m])
  })
  it('UnknownMachine for anything but pseries, from the record and from planSandbox', () => {
    const left = { _tag: 'UnknownMachine', arch: 'ppc64le', machine: 'virt', supported: ['pseries'] }
    expect(unsafeLeft(ppc64le.machine(stateFor({ machine_type: 'virt' })))).toEqual(left)
    expect(unsafeLeft(planFor({ machine_type: 'virt' }))).toEqual(left)
  })
})

describe('qemuPath', () => {
  it('pseries → /usr/bin/qemu-system-ppc64le', () => expect(unsafeRight(ppc64le.qemuPath(stateFor()))).toBe('/usr/bin/qemu-system-ppc64le'))
  it('UnknownBinary for a machine qemuPaths does not have', () => {
    expect(unsafeLeft(ppc64le.qemuPath(stateFor({ machine_type: 'powernv' })))).toEqual({ _tag: 'UnknownBinary', machine: 'powernv' })
  })
})

describe('kernelParameters / handleImagePath (newQemuArch calls the base handleImagePath, which adds the empty root list)', () => {
  it('image, not debug: arch + quiet + systemd.show_status=false, no root parameters', () => {
    expect(line(ppc64le.kernelParameters(false)(stateFor()))).toBe(`${archParams} quiet systemd.show_status=false`)
  })
  it('image, debug: arch + debug + systemd debug', () => {
    expect(line(ppc64le.kernelParameters(true)(stateFor()))).toBe(`${archParams} debug systemd.show_status=true systemd.log_level=debug`)
  })
  it('initrd: arch + quiet', () => {
    expect(line(ppc64le.kernelParameters(false)(stateFor(noImage)))).toBe(`${archParams} quiet`)
  })
  it('handleImagePath marks the image, adds the systemd lists and no root parameter', () => {
    const s = stateFor(noImage)
    expect(ppc64le.handleImagePath(undefined)(s)).toBe(s)
    const h = ppc64le.handleImagePath(image)(s)
    expect(h.image).toBe(true)
    expect(line(h.kernelParams)).toBe(archParams)
    expect(line(h.kernelParamsNonDebug)).toBe('quiet systemd.show_status=false')
  })
  it('-append has no root=', () => {
    const append = values(unsafeRight(argvFor('govmm')).args, '-append')[0] ?? ''
    expect(append.startsWith(`${archParams} quiet systemd.show_status=false panic=1 nr_cpus=8 `)).toBe(true)
    expect(append).not.toContain('root=')
  })
})

describe('capabilities (qemuPPC64le.capabilities)', () => {
  it('block hot-plug on pseries; multi-queue and fs sharing', () => {
    expect(ppc64le.capabilities(stateFor())).toEqual({ blockDeviceHotplug: true, multiQueue: true, fsSharing: true })
    expect(unsafeRight(planFor()).capabilities).toEqual({ blockDeviceHotplug: true, multiQueue: true, fsSharing: true })
  })
  it('no block hot-plug on any other machine type', () => {
    expect(ppc64le.capabilities({ ...stateFor(), machineType: 'powernv' })).toEqual({
      blockDeviceHotplug: false,
      multiQueue: true,
      fsSharing: true,
    })
  })
})

describe('bridges (genericBridges: pseries → PCI)', () => {
  it('pseries gets pci-bridge-<n>', () => {
    expect(
      ppc64le
        .bridges(2)(stateFor())
        .bridges.map((b) => `${b.type}:${b.id}`),
    ).toEqual(['pci:pci-bridge-0', 'pci:pci-bridge-1'])
  })
  it('replaces the bridges rather than appending', () => expect(ppc64le.bridges(1)(ppc64le.bridges(3)(stateFor())).bridges).toHaveLength(1))
})

describe('cpuTopology / cpuModel (qemuPPC64le.cpuModel)', () => {
  it('cpuTopology: sockets = maxcpus, cores = threads = 1 (qemuArchBase)', () => {
    expect(ppc64le.cpuTopology(2, 8)).toEqual({ cpus: 2, sockets: 8, cores: 1, threads: 1, maxCpus: 8 })
  })
  it('cpuModel: host, +pmu=off with nesting checks on (only reachable through the record: the planner never turns them on here)', () => {
    const s = stateFor()
    expect(ppc64le.cpuModel(s)).toBe('host')
    expect(ppc64le.cpuModel(ppc64le.enableNestingChecks(s))).toBe('host,pmu=off')
    expect(ppc64le.cpuModel(ppc64le.disableNestingChecks(ppc64le.enableNestingChecks(s)))).toBe('host')
  })
})

describe('memoryTopology (qemuPPC64le.memoryTopology + genericMemoryTopology)', () => {
  // Kata read qemuMajorVersion/qemuMinorVersion over QMP in waitSandbox, after the command line was
  // built, so at createSandbox the version was 0.0 and maxmem came from defaultMemMaxPPC64le:
  // host.qemuVersion unknown gives that Kata behaviour, a known one the ≥ 2.10 branch.
  it('defaultMemMaxPPC64le is 32256 MiB', () => expect(defaultMemMaxPPC64le).toBe(32256))
  it.each([
    [undefined, 32256],
    [{ major: 1, minor: 12 }, 32256],
    [{ major: 2, minor: 9 }, 32256],
    [{ major: 2, minor: 10 }, 32000],
    [{ major: 3, minor: 0 }, 32000],
    [{ major: 7, minor: 2 }, 32000],
  ])('QEMU %j: maxmem base %s MiB on a 32100 MiB host', (qemuVersion, base) => expect(ppcMaxMemBase(facts({ qemuVersion }))).toBe(base))
  it('unknown QEMU version: maxmem = 32256 + 1024 + memory_offset, whatever the host memory', () => {
    expect(ppc64le.memoryTopology(2048, 64000, 10)(stateFor())).toEqual({ sizeMiB: 2048, slots: 10, maxMemMiB: 33280 })
    expect(ppc64le.memoryTopology(2048, 64000, 10)(stateFor({ memory_offset: 100 }))).toEqual({
      sizeMiB: 2048,
      slots: 10,
      maxMemMiB: 33380,
    })
  })
  it('QEMU ≥ 2.10: maxmem = host memory aligned down to 256 MiB + 1024 + memory_offset', () => {
    const s = stateFor({ memory_offset: 100 }, host({ memoryMiB: 32100, qemuVersion: { major: 7, minor: 2 } }))
    expect(ppc64le.memoryTopology(1024, 32100, 10)(s)).toEqual({ sizeMiB: 1024, slots: 10, maxMemMiB: 33124 })
  })
  it('planSandbox takes the version from host.qemuVersion', () => {
    const known = host({ memoryMiB: 32100, qemuVersion: { major: 7, minor: 2 } })
    expect(unsafeRight(planFor({}, known)).memory).toEqual({ sizeMiB: 2048, slots: 10, maxMemMiB: 33024 })
    expect(values(unsafeRight(argvFor('govmm', {}, known)).args, '-m')).toEqual(['2048M,slots=10,maxmem=33024M'])
    expect(unsafeRight(planFor({}, host({ memoryMiB: 32100 }))).memory.maxMemMiB).toBe(33280)
  })
  it('-m: govmm keeps an unaligned maxmem, the qemu dialect rounds it down to 256 MiB with a warning', () => {
    const govmm = unsafeRight(argvFor('govmm', { memory_offset: 100 }))
    expect(values(govmm.args, '-m')).toEqual(['2048M,slots=10,maxmem=33380M'])
    expect(govmm.warnings).toEqual([])
    const qemu = unsafeRight(argvFor('qemu', { memory_offset: 100 }))
    expect(values(qemu.args, '-m')).toEqual(['2048M,slots=10,maxmem=33280M'])
    expect(qemu.warnings).toEqual(['maxmem 33380M rounded down to 33280M: the machine needs it aligned to 256 MiB'])
  })
  it('an aligned maxmem is left alone, without a warning', () => {
    const qemu = unsafeRight(argvFor('qemu'))
    expect(values(qemu.args, '-m')).toEqual(['2048M,slots=10,maxmem=33280M'])
    expect(qemu.warnings).toEqual([])
  })
})

describe('appendConsole (qemuArchBase; placement and nesting in pci-bridges.test.ts)', () => {
  it('-device virtio-serial-pci in both dialects', () => {
    expect(switchesStarting(unsafeRight(argvFor('govmm')).args, '-device', 'virtio-serial')).toEqual([
      'virtio-serial-pci,disable-modern=false,id=serial0,romfile=',
    ])
    expect(switchesStarting(unsafeRight(argvFor('qemu')).args, '-device', 'virtio-serial')).toEqual([
      'virtio-serial-pci,id=serial0,bus=pci.0,addr=0x0',
    ])
  })
})

describe('appendImage (qemuPPC64le.appendImage: a virtio-blk disk)', () => {
  it('image-<16 hex>, raw, not shared, placed on pci.0', () => {
    const d = unsafeRight(ppc64le.appendImage({ path: image, sizeBytes: 4096, randomHex: '0123456789abcdef' })(draftFor()))
    expect(listOf(d)).toEqual([
      {
        _tag: 'Block',
        id: 'image-0123456789abcdef',
        file: image,
        format: 'raw',
        aio: 'threads',
        disableModern: false,
        shareRW: false,
        placement: { _tag: 'Pci', bus: 'pci.0', slot: 0 },
      },
    ])
    expect(rootSlotsOf(d.state)).toEqual({ 0: 'image-0123456789abcdef' })
  })
  it('the 16 hex characters are drawn from the id source (utils.GenerateRandomBytes(8))', () => {
    const id = (n: number) =>
      unsafeRight(planSandbox(config(), sandbox(), { imageSizeBytes: 4096 }, seededIds(n))).devices.find((d) => d._tag === 'Block')?.id
    expect(id(1)).toBe(imageId)
    expect(id(2)).toBe(`image-${seededIds(2).hex16('image')}`)
    expect(id(1)).not.toBe(id(2))
    expect(id(2)).toMatch(/^image-[0-9a-f]{16}$/)
  })
  it('no NVDIMM, no image device with an initrd', () => {
    expect(unsafeRight(planFor()).devices.some((d) => d._tag === 'Nvdimm')).toBe(false)
    expect(unsafeRight(planFor(noImage)).devices.some((d) => d._tag === 'Block')).toBe(false)
  })
  it('-device virtio-blk and its -drive in both dialects', () => {
    const govmm = unsafeRight(argvFor('govmm')).args
    expect(switchesStarting(govmm, '-device', 'virtio-blk')).toEqual([
      `virtio-blk,disable-modern=false,drive=${imageId},scsi=off,config-wce=off,romfile=`,
    ])
    expect(values(govmm, '-drive')).toEqual([`id=${imageId},file=${image},aio=threads,format=raw,if=none`])
    expect(switchesStarting(unsafeRight(argvFor('qemu')).args, '-device', 'virtio-blk')).toEqual([
      `virtio-blk-pci,drive=${imageId},scsi=off,config-wce=off,id=${imageId},bus=pci.0,addr=0x1`,
    ])
  })
})

describe('appendBridges (genericAppendBridges: pseries → defaultPCBridgeBus; the allocation is in pci-bridges.test.ts)', () => {
  it('-device pci-bridge in both dialects', () => {
    expect(switchesStarting(unsafeRight(argvFor('govmm')).args, '-device', 'pci-bridge')).toEqual([
      'pci-bridge,bus=pci.0,id=pci-bridge-0,chassis_nr=1,shpc=on,addr=2,romfile=',
    ])
    expect(switchesStarting(unsafeRight(argvFor('qemu')).args, '-device', 'pci-bridge')).toEqual([
      'pci-bridge,bus=pci.0,id=pci-bridge-0,chassis_nr=1,shpc=on,addr=0x2',
    ])
  })
})

describe('sandbox devices (qemuArchBase)', () => {
  it('land on pci.0 from slot 0 in creation order, around the bridge at 2 (planSandbox)', () => {
    const p = unsafeRight(
      planFor(
        {},
        {
          devices: everyPciKind,
        },
      ),
    )
    expect(landings(p.devices)).toEqual([
      'pci-bridge-0@pci.0:2',
      'serial0@pci.0:0',
      'console0@-',
      `${imageId}@pci.0:1`,
      'scsi0@pci.0:3',
      'rng0@pci.0:4',
      'vsock-3054198027@pci.0:5',
      'extra-9p-kataShared@pci.0:6',
      'channel0@-',
      'network-0@pci.0:7',
      'drive-0@pci.0:8',
      'net-abcdef@pci.0:9',
      'vfio-0@pci.0:10',
    ])
  })
  it('a NIC takes vhost-net (vhost=on with its vhost fds)', () => {
    expect(last(unsafeRight(ppc64le.appendNetwork({ ...ep, endpoint: 'veth', fds: [12], vhostFds: [11] })(draftFor())))).toMatchObject({
      id: 'network-0',
      vhost: true,
      vhostFds: [11],
    })
    const args = unsafeRight(
      argvFor('qemu', {}, { devices: [{ kind: 'network', endpoint: 'veth', ...ep, fds: [12], vhostFds: [11] }] }),
    ).args
    expect(values(args, '-netdev')).toEqual(['tap,id=network-0,vhost=on,vhostfds=3,fds=4'])
  })
  it('InvalidDevice for a networking model Kata refuses', () => {
    expect(unsafeLeft(ppc64le.appendNetwork({ ...ep, endpoint: 'bridgedmacvlan', model: 'none' })(draftFor()))).toEqual({
      _tag: 'InvalidDevice',
      device: 'tap0_kata',
      field: 'model',
      reason: 'Invalid internetworking model none',
    })
  })
  it('DuplicateId for a 9p tag that truncates to an id in use', () => {
    const a = 'a'.repeat(22)
    const d = run(
      draftFor(),
      ppc64le.append9PVolume({ mountTag: `${a}-one`, hostPath: '/s' }),
      ppc64le.append9PVolume({ mountTag: `${a}-two`, hostPath: '/t' }),
    )
    expect(unsafeLeft(uniqueDevices(d))).toEqual({ _tag: 'DuplicateId', id: `extra-9p-${a}`, field: 'volume' })
  })
})

describe('machine facts and render', () => {
  it('the plan carries them', () => {
    expect(unsafeRight(planFor()).facts).toEqual({
      rootBus: { bus: 'pci.0', reserved: [], bridgeType: 'pci', hotplug: true },
      kvmPit: false,
      maxMemAlignMiB: 256,
      memoryNeedsFirmware: false,
      memoryHotplug: true,
      cpuHotplug: true,
      unplugIsSurprise: false,
      ignoreSharedMemory: true,
      migrationTimeoutMs: 5000,
    })
  })
  it('-global kvm-pit only in the govmm dialect', () => {
    expect(values(unsafeRight(argvFor('govmm')).args, '-global')).toEqual(['kvm-pit.lost_tick_policy=discard'])
    expect(values(unsafeRight(argvFor('qemu')).args, '-global')).toEqual([])
  })
  it('a memory backend and NUMA node (govmm isDimmSupported)', () => {
    const args = unsafeRight(argvFor('qemu'))
    expect(switchesStarting(args.args, '-object', 'memory-backend-ram')).toEqual(['memory-backend-ram,id=dimm1,size=2048M'])
    expect(values(args.args, '-numa')).toEqual(['node,memdev=dimm1'])
  })
})
