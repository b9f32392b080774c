/**
 * Every function of the s390x record, checked against Kata 1.9 (kata-containers/runtime e93bf967):
 * `virtcontainers/qemu_s390x.go` (`qemuS390x`: `newQemuArch`, `MaxQemuVCPUs`, `appendConsole`,
 * `appendImage`, `appendBlockDevice`, `appendVhostUserDevice`, `supportGuestMemoryHotplug`,
 * `appendNetwork`, `appendRNGDevice`, `append9PVolume`, `appendSCSIController`, `appendVSock`), the
 * `qemuArchBase` methods it inherits (`qemu_arch_base.go`), `genericBridges`/`genericAppendBridges`
 * (`qemu.go`), `types.Bridge.AddressFormatCCW` (`types/bridges.go`) and the s390x build of govmm
 * (`qemus390x.go`, `isDimmSupported`, `VFIODevice.QemuParams`); then what the planner and the
 * renderer make of it.
 */
import { describe, expect, it } from 'vitest'
import { s390x, spec } from '../../../src/arch/s390x.ts'
import { draftDevices as listOf, emptyDraft } from '../../../src/arch/draft.ts'
import { memoryHotplugRefusal } from '../../../src/arch/hotplug.ts'
import { planSandbox } from '../../../src/arch/planner.ts'
import { rootSlotsOf } from '../../../src/arch/root-bus.ts'
import { newBridge } from '../../../src/core/bridges.ts'
import { seededIds } from '../../../src/core/ids.ts'
import { ioThreadsOf } from '../../../src/core/render.ts'
import type { HostFacts } from '../../../src/core/vm.ts'
import { slotsOf } from '../../support/bridges.ts'
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
} from '../../support/arch-fixtures.ts'

const { sandbox, stateFor, draftFor, planFor, argvFor } = fixturesFor('s390x')

// hypervisor.go commonVirtioblkKernelRootParams
const rootParams = 'root=/dev/vda1 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4'
const noImage = { image: undefined, initrd }
const facts = (over: Partial<HostFacts>): HostFacts => ({
  memoryMiB: 32000,
  nested: false,
  qemuVersion: undefined,
  gicVersion: undefined,
  accelerator: 'kvm',
  ...over,
})
const ep = { tapName: 'tap0_kata', mac: '02:42:ac:11:00:02' }
const imageId = `image-${seededIds(1).hex16('image')}`
const vhostUserRefused = { _tag: 'Unsupported', arch: 's390x', feature: 'vhost-user devices (No vhost-user devices supported on s390x)' }
const ccw = (n: number) => ({ _tag: 'Ccw', devno: `fe.0.${n.toString(16).padStart(4, '0')}` })
/** Each device's id and devno (`-` when it has none). */
const devnos = (ds: ReadonlyArray<{ readonly id: string; readonly placement?: { readonly _tag: string; readonly devno?: string } }>) =>
  ds.map((d) => `${d.id}@${d.placement?._tag === 'Ccw' ? d.placement.devno : '-'}`)
const typical = [
  { kind: 'vsock', contextId: 3054198027, vhostFd: 10 },
  { kind: 'volume', mountTag: 'kataShared', hostPath: '/shared' },
  { kind: 'socket', id: 'charch0', deviceId: 'channel0', hostPath: '/k.sock', name: 'agent.channel.0' },
  { kind: 'network', endpoint: 'veth', ...ep, fds: [12], vhostFds: [11] },
  { kind: 'vfio', bdf: '02:10.0' },
  { kind: 'block', id: 'drive-0', file: '/d', format: 'raw' },
]

describe('s390x spec (qemu_s390x.go)', () => {
  it('whitelists s390-ccw-virtio only, the default, with accel=kvm (defaultQemuMachineOptions)', () => {
    expect(spec.defaultMachine).toBe('s390-ccw-virtio')
    expect(spec.machines).toEqual([{ type: 's390-ccw-virtio', options: [['accel', 'kvm']] }])
    expect(spec.nvdimmOnImage).toBe(false)
  })
  it('runs /usr/bin/qemu-system-s390x in both dialects (defaultQemuPath)', () => {
    expect(spec.qemuPaths).toEqual({ 's390-ccw-virtio': '/usr/bin/qemu-system-s390x' })
    expect(spec.qemuBinary).toBe('/usr/bin/qemu-system-s390x')
    expect(spec.qemuRefuses).toEqual({})
    expect(unsafeRight(planFor()).binary).toEqual({ govmm: '/usr/bin/qemu-system-s390x', qemu: '/usr/bin/qemu-system-s390x' })
  })
  it('console=ttysclp0, and the virtio-blk root parameters (kernelRootParams = commonVirtioblkKernelRootParams)', () => {
    expect(line(spec.kernelParams)).toBe('console=ttysclp0')
    expect(line(spec.kernelRootParams)).toBe(rootParams)
  })
  it('caps vCPUs at 248 (S390_MAX_CPUS), waits 5 s for migration, reads no nesting (RunningOnVMM), CCW with no root bus, no kvm-pit', () => {
    expect(spec.maxVCpus(facts({}))).toBe(248)
    expect(spec.migrationWaitTimeoutMs).toBe(5000)
    expect(spec.detectsNesting).toBe(false)
    expect(spec.transport).toBe('ccw')
    expect(spec.rootBus).toEqual({})
    expect(spec.kvmPit).toBe(false)
    expect(spec.maxMemAlignMiB).toBe(1)
  })
  it('machine facts: no firmware needed, vCPU hot-plug, orderly unplugs', () => {
    expect([spec.memoryNeedsFirmware, spec.cpuHotplug, spec.unplugIsSurprise]).toEqual([false, true, false])
  })
})

