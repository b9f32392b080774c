/**
 * Semantic diff of two command lines (as parsed views): section-level property changes (machine,
 * CPU, memory, kernel, other), kernel parameters added/removed/reordered, and devices matched by
 * QEMU id — or, when the id changed, by kind and placement — reported as added, removed, changed
 * (property-level), moved (bus/slot or devno) or renamed. Reordering QEMU ignores is ignored:
 * option order, property order, the iothread set, and the order of explicitly placed devices.
 * Only devices QEMU places itself (in argv order) report a changed order.
 *
 * @since 0.1.0
 */
import type { DeviceView, Props, View } from './view.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One property that differs; `undefined` = absent on that side. @since 0.1.0 @category model */
export interface Change {
  readonly key: string
  readonly from: string | undefined
  readonly to: string | undefined
}

/** @since 0.1.0 @category model */
export interface DeviceChange {
  readonly id: string
  readonly kind: string
  /** The id in A when it was matched by placement under another id. */
  readonly renamedFrom: string | undefined
  readonly moved: { readonly from: string | undefined; readonly to: string | undefined } | undefined
  readonly changes: ReadonlyArray<Change>
}

/** @since 0.1.0 @category model */
export interface Diff {
  readonly dialects: readonly [View['dialect'], View['dialect']]
  readonly machine: ReadonlyArray<Change>
  readonly cpu: ReadonlyArray<Change>
  readonly memory: ReadonlyArray<Change>
  readonly kernel: ReadonlyArray<Change>
  readonly kernelParams: { readonly added: ReadonlyArray<string>; readonly removed: ReadonlyArray<string>; readonly reordered: boolean }
  readonly other: ReadonlyArray<Change>
  readonly devices: {
    readonly added: ReadonlyArray<DeviceView>
    readonly removed: ReadonlyArray<DeviceView>
    readonly changed: ReadonlyArray<DeviceChange>
    /** The ids of QEMU-placed devices in A's and B's order, when that order changed. */
    readonly reordered: { readonly from: ReadonlyArray<string>; readonly to: ReadonlyArray<string> } | undefined
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const noChanges: ReadonlyArray<Change> = []

const props = (a: Props, b: Props): ReadonlyArray<Change> => {
  // the usual case, two devices alike, answered without building the key union
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k])) return noChanges
  return [...new Set([...ka, ...kb])].sort().flatMap((key) => (a[key] === b[key] ? [] : [{ key, from: a[key], to: b[key] }]))
}

/** Multiset difference `xs − ys`, in `xs` order. */
const minus = (xs: ReadonlyArray<string>, ys: ReadonlyArray<string>): ReadonlyArray<string> => {
  const left = new Map<string, number>()
  for (const y of ys) left.set(y, (left.get(y) ?? 0) + 1)
  return xs.filter((x) => {
    const n = left.get(x) ?? 0
    if (n > 0) left.set(x, n - 1)
    return n === 0
  })
}

/** Placement is only compared where both dialects print it: CCW always, PCI only in `qemu`. */
const comparable = (v: View, mixed: boolean): View =>
  mixed
    ? {
        ...v,
        devices: v.devices.map((d) => {
          const { cacheSizeMiB: _, ...rest } = d.props
          return { ...d, props: rest, placement: d.placement?.includes(':') ? undefined : d.placement }
        }),
      }
    : v

/**
 * Queues of B's devices (by index) under a kind and a key, in B's order: `take` gives the first
 * one not yet paired, or -1. Built on first use, so a pass with nothing left to pair builds
 * nothing. Paired devices only accumulate, so each queue's cursor only moves forward and
 * matching stays linear in the device count.
 */
const queues = (b: ReadonlyArray<DeviceView>, taken: Uint8Array, keyOf: (x: DeviceView) => string | undefined) => {
  let byKind: Map<string, Map<string, { readonly xs: Array<number>; at: number }>> | undefined
  const build = (): Map<string, Map<string, { readonly xs: Array<number>; at: number }>> => {
    const m = new Map<string, Map<string, { readonly xs: Array<number>; at: number }>>()
    for (let i = 0; i < b.length; i++) {
      const x = b[i] as DeviceView
      const k = keyOf(x)
      if (k === undefined) continue
      let byKey = m.get(x.kind)
      if (byKey === undefined) m.set(x.kind, (byKey = new Map()))
      const q = byKey.get(k)
      if (q === undefined) byKey.set(k, { xs: [i], at: 0 })
      else q.xs.push(i)
    }
    return m
  }
  return (kind: string, k: string): number => {
    byKind ??= build()
    const q = byKind.get(kind)?.get(k)
    if (q === undefined) return -1
    while (q.at < q.xs.length && taken[q.xs[q.at] as number] === 1) q.at++
    return q.at < q.xs.length ? (q.xs[q.at] as number) : -1
  }
}

/** Pairs of indices into `a` and `b`, and which devices of each side are paired. */
interface Matching {
  readonly pairs: ReadonlyArray<readonly [number, number]>
  readonly takenA: Uint8Array
  readonly takenB: Uint8Array
}

