import * as E from 'fp-ts/lib/Either.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { withMachineFacts } from '../../../src/arch/index.ts'
import { toMessage } from '../../../src/core/errors.ts'
import { parseArgv } from '../../../src/core/parse/index.ts'
import { checkHotplug, topology, type HotplugNeeds } from '../../../src/core/topology.ts'
import { formatTopology } from '../../../src/core/topology-text.ts'
import type { HotplugConfig, Plan } from '../../../src/core/vm.ts'
import { planOf, type GoldenInput } from '../../support/golden.ts'

const input = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'golden', 'amd64', 'kata-worked-example.input.json'), 'utf8'),
) as GoldenInput
const withQemu = (q: Record<string, unknown>, sandbox: Record<string, unknown> = {}): GoldenInput => {
  const i = input as { config: { hypervisor: { qemu: Record<string, unknown> } }; sandbox: Record<string, unknown> }
  return { ...input, config: { hypervisor: { qemu: { ...i.config.hypervisor.qemu, ...q } } }, sandbox: { ...i.sandbox, ...sandbox } }
}
const plan = (i: GoldenInput = input): Plan => {
  const p = planOf(i)
  if (E.isLeft(p)) throw new Error(p.left)
  return p.right
}
const vblk: HotplugConfig = { blockDeviceDriver: 'virtio-blk', blockDeviceCache: undefined, hotplugVfioOnRootBus: false }

describe('topology', () => {
  it('reports the worked example: 30 bridge slots, 23 root slots, memory and vCPU headroom', () => {
    const p = plan()
    const t = topology(p)
    expect(t.root?.bus).toBe('pcie.0')
    expect(t.root?.slots.map((s) => [s.slot, s.id ?? '(machine)'])).toEqual([
      [0, '(machine)'],
      [1, 'serial0'],
      [2, 'pci-bridge-0'],
      [3, 'scsi0'],
      [4, 'rng0'],
      [5, 'vsock-3054198027'],
      [6, 'extra-9p-kataShared'],
      [7, 'network-0'],
      [31, '(machine)'],
    ])
    // maxmem 33024 − 2048 RAM − 128 NVDIMM image; one of ten slots taken by the NVDIMM
    expect(t.capacity).toEqual({
      bridgeSlots: 30,
      rootSlots: 23,
      memory: { hotplug: true, slots: 10, slotsUsed: 1, headroomMiB: 30848 },
      vcpus: { cpus: 1, max: 8, free: 7 },
    })
    expect(t.offBus).toEqual([
      { id: 'console0', kind: 'virtconsole' },
      { id: 'nv0', kind: 'Nvdimm' },
    ])
  })
  it('fills bridges when the root bus is full', () => {
    const devices = Array.from({ length: 30 }, (_, i) => ({ kind: 'block', id: `d${i}`, file: `/d${i}`, format: 'raw' }))
    const p = plan(withQemu({ block_device_driver: 'virtio-blk', default_bridges: 2 }, { devices }))
    const t = topology(p)
    expect(t.root?.free).toEqual([])
    expect(t.bridges.map((b) => [b.id, b.slots.length, b.free])).toEqual([
      ['pci-bridge-0', 4, 26],
      ['pci-bridge-1', 0, 30],
    ])
    expect(t.capacity.bridgeSlots).toBe(56)
    expect(formatTopology(t)).toContain('│   ├── 0x01 d26 (Block)\n')
  })
  it('draws CCW device numbers on s390x', () => {
    const argv = [
      '/usr/bin/qemu-system-s390x',
      '-name',
      'n',
      '-uuid',
      'u',
      '-machine',
      's390-ccw-virtio,accel=kvm',
      '-cpu',
      'host',
      '-qmp',
      'unix:/q,server,nowait',
      '-m',
      '2048M,slots=10,maxmem=4096M',
      '-device',
      'virtio-serial-ccw,id=serial0,devno=fe.0.0001',
      '-device',
      'virtio-blk,drive=image-1,scsi=off,config-wce=off,devno=fe.0.0002,share-rw=on',
      '-drive',
      'id=image-1,file=/img,aio=threads,format=raw,if=none',
      '-vga',
      'none',
      '-kernel',
      '/k',
      '-pidfile',
      '/p',
      '-smp',
      '1,maxcpus=4',
    ]
    const r = parseArgv(argv)
    if (E.isLeft(r)) throw new Error(toMessage(r.left))
    const t = topology(withMachineFacts(r.right.plan))
    expect(t.root).toBeUndefined()
    expect(t.capacity.bridgeSlots).toBe(0xffff - 2)
    expect(formatTopology(t)).toContain('    ├── fe.0.0002 image-1 (Block)\n')
  })
})

describe('checkHotplug', () => {
  const p = plan()
  const field = (needs: HotplugNeeds, config: HotplugConfig = vblk): string | undefined => {
    const r = checkHotplug({ ...p, hotplugConfig: config }, needs)
    return E.isLeft(r) && r.left._tag === 'NoHotplugCapacity' ? r.left.field : E.isLeft(r) ? r.left._tag : undefined
  }
  it('accepts exactly the capacity', () => {
    expect(field({ blockDevices: 10, networkDevices: 10, vfioDevices: 10, vcpus: 7, memoryMiB: 30848 })).toBeUndefined()
  })
  it('names the field that goes over', () => {
    expect(field({ blockDevices: 31 })).toBe('hotplug.blockDevices')
    expect(field({ blockDevices: 20, networkDevices: 11 })).toBe('hotplug.networkDevices')
    expect(field({ vfioDevices: 31 })).toBe('hotplug.vfioDevices')
    expect(field({ vfioDevices: 24 }, { ...vblk, hotplugVfioOnRootBus: true })).toBe('hotplug.vfioDevices')
    expect(field({ vfioDevices: 23 }, { ...vblk, hotplugVfioOnRootBus: true })).toBeUndefined()
    expect(field({ vcpus: 8 })).toBe('hotplug.vcpus')
    expect(field({ memoryMiB: 30849 })).toBe('hotplug.memoryMiB')
    expect(field({ blockDevices: 9, memoryMiB: 1 }, { ...vblk, blockDeviceDriver: 'nvdimm' })).toBe('hotplug.memoryMiB')
    expect(field({ blockDevices: 10 }, { ...vblk, blockDeviceDriver: 'nvdimm' })).toBe('hotplug.blockDevices')
  })
  it('does not count virtio-scsi disks against PCI slots', () => {
    expect(field({ blockDevices: 1000 }, { ...vblk, blockDeviceDriver: 'virtio-scsi' })).toBeUndefined()
  })
  it('runs in the planner on the sandbox hotplug section', () => {
    const r = planOf(withQemu({}, { hotplug: { vcpus: 8 } }))
    expect(r).toEqual(E.left('NoHotplugCapacity: hotplug.vcpus: needs 8 vCPUs below maxcpus, the plan has 7'))
    expect(planOf(withQemu({}, { hotplug: { vcpus: -1 } }))).toMatchObject({ left: expect.stringContaining('hotplug.vcpus') })
    expect(E.isRight(planOf(withQemu({}, { hotplug: { vcpus: 7, networkDevices: 30 } })))).toBe(true)
  })
})
