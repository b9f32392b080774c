/**
 * Every function of the arm64 record, checked against Kata 1.9 (kata-containers/runtime e93bf967):
 * `virtcontainers/qemu_arm64.go` (`qemuArm64`, `newQemuArch`, `getGuestGICVersion`,
 * `MaxQemuVCPUs`, `appendImage`, `setIgnoreSharedMemoryMigrationCaps`), the `qemuArchBase` methods
 * it inherits (`qemu_arch_base.go`), `genericBridges`/`genericAppendBridges` (`qemu.go`) and govmm's
 * `BridgeDevice.QemuParams`; then what the planner and the renderer make of it.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { arm64, gicVersion, spec } from '../../../src/arch/arm64.ts'
import { draftDevices as listOf, uniqueDevices } from '../../../src/arch/draft.ts'
import { cpuHotplugRefusal, memoryHotplugRefusal } from '../../../src/arch/hotplug.ts'
import { planSandbox } from '../../../src/arch/planner.ts'
import { rootSlotsOf } from '../../../src/arch/root-bus.ts'
import { toMessage } from '../../../src/core/errors.ts'
import { seededIds } from '../../../src/core/ids.ts'
import { maxQemuVCPUs } from '../../../src/core/input/katautils.ts'
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

const { sandbox, stateFor, draftFor, planFor, argvFor } = fixturesFor('arm64')

const archParams = 'console=hvc0 console=hvc1 iommu.passthrough=0'
// qemu_arm64.go kernelRootParams: commonNvdimmKernelRootParams without dax ("AArch64 doesn't support DAX")
const rootParams = 'root=/dev/pmem0p1 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4'
const noImage = { image: undefined, initrd }
const firmware = { firmware: '/usr/share/qemu-efi-aarch64/QEMU_EFI.fd' }
/** The fixtures' host (8 CPUs, no GIC version) with some facts changed. */
const host = (facts: Record<string, unknown>) => ({ host: { memoryMiB: 32000, cpus: 8, ...facts } })
const facts = (over: Partial<HostFacts>): HostFacts => ({
  memoryMiB: 32000,
  nested: false,
  qemuVersion: undefined,
  gicVersion: undefined,
  accelerator: 'kvm',
  ...over,
})
const ep = { tapName: 'tap0_kata', mac: '02:42:ac:11:00:02' }

describe('arm64 spec (qemu_arm64.go)', () => {
  it('whitelists virt only, the default, with usb=off,accel=kvm,gic-version (defaultQemuMachineOptions)', () => {
    expect(spec.defaultMachine).toBe('virt')
    expect(spec.machines).toEqual([
      {
        type: 'virt',
        options: [
          ['usb', 'off'],
          ['accel', 'kvm'],
          ['gic-version', 'host'],
        ],
      },
    ])
    expect(spec.nvdimmOnImage).toBe(true)
  })
  it('runs /usr/bin/qemu-system-aarch64 in both dialects (defaultQemuPath), and QEMU refuses no machine', () => {
    expect(spec.qemuPaths).toEqual({ virt: '/usr/bin/qemu-system-aarch64' })
    expect(spec.qemuBinary).toBe('/usr/bin/qemu-system-aarch64')
    expect(spec.qemuRefuses).toEqual({})
    const p = unsafeRight(planFor())
    expect(p.binary).toEqual({ govmm: '/usr/bin/qemu-system-aarch64', qemu: '/usr/bin/qemu-system-aarch64' })
    expect(p.qemuRefusal).toBeUndefined()
  })
  it('has the arch kernel parameters and the NVDIMM root parameters without dax', () => {
    expect(line(spec.kernelParams)).toBe(archParams)
    expect(line(spec.kernelRootParams)).toBe(rootParams)
  })
  it('waits 10 s for migration (qmpMigrationWaitTimeout), reads no nesting (RunningOnVMM), PCIe root bus, no kvm-pit, no maxmem alignment', () => {
    expect(spec.migrationWaitTimeoutMs).toBe(10_000)
    expect(spec.detectsNesting).toBe(false)
    expect(spec.transport).toBe('pci')
    expect(spec.rootBus).toEqual({ virt: { bus: 'pcie.0', reserved: [0], bridgeType: 'pcie', hotplug: false } })
    expect(spec.kvmPit).toBe(false)
    expect(spec.maxMemAlignMiB).toBe(1)
  })
  it('machine facts: memory devices need firmware, no vCPU hot-plug, unplugs are surprise removals', () => {
    expect([spec.memoryNeedsFirmware, spec.cpuHotplug, spec.unplugIsSurprise]).toEqual([true, false, true])
  })
})

