/**
 * What the three PCI arches share from `qemuArchBase` (kata-containers/runtime
 * virtcontainers/qemu_arch_base.go): the bridge accessors, bridge-slot allocation, device
 * placement spilling from the root bus onto the first bridge, the bridges, console and SCSI
 * controller they append, whether a nested host is honoured, the nesting and vhost-net toggles,
 * and the memory hot-plug and migration capability answers — one table, each arch's own values. s390x's CCW bridge has its own
 * tests in s390x.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { newBridge, type BridgeType } from '../../../src/core/bridges.ts'
import type { Arch } from '../../../src/core/input/sandbox.ts'
import { rootSlotsOf } from '../../../src/arch/root-bus.ts'
import { draftDevices as listOf, emptyDraft } from '../../../src/arch/draft.ts'
import { ioThreadsOf } from '../../../src/core/render.ts'
import { fixturesFor, unsafeLeft, unsafeRight } from '../../support/arch-fixtures.ts'
import { slotsOf } from '../../support/bridges.ts'

interface Row {
  readonly arch: Arch
  /** The root bus and how many devices it takes before placement spills onto the bridge. */
  readonly root: string
  readonly rootSlots: number
  /** The first placed device's root slot (after the machine's own). */
  readonly firstSlot: number
  readonly bridge: string
  readonly type: BridgeType
  /** The bridge type the machine does not have, and the error naming what it has. */
  readonly other: BridgeType
  /** `migrate-set-capabilities x-ignore-shared` (Kata: "x-ignore-shared not support in arm64 for now"). */
  readonly ignoreShared: boolean
  /** Whether a nested host turns the nesting checks on (Kata's RunningOnVMM reads it on amd64 only), and the CPU model it then gets. */
  readonly honoursNesting: boolean
  readonly nestedCpuModel: string
}

const rows: ReadonlyArray<Row> = [
  // amd64 pc: slots 0 and 1 are the host bridge and the PIIX; arm64 virt: 0 is the host bridge; the spapr PHB reserves none
  {
    arch: 'amd64',
    root: 'pci.0',
    rootSlots: 30,
    firstSlot: 2,
    bridge: 'pci-bridge-0',
    type: 'pci',
    other: 'pcie',
    ignoreShared: true,
    honoursNesting: true,
    nestedCpuModel: 'host,pmu=off',
  },
  {
    arch: 'arm64',
    root: 'pcie.0',
    rootSlots: 31,
    firstSlot: 1,
    bridge: 'pcie-bridge-0',
    type: 'pcie',
    other: 'pci',
    ignoreShared: false,
    honoursNesting: false,
    nestedCpuModel: 'host',
  },
  {
    arch: 'ppc64le',
    root: 'pci.0',
    rootSlots: 32,
    firstSlot: 0,
    bridge: 'pci-bridge-0',
    type: 'pci',
    other: 'pcie',
    ignoreShared: true,
    honoursNesting: false,
    nestedCpuModel: 'host',
  },
]

