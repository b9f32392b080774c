import { slotsOf } from '../../support/bridges.ts'
import * as E from 'fp-ts/lib/Either.js'
import { unsafeRight } from '../../support/amd64-fixtures.ts'
import { describe, expect, it } from 'vitest'
import { hotplugBlock, hotplugCpus, hotplugMemory, hotplugNetwork, hotplugVfio, unplug } from '../../../src/arch/hotplug.ts'
import type { Plan } from '../../../src/core/vm.ts'
import { planOf } from '../../support/golden.ts'

const q35 = (extra: Record<string, unknown> = {}, bridges = 1): Plan => {
  const r = planOf({
    config: { hypervisor: { qemu: { kernel: '/k', initrd: '/i', machine_type: 'q35', default_bridges: bridges, default_maxvcpus: 4, ...extra } } },
    sandbox: { arch: 'amd64', id: 'hp', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11', host: { memoryMiB: 4096, nested: false } },
  })
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}
describe('hotplugBlock', () => {
  it('places a virtio-blk disk on the first bridge slot and predicts its PCI path', () => {
    const p = q35()
    const h = unsafeRight(hotplugBlock(p, { id: 'disk1', file: '/tmp/d.img' }))
    expect(h.location?.pciPath).toBe('02/01')
    expect(h.actions.map((a) => (a._tag === 'Execute' ? a.command.execute : a._tag))).toEqual(['blockdev-add', 'device_add'])
    expect(h.actions[1]).toMatchObject({ command: { arguments: { driver: 'virtio-blk-pci', bus: 'pci-bridge-0', addr: '0x1', drive: 'disk1' } } })
    expect(h.actions[0]).toMatchObject({ undo: [{ execute: 'blockdev-del', arguments: { 'node-name': 'disk1' } }] })
    expect(slotsOf(h.after.state.bridges[0])).toEqual({ 1: 'disk1' })
    expect(slotsOf(h.before.state.bridges[0])).toEqual({})
    expect(slotsOf(p.state.bridges[0])).toEqual({})
  })
  it('the second disk gets the next slot; a duplicate id is refused', () => {
    const h1 = unsafeRight(hotplugBlock(q35(), { id: 'd1', file: '/f' }))
    const h2 = unsafeRight(hotplugBlock(h1.after, { id: 'd2', file: '/g' }))
    expect(h2.location?.pciPath).toBe('02/02')
    const dup = hotplugBlock(h1.after, { id: 'd1', file: '/g' })
    expect(E.isLeft(dup) && dup.left._tag).toBe('DuplicateId')
  })
  it('virtio-scsi disks go to LUNs on scsi0.0', () => {
    const h = unsafeRight(hotplugBlock(q35(), { id: 's1', file: '/f', via: 'virtio-scsi' }))
    expect(h.actions[1]).toMatchObject({ command: { arguments: { driver: 'scsi-hd', bus: 'scsi0.0', 'scsi-id': 0, lun: 0 } } })
    const none = hotplugBlock(q35({ block_device_driver: 'virtio-blk' }), { id: 's1', file: '/f', via: 'virtio-scsi' })
    expect(E.isLeft(none) && none.left._tag).toBe('InvalidDevice')
  })
  it('a full set of bridges is NoBridgeSlot; no bridges is NoBridges', () => {
    let p = q35()
    for (let i = 0; i < 30; i++) p = unsafeRight(hotplugBlock(p, { id: `d${i}`, file: '/f' })).after
    const full = hotplugBlock(p, { id: 'x', file: '/f' })
    expect(E.isLeft(full) && full.left._tag).toBe('NoBridgeSlot')
    const lite = { ...q35(), state: { ...q35().state, bridges: [] } }
    const r = hotplugBlock(lite, { id: 'x', file: '/f' })
    expect(E.isLeft(r) && r.left._tag).toBe('NoBridges')
  })
})

describe('hotplugNetwork', () => {
  it('passes each fd with getfd, adds the netdev by fd names, then the device with mq/vectors', () => {
    const h = unsafeRight(hotplugNetwork(q35(), { id: 'net9', mac: '02:00:00:00:00:09', fds: [20, 21], vhostFds: [22] }))
    expect(h.actions.map((a) => a._tag)).toEqual(['SendFd', 'SendFd', 'SendFd', 'Execute', 'Execute'])
    expect(h.actions[3]).toMatchObject({ command: { arguments: { fds: 'fd-net9-0:fd-net9-1', vhost: true, vhostfds: 'vhostfd-net9-0' } } })
    expect(h.actions[4]).toMatchObject({ command: { arguments: { mq: true, vectors: 6, bus: 'pci-bridge-0' } } })
    expect(E.isLeft(hotplugNetwork(q35(), { id: 'n', mac: '02:00:00:00:00:09', fds: [] }))).toBe(true)
  })
})

describe('hotplugVfio', () => {
  it('takes a bridge slot, or the lowest free root-bus slot', () => {
    expect(unsafeRight(hotplugVfio(q35(), { id: 'v', bdf: '02:10.0' })).location?.pciPath).toBe('02/01')
    const root = unsafeRight(hotplugVfio(q35(), { id: 'v', bdf: '02:10.0', onRootBus: true }))
    expect(root.location?.placement).toMatchObject({ _tag: 'Pci', bus: 'pcie.0' })
  })
})

describe('hotplugCpus / hotplugMemory', () => {
  const slots = [1, 2, 3].map((s) => ({ type: 'max-x86_64-cpu', props: { 'socket-id': s, 'core-id': 0, 'thread-id': 0 } }))
  it('adds vCPUs into free slots with QEMU’s own properties, up to maxcpus', () => {
    const h = unsafeRight(hotplugCpus(q35(), 2, slots))
    expect(h.actions).toHaveLength(2)
    expect(h.actions[0]).toMatchObject({ command: { execute: 'device_add', arguments: { id: 'cpu-0', driver: 'max-x86_64-cpu', 'socket-id': 1 } } })
    expect(E.isLeft(hotplugCpus(h.after, 2, slots.slice(2)))).toBe(true)
  })
  it('adds a DIMM in slot highest+1 and refuses what maxmem cannot hold', () => {
    const h = unsafeRight(hotplugMemory(q35(), 256, [0, 3]))
    expect(h.actions[0]).toMatchObject({ command: { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: 'mem4', size: 256 * 2 ** 20 } } })
    expect(h.actions[1]).toMatchObject({ command: { arguments: { driver: 'pc-dimm', id: 'dimmmem4', memdev: 'mem4' } } })
    const big = hotplugMemory(q35(), 100_000, [])
    expect(E.isLeft(big) && big.left._tag).toBe('InvalidDevice')
    const noHotplug = hotplugMemory({ ...q35(), memoryHotplug: false }, 128, [])
    expect(E.isLeft(noHotplug) && noHotplug.left._tag).toBe('Unsupported')
  })
})

describe('unplug', () => {
  it('deletes the device, waits for DEVICE_DELETED, removes the backend, frees the slot in `after` only', () => {
    const added = unsafeRight(hotplugBlock(q35(), { id: 'd1', file: '/f' })).after
    const u = unsafeRight(unplug(added, 'd1', 1234))
    expect(u.actions).toEqual([
      { _tag: 'Execute', command: { execute: 'device_del', arguments: { id: 'd1' } }, undo: [] },
      { _tag: 'AwaitEvent', event: 'DEVICE_DELETED', data: { device: 'd1' }, timeoutMs: 1234 },
      { _tag: 'Execute', command: { execute: 'blockdev-del', arguments: { 'node-name': 'd1' } }, undo: [] },
    ])
    expect(slotsOf(u.after.state.bridges[0])).toEqual({})
    expect(slotsOf(u.before.state.bridges[0])).toEqual({ 1: 'd1' })
    const missing = unplug(added, 'nope')
    expect(E.isLeft(missing) && missing.left._tag).toBe('DeviceNotOnBridge')
  })
})