describe('vCPUs (MaxQemuVCPUs = 248)', () => {
  it('default_maxvcpus is cut to 248 on a 400-CPU host', () => {
    const p = unsafeRight(planFor({ default_maxvcpus: 300 }, { host: { memoryMiB: 32000, cpus: 400 } }))
    expect(p.smp).toEqual({ cpus: 1, sockets: 248, cores: 1, threads: 1, maxCpus: 248 })
  })
  it('InvalidConfig (govmm) for more vCPUs than 248', () => {
    expect(unsafeLeft(argvFor('govmm', { default_vcpus: 300 }, { host: { memoryMiB: 32000, cpus: 400 } }))).toEqual({
      _tag: 'InvalidConfig',
      field: 'hypervisor.qemu.default_maxvcpus',
      reason: 'MaxCPUs 248 must be equal to or greater than CPUs 300',
    })
  })
})

describe('nesting and vhost toggles', () => {
  it('enable/disable/runNested (qemuArchBase)', () => {
    const s = stateFor()
    expect(s390x.runNested(s390x.enableNestingChecks(s))).toBe(true)
    expect(s390x.runNested(s390x.disableNestingChecks(s390x.enableNestingChecks(s)))).toBe(false)
  })
  it('a nested host is not honoured: RunningOnVMM answers false on s390x', () => {
    expect(stateFor({}, { host: { memoryMiB: 32000, cpus: 8, nested: true } }).nested).toBe(false)
    expect(
      unsafeRight(planFor({}, { host: { memoryMiB: 32000, cpus: 8, nested: true } })).devices.find((d) => d._tag === 'Serial'),
    ).toMatchObject({ disableModern: false })
  })
  it('enableVhostNet does nothing: cold-plugged NICs never use vhost-net (appendNetwork: genericNetwork(endpoint, false, false, …))', () => {
    const s = stateFor({ disable_vhost_net: true })
    expect(s390x.enableVhostNet(s)).toBe(s)
    expect(stateFor().vhost).toBe(false)
    expect(s390x.disableVhostNet(stateFor()).vhost).toBe(false)
  })
})

describe('machine / qemuPath', () => {
  it('s390-ccw-virtio,accel=kvm, with no nvdimm even with an image', () => {
    expect(unsafeRight(s390x.machine(stateFor()))).toEqual({ type: 's390-ccw-virtio', options: [['accel', 'kvm']] })
    expect(values(unsafeRight(argvFor('govmm')).args, '-machine')).toEqual(['s390-ccw-virtio,accel=kvm'])
    expect(values(unsafeRight(argvFor('qemu')).args, '-machine')).toEqual(['s390-ccw-virtio,accel=kvm'])
  })
  it('UnknownMachine for anything else, from the record and from planSandbox', () => {
    const left = { _tag: 'UnknownMachine', arch: 's390x', machine: 'virt', supported: ['s390-ccw-virtio'] }
    expect(unsafeLeft(s390x.machine(stateFor({ machine_type: 'virt' })))).toEqual(left)
    expect(unsafeLeft(planFor({ machine_type: 'virt' }))).toEqual(left)
  })
  it('qemuPath: s390-ccw-virtio → /usr/bin/qemu-system-s390x; UnknownBinary otherwise', () => {
    expect(unsafeRight(s390x.qemuPath(stateFor()))).toBe('/usr/bin/qemu-system-s390x')
    expect(unsafeLeft(s390x.qemuPath(stateFor({ machine_type: 'virt' })))).toEqual({ _tag: 'UnknownBinary', machine: 'virt' })
  })
})

