/**
 * The amd64 real-guest tests, for `pc` and `q35` alike (each machine has its own test file, so
 * the two boot in parallel): disk, NIC and rollback from `placementTests`, then ACPI hot-plug of a
 * vCPU and a DIMM that the guest onlines, and a disk unplug the guest acknowledges, after which the
 * freed slot takes the next disk.
 */
import { expect, it } from 'vitest'
import { unplug } from '../../../src/arch/hotplug.ts'
import { addMemory, execute } from '../../../src/effects/hotplug.ts'
import { blockBackends, deviceDeleted, latest, placementTests, replugTest, right, seenWithinMs, type Session, vcpuTest } from './session.ts'

export const amd64Tests = (s: Session): void => {
  const { disk } = placementTests(s, 'pci')

  vcpuTest(s)

  it('a hot-added 128 MiB DIMM is onlined by the guest', async () => {
    const g = s.guest()
    const before = latest(s, 'mem')
    const from = g.console.mark()
    s.setPlan(right(await addMemory(g.vm.qmp, s.plan(), 128)()).after)
    expect((await g.console.waitFor(/^mem online /, seenWithinMs, from)).words).toEqual(['mem', 'online', String(before + 128)])
  })

  it('an unplug the guest acknowledges (ACPI eject) removes the disk: the guest drops it, DEVICE_DELETED arrives, the backend goes', async () => {
    const g = s.guest()
    const from = g.console.mark()
    const events = g.vm.qmp.mark()
    s.setPlan(right(await execute(g.vm.qmp, right(unplug(s.plan(), 'hotdisk0', seenWithinMs)))()))
    expect(deviceDeleted(s, 'hotdisk0', events)).toBe(true)
    expect((await g.console.waitFor(/^del blk /, seenWithinMs, from)).words).toEqual(['del', 'blk', 'vda', 'pci', disk().location?.pciPath])
    expect(await blockBackends(s)).not.toContain('hotdisk0')
  })

  replugTest(s, 'pci', disk)
}
