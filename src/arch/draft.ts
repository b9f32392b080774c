/**
 * Drafting a plan: appending devices to a `Draft`, placing them first when they sit on a bus, and
 * the one check of QEMU's id namespaces once every device is in. Appending is O(1) (a persistent
 * list), and duplicate ids are looked for once, at the end, so planning stays linear in the
 * number of devices.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Device } from '../core/devices/model.ts'
import type { Claim, Namespace } from '../core/devices/module.ts'
import type { Placement } from '../core/devices/placement.ts'
import { claimsOf, sourceOf } from '../core/devices/registry.ts'
import { duplicateId, type CoreError, type DuplicateId } from '../core/errors.ts'
import * as L from '../core/snoc.ts'
import type { ArchState, Draft, QemuArch, Step } from './types.ts'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** No devices yet, planned against `state`. @since 0.3.0 @category constructors */
export const emptyDraft = (state: ArchState): Draft => ({ state, list: undefined, nets: 0, vfios: 0 })

/** The devices drafted so far, in order, as a new array. @since 0.3.0 @category utils */
export const draftDevices = (d: Draft): ReadonlyArray<Device> => L.toArray(d.list)

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * `E.flatMap` without fp-ts's data-first/data-last dispatch: planning chains one per device.
 *
 * @since 0.1.0
 * @category utils
 */
export const andThen = <L, A, L2, B>(e: E.Either<L, A>, f: (a: A) => E.Either<L2, B>): E.Either<L | L2, B> =>
  e._tag === 'Left' ? e : f(e.right)

/** `s` with new bridges and root-bus slots. @since 0.2.0 @category utils */
export const withSlots = (s: ArchState, bridges: ArchState['bridges'], rootSlots: ArchState['rootSlots']): ArchState => ({
  machineType: s.machineType,
  memoryOffsetMiB: s.memoryOffsetMiB,
  nested: s.nested,
  vhost: s.vhost,
  image: s.image,
  vmFactory: s.vmFactory,
  host: s.host,
  bridges,
  rootSlots,
  kernelParams: s.kernelParams,
  kernelParamsDebug: s.kernelParamsDebug,
  kernelParamsNonDebug: s.kernelParamsNonDebug,
})

/** `d` with `dev` appended, planned against `state`. O(1): the list before it is shared. @since 0.3.0 @category utils */
export const appended = (d: Draft, state: ArchState, dev: Device): Draft => ({
  state,
  list: L.append(d.list, dev),
  nets: dev._tag === 'Net' ? d.nets + 1 : d.nets,
  vfios: dev._tag === 'Vfio' ? d.vfios + 1 : d.vfios,
})

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/** Append a device that sits on no bus. @since 0.1.0 @category planning */
export const push =
  (dev: Device): Step =>
  (d) =>
    E.right(appended(d, d.state, dev))

/** Place a device by its QEMU id (the arch's `placeDevice`), then build and append it. @since 0.1.0 @category planning */
export const placed =
  (self: () => QemuArch, id: string, build: (p: Placement) => Device): Step =>
  (d) => {
    const r = self().placeDevice(id)(d.state)
    return r._tag === 'Left' ? r : E.right(appended(d, r.right[0], build(r.right[1])))
  }

/** Run steps in order, stopping at the first error. Iterative: as deep for 200,000 devices as for one. @since 0.3.0 @category planning */
export const steps = (d: Draft, fs: Iterable<Step>): E.Either<CoreError, Draft> => {
  let acc: Draft = d
  for (const f of fs) {
    const r = f(acc)
    if (r._tag === 'Left') return r
    acc = r.right
  }
  return E.right(acc)
}

/**
 * The first id QEMU would refuse as a duplicate in its namespace (ids cut to 31 bytes can
 * collide), with the input field of the device that repeats it. One pass: O(n).
 *
 * @since 0.1.0
 * @category planning
 */
export const firstDuplicate = (list: ReadonlyArray<Device>): { readonly id: string; readonly field: string } | undefined => {
  // one map for the six namespaces, id → the namespaces that claimed it (a bit each): one table
  // per plan instead of six Sets, which were a tenth of planning the typical sandbox
  const seen = new Map<string, number>()
  for (let i = 0; i < list.length; i++) {
    const d = list[i] as Device
    const claims = claimsOf(d)
    for (let j = 0; j < claims.length;) {
      const id = (claims[j] as Claim)[1]
      // the claims of one id in a row (a disk's device and drive) take one lookup
      let bits = 0
      for (; j < claims.length && (claims[j] as Claim)[1] === id; j++) {
        const bit = namespaceBit[(claims[j] as Claim)[0]]
        if ((bits & bit) !== 0) return { id, field: sourceOf(d) }
        bits |= bit
      }
      const had = seen.get(id) ?? 0
      if ((had & bits) !== 0) return { id, field: sourceOf(d) }
      seen.set(id, had | bits)
    }
  }
  return undefined
}

const namespaceBit: Readonly<Record<Namespace, number>> = { device: 1, chardev: 2, drive: 4, object: 8, fsdev: 16, netdev: 32 }

/** The drafted devices as an array, or the `DuplicateId` of the first clash. @since 0.2.0 @category planning */
export const uniqueDevices = (d: Draft): E.Either<DuplicateId, ReadonlyArray<Device>> => {
  const list = draftDevices(d)
  const dup = firstDuplicate(list)
  return dup === undefined ? E.right(list) : E.left(duplicateId(dup))
}
