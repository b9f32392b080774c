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

const props = (a: Props, b: Props): ReadonlyArray<Change> =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .sort()
    .flatMap((key) => (a[key] === b[key] ? [] : [{ key, from: a[key], to: b[key] }]))

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
 * Queues of B's devices under a key, in B's order: `take` gives the first one not yet paired.
 * Paired devices only accumulate, so each queue's cursor only moves forward and matching stays
 * linear in the device count.
 */
const queues = (b: ReadonlyArray<DeviceView>, taken: ReadonlySet<DeviceView>, keyOf: (x: DeviceView) => string | undefined) => {
  const byKey = new Map<string, { readonly xs: Array<DeviceView>; at: number }>()
  for (const x of b) {
    const k = keyOf(x)
    if (k === undefined) continue
    const q = byKey.get(k)
    if (q === undefined) byKey.set(k, { xs: [x], at: 0 })
    else q.xs.push(x)
  }
  return (k: string): DeviceView | undefined => {
    const q = byKey.get(k)
    if (q === undefined) return undefined
    while (q.at < q.xs.length && taken.has(q.xs[q.at] as DeviceView)) q.at++
    return q.xs[q.at]
  }
}

const match = (a: ReadonlyArray<DeviceView>, b: ReadonlyArray<DeviceView>): ReadonlyArray<readonly [DeviceView, DeviceView]> => {
  const pairs: Array<readonly [DeviceView, DeviceView]> = []
  const takenA = new Set<DeviceView>()
  const takenB = new Set<DeviceView>()
  const pass = (okA: (d: DeviceView) => boolean, pick: (d: DeviceView) => DeviceView | undefined): void => {
    for (const d of a) {
      if (takenA.has(d) || !okA(d)) continue
      const m = pick(d)
      if (m === undefined) continue
      pairs.push([d, m])
      takenA.add(d)
      takenB.add(m)
    }
  }
  const idsA = new Set(a.map((d) => `${d.kind}|${d.id}`))
  const at = (x: DeviceView): string | undefined => (x.placement === undefined ? undefined : `${x.kind}|${x.placement}`)
  const realId = queues(b, takenB, (x) => (x.derivedId ? undefined : `${x.kind}|${x.id}`))
  const anyAt = queues(b, takenB, at)
  const derivedAt = queues(b, takenB, (x) => (x.derivedId ? at(x) : undefined))
  const unplaced = queues(b, takenB, (x) => (x.derivedId && x.placement === undefined ? x.kind : undefined))
  const newIdAt = queues(b, takenB, (x) => (idsA.has(`${x.kind}|${x.id}`) ? undefined : at(x)))
  const anyId = queues(b, takenB, (x) => `${x.kind}|${x.id}`)
  // 1. real ids
  pass(
    (d) => !d.derivedId,
    (d) => realId(`${d.kind}|${d.id}`),
  )
  // 2. a derived id says where a device was in the argv, not which device it is: its placement does
  pass(
    (d) => d.placement !== undefined,
    (d) => (d.derivedId ? anyAt : derivedAt)(at(d) as string),
  )
  // 3. devices QEMU places that had no id pair up in order, kind by kind
  pass(
    (d) => d.derivedId && d.placement === undefined,
    (d) => unplaced(d.kind),
  )
  // 4. an id changed at the same placement: a rename
  pass(
    (d) => d.placement !== undefined,
    (d) => newIdAt(at(d) as string),
  )
  // 5. last resort for derived ids
  pass(
    (d) => d.derivedId,
    (d) => anyId(`${d.kind}|${d.id}`),
  )
  return pairs
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
  const pairs = match(a.devices, b.devices)
  const inA = new Set(pairs.map(([x]) => x))
  const inB = new Set(pairs.map(([, y]) => y))
  const changed = pairs.flatMap(([x, y]): ReadonlyArray<DeviceChange> => {
    const changes = props(x.props, y.props)
    const moved = x.placement === y.placement ? undefined : { from: x.placement, to: y.placement }
    // a derived id is no name: a new one is not a rename
    const renamedFrom = x.id === y.id || x.derivedId || y.derivedId ? undefined : x.id
    return changes.length === 0 && moved === undefined && renamedFrom === undefined
      ? []
      : [{ id: y.id, kind: y.kind, renamedFrom, moved, changes }]
  })
  const implicit = pairs.filter(([x, y]) => x.placement === undefined && y.placement === undefined)
  const posA = new Map(a.devices.map((d, i) => [d, i]))
  const posB = new Map(b.devices.map((d, i) => [d, i]))
  const pos = (m: ReadonlyMap<DeviceView, number>, d: DeviceView): number => m.get(d) ?? -1
  const implicitA = [...implicit].sort(([x], [y]) => pos(posA, x) - pos(posA, y)).map(([, y]) => y.id)
  const orderB = [...implicit].sort(([, x], [, y]) => pos(posB, x) - pos(posB, y)).map(([, y]) => y.id)
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
      added: b.devices.filter((d) => !inB.has(d)),
      removed: a.devices.filter((d) => !inA.has(d)),
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