describe('gic-version and the vCPU maximum (getGuestGICVersion, MaxQemuVCPUs)', () => {
  it.each([
    ['GICv2', 2, '2'],
    ['GICv3', 3, '3'],
    ['GICv4', 4, '3'],
    ['an unknown GIC', undefined, 'host'],
  ] as const)('%s → gic-version=%s', (_, v, out) => expect(gicVersion(facts({ gicVersion: v }))).toBe(out))
  it.each([
    [2, 8],
    [3, 123],
    [4, 123],
  ] as const)('GICv%s → %s vCPUs at most (gicList)', (v, max) => expect(spec.maxVCpus(facts({ gicVersion: v }))).toBe(max))
  it("an unknown GIC: the host's CPU count (runtime.NumCPU()), applied by katautils' maxQemuVCPUs; the record's own fallback is 123", () => {
    expect(spec.maxVCpus(facts({}))).toBe(123)
    expect(maxQemuVCPUs('arm64', { cpus: 200 }, spec.maxVCpus(facts({})))).toBe(200)
    expect(maxQemuVCPUs('arm64', { cpus: 200, gicVersion: 3 }, spec.maxVCpus(facts({ gicVersion: 3 })))).toBe(123)
  })
  it('host.gicVersion 0 (no GIC Kata knows, getHostGICVersion) decodes to unknown', () => {
    expect(sandbox(host({ gicVersion: 0 })).host.gicVersion).toBeUndefined()
    expect(unsafeRight(arm64.machine(stateFor({}, host({ gicVersion: 0 })))).options).toContainEqual(['gic-version', 'host'])
  })
  it.each([
    [{ gicVersion: 2 }, 8],
    [{ gicVersion: 3 }, 123],
    [{ gicVersion: 4 }, 123],
    [{}, 200],
  ])('planSandbox on a 200-CPU host with %j: maxcpus and nr_cpus %s', (gic, max) => {
    const p = unsafeRight(planFor({}, host({ cpus: 200, ...gic })))
    expect(p.smp).toEqual({ cpus: 1, sockets: max, cores: 1, threads: 1, maxCpus: max })
    expect(line(p.kernel.params)).toContain(` nr_cpus=${max} `)
    expect(p.warnings).toEqual([])
  })
  it('without host.cpus and GIC version: the 123 of the record, with a warning', () => {
    const p = unsafeRight(planFor({}, { host: { memoryMiB: 32000 } }))
    expect(p.smp.maxCpus).toBe(123)
    expect(p.warnings).toEqual([expect.stringMatching(/^host\.cpus is not given: .* 123 CPUs \(the arm64 maximum\)/)])
  })
  it('InvalidConfig (govmm) for more vCPUs than GICv2 allows', () => {
    expect(unsafeLeft(argvFor('govmm', { default_vcpus: 16 }, host({ cpus: 200, gicVersion: 2 })))).toEqual({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.default_maxvcpus',
      reason: 'MaxCPUs 8 must be equal to or greater than CPUs 16',
    })
  })
})