describe('kernelParameters / handleImagePath', () => {
  it('image, not debug: console=ttysclp0 + virtio-blk root + quiet + systemd.show_status=false', () => {
    expect(line(s390x.kernelParameters(false)(stateFor()))).toBe(`console=ttysclp0 ${rootParams} quiet systemd.show_status=false`)
  })
  it('image, debug', () => {
    expect(line(s390x.kernelParameters(true)(stateFor()))).toBe(
      `console=ttysclp0 ${rootParams} debug systemd.show_status=true systemd.log_level=debug`,
    )
  })
  it('initrd: console=ttysclp0 + quiet', () => {
    expect(line(s390x.kernelParameters(false)(stateFor(noImage)))).toBe('console=ttysclp0 quiet')
  })
  it('handleImagePath marks the image and adds the root parameters', () => {
    const s = stateFor(noImage)
    expect(s390x.handleImagePath(undefined)(s)).toBe(s)
    expect(line(s390x.handleImagePath(image)(s).kernelParams)).toBe(`console=ttysclp0 ${rootParams}`)
  })
  it('-append starts with them', () => {
    expect(
      values(unsafeRight(argvFor('govmm')).args, '-append')[0]?.startsWith(
        `console=ttysclp0 ${rootParams} quiet systemd.show_status=false panic=1 nr_cpus=8 `,
      ),
    ).toBe(true)
  })
})

describe('capabilities / cpuTopology / cpuModel / memoryTopology (qemuArchBase: s390x overrides none)', () => {
  it('capabilities: block hot-plug, multi-queue, fs sharing', () => {
    expect(s390x.capabilities(stateFor())).toEqual({ blockDeviceHotplug: true, multiQueue: true, fsSharing: true })
  })
  it('cpuTopology and cpuModel host (even with nesting checks on)', () => {
    expect(s390x.cpuTopology(2, 8)).toEqual({ cpus: 2, sockets: 8, cores: 1, threads: 1, maxCpus: 8 })
    expect(s390x.cpuModel(s390x.enableNestingChecks(stateFor()))).toBe('host')
  })
  it('memoryTopology: maxmem = host memory, no NVDIMM headroom, memory_offset ignored', () => {
    expect(s390x.memoryTopology(2048, 32000, 10)(stateFor({ memory_offset: 512 }))).toEqual({ sizeMiB: 2048, slots: 10, maxMemMiB: 32000 })
    expect(values(unsafeRight(argvFor('qemu', { memory_offset: 512 })).args, '-m')).toEqual(['2048M,slots=10,maxmem=32000M'])
  })
})

describe('bridges (genericBridges: s390-ccw-virtio → CCW)', () => {
  // Kata 1.9 left every CCW bridge at address 0, so a second bridge repeated the first one's devnos
  // (QEMU refuses a devno twice); here bridge i is subchannel set i, and QEMU has sets 0 to 3
  it('CCW bridges ccw-bridge-<n>, bridge n at subchannel set n, replacing what was there', () => {
    const s = s390x.bridges(2)(s390x.bridges(3)(stateFor()))
    expect(s.bridges.map((b) => [b.type, b.id, b.addr, b.maxCapacity])).toEqual([
      ['ccw', 'ccw-bridge-0', 0, 0xffff],
      ['ccw', 'ccw-bridge-1', 1, 0xffff],
    ])
  })
  it('at most four (fe.0 to fe.3), with a warning when default_bridges asked for more', () => {
    expect(
      s390x
        .bridges(5)(stateFor())
        .bridges.map((b) => b.addr),
    ).toEqual([0, 1, 2, 3])
    expect(unsafeRight(planFor({ ...noImage, default_bridges: 5 })).warnings).toContain(
      'default_bridges = 5: 4 CCW bridges, one per subchannel set QEMU has for virtio-ccw devices (fe.0 to fe.3)',
    )
    expect(unsafeRight(planFor({ ...noImage, default_bridges: 4 })).warnings.join('\n')).not.toContain('CCW bridges')
  })
  it('the planner makes default_bridges of them (1 by default)', () => {
    expect(stateFor().bridges.map((b) => b.id)).toEqual(['ccw-bridge-0'])
  })
})

describe('appendBridges (genericAppendBridges skips CCW bridges)', () => {
  it('emits nothing and takes no slot', () => {
    const d0 = draftFor({ default_bridges: 3 })
    const d = unsafeRight(s390x.appendBridges(d0))
    expect(listOf(d)).toEqual([])
    expect(d.state).toEqual(d0.state)
    expect(rootSlotsOf(d.state)).toEqual({})
  })
  it('no bridge device in either dialect', () => {
    for (const dialect of ['govmm', 'qemu'] as const)
      expect(values(unsafeRight(argvFor(dialect, { default_bridges: 3 })).args, '-device').filter((v) => v.includes('bridge'))).toEqual([])
  })
})

