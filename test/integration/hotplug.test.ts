/**
 * Hot-plug plans executed against a real QEMU (x86_64 q35 under TCG, paused): every device lands
 * where the pure plan predicted, and failures leave both the plan and the VM as they were.
 */
import { slotsOf } from '../support/bridges.ts'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hotplugBlock, hotplugNetwork, unplug } from '../../src/arch/hotplug.ts'
import { render } from '../../src/core/render.ts'
import type { Plan } from '../../src/core/vm.ts'
import { addCpus, addMemory, execute, setIgnoreSharedMemoryMigrationCaps } from '../../src/effects/hotplug.ts'
import { planOf } from '../support/golden.ts'
import { describeQemu, findDevice, launchPaused, tempDir, unwrap, type Vm } from '../support/qemu.ts'
import { relocate } from '../support/relocate.ts'

const input = {
  config: {
    hypervisor: {
      qemu: {
        kernel: '/k',
        initrd: '/i',
        machine_type: 'q35',
        default_bridges: 2,
        default_vcpus: 1,
        default_maxvcpus: 4,
        default_memory: 512,
        memory_slots: 4,
        disable_vhost_net: true,
        block_device_driver: 'virtio-scsi',
      },
    },
  },
  sandbox: { arch: 'amd64', id: 'hot', uuid: '0b5f2c1e-8a57-4a53-9b1c-2f1c1f7d9a02', host: { memoryMiB: 2048, nested: false } },
}

const right = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

