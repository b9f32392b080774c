/**
 * Where a device sits: on a PCI bus at a slot, on the channel subsystem at a CCW device number,
 * or on no bus at all (virtio-serial ports, NVDIMMs, SCSI disks on their controller).
 *
 * @since 0.1.0
 */

/** The bus family of a machine: PCI/PCIe, or CCW on s390x. @since 0.1.0 @category model */
export type Transport = 'pci' | 'ccw'

/** @since 0.1.0 @category model */
export type Placement =
  /** On a PCI bus: the root bus (`pcie.0`/`pci.0`) or a bridge, at a slot. */
  | { readonly _tag: 'Pci'; readonly bus: string; readonly slot: number }
  /** On the virtual channel subsystem at a CCW device number (`fe.0.0001`). */
  | { readonly _tag: 'Ccw'; readonly devno: string }
  /** Not on a PCI or CCW bus. */
  | { readonly _tag: 'None' }

/** @since 0.3.0 @category constructors */
export const noPlacement: Placement = { _tag: 'None' }

/** `bus:0xN` on PCI, the devno on CCW, `undefined` off-bus. @since 0.3.0 @category utils */
export const showPlacement = (p: Placement): string | undefined =>
  p._tag === 'Pci' ? `${p.bus}:0x${p.slot.toString(16)}` : p._tag === 'Ccw' ? p.devno : undefined

/** The device number within its subchannel set (`fe.0.000a` → 10). @since 0.3.0 @category utils */
export const ccwNumber = (devno: string): number => parseInt(devno.split('.')[2] ?? '0', 16)

/** The subchannel set of a devno (`fe.1.000a` → 1): which CCW bridge it belongs to. @since 0.3.0 @category utils */
export const ccwSet = (devno: string): number => parseInt(devno.split('.')[1] ?? '0', 16)