describe('placeDevice and the bridge accessors: the CCW bridge, fe.0.<4 hex> (addDeviceToBridge + AddressFormatCCW)', () => {
  it('device numbers from 0001 in order', () => {
    const [s1, p1] = unsafeRight(s390x.placeDevice('a')(stateFor()))
    const [s2, p2] = unsafeRight(s390x.placeDevice('b')(s1))
    expect([p1, p2]).toEqual([ccw(1), ccw(2)])
    expect(slotsOf(s2.bridges[0])).toEqual({ 1: 'a', 2: 'b' })
    expect(rootSlotsOf(s2)).toEqual({})
  })
  it('a removed device frees its number for the next one', () => {
    const [s1] = unsafeRight(s390x.placeDevice('a')(stateFor()))
    const [s2] = unsafeRight(s390x.placeDevice('b')(s1))
    const s3 = unsafeRight(s390x.removeDeviceFromBridge('a')(s2))
    expect(unsafeRight(s390x.placeDevice('c')(s3))[1]).toEqual(ccw(1))
  })
  it('the last number is fe.0.ffff (CCWBridgeMaxCapacity); then NoBridgeSlot', () => {
    const taken = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [i + 1, `d${i + 1}`]))
    const almost = s390x.setBridges([newBridge('ccw', 'ccw-bridge-0', 0, taken(0xfffe))])(stateFor())
    const [full, p] = unsafeRight(s390x.placeDevice('last')(almost))
    expect(p).toEqual({ _tag: 'Ccw', devno: 'fe.0.ffff' })
    expect(unsafeLeft(s390x.placeDevice('one-too-many')(full))).toEqual({ _tag: 'NoBridgeSlot', bridgeType: 'ccw', available: ['ccw'] })
  })
  it('NoBridges without bridges; NoBridgeSlot with PCI bridges only', () => {
    expect(unsafeLeft(s390x.placeDevice('a')(s390x.setBridges([])(stateFor())))).toEqual({ _tag: 'NoBridges' })
    expect(unsafeLeft(s390x.placeDevice('a')(s390x.setBridges([newBridge('pci', 'pci-bridge-0')])(stateFor())))).toEqual({
      _tag: 'NoBridgeSlot',
      bridgeType: 'ccw',
      available: ['pci'],
    })
  })
  it('addDeviceToBridge answers %04x; removeDeviceFromBridge frees it, or DeviceNotOnBridge', () => {
    const [s1, slot] = unsafeRight(s390x.addDeviceToBridge('d', 'ccw')(stateFor()))
    expect([slot.addr, slot.bridge.id, slot.bridge.addr]).toEqual(['0001', 'ccw-bridge-0', 0])
    expect(s390x.getBridges(unsafeRight(s390x.removeDeviceFromBridge('d')(s1)))).toEqual(s390x.getBridges(stateFor()))
    expect(unsafeLeft(s390x.removeDeviceFromBridge('x')(stateFor()))).toEqual({ _tag: 'DeviceNotOnBridge', id: 'x' })
  })
  it('setBridges replaces, addBridge appends', () => {
    const b = newBridge('ccw', 'extra')
    expect(s390x.getBridges(s390x.setBridges([b])(stateFor()))).toEqual([b])
    expect(s390x.getBridges(s390x.addBridge(b)(stateFor())).map((x) => x.id)).toEqual(['ccw-bridge-0', 'extra'])
  })
  it('the console fails with the bridge error when there is no CCW bridge ("Failed to append console")', () => {
    expect(unsafeLeft(s390x.appendConsole('/c')(emptyDraft(s390x.setBridges([])(stateFor()))))).toEqual({ _tag: 'NoBridges' })
  })
})

describe('device order: every device on the CCW bridge in creation order (planSandbox)', () => {
  it('console, image, SCSI controller, rng0, then the sandbox devices; sockets and VFIO take no number', () => {
    expect(devnos(unsafeRight(planFor({}, { devices: typical })).devices)).toEqual([
      'serial0@fe.0.0001',
      'console0@-',
      `${imageId}@fe.0.0002`,
      'scsi0@fe.0.0003',
      'rng0@fe.0.0004',
      'vsock-3054198027@fe.0.0005',
      'extra-9p-kataShared@fe.0.0006',
      'channel0@-',
      'network-0@fe.0.0007',
      'vfio-0@-',
      'drive-0@fe.0.0008',
    ])
  })
  it('without an image or a SCSI controller the numbers close up', () => {
    expect(devnos(unsafeRight(planFor({ ...noImage, block_device_driver: 'virtio-blk-ccw' })).devices)).toEqual([
      'serial0@fe.0.0001',
      'console0@-',
      'rng0@fe.0.0002',
    ])
  })
  it('the plan keeps the CCW bridge with every number taken, and no root-bus slot', () => {
    const p = unsafeRight(planFor({}, { devices: typical }))
    expect(slotsOf(p.state.bridges[0])).toEqual({
      1: 'serial0',
      2: imageId,
      3: 'scsi0',
      4: 'rng0',
      5: 'vsock-3054198027',
      6: 'extra-9p-kataShared',
      7: 'network-0',
      8: 'drive-0',
    })
    expect(rootSlotsOf(p.state)).toEqual({})
  })
  it('DuplicateId for a block device named like rng0', () => {
    expect(unsafeLeft(planFor({}, { devices: [{ kind: 'block', id: 'rng0', file: '/d', format: 'raw' }] }))).toEqual({
      _tag: 'DuplicateId',
      id: 'rng0',
      field: 'block',
    })
  })
})

