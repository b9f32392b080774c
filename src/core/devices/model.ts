/**
 * The device model: what a plan holds for each `-device` and its backends. Fields carry meaning,
 * not argv text: driver names, `romfile=`, `disable-modern=` and addresses are decided at render
 * time per dialect (govmm's build-time names vs QEMU 7.2's explicit `-pci`/`-ccw` names).
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where a device sits. @since 0.1.0 @category model */
export type Placement =
  /** On a PCI bus: the root bus (`pcie.0`/`pci.0`) or a bridge, at a slot. */
  | { readonly _tag: 'Pci'; readonly bus: string; readonly slot: number }
  /** On the virtual channel subsystem at a CCW device number (`fe.0.0001`). */
  | { readonly _tag: 'Ccw'; readonly devno: string; readonly key: string }
  /** Not on a PCI/CCW bus (virtio-serial ports, NVDIMMs). */
  | { readonly _tag: 'None' }

/** @since 0.1.0 @category model */
export interface BridgeDevice {
  readonly _tag: 'Bridge'
  readonly type: 'pci' | 'pcie'
  readonly bus: string
  readonly id: string
  readonly chassis: number
  readonly shpc: boolean
  readonly addr: number
}

/** virtio-serial controller. @since 0.1.0 @category model */
export interface SerialDevice {
  readonly _tag: 'Serial'
  readonly id: string
  readonly disableModern: boolean
  readonly placement: Placement
}

/** A virtio-serial port on a socket chardev. @since 0.1.0 @category model */
export interface CharDevice {
  readonly _tag: 'Char'
  readonly driver: 'virtconsole' | 'virtserialport'
  readonly deviceId: string
  readonly id: string
  readonly path: string
  readonly name: string | undefined
}

/** virtio-blk + its `-drive`. @since 0.1.0 @category model */
export interface BlockDevice {
  readonly _tag: 'Block'
  readonly id: string
  readonly file: string
  readonly format: string
  readonly aio: 'threads' | 'native'
  readonly disableModern: boolean
  readonly shareRW: boolean
  readonly placement: Placement
}

/** A SCSI disk on the virtio-scsi controller (hot-plugged by Kata as `scsi-hd` on `scsi0.0`). @since 0.1.0 @category model */
export interface ScsiDisk {
  readonly _tag: 'ScsiDisk'
  readonly id: string
  readonly file: string
  readonly format: string
  /** The SCSI bus, `<controller>.0`. */
  readonly bus: string
  readonly scsiId: number
  readonly lun: number
}

/** @since 0.1.0 @category model */
export interface ScsiController {
  readonly _tag: 'Scsi'
  readonly id: string
  readonly ioThread: string | undefined
  readonly disableModern: boolean
  readonly placement: Placement
}

/** virtio-9p + its `-fsdev`. @since 0.1.0 @category model */
export interface FsDevice {
  readonly _tag: 'Fs9p'
  readonly id: string
  readonly path: string
  readonly mountTag: string
  readonly disableModern: boolean
  readonly placement: Placement
}

/** @since 0.1.0 @category model */
export interface VsockDevice {
  readonly _tag: 'Vsock'
  readonly id: string
  readonly contextId: number
  /** The caller's host fd for /dev/vhost-vsock, if any. */
  readonly vhostFd: number | undefined
  readonly disableModern: boolean
  readonly placement: Placement
}

/** virtio-net on a tap/macvtap netdev. Host fds are the caller's open descriptors. @since 0.1.0 @category model */
export interface NetDevice {
  readonly _tag: 'Net'
  readonly type: 'tap' | 'macvtap'
  readonly id: string
  readonly ifName: string
  readonly mac: string
  readonly fds: ReadonlyArray<number>
  readonly vhostFds: ReadonlyArray<number>
  readonly vhost: boolean
  readonly disableModern: boolean
  readonly placement: Placement
}

/** @since 0.1.0 @category model */
export interface VhostUserDevice {
  readonly _tag: 'VhostUser'
  readonly type: 'net' | 'scsi' | 'blk' | 'fs'
  readonly socketPath: string
  readonly charDevId: string
  /** `net-…`/`scsi-…`/`fs-…`; empty for blk, as in Kata (reference §10.3). */
  readonly typeDevId: string
  /** Our own id for vhost-user-blk, which Kata left without one; used by the `qemu` dialect. */
  readonly blkId: string
  readonly mac: string | undefined
  readonly tag: string | undefined
  readonly cacheSizeMiB: number
  readonly placement: Placement
}

/** @since 0.1.0 @category model */
export interface VfioDevice {
  readonly _tag: 'Vfio'
  readonly id: string
  readonly bdf: string
  readonly vendorId: string | undefined
  readonly deviceId: string | undefined
  readonly placement: Placement
}

/** The NVDIMM rootfs image: `-device nvdimm` + `-object memory-backend-file`. @since 0.1.0 @category model */
export interface NvdimmDevice {
  readonly _tag: 'Nvdimm'
  readonly deviceId: string
  readonly id: string
  readonly memPath: string
  readonly size: number
}

/** @since 0.1.0 @category model */
export interface RngDevice {
  readonly _tag: 'Rng'
  readonly id: string
  readonly filename: string
  readonly placement: Placement
}

/** @since 0.1.0 @category model */
export type Device =
  | BridgeDevice
  | SerialDevice
  | CharDevice
  | BlockDevice
  | ScsiController
  | ScsiDisk
  | FsDevice
  | VsockDevice
  | NetDevice
  | VhostUserDevice
  | VfioDevice
  | NvdimmDevice
  | RngDevice

/** @since 0.1.0 @category model */
export type Dialect = 'govmm' | 'qemu'

/** @since 0.1.0 @category model */
export type Transport = 'pci' | 'ccw'

/** What a renderer needs besides the device. @since 0.1.0 @category model */
export interface RenderCtx {
  readonly dialect: Dialect
  readonly transport: Transport
  /** The child fd number the next passed fd will get (3 + fds passed so far). */
  readonly fdBase: number
}

/** @since 0.1.0 @category model */
export interface DeviceArgs {
  readonly args: ReadonlyArray<string>
  /** Host fds this device passes to QEMU, in child-fd order. */
  readonly fds: ReadonlyArray<number>
}

/** The QEMU id a device is known by in QOM (`/machine/peripheral/<id>`), if it has one. @since 0.1.0 @category utils */
export const deviceId = (d: Device): string => {
  switch (d._tag) {
    case 'Char':
      return d.deviceId
    case 'Nvdimm':
      return d.deviceId
    case 'VhostUser':
      return d.type === 'blk' ? d.blkId : d.typeDevId
    default:
      return d.id
  }
}

/** The placement of a device, `None` for devices that have none. @since 0.1.0 @category utils */
export const placementOf = (d: Device): Placement =>
  d._tag === 'Bridge'
    ? { _tag: 'Pci', bus: d.bus, slot: d.addr }
    : d._tag === 'Char' || d._tag === 'Nvdimm' || d._tag === 'ScsiDisk'
      ? { _tag: 'None' }
      : d.placement