describeQemu('qemu-system-x86_64', 'hot-plug on real QEMU (x86_64 q35, TCG)', (bin) => {
  let vm: Vm
  let plan: Plan
  let dir: string
  const disk = (name: string): string => {
    const p = join(dir, name)
    writeFileSync(p, Buffer.alloc(1 << 20))
    return p
  }

  beforeAll(async () => {
    dir = tempDir()
    plan = right(planOf(relocate(input, dir)))
    const r = right(render(plan, 'qemu'))
    vm = await launchPaused(bin, r.args, { dir })
  })
  afterAll(async () => {
    await vm?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('hot-adds a virtio-blk disk onto the planned bridge slot, at the predicted PCI path', async () => {
    const h = right(hotplugBlock(plan, { id: 'hotdisk0', file: disk('d0.img'), via: 'virtio-blk' }))
    expect(h.location?.pciPath).toBe('02/01')
    plan = right(await execute(vm.qmp, h)())
    expect(await findDevice(vm.qmp, 'hotdisk0')).toMatchObject({ bus: 'pci-bridge-0', slot: 1 })
    // the path's first half is the bridge's own slot on the root bus
    expect(await findDevice(vm.qmp, 'pci-bridge-0')).toMatchObject({ bus: 'pcie.0', slot: 2 })
  })

  it('hot-adds a tap network device from real fds passed with getfd', async () => {
    const h = right(
      hotplugNetwork(plan, { id: 'hotnet0', mac: '02:00:00:00:00:42', tap: { name: `qph${process.pid % 10000}`, queues: 2 } }),
    )
    plan = right(await execute(vm.qmp, h)())
    const loc = h.location?.placement
    expect(loc?._tag).toBe('Pci')
    const found = await findDevice(vm.qmp, 'hotnet0')
    expect(loc?._tag === 'Pci' && { bus: found.bus, slot: found.slot }).toEqual(loc?._tag === 'Pci' && { bus: loc.bus, slot: loc.slot })
    const netdev = await unwrap(vm.qmp.execute<string>('qom-get', { path: '/machine/peripheral/hotnet0', property: 'netdev' }))
    expect(netdev).toBe('hotnet0')
  })

  it('hot-adds vCPUs and a memory DIMM, and QEMU lists them', async () => {
    const before = await unwrap(vm.qmp.execute<ReadonlyArray<unknown>>('query-cpus-fast'))
    plan = right(await addCpus(vm.qmp, plan, 2)()).after
    const after = await unwrap(vm.qmp.execute<ReadonlyArray<{ 'qom-path': string }>>('query-cpus-fast'))
    expect(after.length).toBe(before.length + 2)
    expect(plan.hotplugged.cpus.map((c) => c.id)).toEqual(['cpu-0', 'cpu-1'])
    plan = right(await addMemory(vm.qmp, plan, 128)()).after
    const mem = await unwrap(
      vm.qmp.execute<ReadonlyArray<{ type: string; data: { id: string; size: number; slot: number } }>>('query-memory-devices'),
    )
    expect(mem).toContainEqual(
      expect.objectContaining({ type: 'dimm', data: expect.objectContaining({ id: 'dimmmem0', size: 128 * 2 ** 20, slot: 0 }) }),
    )
  })

  it('sets x-ignore-shared and reads it back', async () => {
    await unwrap(setIgnoreSharedMemoryMigrationCaps(vm.qmp, plan))
    const caps = await unwrap(vm.qmp.execute<ReadonlyArray<{ capability: string; state: boolean }>>('query-migrate-capabilities'))
    expect(caps.find((c) => c.capability === 'x-ignore-shared')?.state).toBe(true)
  })

  it('a device_add QEMU refuses (duplicate id) rolls back: backend removed, plan unchanged', async () => {
    // a device the plan does not know about takes the id first
    await unwrap(vm.qmp.execute('device_add', { driver: 'virtio-rng-pci', id: 'clash', bus: 'pci-bridge-1', addr: '0x5' }))
    const h = right(hotplugBlock(plan, { id: 'clash', file: disk('clash.img'), via: 'virtio-blk' }))
    const r = await execute(vm.qmp, h)()
    expect(E.isLeft(r) && r.left.error).toMatchObject({ _tag: 'QmpError', command: 'device_add' })
    expect(E.isLeft(r) && r.left.undoErrors).toEqual([])
    const nodes = await unwrap(vm.qmp.execute<ReadonlyArray<{ 'node-name': string }>>('query-named-block-nodes'))
    expect(nodes.map((n) => n['node-name'])).not.toContain('clash')
    // the caller keeps `before`: the slot the failed plan took is still free in it
    expect(h.before.state.bridges).toEqual(plan.state.bridges)
    expect(right(hotplugBlock(plan, { id: 'next', file: disk('n.img'), via: 'virtio-blk' })).location?.pciPath).toBe(h.location?.pciPath)
  })

  it('a refused NIC rolls back cleanly: netdev_add took the fds over, so no closefd is sent and nothing is reported', async () => {
    await unwrap(vm.qmp.execute('device_add', { driver: 'virtio-rng-pci', id: 'netclash', bus: 'pci-bridge-1', addr: '0x6' }))
    const h = right(
      hotplugNetwork(plan, { id: 'netclash', mac: '02:00:00:00:00:43', tap: { name: `qpr${process.pid % 10000}`, queues: 1 } }),
    )
    const r = await execute(vm.qmp, h)()
    expect(E.isLeft(r) && r.left.error).toMatchObject({ _tag: 'QmpError', command: 'device_add' })
    expect(E.isLeft(r) && r.left.undoErrors).toEqual([])
    const network = await unwrap(vm.qmp.execute<string>('human-monitor-command', { 'command-line': 'info network' }))
    expect(network).not.toMatch(/netclash/)
  })

  it('unplug in a paused guest that never acknowledges times out, in bounded time, and keeps the slot', async () => {
    const h = right(unplug(plan, 'hotdisk0', 400))
    const t0 = Date.now()
    const r = await execute(vm.qmp, h)()
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(E.isLeft(r) && r.left.error).toMatchObject({ _tag: 'Timeout', ms: 400 })
    expect(slotsOf(plan.state.bridges[0])?.[1]).toBe('hotdisk0')
    expect(await findDevice(vm.qmp, 'hotdisk0')).toMatchObject({ bus: 'pci-bridge-0', slot: 1 })
  })
})

describe('hot-plug inputs', () => {
  it('needs fds or a tap', () => {
    const p = right(planOf(input))
    expect(E.isLeft(hotplugNetwork(p, { id: 'n', mac: '02:00:00:00:00:01' }))).toBe(true)
  })
})

const otherArch = (arch: 'arm64' | 's390x', machineCfg: Record<string, unknown>) => ({
  config: {
    hypervisor: {
      qemu: {
        kernel: '/k',
        initrd: '/i',
        default_bridges: 1,
        default_vcpus: 1,
        default_maxvcpus: 4,
        default_memory: 512,
        disable_vhost_net: true,
        ...machineCfg,
      },
    },
  },
  sandbox: { arch, id: `hot${arch}`, uuid: '0b5f2c1e-8a57-4a53-9b1c-2f1c1f7d9a04', host: { memoryMiB: 2048, nested: false } },
})

for (const [arch, bin, extra] of [
  ['s390x', 'qemu-system-s390x', {}],
  ['arm64', 'qemu-system-aarch64', {}],
] as const) {
  describeQemu(bin, `hot-plug on real QEMU (${arch}, TCG)`, (path) => {
    let vm: Vm
    let plan: Plan
    let dir: string
    beforeAll(async () => {
      dir = tempDir()
      plan = right(planOf(relocate(otherArch(arch, extra), dir)))
      vm = await launchPaused(path, right(render(plan, 'qemu')).args, { dir })
    })
    afterAll(async () => {
      await vm?.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('hot-adds a virtio-blk disk where the pure plan predicted (CCW devno / slot behind the PCIe-to-PCI bridge)', async () => {
      const f = join(dir, 'd.img')
      writeFileSync(f, Buffer.alloc(1 << 20))
      const h = right(hotplugBlock(plan, { id: 'hotdisk', file: f, via: 'virtio-blk' }))
      plan = right(await execute(vm.qmp, h)())
      const found = await findDevice(vm.qmp, 'hotdisk')
      const p = h.location?.placement
      if (arch === 's390x') {
        expect(p?._tag === 'Ccw' && p.devno).toBe(found.devno)
        expect(h.location?.ccwBusId).toMatch(/^0\.0\.[0-9a-f]{4}$/)
      } else {
        expect(p?._tag === 'Pci' && { bus: p.bus, slot: p.slot }).toEqual({ bus: found.bus, slot: found.slot })
        expect(h.location?.pciPath).toBe('02/01')
      }
    })

    it('hot-adds a vCPU where QEMU has a free slot', async () => {
      const before = await unwrap(vm.qmp.execute<ReadonlyArray<unknown>>('query-cpus-fast'))
      const r = await addCpus(vm.qmp, plan, 1)()
      if (arch === 'arm64') {
        // virt has no CPU hot-plug in QEMU 7.2: refused by the plan, before any command reaches QEMU
        expect(E.isLeft(r) && r.left.error._tag).toBe('Unsupported')
        return
      }
      plan = right(r).after
      expect((await unwrap(vm.qmp.execute<ReadonlyArray<unknown>>('query-cpus-fast'))).length).toBe(before.length + 1)
    })

    it('sets x-ignore-shared where the arch does (not on arm64, as Kata)', async () => {
      await unwrap(setIgnoreSharedMemoryMigrationCaps(vm.qmp, plan))
      const caps = await unwrap(vm.qmp.execute<ReadonlyArray<{ capability: string; state: boolean }>>('query-migrate-capabilities'))
      expect(caps.find((c) => c.capability === 'x-ignore-shared')?.state).toBe(arch !== 'arm64')
    })
  })
}