describe('appendConsole (qemuS390x.appendConsole)', () => {
  it('virtio-serial-ccw serial0 at fe.0.0001, and the virtconsole on no bus', () => {
    const d = unsafeRight(s390x.appendConsole('/run/c.sock')(draftFor()))
    expect(listOf(d)).toEqual([
      { _tag: 'Serial', id: 'serial0', disableModern: false, placement: ccw(1) },
      { _tag: 'Char', driver: 'virtconsole', id: 'console0', chardev: 'charconsole0', path: '/run/c.sock', name: undefined },
    ])
    expect(slotsOf(d.state.bridges[0])).toEqual({ 1: 'serial0' })
  })
  it('-device virtio-serial-ccw with its devno in both dialects (no disable-modern, no romfile on CCW)', () => {
    expect(switchesStarting(unsafeRight(argvFor('govmm')).args, '-device', 'virtio-serial')).toEqual([
      'virtio-serial-ccw,id=serial0,devno=fe.0.0001',
    ])
    expect(switchesStarting(unsafeRight(argvFor('qemu')).args, '-device', 'virtio-serial')).toEqual([
      'virtio-serial-ccw,id=serial0,devno=fe.0.0001',
    ])
  })
})

describe('appendImage (qemuS390x.appendImage: a shared virtio-blk disk)', () => {
  it('image-<16 hex>, raw, share-rw, on a CCW number', () => {
    const d = unsafeRight(s390x.appendImage({ path: image, sizeBytes: 4096, randomHex: '0123456789abcdef' })(draftFor()))
    expect(listOf(d)).toEqual([
      {
        _tag: 'Block',
        id: 'image-0123456789abcdef',
        file: image,
        format: 'raw',
        aio: 'threads',
        disableModern: false,
        shareRW: true,
        placement: ccw(1),
      },
    ])
  })
  it('the 16 hex characters are drawn from the id source (genericImage)', () => {
    const id = (n: number) =>
      unsafeRight(planSandbox(config(), sandbox(), { imageSizeBytes: 4096 }, seededIds(n))).devices.find((d) => d._tag === 'Block')?.id
    expect(id(1)).toBe(imageId)
    expect(id(2)).toBe(`image-${seededIds(2).hex16('image')}`)
    expect(id(1)).not.toBe(id(2))
  })
  it('-device virtio-blk[-ccw] with share-rw and the devno, and its -drive', () => {
    const govmm = unsafeRight(argvFor('govmm')).args
    expect(switchesStarting(govmm, '-device', 'virtio-blk')).toEqual([
      `virtio-blk,drive=${imageId},scsi=off,config-wce=off,devno=fe.0.0002,share-rw=on`,
    ])
    expect(values(govmm, '-drive')).toEqual([`id=${imageId},file=${image},aio=threads,format=raw,if=none`])
    expect(switchesStarting(unsafeRight(argvFor('qemu')).args, '-device', 'virtio-blk')).toEqual([
      `virtio-blk-ccw,drive=${imageId},scsi=off,config-wce=off,id=${imageId},share-rw=on,devno=fe.0.0002`,
    ])
  })
})

describe('appendBlockDevice (qemuS390x.appendBlockDevice)', () => {
  it('a virtio-blk drive on the next CCW number, not shared unless asked', () => {
    const d = run(
      draftFor(),
      s390x.appendBlockDevice({ id: 'drive-0', file: '/d', format: 'raw' }),
      s390x.appendBlockDevice({ id: 'drive-1', file: '/e', format: 'raw', shareRW: true }),
    )
    expect(listOf(d)).toEqual([
      { _tag: 'Block', id: 'drive-0', file: '/d', format: 'raw', aio: 'threads', disableModern: false, shareRW: false, placement: ccw(1) },
      { _tag: 'Block', id: 'drive-1', file: '/e', format: 'raw', aio: 'threads', disableModern: false, shareRW: true, placement: ccw(2) },
    ])
  })
})

