/**
 * `-device vhost-vsock-pci|ccw` (govmm `VSOCKDevice`): the agent's vsock, on the caller's open
 * `/dev/vhost-vsock` fd when one is given. govmm's `Valid()` drops a device whose guest CID is
 * below 3; the qemu dialect refuses it.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import { Text, UInt } from '../input/decode.ts'
import { PlacementCodec, optional } from './codecs.ts'
import { showPlacement, type Placement } from './placement.ts'
import { driver, fds, romfile } from './profile.ts'
import { devnoOf, filled, itemOf, modernOf, pairOf, placeOf, template } from './template.ts'
import { props, type DeviceModule } from './module.ts'
import { isFamily, readPlacement, readVirtio, sameTransport } from './read.ts'

/** The driver role, made once (an option list is built on every render). */
const vsockDriver = driver('vhost-vsock')

/** @since 0.1.0 @category model */
export interface Vsock {
  readonly _tag: 'Vsock'
  readonly id: string
  readonly contextId: number
  /** The caller's host fd for /dev/vhost-vsock, if any (in a parsed plan, QEMU's fd number). */
  readonly vhostFd: number | undefined
  readonly disableModern: boolean
  readonly placement: Placement
}

/** govmm's `MinimalGuestCID`. @since 0.1.0 @category model */
export const minGuestCid = 3
/** govmm's `MaxGuestCID`. @since 0.1.0 @category model */
export const maxGuestCid = 2 ** 32 - 1

/** Kata's `vsock-<cid>`. @since 0.3.0 @category constructors */
export const idOf = (contextId: number): string => `vsock-${contextId}`

/** @since 0.3.0 @category constructors */
export const make = (
  v: { readonly contextId: number; readonly vhostFd?: number | undefined },
  at: { readonly placement: Placement; readonly nested: boolean },
): Vsock => ({
  _tag: 'Vsock',
  id: idOf(v.contextId),
  contextId: v.contextId,
  vhostFd: v.vhostFd,
  disableModern: at.nested,
  placement: at.placement,
})

/** The `-device` option list, compiled once per dialect and transport (`template`). */
const device = template<Vsock>('-device', [
  vsockDriver,
  modernOf(),
  itemOf((d) => fds('vhostfd', 0, d.vhostFd === undefined ? 0 : 1)),
  pairOf('id', (d) => d.id),
  pairOf('guest-cid', (d) => d.contextId),
  romfile,
  devnoOf(),
  placeOf(),
])

/** The model's codec: a plan read back from disk is decoded, never cast. @since 0.3.0 @category codecs */
export const codec: t.Decoder<unknown, Vsock> = t.type({
  _tag: t.literal('Vsock'),
  id: Text,
  contextId: UInt,
  vhostFd: optional(UInt),
  disableModern: t.boolean,
  placement: PlacementCodec,
})

/** @since 0.3.0 @category model */
export const module: DeviceModule<Vsock> = {
  codec,
  vocabulary: { drivers: ['vhost-vsock-pci', 'vhost-vsock-ccw'], objects: [] },
  onBus: true,
  placement: (d) => d.placement,
  claims: (d) => [['device', d.id]],
  source: () => 'vsock',
  problem: (d) =>
    d.contextId < minGuestCid || d.contextId > maxGuestCid
      ? { field: 'contextId', reason: `guest CID ${d.contextId} is outside ${minGuestCid}..${maxGuestCid}` }
      : undefined,
  render: (d) => ({
    switches: [filled(device, d)],
    fds: d.vhostFd === undefined ? [] : [d.vhostFd],
  }),
  parse: {
    drivers: isFamily('vhost-vsock'),
    read: (r, c, drv) => {
      sameTransport(r, drv, c.transport)
      const id = r.req('id')
      const contextId = r.int('guest-cid')
      if (contextId === undefined) r.fail('property guest-cid is missing')
      return {
        _tag: 'Vsock',
        id,
        contextId: contextId ?? 0,
        vhostFd: r.int('vhostfd'),
        disableModern: readVirtio(r),
        placement: readPlacement(r),
      }
    },
  },
  hotplug: undefined,
  kind: () => 'Vsock',
  view: (d) => ({
    kind: 'Vsock',
    placement: showPlacement(d.placement),
    props: props({ 'guest-cid': d.contextId, vhostfd: d.vhostFd, 'disable-modern': d.disableModern }),
  }),
}
