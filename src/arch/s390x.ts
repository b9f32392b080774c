/**
 * s390x (Kata's `qemuS390x`, `virtcontainers/qemu_s390x.go`): machine `s390-ccw-virtio`; every device sits on the
 * channel subsystem at a CCW device number from the (bookkeeping-only) CCW bridge, in creation
 * order; the image is a shared virtio-blk disk; no vhost-net for cold-plugged NICs, no vhost-user,
 * no guest memory hot-plug, no memory backend or NUMA.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { ccwDevno, makeBridges, maxCcwBridges } from '../core/bridges.ts'
import { noPlacement } from '../core/devices/placement.ts'
import * as Vfio from '../core/devices/vfio.ts'
import { unsupported } from '../core/errors.ts'
import { parseParams } from '../core/kernel.ts'
import { baseArch, imageAsDisk } from './base.ts'
import { push } from './draft.ts'
import type { ArchSpec, QemuArch } from './types.ts'

/** @since 0.1.0 @category model */
export const spec: ArchSpec = {
  arch: 's390x',
  defaultMachine: 's390-ccw-virtio',
  machines: [{ type: 's390-ccw-virtio', options: [['accel', 'kvm']] }],
  nvdimmOnImage: false,
  qemuPaths: { 's390-ccw-virtio': '/usr/bin/qemu-system-s390x' },
  qemuBinary: '/usr/bin/qemu-system-s390x',
  qemuRefuses: {},
  transport: 'ccw',
  // no PCI root bus: devices sit on the channel subsystem (see placeDevice)
  rootBus: {},
  kernelParams: parseParams('console=ttysclp0'),
  // commonVirtioblkKernelRootParams
  kernelRootParams: [
    { key: 'root', value: '/dev/vda1' },
    { key: 'rootflags', value: 'data=ordered,errors=remount-ro ro' },
    { key: 'rootfstype', value: 'ext4' },
  ],
  detectsNesting: false,
  maxVCpus: () => 248,
  migrationWaitTimeoutMs: 5000,
  kvmPit: false,
  maxMemAlignMiB: 1,
  memoryNeedsFirmware: false,
  cpuHotplug: true,
  unplugIsSurprise: false,
}

const base = baseArch(() => s390x, spec)

/**
 * @see kata-containers/runtime virtcontainers/qemu_s390x.go qemuS390x
 * @since 0.1.0
 * @category constructors
 */
export const s390x: QemuArch = {
  ...base,
  // genericBridges: CCW bridges (bookkeeping only; appendBridges emits nothing for them)
  // one per subchannel set, at most four (bridges.maxCcwBridges; the planner warns about the rest)
  bridges: (n) => (s) => ({ ...s, bridges: makeBridges('ccw', Math.min(n, maxCcwBridges)) }),
  // cold-plugged NICs never use vhost-net on s390x (genericNetwork with vhost=false)
  enableVhostNet: (s) => s,
  // the image is a shared disk here
  appendImage: (img) => s390x.appendBlockDevice(imageAsDisk(img, true)),
  appendVhostUserDevice: () => () =>
    E.left(unsupported({ arch: 's390x', feature: 'vhost-user devices (No vhost-user devices supported on s390x)' })),
  // Kata does not place VFIO devices on the CCW bridge: govmm prints an empty devno=
  appendVFIODevice: (v) => (d) => push(Vfio.make(v, Vfio.idOf(d.vfios), noPlacement))(d),
  supportGuestMemoryHotplug: () => false,
  placeDevice: (id) => (s) => {
    // addDeviceToBridge(…, 'ccw') only ever answers with a CCW bridge: no Either for the devno
    const r = s390x.addDeviceToBridge(id, 'ccw')(s)
    return r._tag === 'Left' ? r : E.right([r.right[0], { _tag: 'Ccw', devno: ccwDevno(r.right[1].bridge, r.right[1].addr) }] as const)
  },
}
