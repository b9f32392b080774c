/** Hot-plug plans: placement, the QMP steps each device module gives, and the rules Kata applied (and the ones QEMU imposes). */
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { rootSlotsOf } from '../../../src/arch/root-bus.ts'
import { hotplugBlock, hotplugCpus, hotplugMemory, hotplugNetwork, hotplugVfio, unplug } from '../../../src/arch/hotplug.ts'
import type { MemoryDevice } from '../../../src/core/qmp/commands.ts'
import type { Plan } from '../../../src/core/vm.ts'
import { unsafeLeft, unsafeRight } from '../../support/amd64-fixtures.ts'
import { slotsOf } from '../../support/bridges.ts'
import { planOf } from '../../support/golden.ts'

const planned = (arch: string, qemu: Record<string, unknown>, sandbox: Record<string, unknown> = {}): Plan => {
  const r = planOf({
    imageSizeBytes: 128 * 2 ** 20,
    config: { hypervisor: { qemu: { kernel: '/k', initrd: '/i', default_bridges: 1, default_maxvcpus: 4, ...qemu } } },
    sandbox: { arch, id: 'hp', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11', host: { memoryMiB: 4096, nested: false }, ...sandbox },
  })
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}
const q35 = (extra: Record<string, unknown> = {}, bridges = 1): Plan =>
  planned('amd64', { machine_type: 'q35', default_bridges: bridges, ...extra })
const dimms = (...slots: ReadonlyArray<number>): ReadonlyArray<MemoryDevice> => slots.map((slot) => ({ type: 'dimm', data: { slot } }))
const args = (h: { readonly actions: ReadonlyArray<unknown> }, i: number): unknown =>
  (h.actions[i] as { command?: { arguments?: unknown } }).command?.arguments

describe('hotplugBlock', () => {
  it('virtio-blk: the first bridge slot, its PCI path, share-rw and romfile="" as Kata sent them', () => {
    const p = q35({ block_device_driver: 'virtio-blk' })
    const h = unsafeRight(hotplugBlock(p, { id: 'disk1', file: '/tmp/d.img' }))
    expect(h.location?.pciPath).toBe('02/01')
    expect(h.actions.map((a) => (a._tag === 'Execute' ? a.command.execute : a._tag))).toEqual(['blockdev-add', 'device_add'])
    expect(args(h, 1)).toEqual({
      driver: 'virtio-blk-pci',
      drive: 'disk1',
      scsi: false,
      'config-wce': false,
      id: 'disk1',
      'share-rw': true,
      romfile: '',
      bus: 'pci-bridge-0',
      addr: '0x1',
    })
    expect(h.actions[0]).toMatchObject({ undo: [{ execute: 'blockdev-del', arguments: { 'node-name': 'disk1' } }] })
    expect(slotsOf(h.after.state.bridges[0])).toEqual({ 1: 'disk1' })
    expect(slotsOf(h.before.state.bridges[0])).toEqual({})
    expect(slotsOf(p.state.bridges[0])).toEqual({})
  })
  it('share-rw can be turned off; the configured cache goes into blockdev-add', () => {
    const p = q35({ block_device_driver: 'virtio-blk', block_device_cache_set: true, block_device_cache_direct: true })
    const h = unsafeRight(hotplugBlock(p, { id: 'd', file: '/f', shareRW: false }))
    expect(args(h, 0)).toEqual({
      driver: 'raw',
      'node-name': 'd',
      file: { driver: 'file', filename: '/f' },
      cache: { direct: true, 'no-flush': false },
    })
    expect(args(h, 1)).not.toHaveProperty('share-rw')
    expect(args(unsafeRight(hotplugBlock(q35({ block_device_driver: 'virtio-blk' }), { id: 'd', file: '/f' })), 0)).not.toHaveProperty(
      'cache',
    )
  })
  it('the second disk gets the next slot; a duplicate id is refused', () => {
    const h1 = unsafeRight(hotplugBlock(q35(), { id: 'd1', file: '/f', via: 'virtio-blk' }))
    const h2 = unsafeRight(hotplugBlock(h1.after, { id: 'd2', file: '/g', via: 'virtio-blk' }))
    expect(h2.location?.pciPath).toBe('02/02')
    expect(unsafeLeft(hotplugBlock(h1.after, { id: 'd1', file: '/g', via: 'virtio-blk' }))._tag).toBe('DuplicateId')
  })
  it('follows block_device_driver: virtio-scsi (the default) gives LUNs on scsi0.0', () => {
    const h = unsafeRight(hotplugBlock(q35(), { id: 's1', file: '/f' }))
    expect(args(h, 1)).toEqual({ driver: 'scsi-hd', drive: 's1', bus: 'scsi0.0', 'scsi-id': 0, lun: 0, id: 's1', 'share-rw': true })
    expect(unsafeLeft(hotplugBlock(q35({ block_device_driver: 'virtio-blk' }), { id: 's1', file: '/f', via: 'virtio-scsi' }))._tag).toBe(
      'InvalidDevice',
    )
  })
  it('a LUN is never given twice: the block index only grows, across unplugs', () => {
    let p = q35()
    for (const id of ['s0', 's1', 's2']) p = unsafeRight(hotplugBlock(p, { id, file: '/f' })).after
    p = unsafeRight(unplug(p, 's0')).after
    const next = unsafeRight(hotplugBlock(p, { id: 's3', file: '/f' }))
    expect(args(next, 1)).toMatchObject({ 'scsi-id': 0, lun: 3 })
    expect(next.after.hotplugged.scsiIndex).toBe(4)
  })
  it('ids are cut to 31 bytes, and that cut id is the slot key an unplug frees', () => {
    const long = `disk-${'x'.repeat(40)}`
    const h = unsafeRight(hotplugBlock(q35(), { id: long, file: '/f', via: 'virtio-blk' }))
    expect(h.location?.id).toBe(long.slice(0, 31))
    expect(slotsOf(h.after.state.bridges[0])).toEqual({ 1: long.slice(0, 31) })
    for (const by of [long, long.slice(0, 31)]) expect(slotsOf(unsafeRight(unplug(h.after, by)).after.state.bridges[0])).toEqual({})
  })
  it('a cold-plugged drive with a long id is unplugged by its QEMU id and frees its slot', () => {
    const long = `cold-${'y'.repeat(40)}`
    const p = planned(
      'amd64',
      { machine_type: 'pc', block_device_driver: 'virtio-blk' },
      { devices: [{ kind: 'block', id: long, file: '/f', format: 'raw' }] },
    )
    const id = long.slice(0, 31)
    expect(Object.values(rootSlotsOf(p.state))).toContain(id)
    const u = unsafeRight(unplug(p, id))
    expect(Object.values(rootSlotsOf(u.after.state))).not.toContain(id)
  })
  it('nvdimm: a shared memory-backend-file and an nvdimm, within the memory slots and maxmem', () => {
    const p = q35({ block_device_driver: 'nvdimm', memory_slots: 2 })
    const h = unsafeRight(hotplugBlock(p, { id: 'n1', file: '/pmem.img', sizeBytes: 64 * 2 ** 20 }))
    expect(args(h, 0)).toEqual({
      'qom-type': 'memory-backend-file',
      id: 'nvdimmbackmemn1',
      'mem-path': '/pmem.img',
      size: 64 * 2 ** 20,
      share: true,
    })
    expect(args(h, 1)).toEqual({ driver: 'nvdimm', id: 'nvdimmn1', memdev: 'nvdimmbackmemn1' })
    expect(h.actions[0]).toMatchObject({ undo: [{ execute: 'object-del', arguments: { id: 'nvdimmbackmemn1' } }] })
    expect(unsafeLeft(hotplugBlock(p, { id: 'n1', file: '/pmem.img' }))).toMatchObject({ field: 'sizeBytes' })
    const full = unsafeRight(hotplugBlock(h.after, { id: 'n2', file: '/p2', sizeBytes: 2 ** 20 })).after
    expect(unsafeLeft(hotplugBlock(full, { id: 'n3', file: '/p3', sizeBytes: 2 ** 20 }))).toMatchObject({
      _tag: 'InvalidDevice',
      field: 'slots',
    })
  })
  it('a full set of bridges is NoBridgeSlot; no bridges is NoBridges', () => {
    let p = q35()
    for (let i = 0; i < 30; i++) p = unsafeRight(hotplugBlock(p, { id: `d${i}`, file: '/f', via: 'virtio-blk' })).after
    expect(unsafeLeft(hotplugBlock(p, { id: 'x', file: '/f', via: 'virtio-blk' }))._tag).toBe('NoBridgeSlot')
    const lite = { ...q35(), state: { ...q35().state, bridges: [] } }
    expect(unsafeLeft(hotplugBlock(lite, { id: 'x', file: '/f', via: 'virtio-blk' }))._tag).toBe('NoBridges')
  })
  it('arm64 virt: behind the pcie-pci-bridge (Kata asked for a PCI bridge there and failed)', () => {
    const h = unsafeRight(hotplugBlock(planned('arm64', { block_device_driver: 'virtio-blk' }), { id: 'd', file: '/f' }))
    expect(h.location).toMatchObject({ pciPath: '02/01', placement: { bus: 'pcie-bridge-0', slot: 1 } })
  })
  it('s390x: a CCW devno, its guest bus id, no romfile', () => {
    const h = unsafeRight(hotplugBlock(planned('s390x', { block_device_driver: 'virtio-blk-ccw' }), { id: 'd', file: '/f' }))
    expect(h.location).toMatchObject({ placement: { _tag: 'Ccw', devno: 'fe.0.0003' }, ccwBusId: '0.0.0003' })
    expect(args(h, 1)).toEqual({
      driver: 'virtio-blk-ccw',
      drive: 'd',
      scsi: false,
      'config-wce': false,
      id: 'd',
      'share-rw': true,
      devno: 'fe.0.0003',
    })
  })
})

describe('hotplugNetwork', () => {
  it('passes each fd with getfd, adds the netdev by fd names (taking them over), then the device with mq/vectors and romfile=""', () => {
    const h = unsafeRight(hotplugNetwork(q35(), { id: 'net9', mac: '02:00:00:00:00:09', fds: [20, 21], vhostFds: [22] }))
    expect(h.actions.map((a) => a._tag)).toEqual(['SendFd', 'SendFd', 'SendFd', 'Execute', 'Execute'])
    expect(h.actions[3]).toMatchObject({
      command: { arguments: { fds: 'fd-net9-0:fd-net9-1', vhost: true, vhostfds: 'vhostfd-net9-0' } },
      consumes: ['fd-net9-0', 'fd-net9-1', 'vhostfd-net9-0'],
      undo: [{ execute: 'netdev_del', arguments: { id: 'net9' } }],
    })
    expect(args(h, 4)).toEqual({
      driver: 'virtio-net-pci',
      netdev: 'net9',
      mac: '02:00:00:00:00:09',
      id: 'net9',
      mq: true,
      vectors: 6,
      romfile: '',
      bus: 'pci-bridge-0',
      addr: '0x1',
    })
    expect(unsafeLeft(hotplugNetwork(q35(), { id: 'n', mac: '02:00:00:00:00:09', fds: [] }))._tag).toBe('InvalidDevice')
  })
  it('a tap by name: one new queue per fd, no sentinel fds in the plan', () => {
    const h = unsafeRight(hotplugNetwork(q35(), { id: 'n', mac: '02:00:00:00:00:09', tap: { name: 'tap7', queues: 2 } }))
    expect(h.actions.slice(0, 2)).toMatchObject([
      { _tag: 'SendFd', source: { tap: 'tap7' } },
      { _tag: 'SendFd', source: { tap: 'tap7' } },
    ])
    expect(h.after.devices.at(-1)).toMatchObject({ _tag: 'Net', fds: [{ tap: 'tap7' }, { tap: 'tap7' }] })
  })
})

describe('hotplugVfio', () => {
  it('takes a bridge slot, with romfile=""; a mediated device by sysfsdev', () => {
    const h = unsafeRight(hotplugVfio(q35(), { id: 'v', bdf: '02:10.0' }))
    expect(h.location?.pciPath).toBe('02/01')
    expect(args(h, 0)).toEqual({ driver: 'vfio-pci', host: '02:10.0', id: 'v', romfile: '', bus: 'pci-bridge-0', addr: '0x1' })
    const m = unsafeRight(hotplugVfio(q35(), { id: 'm', sysfsdev: '/sys/bus/mdev/devices/c0ffee' }))
    expect(args(m, 0)).toEqual({
      driver: 'vfio-pci',
      sysfsdev: '/sys/bus/mdev/devices/c0ffee',
      id: 'm',
      romfile: '',
      bus: 'pci-bridge-0',
      addr: '0x1',
    })
    expect(unsafeLeft(hotplugVfio(q35(), { id: 'v' }))._tag).toBe('InvalidDevice')
  })
  it('on the root bus where the machine hot-plugs there (pc), refused on q35 (pcie.0 does not support hot-plugging)', () => {
    const pc = unsafeRight(hotplugVfio(planned('amd64', { machine_type: 'pc' }), { id: 'v', bdf: '02:10.0', onRootBus: true }))
    expect(pc.location?.placement).toMatchObject({ _tag: 'Pci', bus: 'pci.0' })
    expect(unsafeLeft(hotplugVfio(q35(), { id: 'v', bdf: '02:10.0', onRootBus: true }))._tag).toBe('Unsupported')
    expect(unsafeLeft(hotplugVfio(q35({ hotplug_vfio_on_root_bus: true }), { id: 'v', bdf: '02:10.0' }))._tag).toBe('Unsupported')
  })
})

describe('hotplugCpus', () => {
  const slots = [1, 2, 3].map((s) => ({ type: 'max-x86_64-cpu', props: { 'socket-id': s, 'core-id': 0, 'thread-id': 0 } }))
  it('adds vCPUs into free slots with QEMU’s own properties, up to maxcpus', () => {
    const h = unsafeRight(hotplugCpus(q35(), 2, slots))
    expect(h.actions).toHaveLength(2)
    expect(h.actions[0]).toMatchObject({
      command: { execute: 'device_add', arguments: { id: 'cpu-0', driver: 'max-x86_64-cpu', 'socket-id': 1 } },
    })
    expect(E.isLeft(hotplugCpus(h.after, 2, slots.slice(2)))).toBe(true)
  })
  it('with clamp, a count past maxcpus is cut to what fits (Kata), with a warning', () => {
    const h = unsafeRight(hotplugCpus(q35(), 10, slots, { clamp: true }))
    expect(h.actions).toHaveLength(3)
    expect(h.warnings).toEqual(['adding 3 vCPUs, not 10: 1 online, maxcpus 4, 3 free slots'])
    const full = unsafeRight(hotplugCpus(q35(), 3, slots)).after
    expect(unsafeLeft(hotplugCpus(full, 1, slots, { clamp: true }))._tag).toBe('InvalidDevice')
  })
})

describe('hotplugMemory', () => {
  it('a DIMM in the slot after the highest of every memory device (NVDIMMs included), refused past maxmem', () => {
    const h = unsafeRight(hotplugMemory(q35(), 256, [{ type: 'nvdimm', data: { slot: 0 } }, ...dimms(3)]))
    expect(args(h, 0)).toEqual({ 'qom-type': 'memory-backend-ram', id: 'mem4', size: 256 * 2 ** 20 })
    expect(args(h, 1)).toEqual({ driver: 'pc-dimm', id: 'dimmmem4', memdev: 'mem4' })
    expect(args(unsafeRight(hotplugMemory(q35(), 256, [{ type: 'nvdimm', data: { slot: 0 } }])), 0)).toMatchObject({ id: 'mem1' })
    expect(unsafeLeft(hotplugMemory(q35(), 100_000, []))._tag).toBe('InvalidDevice')
  })
  it('the slots count NVDIMMs and hot-plugged DIMMs', () => {
    const p = planned('amd64', { machine_type: 'q35', image: '/img', initrd: undefined, memory_slots: 2 })
    const one = unsafeRight(hotplugMemory(p, 128, [{ type: 'nvdimm', data: { slot: 0 } }])).after
    expect(unsafeLeft(hotplugMemory(one, 128, [{ type: 'nvdimm', data: { slot: 0 } }, ...dimms(1)]))).toMatchObject({ field: 'slots' })
  })
  it("Kata's backends: hugepages and shared files as files; RAM for VM templates (their memory file is guest RAM)", () => {
    expect(args(unsafeRight(hotplugMemory(q35({ enable_hugepages: true }), 128, [])), 0)).toMatchObject({
      'qom-type': 'memory-backend-file',
      'mem-path': '/dev/hugepages',
      share: true,
    })
    expect(
      args(unsafeRight(hotplugMemory(q35({ shared_fs: 'virtio-fs', virtio_fs_daemon: '/usr/libexec/virtiofsd' }), 128, [])), 0),
    ).toMatchObject({ 'qom-type': 'memory-backend-file', 'mem-path': '/dev/shm', share: true })
    const tpl = {
      template: { bootToBeTemplate: true, bootFromTemplate: false, memoryPath: '/run/tpl/mem', devicesStatePath: '/run/tpl/state' },
    }
    expect(args(unsafeRight(hotplugMemory(planned('amd64', { machine_type: 'q35' }, tpl), 128, [])), 0)).toEqual({
      'qom-type': 'memory-backend-ram',
      share: true,
      id: 'mem0',
      size: 128 * 2 ** 20,
    })
  })
  it('refused where QEMU would refuse: s390x has none, arm64 virt needs firmware', () => {
    expect(unsafeLeft(hotplugMemory(planned('s390x', {}), 128, []))._tag).toBe('Unsupported')
    expect(unsafeLeft(hotplugMemory(planned('arm64', {}), 128, []))).toMatchObject({
      _tag: 'Unsupported',
      feature: expect.stringMatching(/acpi-ged/),
    })
    expect(E.isRight(hotplugMemory(planned('arm64', { firmware: '/fw' }), 128, []))).toBe(true)
  })
})

describe('unplug', () => {
  it('deletes the device, waits for DEVICE_DELETED, removes the backend, frees the slot in `after` only', () => {
    const added = unsafeRight(hotplugBlock(q35(), { id: 'd1', file: '/f', via: 'virtio-blk' })).after
    const u = unsafeRight(unplug(added, 'd1', 1234))
    expect(u.actions).toEqual([
      { _tag: 'Execute', command: { execute: 'device_del', arguments: { id: 'd1' } }, undo: [], consumes: [] },
      { _tag: 'AwaitEvent', event: 'DEVICE_DELETED', data: { device: 'd1' }, timeoutMs: 1234 },
      { _tag: 'Execute', command: { execute: 'blockdev-del', arguments: { 'node-name': 'd1' } }, undo: [], consumes: [] },
    ])
    expect(slotsOf(u.after.state.bridges[0])).toEqual({})
    expect(slotsOf(u.before.state.bridges[0])).toEqual({ 1: 'd1' })
  })
  it('arm64 virt: the slot of a surprise removal stays taken, retired, so the next device gets a fresh one', () => {
    const p = unsafeRight(hotplugBlock(planned('arm64', { block_device_driver: 'virtio-blk' }), { id: 'd1', file: '/f' })).after
    const after = unsafeRight(unplug(p, 'd1')).after
    expect(slotsOf(after.state.bridges[0])).toEqual({ 1: '(retired d1)' })
    expect(unsafeRight(hotplugBlock(after, { id: 'd2', file: '/g' })).location?.pciPath).toBe('02/02')
  })
  it('an unknown id is UnknownDevice; a device that is never hot-plugged is refused', () => {
    expect(unsafeLeft(unplug(q35(), 'nope'))).toEqual({ _tag: 'UnknownDevice', id: 'nope' })
    expect(unsafeLeft(unplug(q35(), 'serial0'))._tag).toBe('Unsupported')
  })
})
