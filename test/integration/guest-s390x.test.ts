/**
 * A real Linux guest (Debian's 6.1 s390x kernel, busybox) on `s390-ccw-virtio`, booted from the
 * plan's own `qemu`-dialect argv under TCG, confirms where hot-plugged devices land: virtio-ccw
 * devices at the predicted CCW bus id (`0.0.NNNN`, the devno the plan gave QEMU as `fe.0.NNNN`
 * seen from the guest's channel subsystem 0), a vCPU the guest onlines, and an unplug the guest
 * acknowledges. s390x has no memory hot-plug: the plan refuses it with a typed error before any
 * QMP command is sent (test/support/guest/).
 */
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import { unplug } from '../../src/arch/hotplug.ts'
import { addMemory, execute } from '../../src/effects/hotplug.ts'
import { describeGuest } from '../support/guest/boot.ts'
import {
  blockBackends,
  deviceDeleted,
  guestSession,
  placementTests,
  replugTest,
  right,
  seenWithinMs,
  vcpuTest,
} from '../support/guest/session.ts'

describeGuest('s390x', 'real guest: s390x s390-ccw-virtio (TCG)', (binary) => {
  const s = guestSession(binary, { arch: 's390x', id: 'gccw', tapSuffix: 's' })
  const { disk } = placementTests(s, 'ccw')

  vcpuTest(s)

  it('memory hot-plug is refused by the plan itself, typed, before QEMU is asked', async () => {
    const g = s.guest()
    const before = g.vm.qmp.mark()
    const r = await addMemory(g.vm.qmp, s.plan(), 128)()
    expect(E.isLeft(r) && r.left.error).toMatchObject({ _tag: 'Unsupported', arch: 's390x' })
    expect(g.vm.qmp.events().slice(before)).toEqual([])
  })

  it('an unplug the guest acknowledges removes the disk: the guest drops it, DEVICE_DELETED arrives, the backend goes', async () => {
    const g = s.guest()
    const from = g.console.mark()
    const events = g.vm.qmp.mark()
    s.setPlan(right(await execute(g.vm.qmp, right(unplug(s.plan(), 'hotdisk0', seenWithinMs)))()))
    expect(deviceDeleted(s, 'hotdisk0', events)).toBe(true)
    expect((await g.console.waitFor(/^del blk /, seenWithinMs, from)).words).toEqual([
      'del',
      'blk',
      'vda',
      'ccw',
      disk().location?.ccwBusId,
    ])
    expect(await blockBackends(s)).not.toContain('hotdisk0')
  })

  replugTest(s, 'ccw', disk)
})