describe.each(rows)('$arch', (r) => {
  const { arch, stateFor, draftFor, planFor } = fixturesFor(r.arch)

  describe('appendBridges (genericAppendBridges)', () => {
    it(`one ${r.type} bridge on ${r.root} at slot 2, chassis 1, shpc`, () => {
      const d = unsafeRight(arch.appendBridges(draftFor()))
      expect(listOf(d)).toEqual([{ _tag: 'Bridge', type: r.type, bus: r.root, id: r.bridge, chassis: 1, shpc: true, addr: 2 }])
      expect(d.state.bridges.map((b) => b.addr)).toEqual([2])
      expect(rootSlotsOf(d.state)).toEqual({ 2: r.bridge })
    })
    it('five bridges take slots 2..6 with chassis 1..5', () => {
      const d = unsafeRight(arch.appendBridges(draftFor({ default_bridges: 5 })))
      const prefix = r.bridge.replace(/0$/, '')
      expect(listOf(d).map((b) => (b._tag === 'Bridge' ? [b.id, b.addr, b.chassis] : []))).toEqual(
        [0, 1, 2, 3, 4].map((i) => [`${prefix}${i}`, i + 2, i + 1]),
      )
      expect(d.state.bridges.map((b) => b.addr)).toEqual([2, 3, 4, 5, 6])
    })
  })

  describe('appendConsole (qemuArchBase)', () => {
    it(`serial0 at ${r.root}'s first free slot (${r.firstSlot}), and the virtconsole on charconsole0`, () => {
      const d = unsafeRight(arch.appendConsole('/run/c.sock')(draftFor()))
      expect(listOf(d)).toEqual([
        { _tag: 'Serial', id: 'serial0', disableModern: false, placement: { _tag: 'Pci', bus: r.root, slot: r.firstSlot } },
        { _tag: 'Char', driver: 'virtconsole', id: 'console0', chardev: 'charconsole0', path: '/run/c.sock', name: undefined },
      ])
      expect(rootSlotsOf(d.state)).toEqual({ [r.firstSlot]: 'serial0' })
    })
    it('sets disable-modern when nesting checks are on', () => {
      const d = unsafeRight(arch.appendConsole('/c')(emptyDraft(arch.enableNestingChecks(stateFor()))))
      expect(listOf(d)[0]).toMatchObject({ _tag: 'Serial', disableModern: true })
    })
  })

  describe('appendSCSIController (qemuArchBase)', () => {
    it(`scsi0 at ${r.root}'s first free slot (${r.firstSlot}), without an I/O thread when none is asked for`, () => {
      const d = unsafeRight(arch.appendSCSIController(undefined)(draftFor()))
      expect(listOf(d)).toEqual([
        {
          _tag: 'Scsi',
          id: 'scsi0',
          ioThread: undefined,
          disableModern: false,
          placement: { _tag: 'Pci', bus: r.root, slot: r.firstSlot },
        },
      ])
      expect(ioThreadsOf(listOf(d))).toEqual([])
    })
    it("with one: iothread-<16 hex> on the controller, which the plan's I/O threads come from", () => {
      const d = unsafeRight(arch.appendSCSIController('5e2a9c04b7d1f386')(draftFor()))
      expect(listOf(d)).toEqual([
        {
          _tag: 'Scsi',
          id: 'scsi0',
          ioThread: 'iothread-5e2a9c04b7d1f386',
          disableModern: false,
          placement: { _tag: 'Pci', bus: r.root, slot: r.firstSlot },
        },
      ])
      expect(ioThreadsOf(listOf(d))).toEqual(['iothread-5e2a9c04b7d1f386'])
    })
  })

  describe('addDeviceToBridge / removeDeviceFromBridge / bridge accessors', () => {
    it(`allocates slot 01 on ${r.bridge} (root slot 2) and frees it again`, () => {
      const s = unsafeRight(arch.appendBridges(draftFor())).state
      const [s1, slot] = unsafeRight(arch.addDeviceToBridge('virtio-drive-1', r.type)(s))
      expect([slot.addr, slot.bridge.id, slot.bridge.addr]).toEqual(['01', r.bridge, 2])
      expect(slotsOf(arch.getBridges(s1)[0])).toEqual({ 1: 'virtio-drive-1' })
      expect(arch.getBridges(unsafeRight(arch.removeDeviceFromBridge('virtio-drive-1')(s1)))).toEqual(arch.getBridges(s))
    })
    it(`NoBridgeSlot for a ${r.other} request, naming the ${r.type} bridges it has`, () => {
      expect(unsafeLeft(arch.addDeviceToBridge('x', r.other)(stateFor()))).toEqual({
        _tag: 'NoBridgeSlot',
        bridgeType: r.other,
        available: [r.type],
      })
    })
    it('NoBridges and DeviceNotOnBridge without bridges', () => {
      const s = arch.setBridges([])(stateFor())
      expect(unsafeLeft(arch.addDeviceToBridge('x', r.type)(s))).toEqual({ _tag: 'NoBridges' })
      expect(unsafeLeft(arch.removeDeviceFromBridge('x')(s))).toEqual({ _tag: 'DeviceNotOnBridge', id: 'x' })
    })
    it('setBridges replaces, addBridge appends', () => {
      const b = newBridge(r.type, 'extra')
      expect(arch.getBridges(arch.setBridges([b])(stateFor()))).toEqual([b])
      expect(arch.getBridges(arch.addBridge(b)(stateFor())).map((x) => x.id)).toEqual([r.bridge, 'extra'])
    })
  })

  describe('placeDevice', () => {
    it(`the lowest free slot of ${r.root}: ${r.firstSlot}, then ${r.firstSlot + 1}`, () => {
      const [s, p] = unsafeRight(arch.placeDevice('a')(stateFor()))
      expect(p).toEqual({ _tag: 'Pci', bus: r.root, slot: r.firstSlot })
      expect(unsafeRight(arch.placeDevice('b')(s))[1]).toEqual({ _tag: 'Pci', bus: r.root, slot: r.firstSlot + 1 })
    })
    it(`${r.rootSlots} devices on ${r.root}, then ${r.bridge}'s 30 slots, then NoBusSlot`, () => {
      let s = stateFor()
      for (let i = 0; i < r.rootSlots; i++) s = unsafeRight(arch.placeDevice(`root${i}`)(s))[0]
      const [s1, p] = unsafeRight(arch.placeDevice('spill')(s))
      expect(p).toEqual({ _tag: 'Pci', bus: r.bridge, slot: 1 })
      let t = s1
      for (let i = 1; i < 30; i++) t = unsafeRight(arch.placeDevice(`b${i}`)(t))[0]
      expect(unsafeLeft(arch.placeDevice('one-too-many')(t))).toEqual({
        _tag: 'NoBusSlot',
        bus: `${r.root} and its bridges`,
        device: 'one-too-many',
      })
    })
  })

  describe('nesting and vhost toggles', () => {
    it(
      r.honoursNesting
        ? 'a nested host turns the nesting checks on (RunningOnVMM)'
        : `a nested host is not honoured: RunningOnVMM answers false on ${r.arch}`,
      () => {
        const nested = { host: { memoryMiB: 32000, cpus: 8, nested: true } }
        expect(stateFor({}, nested).nested).toBe(r.honoursNesting)
        const p = unsafeRight(planFor({}, nested))
        expect(p.cpuModel).toBe(r.nestedCpuModel)
        expect(p.devices.find((d) => d._tag === 'Serial')).toMatchObject({ disableModern: r.honoursNesting })
      },
    )
    it('enable/disable/runNested', () => {
      const s = stateFor()
      expect(arch.runNested(s)).toBe(false)
      expect(arch.runNested(arch.enableNestingChecks(s))).toBe(true)
      expect(arch.runNested(arch.disableNestingChecks(arch.enableNestingChecks(s)))).toBe(false)
    })
    it('vhost-net is on unless disable_vhost_net; enable/disable toggle it', () => {
      expect(stateFor().vhost).toBe(true)
      const s = stateFor({ disable_vhost_net: true })
      expect(s.vhost).toBe(false)
      expect(arch.enableVhostNet(s).vhost).toBe(true)
      expect(arch.disableVhostNet(arch.enableVhostNet(s)).vhost).toBe(false)
    })
  })

  describe('supportGuestMemoryHotplug / setIgnoreSharedMemoryMigrationCaps', () => {
    it('guest memory hot-plug is supported, and the plan says so', () => {
      expect(arch.supportGuestMemoryHotplug(stateFor())).toBe(true)
      expect(unsafeRight(planFor()).facts.memoryHotplug).toBe(true)
    })
    it(r.ignoreShared ? 'sets x-ignore-shared' : 'sets nothing (no x-ignore-shared on this arch)', () => {
      expect(arch.setIgnoreSharedMemoryMigrationCaps()).toEqual(
        r.ignoreShared
          ? [{ execute: 'migrate-set-capabilities', arguments: { capabilities: [{ capability: 'x-ignore-shared', state: true }] } }]
          : [],
      )
      expect(unsafeRight(planFor()).facts.ignoreSharedMemory).toBe(r.ignoreShared)
    })
  })
})