describe('machine', () => {
  it('virt with ,nvdimm when an image is configured (newQemuArch)', () => {
    expect(unsafeRight(arm64.machine(stateFor()))).toEqual({
      type: 'virt',
      options: [
        ['usb', 'off'],
        ['accel', 'kvm'],
        ['gic-version', 'host'],
        ['nvdimm', undefined],
      ],
    })
  })
  it('no nvdimm with an initrd', () => {
    expect(unsafeRight(arm64.machine(stateFor(noImage))).options).toEqual([
      ['usb', 'off'],
      ['accel', 'kvm'],
      ['gic-version', 'host'],
    ])
  })
  it("gic-version follows the host's GIC", () => {
    const gic = (v: number) => unsafeRight(arm64.machine(stateFor({}, host({ gicVersion: v })))).options.find(([k]) => k === 'gic-version')
    expect([gic(2), gic(3), gic(4)]).toEqual([
      ['gic-version', '2'],
      ['gic-version', '3'],
      ['gic-version', '3'],
    ])
  })
  it('does not grow the whitelist on repeated calls (Kata appended nvdimm to the package-level supportedQemuMachines)', () => {
    const s = stateFor()
    arm64.machine(s)
    expect(unsafeRight(arm64.machine(s)).options).toHaveLength(4)
    expect(spec.machines[0]?.options).toHaveLength(3)
  })
  it('-machine in both dialects', () => {
    expect(values(unsafeRight(argvFor('govmm')).args, '-machine')).toEqual(['virt,usb=off,accel=kvm,gic-version=host,nvdimm'])
    expect(values(unsafeRight(argvFor('qemu', { ...firmware }, host({ gicVersion: 3 }))).args, '-machine')).toEqual([
      'virt,usb=off,accel=kvm,gic-version=3,nvdimm=on',
    ])
  })
  it('UnknownMachine for anything but virt, from the record and from planSandbox', () => {
    const left = { _tag: 'UnknownMachine', arch: 'arm64', machine: 'q35', supported: ['virt'] }
    expect(unsafeLeft(arm64.machine(stateFor({ machine_type: 'q35' })))).toEqual(left)
    expect(unsafeLeft(planFor({ machine_type: 'q35' }))).toEqual(left)
  })
})

describe('qemuPath', () => {
  it('virt → /usr/bin/qemu-system-aarch64', () => expect(unsafeRight(arm64.qemuPath(stateFor()))).toBe('/usr/bin/qemu-system-aarch64'))
  it('UnknownBinary for a machine qemuPaths does not have', () => {
    expect(unsafeLeft(arm64.qemuPath(stateFor({ machine_type: 'q35' })))).toEqual({ _tag: 'UnknownBinary', machine: 'q35' })
  })
})

describe('kernelParameters / handleImagePath', () => {
  it('image, not debug: arch + root (no dax) + quiet + systemd.show_status=false', () => {
    expect(line(arm64.kernelParameters(false)(stateFor()))).toBe(`${archParams} ${rootParams} quiet systemd.show_status=false`)
  })
  it('image, debug: arch + root + debug + systemd debug', () => {
    expect(line(arm64.kernelParameters(true)(stateFor()))).toBe(
      `${archParams} ${rootParams} debug systemd.show_status=true systemd.log_level=debug`,
    )
  })
  it('initrd: no root or systemd parameters', () => {
    expect(line(arm64.kernelParameters(false)(stateFor(noImage)))).toBe(`${archParams} quiet`)
  })
  it('handleImagePath marks the image and adds the lists', () => {
    const s = stateFor(noImage)
    expect(arm64.handleImagePath(undefined)(s)).toBe(s)
    const h = arm64.handleImagePath(image)(s)
    expect(h.image).toBe(true)
    expect(line(h.kernelParams)).toBe(`${archParams} ${rootParams}`)
  })
  it('-append starts with them, with no dax anywhere', () => {
    const append = values(unsafeRight(argvFor('govmm')).args, '-append')[0] ?? ''
    expect(append.startsWith(`${archParams} ${rootParams} quiet systemd.show_status=false panic=1 nr_cpus=8 `)).toBe(true)
    expect(append).not.toContain('dax')
  })
})

describe('capabilities (qemuArchBase)', () => {
  it('block hot-plug, multi-queue and fs sharing', () => {
    expect(arm64.capabilities(stateFor())).toEqual({ blockDeviceHotplug: true, multiQueue: true, fsSharing: true })
  })
})