describe('appendSCSIController (qemuS390x.appendSCSIController)', () => {
  it('virtio-scsi-ccw scsi0 on a CCW number, with an I/O thread when enabled', () => {
    const d = unsafeRight(s390x.appendSCSIController('5e2a9c04b7d1f386')(draftFor()))
    expect(listOf(d)).toEqual([
      { _tag: 'Scsi', id: 'scsi0', ioThread: 'iothread-5e2a9c04b7d1f386', disableModern: false, placement: ccw(1) },
    ])
    expect(ioThreadsOf(listOf(d))).toEqual(['iothread-5e2a9c04b7d1f386'])
  })
  it('-device virtio-scsi-ccw with its devno in both dialects', () => {
    expect(switchesStarting(unsafeRight(argvFor('govmm', noImage)).args, '-device', 'virtio-scsi')).toEqual([
      'virtio-scsi-ccw,id=scsi0,devno=fe.0.0002',
    ])
    expect(switchesStarting(unsafeRight(argvFor('qemu', noImage)).args, '-device', 'virtio-scsi')).toEqual([
      'virtio-scsi-ccw,id=scsi0,devno=fe.0.0002',
    ])
  })
})

describe('appendRNGDevice (qemuS390x.appendRNGDevice)', () => {
  it('rng0 on a CCW number', () => {
    expect(last(unsafeRight(s390x.appendRNGDevice({ id: 'rng0', filename: '/dev/urandom' })(draftFor())))).toEqual({
      _tag: 'Rng',
      id: 'rng0',
      filename: '/dev/urandom',
      placement: ccw(1),
    })
  })
  it("govmm's virtio-rng alias with devno; QEMU's virtio-rng-ccw", () => {
    expect(switchesStarting(unsafeRight(argvFor('govmm', noImage)).args, '-device', 'virtio-rng')).toEqual([
      'virtio-rng,rng=rng0,devno=fe.0.0003',
    ])
    expect(switchesStarting(unsafeRight(argvFor('qemu', noImage)).args, '-device', 'virtio-rng')).toEqual([
      'virtio-rng-ccw,rng=rng0,id=rng0,devno=fe.0.0003',
    ])
  })
})

describe('append9PVolume / appendVSock / appendSocket', () => {
  it('9p and vsock take CCW numbers; a socket is a virtserialport on no bus', () => {
    const d = run(
      draftFor(),
      s390x.append9PVolume({ mountTag: 'kataShared', hostPath: '/s' }),
      s390x.appendVSock({ contextId: 3054198027, vhostFd: 10 }),
      s390x.appendSocket({ id: 'charch0', deviceId: 'channel0', hostPath: '/k.sock', name: 'agent.channel.0' }),
    )
    expect(listOf(d)).toEqual([
      { _tag: 'Fs9p', id: 'extra-9p-kataShared', path: '/s', mountTag: 'kataShared', disableModern: false, placement: ccw(1) },
      { _tag: 'Vsock', id: 'vsock-3054198027', contextId: 3054198027, vhostFd: 10, disableModern: false, placement: ccw(2) },
      { _tag: 'Char', driver: 'virtserialport', id: 'channel0', chardev: 'charch0', path: '/k.sock', name: 'agent.channel.0' },
    ])
  })
  it('-device virtio-9p-ccw and vhost-vsock-ccw with their devnos in both dialects', () => {
    const devices = typical.slice(0, 2)
    const govmm = unsafeRight(argvFor('govmm', noImage, { devices })).args
    expect(switchesStarting(govmm, '-device', 'vhost-vsock')).toEqual([
      'vhost-vsock-ccw,vhostfd=3,id=vsock-3054198027,guest-cid=3054198027,devno=fe.0.0004',
    ])
    expect(switchesStarting(govmm, '-device', 'virtio-9p')).toEqual([
      'virtio-9p-ccw,fsdev=extra-9p-kataShared,mount_tag=kataShared,devno=fe.0.0005',
    ])
    const qemu = unsafeRight(argvFor('qemu', noImage, { devices })).args
    expect(switchesStarting(qemu, '-device', 'vhost-vsock')).toEqual([
      'vhost-vsock-ccw,vhostfd=3,id=vsock-3054198027,guest-cid=3054198027,devno=fe.0.0004',
    ])
    expect(switchesStarting(qemu, '-device', 'virtio-9p')).toEqual([
      'virtio-9p-ccw,fsdev=extra-9p-kataShared,mount_tag=kataShared,id=extra-9p-kataShared,devno=fe.0.0005',
    ])
  })
})

