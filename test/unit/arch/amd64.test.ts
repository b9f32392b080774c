import { uniqueDevices as checkDuplicates, draftDevices as listOf, emptyDraft as noDevices } from '../../../src/arch/draft.ts'
import { rootSlotsOf } from '../../../src/arch/root-bus.ts'
/**
 * Every function of the amd64 record, checked against Kata 1.9 (kata-containers/runtime e93bf967):
 * `virtcontainers/qemu_amd64.go` (`qemuAmd64`), the `qemuArchBase` methods it inherits
 * (`qemu_arch_base.go`), `genericBridges`/`genericAppendBridges` (`qemu.go`), `types.Bridge`
 * (`types/bridges.go`), `MakeNameID` (`utils/utils.go`) and govmm's `QemuParams`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { amd64, spec } from '../../../src/arch/amd64.ts'
import type { Draft } from '../../../src/arch/types.ts'
import { newBridge } from '../../../src/core/bridges.ts'
import type { Device } from '../../../src/core/devices/model.ts'
import { serializeParams } from '../../../src/core/kernel.ts'
import { draftFor, image, stateFor, unsafeLeft, unsafeRight } from '../../support/amd64-fixtures.ts'

const archParams =
  'tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k console=hvc0 console=hvc1 iommu=off cryptomgr.notests net.ifnames=0 pci=lastbus=0'
const rootParams = 'root=/dev/pmem0p1 rootflags=dax,data=ordered,errors=remount-ro ro rootfstype=ext4'
const noImage = { image: undefined, initrd: '/initrd.img' }
const line = (ps: Parameters<typeof serializeParams>[0]) => serializeParams(ps).join(' ')
const last = (d: Draft): Device => listOf(d)[listOf(d).length - 1] as Device
const run = (d: Draft, ...steps: ReadonlyArray<(d: Draft) => E.Either<unknown, Draft>>): Draft =>
  steps.reduce((acc, f) => {
    const r = f(acc)
    if (E.isLeft(r)) throw new Error(`step failed: ${JSON.stringify(r.left)}`)
    return r.right
  }, d)

describe('amd64 spec (qemu_amd64.go)', () => {
  it('whitelists pc-lite, pc, q35, virt with accel=kvm,kernel_irqchip; pc is the default', () => {
    expect(spec.defaultMachine).toBe('pc')
    expect(spec.machines.map((m) => m.type)).toEqual(['pc-lite', 'pc', 'q35', 'virt'])
    for (const m of spec.machines)
      expect(m.options).toEqual([
        ['accel', 'kvm'],
        ['kernel_irqchip', undefined],
      ])
  })
  it('has the arch kernel parameters and the NVDIMM root parameters', () => {
    expect(line(spec.kernelParams)).toBe(archParams)
    expect(line(spec.kernelRootParams)).toBe(rootParams)
  })
  it('caps vCPUs at 240, waits 5 s for migration, detects nesting, uses PCI and kvm-pit', () => {
    expect(spec.maxVCpus(stateFor().host)).toBe(240)
    expect(spec.migrationWaitTimeoutMs).toBe(5000)
    expect(spec.detectsNesting).toBe(true)
    expect(spec.transport).toBe('pci')
    expect(spec.kvmPit).toBe(true)
    expect(spec.nvdimmOnImage).toBe(true)
  })
})

describe('nesting (the toggles: pci-bridges.test.ts)', () => {
  it('state setup honours the host and the config', () => {
    expect(stateFor({}, { host: { memoryMiB: 1, nested: true } }).nested).toBe(true)
    expect(stateFor({ disable_nesting_checks: true }, { host: { memoryMiB: 1, nested: true } }).nested).toBe(false)
    expect(stateFor().vhost).toBe(true)
  })
})

describe('machine', () => {
  it('returns the machine with ,nvdimm when an image is configured', () => {
    for (const type of ['pc', 'q35', 'pc-lite', 'virt'])
      expect(unsafeRight(amd64.machine(stateFor({ machine_type: type })))).toEqual({
        type,
        options: [
          ['accel', 'kvm'],
          ['kernel_irqchip', undefined],
          ['nvdimm', undefined],
        ],
      })
  })
  it('has no nvdimm without an image', () => {
    expect(unsafeRight(amd64.machine(stateFor({ ...noImage, machine_type: 'q35' }))).options).toEqual([
      ['accel', 'kvm'],
      ['kernel_irqchip', undefined],
    ])
  })
  it('defaults to pc', () => expect(unsafeRight(amd64.machine(stateFor())).type).toBe('pc'))
  it('does not grow the whitelist on repeated calls (Kata newQemuArch appended ,nvdimm to it in place)', () => {
    const s = stateFor({ machine_type: 'q35' })
    amd64.machine(s)
    expect(unsafeRight(amd64.machine(s)).options).toHaveLength(3)
    expect(spec.machines[2]?.options).toHaveLength(2)
  })
  it('UnknownMachine for anything else, with the whitelist', () => {
    expect(unsafeLeft(amd64.machine(stateFor({ machine_type: 'microvm' })))).toEqual({
      _tag: 'UnknownMachine',
      arch: 'amd64',
      machine: 'microvm',
      supported: ['pc-lite', 'pc', 'q35', 'virt'],
    })
  })
})

describe('qemuPath', () => {
  it('pc-lite → qemu-lite, pc/q35 → qemu-system-x86_64', () => {
    expect(unsafeRight(amd64.qemuPath(stateFor({ machine_type: 'pc-lite' })))).toBe('/usr/bin/qemu-lite-system-x86_64')
    expect(unsafeRight(amd64.qemuPath(stateFor({ machine_type: 'pc' })))).toBe('/usr/bin/qemu-system-x86_64')
    expect(unsafeRight(amd64.qemuPath(stateFor({ machine_type: 'q35' })))).toBe('/usr/bin/qemu-system-x86_64')
  })
  it('UnknownBinary for virt (no entry in qemu_amd64.go qemuPaths)', () => {
    expect(unsafeLeft(amd64.qemuPath(stateFor({ machine_type: 'virt' })))).toEqual({ _tag: 'UnknownBinary', machine: 'virt' })
  })
})

describe('kernelParameters / handleImagePath', () => {
  it('image, not debug: arch + root + quiet + systemd.show_status=false', () => {
    expect(line(amd64.kernelParameters(false)(stateFor()))).toBe(`${archParams} ${rootParams} quiet systemd.show_status=false`)
  })
  it('image, debug: arch + root + debug + systemd debug', () => {
    expect(line(amd64.kernelParameters(true)(stateFor()))).toBe(
      `${archParams} ${rootParams} debug systemd.show_status=true systemd.log_level=debug`,
    )
  })
  it('initrd: no root or systemd parameters', () => {
    expect(line(amd64.kernelParameters(false)(stateFor(noImage)))).toBe(`${archParams} quiet`)
    expect(line(amd64.kernelParameters(true)(stateFor(noImage)))).toBe(`${archParams} debug`)
  })
  it('handleImagePath adds the lists once per call and marks the image', () => {
    const s = stateFor(noImage)
    expect(amd64.handleImagePath(undefined)(s)).toBe(s)
    const h = amd64.handleImagePath(image)(s)
    expect(h.image).toBe(true)
    expect(line(h.kernelParams)).toBe(`${archParams} ${rootParams}`)
    expect(line(h.kernelParamsNonDebug)).toBe('quiet systemd.show_status=false')
    expect(line(h.kernelParamsDebug)).toBe('debug systemd.show_status=true systemd.log_level=debug')
  })
  it('successive results do not alias (qemuArchBase.kernelParameters appends to a shared slice)', () => {
    const s = stateFor()
    const a = amd64.kernelParameters(false)(s)
    const b = amd64.kernelParameters(true)(s)
    expect(line(a)).toContain('quiet')
    expect(line(b)).not.toContain('quiet')
  })
})

describe('capabilities', () => {
  it('block hotplug iff pc, q35 or virt; multi-queue and fs sharing always', () => {
    for (const [m, hot] of [
      ['pc', true],
      ['q35', true],
      ['virt', true],
      ['pc-lite', false],
    ] as const)
      expect(amd64.capabilities(stateFor({ machine_type: m }))).toEqual({ blockDeviceHotplug: hot, multiQueue: true, fsSharing: true })
  })
})

describe('bridges (genericBridges)', () => {
  it('pc and q35 get PCI bridges, virt PCIe, pc-lite none', () => {
    const ids = (m: string) =>
      amd64
        .bridges(2)(stateFor({ machine_type: m }))
        .bridges.map((b) => `${b.type}:${b.id}`)
    expect(ids('pc')).toEqual(['pci:pci-bridge-0', 'pci:pci-bridge-1'])
    expect(ids('q35')).toEqual(['pci:pci-bridge-0', 'pci:pci-bridge-1'])
    expect(ids('virt')).toEqual(['pcie:pcie-bridge-0', 'pcie:pcie-bridge-1'])
    expect(ids('pc-lite')).toEqual([])
  })
  it('replaces the bridges rather than appending', () => {
    expect(amd64.bridges(1)(amd64.bridges(3)(stateFor())).bridges).toHaveLength(1)
  })
})

describe('cpuTopology / cpuModel / memoryTopology', () => {
  it('cpuTopology: sockets = maxcpus = max vCPUs, cores = threads = 1', () => {
    expect(amd64.cpuTopology(2, 8)).toEqual({ cpus: 2, sockets: 8, cores: 1, threads: 1, maxCpus: 8 })
  })
  it('cpuModel: host, +pmu=off nested, +vmx=off for a VM factory', () => {
    const tpl = { template: { bootToBeTemplate: true, bootFromTemplate: false, memoryPath: '/m', devicesStatePath: '/s' } }
    const nested = { host: { memoryMiB: 1, nested: true } }
    expect(amd64.cpuModel(stateFor())).toBe('host')
    expect(amd64.cpuModel(stateFor({}, nested))).toBe('host,pmu=off')
    expect(amd64.cpuModel(stateFor({}, tpl))).toBe('host,vmx=off')
    expect(amd64.cpuModel(stateFor({}, { ...tpl, ...nested }))).toBe('host,pmu=off,vmx=off')
    const from = { template: { ...tpl.template, bootToBeTemplate: false, bootFromTemplate: true } }
    expect(amd64.cpuModel(stateFor({}, from))).toBe('host,vmx=off')
  })
  it('memoryTopology: maxmem = host + 1024 + memory_offset', () => {
    expect(amd64.memoryTopology(2048, 32000, 10)(stateFor())).toEqual({ sizeMiB: 2048, slots: 10, maxMemMiB: 33024 })
    expect(amd64.memoryTopology(512, 4096, 3)(stateFor({ memory_offset: 100 }))).toEqual({ sizeMiB: 512, slots: 3, maxMemMiB: 5220 })
  })
})

describe('appendConsole', () => {
  it('adds serial0 (placed on the root bus) and the virtconsole on charconsole0', () => {
    const d = unsafeRight(amd64.appendConsole('/run/c.sock')(draftFor({ machine_type: 'q35' })))
    expect(listOf(d)).toEqual([
      { _tag: 'Serial', id: 'serial0', disableModern: false, placement: { _tag: 'Pci', bus: 'pcie.0', slot: 1 } },
      { _tag: 'Char', driver: 'virtconsole', id: 'console0', chardev: 'charconsole0', path: '/run/c.sock', name: undefined },
    ])
    expect(rootSlotsOf(d.state)[1]).toBe('serial0')
  })
  it('sets disable-modern when nested', () => {
    const d = unsafeRight(amd64.appendConsole('/c')(draftFor({}, { host: { memoryMiB: 1, nested: true } })))
    expect(listOf(d)[0]).toMatchObject({ _tag: 'Serial', disableModern: true })
  })
  it('DuplicateId when called twice', () => {
    const d = unsafeRight(amd64.appendConsole('/c')(draftFor()))
    expect(unsafeLeft(E.flatMap(checkDuplicates)(amd64.appendConsole('/c')(d)))).toMatchObject({ _tag: 'DuplicateId', id: 'serial0' })
  })
})

describe('appendImage', () => {
  it('is an NVDIMM nv0/mem0 object of the resolved size, with no bus slot', () => {
    const d = unsafeRight(amd64.appendImage({ path: image, sizeBytes: 4096, randomHex: '0123456789abcdef' })(draftFor()))
    expect(listOf(d)).toEqual([{ _tag: 'Nvdimm', id: 'nv0', memdev: 'mem0', memPath: image, size: 4096, share: false }])
    expect(rootSlotsOf(d.state)).toEqual({})
  })
  it('keeps a zero size (render decides: govmm drops it, qemu errors)', () => {
    expect(listOf(unsafeRight(amd64.appendImage({ path: image, sizeBytes: 0, randomHex: '0' })(draftFor())))[0]).toMatchObject({ size: 0 })
  })
})

describe('appendBridges (genericAppendBridges): what amd64 adds to the shared table (pci-bridges.test.ts)', () => {
  it('q35: on pcie.0; virt: pcie-pci-bridge type on pcie.0; pc-lite: nothing', () => {
    expect(listOf(unsafeRight(amd64.appendBridges(draftFor({ machine_type: 'q35' }))))[0]).toMatchObject({ type: 'pci', bus: 'pcie.0' })
    expect(listOf(unsafeRight(amd64.appendBridges(draftFor({ machine_type: 'virt' }))))[0]).toMatchObject({
      type: 'pcie',
      bus: 'pcie.0',
      id: 'pcie-bridge-0',
    })
    expect(listOf(unsafeRight(amd64.appendBridges(draftFor({ machine_type: 'pc-lite' }))))).toEqual([])
  })
  it('skips CCW bridges but still counts their index', () => {
    const s = amd64.setBridges([newBridge('ccw', 'ccw-bridge-0'), newBridge('pci', 'pci-bridge-x')])(stateFor())
    const d = unsafeRight(amd64.appendBridges(noDevices(s)))
    expect(listOf(d)).toEqual([{ _tag: 'Bridge', type: 'pci', bus: 'pci.0', id: 'pci-bridge-x', chassis: 2, shpc: true, addr: 3 }])
  })
})

describe('append9PVolume', () => {
  it('id extra-9p-<tag>', () => {
    const d = unsafeRight(amd64.append9PVolume({ mountTag: 'kataShared', hostPath: '/s' })(draftFor()))
    expect(last(d)).toEqual({
      _tag: 'Fs9p',
      id: 'extra-9p-kataShared',
      path: '/s',
      mountTag: 'kataShared',
      disableModern: false,
      placement: { _tag: 'Pci', bus: 'pci.0', slot: 2 },
    })
  })
  it('truncates the id to 31 bytes and keeps the full mount tag', () => {
    const tag = 'a'.repeat(40)
    const d = unsafeRight(amd64.append9PVolume({ mountTag: tag, hostPath: '/s' })(draftFor()))
    expect(last(d)).toMatchObject({ id: `extra-9p-${'a'.repeat(22)}`, mountTag: tag })
  })
  it('DuplicateId when two tags truncate to the same id (append9PVolume cuts to maxDevIDSize)', () => {
    const d = unsafeRight(amd64.append9PVolume({ mountTag: `${'a'.repeat(22)}-one`, hostPath: '/s' })(draftFor()))
    expect(unsafeLeft(E.flatMap(checkDuplicates)(amd64.append9PVolume({ mountTag: `${'a'.repeat(22)}-two`, hostPath: '/t' })(d)))).toEqual({
      _tag: 'DuplicateId',
      id: `extra-9p-${'a'.repeat(22)}`,
      field: 'volume',
    })
  })
})

describe('appendSocket', () => {
  it('a virtserialport with the socket name, no bus slot', () => {
    const d = unsafeRight(
      amd64.appendSocket({ id: 'charch0', deviceId: 'channel0', hostPath: '/k.sock', name: 'agent.channel.0' })(draftFor()),
    )
    expect(listOf(d)).toEqual([
      { _tag: 'Char', driver: 'virtserialport', id: 'channel0', chardev: 'charch0', path: '/k.sock', name: 'agent.channel.0' },
    ])
    expect(rootSlotsOf(d.state)).toEqual({})
  })
  it('truncates the chardev id to 31 bytes', () => {
    const d = unsafeRight(amd64.appendSocket({ id: `c${'x'.repeat(40)}`, deviceId: 'ch', hostPath: '/k', name: 'n' })(draftFor()))
    expect(last(d)).toMatchObject({ id: 'ch', chardev: `c${'x'.repeat(30)}` })
  })
  it('DuplicateId for a chardev id the console already uses', () => {
    const d = unsafeRight(amd64.appendConsole('/c')(draftFor()))
    expect(
      unsafeLeft(E.flatMap(checkDuplicates)(amd64.appendSocket({ id: 'charconsole0', deviceId: 'ch', hostPath: '/k', name: 'n' })(d))),
    ).toEqual({ _tag: 'DuplicateId', id: 'charconsole0', field: 'socket' })
  })
})

describe('appendVSock', () => {
  it('vsock-<cid> with the caller vhost fd', () => {
    const d = unsafeRight(amd64.appendVSock({ contextId: 3054198027, vhostFd: 10 })(draftFor()))
    expect(last(d)).toEqual({
      _tag: 'Vsock',
      id: 'vsock-3054198027',
      contextId: 3054198027,
      vhostFd: 10,
      disableModern: false,
      placement: { _tag: 'Pci', bus: 'pci.0', slot: 2 },
    })
  })
  it('keeps an invalid CID (render decides)', () => {
    expect(last(unsafeRight(amd64.appendVSock({ contextId: 2 })(draftFor())))).toMatchObject({ id: 'vsock-2', vhostFd: undefined })
  })
})

describe('appendNetwork (genericNetwork, networkModelToQemuType)', () => {
  const ep = { tapName: 'tap0_kata', mac: '02:42:ac:11:00:02' }
  const typeOf = (endpoint: string, model?: string) => {
    const d = amd64.appendNetwork({ ...ep, endpoint, model, fds: [5] } as Parameters<typeof amd64.appendNetwork>[0])(draftFor())
    return E.isRight(d) ? (last(d.right) as { type: string }).type : d.left
  }
  it.each([
    ['veth', undefined, 'tap'],
    ['veth', 'default', 'tap'],
    ['veth', 'tcfilter', 'tap'],
    ['veth', 'bridged', 'macvtap'],
    ['veth', 'macvtap', 'macvtap'],
    ['bridgedmacvlan', 'tcfilter', 'tap'],
    ['bridgedmacvlan', 'bridged', 'macvtap'],
    ['bridgedmacvlan', 'macvtap', 'macvtap'],
    ['ipvlan', 'macvtap', 'tap'],
    ['ipvlan', 'enlightened', 'tap'],
    ['tuntap', 'bridged', 'tap'],
    ['tuntap', 'none', 'tap'],
    ['macvtap', 'tcfilter', 'macvtap'],
    ['macvtap', undefined, 'macvtap'],
  ])('%s endpoint with model %s → %s', (endpoint, model, type) => expect(typeOf(endpoint, model)).toBe(type))
  it.each([
    ['veth', 'enlightened', 'Unsupported networking model enlightened'],
    ['bridgedmacvlan', 'none', 'Invalid internetworking model none'],
  ])('%s with model %s → InvalidDevice', (endpoint, model, reason) =>
    expect(typeOf(endpoint, model)).toEqual({ _tag: 'InvalidDevice', device: 'tap0_kata', field: 'model', reason }),
  )
  it('numbers network-<n> by the nets already planned and keeps fds', () => {
    const d = run(
      draftFor(),
      amd64.appendNetwork({ ...ep, endpoint: 'veth', fds: [5, 6], vhostFds: [7, 8] }),
      amd64.appendNetwork({ ...ep, tapName: 'tap1_kata', endpoint: 'tuntap' }),
    )
    expect(listOf(d)).toEqual([
      {
        _tag: 'Net',
        type: 'tap',
        id: 'network-0',
        ifName: 'tap0_kata',
        mac: ep.mac,
        fds: [5, 6],
        vhostFds: [7, 8],
        vhost: true,
        disableModern: false,
        placement: { _tag: 'Pci', bus: 'pci.0', slot: 2 },
      },
      {
        _tag: 'Net',
        type: 'tap',
        id: 'network-1',
        ifName: 'tap1_kata',
        mac: ep.mac,
        fds: [],
        vhostFds: [],
        vhost: true,
        disableModern: false,
        placement: { _tag: 'Pci', bus: 'pci.0', slot: 3 },
      },
    ])
  })
  it('does not count a failed network (networkIndex is not incremented)', () => {
    const d0 = draftFor()
    expect(E.isLeft(amd64.appendNetwork({ ...ep, endpoint: 'veth', model: 'none' })(d0))).toBe(true)
    expect(last(unsafeRight(amd64.appendNetwork({ ...ep, endpoint: 'veth' })(d0)))).toMatchObject({ id: 'network-0' })
  })
  it('takes vhost from the state and disable-modern from nesting', () => {
    const d = unsafeRight(
      amd64.appendNetwork({ ...ep, endpoint: 'veth' })(draftFor({ disable_vhost_net: true }, { host: { memoryMiB: 1, nested: true } })),
    )
    expect(last(d)).toMatchObject({ vhost: false, disableModern: true })
  })
})

describe('appendBlockDevice', () => {
  it('virtio-blk with aio threads, shareRW off by default', () => {
    const d = unsafeRight(amd64.appendBlockDevice({ id: 'drive-0', file: '/d', format: 'raw' })(draftFor()))
    expect(last(d)).toEqual({
      _tag: 'Block',
      id: 'drive-0',
      file: '/d',
      format: 'raw',
      aio: 'threads',
      disableModern: false,
      shareRW: false,
      placement: { _tag: 'Pci', bus: 'pci.0', slot: 2 },
    })
  })
  it('keeps shareRW', () => {
    expect(last(unsafeRight(amd64.appendBlockDevice({ id: 'd', file: '/d', format: 'raw', shareRW: true })(draftFor())))).toMatchObject({
      shareRW: true,
    })
  })
  it('truncates the id to 31 bytes; two ids cut to the same one are a DuplicateId', () => {
    const long = `d${'x'.repeat(40)}`
    const d = unsafeRight(amd64.appendBlockDevice({ id: `${long}1`, file: '/d', format: 'raw' })(draftFor()))
    expect(last(d)).toMatchObject({ id: long.slice(0, 31) })
    expect(unsafeLeft(E.flatMap(checkDuplicates)(amd64.appendBlockDevice({ id: `${long}2`, file: '/e', format: 'raw' })(d)))).toMatchObject(
      { _tag: 'DuplicateId', id: long.slice(0, 31), field: 'block' },
    )
  })
})

describe('appendVhostUserDevice (Kata appendVhostUserDevice)', () => {
  const base = { devId: 'abcdef', socketPath: '/vu.sock' }
  it('net: net-<id>, char-<id>, MAC', () => {
    const d = unsafeRight(amd64.appendVhostUserDevice({ ...base, type: 'net', mac: '02:00:00:00:00:01' })(draftFor()))
    expect(last(d)).toMatchObject({
      _tag: 'VhostUser',
      type: 'net',
      id: 'net-abcdef',
      chardev: 'char-abcdef',
      mac: '02:00:00:00:00:01',
      cacheSizeMiB: 0,
    })
  })
  it('scsi: scsi-<id>; fs: fs-<id> with tag and cache size', () => {
    expect(last(unsafeRight(amd64.appendVhostUserDevice({ ...base, type: 'scsi' })(draftFor())))).toMatchObject({ id: 'scsi-abcdef' })
    expect(
      last(unsafeRight(amd64.appendVhostUserDevice({ ...base, type: 'fs', tag: 'kataShared', cacheSize: 1024 })(draftFor()))),
    ).toMatchObject({
      id: 'fs-abcdef',
      tag: 'kataShared',
      cacheSizeMiB: 1024,
    })
  })
  it('blk: blk-<id> (govmm prints no id for it; QEMU is given this one)', () => {
    expect(last(unsafeRight(amd64.appendVhostUserDevice({ ...base, type: 'blk' })(draftFor())))).toMatchObject({ id: 'blk-abcdef' })
  })
  it('truncates ids to 31 bytes', () => {
    const d = unsafeRight(amd64.appendVhostUserDevice({ ...base, devId: 'z'.repeat(40), type: 'scsi' })(draftFor()))
    expect(last(d)).toMatchObject({ id: `scsi-${'z'.repeat(26)}`, chardev: `char-${'z'.repeat(26)}` })
  })
  it('DuplicateId for two devices on the same devId (their chardevs clash)', () => {
    const d = unsafeRight(amd64.appendVhostUserDevice({ ...base, type: 'scsi' })(draftFor()))
    expect(unsafeLeft(E.flatMap(checkDuplicates)(amd64.appendVhostUserDevice({ ...base, type: 'blk' })(d)))).toMatchObject({
      _tag: 'DuplicateId',
      id: 'char-abcdef',
    })
  })
})

describe('appendVFIODevice / appendRNGDevice', () => {
  it('VFIO devices are numbered vfio-<n>', () => {
    const d = run(
      draftFor(),
      amd64.appendVFIODevice({ bdf: '02:10.0', vendorId: '0x8086', deviceId: '0x1572' }),
      amd64.appendVFIODevice({ bdf: '02:10.1' }),
    )
    expect(listOf(d)).toEqual([
      {
        _tag: 'Vfio',
        id: 'vfio-0',
        bdf: '02:10.0',
        sysfsdev: undefined,
        vendorId: '0x8086',
        deviceId: '0x1572',
        placement: { _tag: 'Pci', bus: 'pci.0', slot: 2 },
      },
      {
        _tag: 'Vfio',
        id: 'vfio-1',
        bdf: '02:10.1',
        sysfsdev: undefined,
        vendorId: undefined,
        deviceId: undefined,
        placement: { _tag: 'Pci', bus: 'pci.0', slot: 3 },
      },
    ])
  })
  it('RNG with the entropy source', () => {
    expect(last(unsafeRight(amd64.appendRNGDevice({ id: 'rng0', filename: '/dev/urandom' })(draftFor())))).toEqual({
      _tag: 'Rng',
      id: 'rng0',
      filename: '/dev/urandom',
      placement: { _tag: 'Pci', bus: 'pci.0', slot: 2 },
    })
  })
})

describe('bridges by machine (pc: the shared table in pci-bridges.test.ts)', () => {
  it('virt has only PCIe bridges: a PCI request finds no slot (genericBridges: virt → PCIe)', () => {
    expect(unsafeLeft(amd64.addDeviceToBridge('x', 'pci')(stateFor({ machine_type: 'virt' })))).toMatchObject({
      _tag: 'NoBridgeSlot',
      available: ['pcie'],
    })
  })
  it('pc-lite has no bridges at all', () => {
    expect(unsafeLeft(amd64.addDeviceToBridge('x', 'pci')(stateFor({ machine_type: 'pc-lite' })))).toEqual({ _tag: 'NoBridges' })
    expect(unsafeLeft(amd64.removeDeviceFromBridge('x')(stateFor({ machine_type: 'pc-lite' })))).toEqual({
      _tag: 'DeviceNotOnBridge',
      id: 'x',
    })
  })
})

describe('placeDevice (pc: the shared table in pci-bridges.test.ts)', () => {
  it('q35: slot 1 first, never 0x1f (ICH9)', () => {
    let s = stateFor({ machine_type: 'q35' })
    const slots: Array<number> = []
    for (let i = 0; i < 30; i++) {
      const [s2, p] = unsafeRight(amd64.placeDevice(`d${i}`)(s))
      s = s2
      if (p._tag === 'Pci' && p.bus === 'pcie.0') slots.push(p.slot)
    }
    expect(slots).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
  })
  it('pc-lite: NoBusSlot on pci.0 once its root bus is full (no bridges)', () => {
    let s = stateFor({ machine_type: 'pc-lite' })
    for (let i = 0; i < 30; i++) s = unsafeRight(amd64.placeDevice(`d${i}`)(s))[0]
    expect(unsafeLeft(amd64.placeDevice('x')(s))).toEqual({ _tag: 'NoBusSlot', bus: 'pci.0', device: 'x' })
  })
})