describe('bridges (genericBridges: virt → PCIe)', () => {
  it('virt gets pcie-bridge-<n>', () => {
    expect(
      arm64
        .bridges(2)(stateFor())
        .bridges.map((b) => `${b.type}:${b.id}`),
    ).toEqual(['pcie:pcie-bridge-0', 'pcie:pcie-bridge-1'])
  })
  it('replaces the bridges rather than appending', () => expect(arm64.bridges(1)(arm64.bridges(3)(stateFor())).bridges).toHaveLength(1))
  it('none for a machine genericBridges does not know', () => {
    const s = { ...stateFor(), machineType: 'q35' }
    expect(arm64.bridges(2)(s).bridges).toEqual([])
  })
})

describe('cpuTopology / cpuModel / memoryTopology (qemuArchBase: arm64 overrides none)', () => {
  it('cpuTopology: sockets = maxcpus, cores = threads = 1', () => {
    expect(arm64.cpuTopology(2, 8)).toEqual({ cpus: 2, sockets: 8, cores: 1, threads: 1, maxCpus: 8 })
  })
  it('cpuModel is host, even with nesting checks on', () => {
    expect(arm64.cpuModel(stateFor())).toBe('host')
    expect(arm64.cpuModel(arm64.enableNestingChecks(stateFor()))).toBe('host')
  })
  it('memoryTopology: maxmem = host memory, no NVDIMM headroom, memory_offset ignored', () => {
    expect(arm64.memoryTopology(2048, 32000, 10)(stateFor())).toEqual({ sizeMiB: 2048, slots: 10, maxMemMiB: 32000 })
    expect(arm64.memoryTopology(512, 4096, 3)(stateFor({ memory_offset: 512 }))).toEqual({ sizeMiB: 512, slots: 3, maxMemMiB: 4096 })
  })
  it('-m in both dialects', () => {
    expect(values(unsafeRight(argvFor('govmm', { memory_offset: 512 })).args, '-m')).toEqual(['2048M,slots=10,maxmem=32000M'])
    expect(values(unsafeRight(argvFor('qemu', { ...firmware, memory_offset: 512 })).args, '-m')).toEqual(['2048M,slots=10,maxmem=32000M'])
  })
})

describe('appendImage (qemu_arm64.go: an NVDIMM)', () => {
  it('nv0 on a memory-backend-file mem0 of the image size, on no bus', () => {
    const d = unsafeRight(arm64.appendImage({ path: image, sizeBytes: 4096, randomHex: '' })(draftFor()))
    expect(listOf(d)).toEqual([{ _tag: 'Nvdimm', id: 'nv0', memdev: 'mem0', memPath: image, size: 4096, share: false }])
    expect(rootSlotsOf(d.state)).toEqual({})
  })
  it('draws no random id: plans with different id sources have the same devices', () => {
    const a = unsafeRight(planSandbox(config(), sandbox(), { imageSizeBytes: 4096 }, seededIds(1)))
    const b = unsafeRight(planSandbox(config(), sandbox(), { imageSizeBytes: 4096 }, seededIds(2)))
    expect(a.devices).toEqual(b.devices)
    expect(a.devices.some((d) => d._tag === 'Block')).toBe(false)
  })
  it('-device nvdimm and its -object in both dialects', () => {
    for (const args of [unsafeRight(argvFor('govmm')).args, unsafeRight(argvFor('qemu', firmware)).args]) {
      expect(switchesStarting(args, '-device', 'nvdimm')).toEqual(['nvdimm,id=nv0,memdev=mem0'])
      expect(switchesStarting(args, '-object', 'memory-backend-file')).toEqual([
        `memory-backend-file,id=mem0,mem-path=${image},size=134217728`,
      ])
    }
  })
})