describe('appendNetwork (qemuS390x.appendNetwork: no vhost-net)', () => {
  it('network-<n> on a CCW number, vhost off whatever disable_vhost_net says', () => {
    const d = run(
      draftFor(),
      s390x.appendNetwork({ ...ep, endpoint: 'veth', fds: [12], vhostFds: [11] }),
      s390x.appendNetwork({ ...ep, tapName: 'tap1_kata', endpoint: 'tuntap' }),
    )
    expect(listOf(d)).toEqual([
      {
        _tag: 'Net',
        type: 'tap',
        id: 'network-0',
        ifName: 'tap0_kata',
        mac: ep.mac,
        fds: [12],
        vhostFds: [11],
        vhost: false,
        disableModern: false,
        placement: ccw(1),
      },
      {
        _tag: 'Net',
        type: 'tap',
        id: 'network-1',
        ifName: 'tap1_kata',
        mac: ep.mac,
        fds: [],
        vhostFds: [],
        vhost: false,
        disableModern: false,
        placement: ccw(2),
      },
    ])
  })
  it('the vhost fds are not passed: -netdev tap without vhost=on, in both dialects', () => {
    const devices = [typical[3]]
    const govmm = unsafeRight(argvFor('govmm', noImage, { devices }))
    expect(values(govmm.args, '-netdev')).toEqual(['tap,id=network-0,fds=3'])
    expect(switchesStarting(govmm.args, '-device', 'driver=virtio-net')).toEqual([
      `driver=virtio-net-ccw,netdev=network-0,mac=${ep.mac},mq=on,devno=fe.0.0004`,
    ])
    expect(govmm.fds).toEqual([12])
    const qemu = unsafeRight(argvFor('qemu', noImage, { devices }))
    expect(values(qemu.args, '-netdev')).toEqual(['tap,id=network-0,fds=3'])
    expect(switchesStarting(qemu.args, '-device', 'virtio-net')).toEqual([
      `virtio-net-ccw,netdev=network-0,mac=${ep.mac},id=network-0,mq=on,devno=fe.0.0004`,
    ])
    expect(qemu.fds).toEqual([12])
  })
  it('InvalidDevice for a networking model Kata refuses, and a failed NIC takes no number', () => {
    const d0 = draftFor()
    expect(unsafeLeft(s390x.appendNetwork({ ...ep, endpoint: 'veth', model: 'enlightened' })(d0))).toEqual({
      _tag: 'InvalidDevice',
      device: 'tap0_kata',
      field: 'model',
      reason: 'Unsupported networking model enlightened',
    })
    expect(last(unsafeRight(s390x.appendNetwork({ ...ep, endpoint: 'veth' })(d0)))).toMatchObject({ id: 'network-0', placement: ccw(1) })
  })
  // the vhost fds are dropped because s390x never uses vhost-net for cold-plugged NICs, not because of disable_vhost_net
  it('the warning about dropped vhost fds gives the s390x reason, and disable_vhost_net when that is set', () => {
    const p = unsafeRight(planFor(noImage, { devices: [typical[3]] }))
    expect(p.warnings).toEqual([
      'network-0: vhostFds 11 are not passed to QEMU because s390x never uses vhost-net for a NIC on the command line (Kata 1.9 qemu_s390x.go)',
    ])
    const off = unsafeRight(planFor({ ...noImage, disable_vhost_net: true }, { devices: [typical[3]] }))
    expect(off.warnings).toEqual(['network-0: vhostFds 11 are not passed to QEMU because vhost-net is disabled (disable_vhost_net)'])
  })
})

describe('appendVhostUserDevice (qemuS390x: "No vhost-user devices supported on s390x")', () => {
  it.each(['net', 'scsi', 'blk', 'fs'] as const)('Unsupported for vhost-user %s', (type) => {
    expect(
      unsafeLeft(
        s390x.appendVhostUserDevice({ type, devId: 'abcdef', socketPath: '/vu.sock', mac: '02:00:00:00:00:01', tag: 't' })(draftFor()),
      ),
    ).toEqual(vhostUserRefused)
  })
  it('planSandbox refuses a vhostUser device, and a volume under virtio-fs (a vhost-user-fs device)', () => {
    expect(unsafeLeft(planFor({}, { devices: [{ kind: 'vhostUser', type: 'blk', devId: 'abcdef', socketPath: '/vu.sock' }] }))).toEqual(
      vhostUserRefused,
    )
    expect(unsafeLeft(planFor({ shared_fs: 'virtio-fs' }, { devices: [typical[1]] }))).toEqual(vhostUserRefused)
  })
})