const match = (a: ReadonlyArray<DeviceView>, b: ReadonlyArray<DeviceView>): Matching => {
  const pairs: Array<readonly [number, number]> = []
  const takenA = new Uint8Array(a.length)
  const takenB = new Uint8Array(b.length)
  const pass = (okA: (d: DeviceView) => boolean, pick: (d: DeviceView) => number): void => {
    for (let i = 0; i < a.length; i++) {
      const d = a[i] as DeviceView
      if (takenA[i] === 1 || !okA(d)) continue
      const j = pick(d)
      if (j < 0) continue
      pairs.push([i, j])
      takenA[i] = 1
      takenB[j] = 1
    }
  }
  // A's ids by kind, for the rename pass (made only if that pass runs)
  let idsA: Map<string, Set<string>> | undefined
  const inA = (x: DeviceView): boolean => {
    if (idsA === undefined) {
      idsA = new Map()
      for (const d of a) {
        const ids = idsA.get(d.kind)
        if (ids === undefined) idsA.set(d.kind, new Set([d.id]))
        else ids.add(d.id)
      }
    }
    return idsA.get(x.kind)?.has(x.id) === true
  }
  const realId = queues(b, takenB, (x) => (x.derivedId ? undefined : x.id))
  const anyAt = queues(b, takenB, (x) => x.placement)
  const derivedAt = queues(b, takenB, (x) => (x.derivedId ? x.placement : undefined))
  const unplaced = queues(b, takenB, (x) => (x.derivedId && x.placement === undefined ? '' : undefined))
  const newIdAt = queues(b, takenB, (x) => (inA(x) ? undefined : x.placement))
  const anyId = queues(b, takenB, (x) => x.id)
  // 1. real ids
  pass(
    (d) => !d.derivedId,
    (d) => realId(d.kind, d.id),
  )
  // 2. a derived id says where a device was in the argv, not which device it is: its placement does
  pass(
    (d) => d.placement !== undefined,
    (d) => (d.derivedId ? anyAt : derivedAt)(d.kind, d.placement as string),
  )
  // 3. devices QEMU places that had no id pair up in order, kind by kind
  pass(
    (d) => d.derivedId && d.placement === undefined,
    (d) => unplaced(d.kind, ''),
  )
  // 4. an id changed at the same placement: a rename
  pass(
    (d) => d.placement !== undefined,
    (d) => newIdAt(d.kind, d.placement as string),
  )
  // 5. last resort for derived ids
  pass(
    (d) => d.derivedId,
    (d) => anyId(d.kind, d.id),
  )
  return { pairs, takenA, takenB }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Compare two views.
 *
 * @since 0.1.0
 * @category constructors
 */
export const diff = (va: View, vb: View): Diff => {
  const mixed = va.dialect !== vb.dialect
  const a = comparable(va, mixed)
  const b = comparable(vb, mixed)
  const { pairs, takenA, takenB } = match(a.devices, b.devices)
  const changed = pairs.flatMap(([i, j]): ReadonlyArray<DeviceChange> => {
    const x = a.devices[i] as DeviceView
    const y = b.devices[j] as DeviceView
    const changes = props(x.props, y.props)
    const moved = x.placement === y.placement ? undefined : { from: x.placement, to: y.placement }
    // a derived id is no name: a new one is not a rename
    const renamedFrom = x.id === y.id || x.derivedId || y.derivedId ? undefined : x.id
    return changes.length === 0 && moved === undefined && renamedFrom === undefined
      ? []
      : [{ id: y.id, kind: y.kind, renamedFrom, moved, changes }]
  })
  // the pairs QEMU places on both sides, as (index in A, index in B): their order is argv order
  const implicit = pairs.filter(([i, j]) => a.devices[i]?.placement === undefined && b.devices[j]?.placement === undefined)
  const idOfB = ([, j]: readonly [number, number]): string => (b.devices[j] as DeviceView).id
  const implicitA = [...implicit].sort(([x], [y]) => x - y).map(idOfB)
  const orderB = [...implicit].sort(([, x], [, y]) => x - y).map(idOfB)
  const added = minus(b.kernelParams, a.kernelParams)
  const removed = minus(a.kernelParams, b.kernelParams)
  return {
    dialects: [va.dialect, vb.dialect],
    machine: props(a.machine, b.machine),
    cpu: props(a.cpu, b.cpu),
    memory: props(a.memory, b.memory),
    kernel: props(a.kernel, b.kernel),
    kernelParams: {
      added,
      removed,
      reordered: added.length === 0 && removed.length === 0 && a.kernelParams.join(' ') !== b.kernelParams.join(' '),
    },
    other: props(a.other, b.other),
    devices: {
      added: b.devices.filter((_, j) => takenB[j] === 0),
      removed: a.devices.filter((_, i) => takenA[i] === 0),
      changed,
      reordered: implicitA.join(' ') === orderB.join(' ') ? undefined : { from: implicitA, to: orderB },
    },
  }
}

/** `true` when the two command lines are equivalent. @since 0.1.0 @category utils */
export const isEmpty = (d: Diff): boolean =>
  d.machine.length + d.cpu.length + d.memory.length + d.kernel.length + d.other.length === 0 &&
  d.kernelParams.added.length + d.kernelParams.removed.length === 0 &&
  !d.kernelParams.reordered &&
  d.devices.added.length + d.devices.removed.length + d.devices.changed.length === 0 &&
  d.devices.reordered === undefined