describe('appendBridges (genericAppendBridges; the allocation is in pci-bridges.test.ts)', () => {
  it('renders pcie-pci-bridge with no chassis_nr or shpc (govmm BridgeDevice.QemuParams), in both dialects', () => {
    expect(switchesStarting(unsafeRight(argvFor('govmm')).args, '-device', 'pcie-pci-bridge')).toEqual([
      'pcie-pci-bridge,bus=pcie.0,id=pcie-bridge-0,addr=2,romfile=',
    ])
    expect(switchesStarting(unsafeRight(argvFor('qemu', firmware)).args, '-device', 'pcie-pci-bridge')).toEqual([
      'pcie-pci-bridge,bus=pcie.0,id=pcie-bridge-0,addr=0x2',
    ])
  })
})

describe('sandbox devices (qemuArchBase: arm64 overrides none)', () => {
  it('land on pcie.0 in creation order around the bridge (planSandbox)', () => {
    const p = unsafeRight(
      planFor(firmware, {
        devices: everyPciKind,
      }),
    )
    expect(landings(p.devices)).toEqual([
      'pcie-bridge-0@pcie.0:2',
      'serial0@pcie.0:1',
      'console0@-',
      'nv0@-',
      'scsi0@pcie.0:3',
      'rng0@pcie.0:4',
      'vsock-3054198027@pcie.0:5',
      'extra-9p-kataShared@pcie.0:6',
      'channel0@-',
      'network-0@pcie.0:7',
      'drive-0@pcie.0:8',
      'net-abcdef@pcie.0:9',
      'vfio-0@pcie.0:10',
    ])
  })
  it('a NIC takes vhost-net (vhost=on with its vhost fds)', () => {
    const d = unsafeRight(arm64.appendNetwork({ ...ep, endpoint: 'veth', fds: [12], vhostFds: [11] })(draftFor()))
    expect(last(d)).toMatchObject({ _tag: 'Net', id: 'network-0', vhost: true, vhostFds: [11] })
    const args = unsafeRight(
      argvFor('qemu', firmware, { devices: [{ kind: 'network', endpoint: 'veth', ...ep, fds: [12], vhostFds: [11] }] }),
    ).args
    expect(values(args, '-netdev')).toEqual(['tap,id=network-0,vhost=on,vhostfds=3,fds=4'])
  })
  it('InvalidDevice for a networking model Kata refuses', () => {
    expect(unsafeLeft(arm64.appendNetwork({ ...ep, endpoint: 'veth', model: 'enlightened' })(draftFor()))).toEqual({
      _tag: 'InvalidDevice',
      device: 'tap0_kata',
      field: 'model',
      reason: 'Unsupported networking model enlightened',
    })
  })
  it('DuplicateId for two block devices with the same id', () => {
    const d = run(
      draftFor(),
      arm64.appendBlockDevice({ id: 'drive-0', file: '/a', format: 'raw' }),
      arm64.appendBlockDevice({ id: 'drive-0', file: '/b', format: 'raw' }),
    )
    expect(unsafeLeft(uniqueDevices(d))).toEqual({ _tag: 'DuplicateId', id: 'drive-0', field: 'block' })
  })
})