describe('appendVFIODevice (qemuArchBase: not placed on the CCW bridge)', () => {
  it('vfio-<n> with no placement, taking no device number', () => {
    const d = run(
      draftFor(),
      s390x.appendVFIODevice({ bdf: '02:10.0', vendorId: '0x1234', deviceId: '0x5678' }),
      s390x.appendRNGDevice({ id: 'rng0', filename: '/dev/urandom' }),
    )
    expect(listOf(d)).toEqual([
      {
        _tag: 'Vfio',
        id: 'vfio-0',
        bdf: '02:10.0',
        sysfsdev: undefined,
        vendorId: '0x1234',
        deviceId: '0x5678',
        placement: { _tag: 'None' },
      },
      { _tag: 'Rng', id: 'rng0', filename: '/dev/urandom', placement: ccw(1) },
    ])
  })
  it('govmm: vfio-ccw with an empty devno= and no x-pci-* ids (VFIODevice.QemuParams on s390x)', () => {
    const devices = [{ kind: 'vfio', bdf: '02:10.0', vendorId: '0x1234', deviceId: '0x5678' }]
    expect(switchesStarting(unsafeRight(argvFor('govmm', noImage, { devices })).args, '-device', 'vfio')).toEqual([
      'vfio-ccw,host=02:10.0,devno=',
    ])
  })
  it('the qemu dialect refuses it: vfio-ccw takes a mediated device, not a PCI address', () => {
    expect(unsafeLeft(argvFor('qemu', noImage, { devices: [{ kind: 'vfio', bdf: '02:10.0' }] }))).toEqual({
      _tag: 'Unsupported',
      arch: 's390x',
      feature: 'VFIO by PCI address (02:10.0): vfio-ccw needs a mediated device (sysfsdev)',
    })
  })
})

describe('supportGuestMemoryHotplug / memory backend / setIgnoreSharedMemoryMigrationCaps', () => {
  it('no guest memory hot-plug (qemuS390x.supportGuestMemoryHotplug: no pc-dimm on s390x)', () => {
    expect(s390x.supportGuestMemoryHotplug(stateFor())).toBe(false)
    const p = unsafeRight(planFor())
    expect(p.facts.memoryHotplug).toBe(false)
    expect(memoryHotplugRefusal(p)).toEqual({
      _tag: 'Unsupported',
      arch: 's390x',
      feature: 'memory hot-plug (no guest memory hot-plug on s390-ccw-virtio)',
    })
  })
  it('planSandbox refuses a declared memory hot-plug need', () => {
    expect(unsafeLeft(planFor({}, { hotplug: { memoryMiB: 128 } }))).toEqual({
      _tag: 'Unsupported',
      arch: 's390x',
      feature: 'memory hot-plug (no guest memory hot-plug on s390-ccw-virtio)',
    })
  })
  it('no memory backend and no NUMA node in either dialect (govmm isDimmSupported is false), even with hugepages', () => {
    expect(unsafeRight(planFor()).dimmSupported).toBe(false)
    for (const dialect of ['govmm', 'qemu'] as const) {
      const args = unsafeRight(argvFor(dialect, { enable_hugepages: true })).args
      expect(switchesStarting(args, '-object', 'memory-backend')).toEqual([])
      expect(values(args, '-numa')).toEqual([])
    }
  })
  it('sets x-ignore-shared (qemuArchBase)', () => {
    expect(s390x.setIgnoreSharedMemoryMigrationCaps()).toEqual([
      { execute: 'migrate-set-capabilities', arguments: { capabilities: [{ capability: 'x-ignore-shared', state: true }] } },
    ])
  })
})

describe('machine facts and render', () => {
  it('the plan carries them: no root bus', () => {
    expect(unsafeRight(planFor()).facts).toEqual({
      rootBus: undefined,
      kvmPit: false,
      maxMemAlignMiB: 1,
      memoryNeedsFirmware: false,
      memoryHotplug: false,
      cpuHotplug: true,
      unplugIsSurprise: false,
      ignoreSharedMemory: true,
      migrationTimeoutMs: 5000,
    })
    expect(unsafeRight(planFor()).transport).toBe('ccw')
  })
  it('-global kvm-pit only in the govmm dialect', () => {
    expect(values(unsafeRight(argvFor('govmm')).args, '-global')).toEqual(['kvm-pit.lost_tick_policy=discard'])
    expect(values(unsafeRight(argvFor('qemu')).args, '-global')).toEqual([])
  })
  it('every device with a number carries its devno= in both dialects, and none carries bus=, addr= or romfile=', () => {
    const devices = typical.filter((d) => d.kind !== 'vfio')
    for (const dialect of ['govmm', 'qemu'] as const) {
      const onBus = values(unsafeRight(argvFor(dialect, {}, { devices })).args, '-device').filter(
        (v) => !v.startsWith('virtconsole') && !v.startsWith('virtserialport'),
      )
      expect(onBus.map((v) => /(?:^|,)devno=([^,]*)/.exec(v)?.[1])).toEqual(Array.from({ length: 8 }, (_, i) => ccw(i + 1).devno))
      expect(onBus.filter((v) => /(?:^|,)(?:bus|addr|romfile)=/.test(v))).toEqual([])
    }
  })
})
