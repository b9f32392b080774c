/**
 * Pieces every virtio renderer shares: driver names per dialect and transport, and govmm's
 * `disable-modern=` / `romfile=` / `devno=` rules (reference §7.1) next to QEMU 7.2's explicit
 * `bus=`/`addr=` and `devno=` placement.
 *
 * @since 0.1.0
 */
import type { Opt } from '../opts.ts'
import type { Placement, RenderCtx } from './model.ts'

/**
 * govmm's `isVirtioPCI` for the PCI build (reference §7.1). On the s390x build it is all-false.
 *
 * @since 0.1.0
 * @category utils
 */
export const govmmVirtioPci: ReadonlySet<string> = new Set([
  'virtio-9p-pci', 'virtio-net-pci', 'virtio-serial-pci', 'virtio-blk', 'virtio-blk-pci', 'vhost-vsock-pci',
  'virtio-rng', 'virtio-balloon', 'vhost-user-scsi-pci', 'vhost-user-blk-pci', 'vfio-pci', 'virtio-scsi-pci',
  'pci-bridge', 'pcie-pci-bridge',
])

/** govmm's `isVirtioCCW` for the s390x build. @since 0.1.0 @category utils */
export const govmmVirtioCcw: ReadonlySet<string> = new Set([
  'virtio-9p-ccw', 'virtio-net-ccw', 'virtio-serial-ccw', 'virtio-blk', 'virtio-blk-ccw', 'vhost-vsock-ccw',
  'virtio-rng', 'virtio-balloon', 'vfio-ccw', 'virtio-scsi-ccw',
])

/**
 * The driver name for a virtio device family (`virtio-blk`, `vhost-vsock`, …). govmm used the
 * bare aliases `virtio-blk` and `virtio-rng` on every build; QEMU 7.2 names are explicit.
 *
 * @since 0.1.0
 * @category utils
 */
export const driver = (ctx: RenderCtx, family: string): string =>
  ctx.dialect === 'govmm' && (family === 'virtio-blk' || family === 'virtio-rng') ? family : (driverNames[ctx.transport][family] ?? `${family}-${ctx.transport}`)

// The names built once, so each device's driver is one interned string: the isVirtioPCI/CCW set
// lookups below then hash nothing (a freshly built name is hashed on every lookup).
const families = ['vfio', 'vhost-vsock', 'virtio-9p', 'virtio-blk', 'virtio-net', 'virtio-rng', 'virtio-scsi', 'virtio-serial'] as const
const driverNames: Readonly<Record<RenderCtx['transport'], Readonly<Record<string, string>>>> = {
  pci: Object.fromEntries(families.map((f) => [f, `${f}-pci`])),
  ccw: Object.fromEntries(families.map((f) => [f, `${f}-ccw`])),
}

const isPci = (ctx: RenderCtx, drv: string): boolean => ctx.transport === 'pci' && govmmVirtioPci.has(drv)
const isCcw = (ctx: RenderCtx, drv: string): boolean => ctx.transport === 'ccw' && govmmVirtioCcw.has(drv)

/** No options: one shared empty list, so the common case allocates nothing (not frozen: V8 spreads frozen arrays on a slow path; the type keeps it read-only). */
const none: ReadonlyArray<Opt> = []

/** `disable-modern=`: govmm prints it on every PCI virtio device; QEMU 7.2 only when it is on. @since 0.1.0 @category render */
export const disableModern = (ctx: RenderCtx, drv: string, on: boolean): ReadonlyArray<Opt> =>
  ctx.dialect === 'govmm'
    ? isPci(ctx, drv) ? [['disable-modern', on ? 'true' : 'false']] : none
    : on && ctx.transport === 'pci' ? [['disable-modern', true]] : none

const romfileEmpty: ReadonlyArray<Opt> = [['romfile', '']]

/** govmm's literal empty `romfile=` on PCI devices; QEMU 7.2 gets none. @since 0.1.0 @category render */
export const romfile = (ctx: RenderCtx, drv: string): ReadonlyArray<Opt> => (ctx.dialect === 'govmm' && isPci(ctx, drv) ? romfileEmpty : none)

/** govmm's `devno=` on CCW devices (empty when the device has none, reference §10.13). @since 0.1.0 @category render */
export const govmmDevno = (ctx: RenderCtx, drv: string, p: Placement): ReadonlyArray<Opt> =>
  ctx.dialect === 'govmm' && isCcw(ctx, drv) ? [['devno', p._tag === 'Ccw' ? p.devno : '']] : none

/** The `qemu` dialect's explicit placement: `bus=…,addr=0xN` on PCI, `devno=…` on CCW. @since 0.1.0 @category render */
export const place = (ctx: RenderCtx, p: Placement): ReadonlyArray<Opt> =>
  ctx.dialect === 'govmm'
    ? none
    : p._tag === 'Pci'
      ? [['bus', p.bus], ['addr', `0x${p.slot.toString(16)}`]]
      : p._tag === 'Ccw'
        ? [['devno', p.devno]]
        : none

/** `-device <opts>` with no fds. @since 0.1.0 @category render */
export const plain = (...args: ReadonlyArray<string>) => ({ args, fds: [] as ReadonlyArray<number> })