describe('machine facts and what render does with them', () => {
  it('the plan carries them', () => {
    expect(unsafeRight(planFor()).facts).toEqual({
      rootBus: { bus: 'pcie.0', reserved: [0], bridgeType: 'pcie', hotplug: false },
      kvmPit: false,
      maxMemAlignMiB: 1,
      memoryNeedsFirmware: true,
      memoryHotplug: true,
      cpuHotplug: false,
      unplugIsSurprise: true,
      ignoreSharedMemory: false,
      migrationTimeoutMs: 10_000,
    })
  })
  it('an NVDIMM image without firmware: govmm prints it, the qemu dialect refuses it with InvalidConfig', () => {
    expect(switchesStarting(unsafeRight(argvFor('govmm')).args, '-device', 'nvdimm')).toHaveLength(1)
    expect(unsafeLeft(argvFor('qemu'))).toEqual({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.firmware',
      reason:
        'an NVDIMM image on arm64 virt needs firmware (-bios): without it QEMU 7.2 says "memory hotplug is not enabled: missing acpi-ged device"',
    })
  })
  it('with firmware, or with an initrd (no NVDIMM), the qemu dialect renders', () => {
    expect(values(unsafeRight(argvFor('qemu', firmware)).args, '-bios')).toEqual([firmware.firmware])
    expect(E.isRight(argvFor('qemu', noImage))).toBe(true)
  })
  it('under TCG gic-version=host becomes 3 (TCG emulates GICv3), accel=tcg and -cpu max; a GICv2 host keeps 2', () => {
    const tcg = unsafeRight(argvFor('qemu', firmware, host({ accelerator: 'tcg' }))).args
    expect(values(tcg, '-machine')).toEqual(['virt,usb=off,accel=tcg,gic-version=3,nvdimm=on'])
    expect(values(tcg, '-cpu')).toEqual(['max'])
    expect(values(unsafeRight(argvFor('qemu', firmware, host({ accelerator: 'tcg', gicVersion: 2 }))).args, '-machine')).toEqual([
      'virt,usb=off,accel=tcg,gic-version=2,nvdimm=on',
    ])
  })
  it('the govmm dialect is Kata 1.9 whatever the accelerator', () => {
    expect(values(unsafeRight(argvFor('govmm', {}, host({ accelerator: 'tcg' }))).args, '-machine')).toEqual([
      'virt,usb=off,accel=kvm,gic-version=host,nvdimm',
    ])
  })
  it('-global kvm-pit only in the govmm dialect (govmm printed it on every arch)', () => {
    expect(values(unsafeRight(argvFor('govmm')).args, '-global')).toEqual(['kvm-pit.lost_tick_policy=discard'])
    expect(values(unsafeRight(argvFor('qemu', firmware)).args, '-global')).toEqual([])
  })
  it('a memory backend and NUMA node (govmm isDimmSupported)', () => {
    const args = unsafeRight(argvFor('qemu', firmware)).args
    expect(switchesStarting(args, '-object', 'memory-backend-ram')).toEqual(['memory-backend-ram,id=dimm1,size=2048M'])
    expect(values(args, '-numa')).toEqual(['node,memdev=dimm1'])
  })
  it('hot-plug asks the facts: no vCPU hot-plug on virt; memory hot-plug only with firmware', () => {
    expect(cpuHotplugRefusal(unsafeRight(planFor(firmware)))).toEqual({
      _tag: 'Unsupported',
      arch: 'arm64',
      feature: 'vCPU hot-plug on virt',
    })
    expect(memoryHotplugRefusal(unsafeRight(planFor(noImage)))).toMatchObject({
      _tag: 'Unsupported',
      arch: 'arm64',
      feature: expect.stringMatching(/missing acpi-ged device/),
    })
    expect(memoryHotplugRefusal(unsafeRight(planFor(firmware)))).toBeUndefined()
  })
  // a declared hot-plug need the machine cannot meet at all is refused at plan time, as hot-plug would refuse it
  it('planSandbox refuses a declared vCPU hot-plug need on virt (no vCPU hot-plug there)', () => {
    const r = planFor({ ...noImage, default_maxvcpus: 4 }, { hotplug: { vcpus: 2 } })
    expect(unsafeLeft(r)).toEqual({ _tag: 'Unsupported', arch: 'arm64', feature: 'vCPU hot-plug on virt' })
    expect(toMessage(unsafeLeft(r))).toMatch(/vCPU/)
  })
  it('planSandbox refuses a declared memory hot-plug need on virt without firmware, and accepts it with firmware', () => {
    const r = planFor(noImage, { hotplug: { memoryMiB: 128 } })
    expect(unsafeLeft(r)).toMatchObject({
      _tag: 'Unsupported',
      arch: 'arm64',
      feature: expect.stringMatching(/without firmware.*acpi-ged/),
    })
    expect(E.isRight(planFor(firmware, { hotplug: { memoryMiB: 128 } }))).toBe(true)
  })
})
