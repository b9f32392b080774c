/**
 * s390x (`qemuS390x`, reference §3.3, §3.8): machine `s390-ccw-virtio`; every device sits on the
 * channel subsystem at a CCW device number from the (bookkeeping-only) CCW bridge, in creation
 * order; the image is a shared virtio-blk disk; no vhost-net for cold-plugged NICs, no vhost-user,
 * no guest memory hot-plug, no memory backend or NUMA.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { ccwDevno, makeBridges } from '../core/bridges.ts'
import { unsupported } from '../core/errors.ts'
import { makeNameId, maxDevIdSize } from '../core/ids.ts'
import { parseParams } from '../core/kernel.ts'
import { baseArch, push } from './base.ts'
import type { ArchSpec, QemuArch } from './types.ts'

/** @since 0.1.0 @category model */
export const spec: ArchSpec = {
  arch: 's390x',
  defaultMachine: 's390-ccw-virtio',
  machines: [{ type: 's390-ccw-virtio', options: [['accel', 'kvm']] }],
  nvdimmOnImage: false,
  qemuPaths: { 's390-ccw-virtio': '/usr/bin/qemu-system-s390x' },
  qemu72Binary: '/usr/bin/qemu-system-s390x',
  qemu72Unsupported: {},
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
  hasKvmPit: false,
}

const base = baseArch(() => s390x, spec)

/**
 * @see kata qemuS390x
 * @since 0.1.0
 * @category constructors
 */
export const s390x: QemuArch = {
  ...base,
  // genericBridges: CCW bridges (bookkeeping only; appendBridges emits nothing for them)
  bridges: (n) => (s) => ({ ...s, bridges: makeBridges('ccw', n) }),
  // cold-plugged NICs never use vhost-net on s390x (genericNetwork with vhost=false)
  enableVhostNet: (s) => s,
  appendImage: (img) => s390x.appendBlockDevice({ id: makeNameId('image', img.randomHex, maxDevIdSize), file: img.path, format: 'raw', shareRW: true }),
  appendVhostUserDevice: () => () => E.left(unsupported({ arch: 's390x', feature: 'vhost-user devices (No vhost-user devices supported on s390x)' })),
  // Kata does not place VFIO devices on the CCW bridge: govmm prints an empty devno= (§10.13)
  appendVFIODevice: (v) => (d) =>
    push({ _tag: 'Vfio', id: `vfio-${d.vfios}`, bdf: v.bdf, vendorId: v.vendorId, deviceId: v.deviceId, placement: { _tag: 'None' } }, 'vfio')(d),
  supportGuestMemoryHotplug: () => false,
  placeDevice: (key) => (s) => {
    // addDeviceToBridge(…, 'ccw') only ever answers with a CCW bridge: no Either for the devno
    const r = s390x.addDeviceToBridge(key, 'ccw')(s)
    return r._tag === 'Left' ? r : E.right([r.right[0], { _tag: 'Ccw', devno: ccwDevno(r.right[1].bridge, r.right[1].addr), key }] as const)
  },
}
