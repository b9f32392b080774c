/**
 * A real Linux guest (Debian's 6.1 cloud kernel, busybox) on arm64 `virt`, booted from the plan's own
 * `qemu`-dialect argv under TCG (GICv3), confirms where hot-plugged devices land (test/support/guest/).
 *
 * Devices are hot-plugged behind the plan's pcie-pci-bridge, whose standard hot-plug controller
 * (SHPC) Debian's kernel does not drive: the guest finds a new device only by rescanning the bus
 * (init.sh does, as the kata-containers agent does), and an unplug is a surprise removal — QEMU
 * frees the device at once (hw/pci/shpc.c) while the guest keeps listing it. QEMU 7.2's virt has no
 * vCPU hot-plug, and no DIMM hot-plug without firmware (the ACPI GED exists only when virt boots
 * firmware): both are refused, and nothing changes in the guest.
 */
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { addCpus, addMemory, execute } from '../../src/effects/hotplug.ts'
import { unwrap } from '../support/qemu.ts'
import { describeGuest } from '../support/guest/boot.ts'
import { hotplugBlock, unplug } from '../../src/arch/hotplug.ts'
import {
  blockBackends,
  deviceDeleted,
  guestSession,
  latest,
  linesAfterQuiet,
  placementTests,
  plugAndWatch,
  right,
} from '../support/guest/session.ts'

describeGuest('arm64', 'real guest: arm64 virt (TCG)', (binary) => {
  const s = guestSession(binary, { arch: 'arm64', id: 'gvirt', tapSuffix: 'a' })
  const { disk } = placementTests(s, 'pci')

  it('QEMU 7.2 virt has no vCPU hot-plug (query-hotpluggable-cpus is not enabled there): the plan refuses it, typed; guest unchanged', async () => {
    const g = s.guest()
    const from = g.console.mark()
    await expect(g.vm.qmp.execute('query-hotpluggable-cpus')()).resolves.toMatchObject({
      left: { _tag: 'QmpError', desc: expect.stringMatching(/not enabled/) },
    })
    const r = await addCpus(g.vm.qmp, s.plan(), 1)()
    expect(E.isLeft(r) && r.left.error).toMatchObject({ _tag: 'Unsupported', feature: 'vCPU hot-plug on virt' })
    expect(await unwrap(g.vm.qmp.execute<ReadonlyArray<unknown>>('query-cpus-fast'))).toHaveLength(1)
    expect(await linesAfterQuiet(s, from)).toEqual([])
    expect(latest(s, 'cpu')).toBe(1)
  })

  it('DIMM hot-plug, which QEMU refuses without firmware (no ACPI GED), is refused by the plan first: no memory backend, guest unchanged', async () => {
    const g = s.guest()
    const mem = latest(s, 'mem')
    const from = g.console.mark()
    // QEMU's own answer, to a DIMM sent by hand
    await unwrap(g.vm.qmp.execute('object-add', { 'qom-type': 'memory-backend-ram', id: 'probe0', size: 128 * 2 ** 20 }))
    await expect(g.vm.qmp.execute('device_add', { driver: 'pc-dimm', id: 'probedimm', memdev: 'probe0' })()).resolves.toMatchObject({
      left: { desc: expect.stringContaining('acpi-ged') },
    })
    await unwrap(g.vm.qmp.execute('object-del', { id: 'probe0' }))
    const r = await addMemory(g.vm.qmp, s.plan(), 128)()
    expect(E.isLeft(r) && r.left.error).toMatchObject({ _tag: 'Unsupported', feature: expect.stringContaining('acpi-ged') })
    const objects = await unwrap(g.vm.qmp.execute<ReadonlyArray<{ name: string }>>('qom-list', { path: '/objects' }))
    expect(objects.map((o) => o.name)).not.toContain('mem0')
    expect(await unwrap(g.vm.qmp.execute<ReadonlyArray<unknown>>('query-memory-devices'))).toEqual([])
    expect(await linesAfterQuiet(s, from)).toEqual([])
    expect(latest(s, 'mem')).toBe(mem)
  })

  it('an unplug is a surprise removal behind the pcie-pci-bridge: DEVICE_DELETED at once and the backend goes, while the guest still lists the disk', async () => {
    const g = s.guest()
    const from = g.console.mark()
    const events = g.vm.qmp.mark()
    s.setPlan(right(await execute(g.vm.qmp, right(unplug(s.plan(), 'hotdisk0', 10_000)))()))
    expect(deviceDeleted(s, 'hotdisk0', events)).toBe(true)
    expect(await blockBackends(s)).not.toContain('hotdisk0')
    // the guest was never asked (no SHPC driver): it does not drop vda
    expect(await linesAfterQuiet(s, from)).toEqual([])
  })

  it('the slot of a surprise removal stays retired (the guest still holds its stale device there): the next disk takes a fresh slot, and the guest finds it', async () => {
    const g = s.guest()
    const h = right(hotplugBlock(s.plan(), { id: 'hotdisk2', file: g.disk('hotdisk2.img') }))
    expect(h.location?.pciPath).not.toBe(disk().location?.pciPath)
    const seen = await plugAndWatch(s, h, /^add blk /)
    expect(seen.words).toEqual(['add', 'blk', expect.stringMatching(/^vd[a-z]$/), 'pci', h.location?.pciPath])
  })
})
