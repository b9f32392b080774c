/**
 * The device union: everything a plan can put on a command line besides the machine itself.
 * Each member is defined by its own module (one per QEMU device, `registry.ts`).
 *
 * @since 0.1.0
 */
import type { Bridge } from './pci-bridge.ts'
import type { Block } from './virtio-blk.ts'
import type { Entropy } from './virtio-rng.ts'
import type { Nic } from './virtio-net.ts'
import type { Nvdimm } from './nvdimm.ts'
import type { Port } from './virtserialport.ts'
import type { ScsiController } from './virtio-scsi.ts'
import type { ScsiDisk } from './scsi-hd.ts'
import type { Serial } from './virtio-serial.ts'
import type { Share } from './virtio-9p.ts'
import type { Vfio } from './vfio.ts'
import type { VhostUser } from './vhost-user.ts'
import type { Vsock } from './vhost-vsock.ts'

export type { Bridge, Block, Entropy, Nic, Nvdimm, Port, ScsiController, ScsiDisk, Serial, Share, Vfio, VhostUser, Vsock }

/** @since 0.1.0 @category model */
export type Device = Bridge | Serial | Port | Block | ScsiController | ScsiDisk | Share | Vsock | Nic | VhostUser | Vfio | Nvdimm | Entropy

/** @since 0.3.0 @category model */
export type DeviceOf<T extends Device['_tag']> = Extract<Device, { _tag: T }>
