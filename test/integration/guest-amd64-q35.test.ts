/**
 * A real Linux guest (Debian's 6.1 cloud kernel, busybox) on amd64 `q35`, booted from the plan's own
 * `qemu`-dialect argv under TCG, confirms where hot-plugged devices land (test/support/guest/).
 */
import { describeGuest } from '../support/guest/boot.ts'
import { amd64Tests } from '../support/guest/amd64.ts'
import { guestSession } from '../support/guest/session.ts'

describeGuest('amd64', 'real guest: amd64 q35 (TCG)', (binary) => {
  amd64Tests(guestSession(binary, { arch: 'amd64', id: 'gq35', tapSuffix: 'q', qemu: { machine_type: 'q35' } }))
})
