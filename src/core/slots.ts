/**
 * A persistent slot map: slot number → device id, for the slots of one bridge (32 on a PCI
 * bridge, 65536 device numbers on a CCW bridge). It is a bitmapped trie of 32-way nodes: a leaf
 * holds the ids of its occupied slots densely, in slot order, with a 32-bit `present` mask
 * saying which slots they are; a branch does the same for its children and also keeps a `full`
 * mask of the children that have no free slot left (a leaf needs none: it is full when
 * `present` is).
 *
 * That makes the allocator's three questions cheap without giving up immutability: the lowest
 * free slot is found by following `full` masks (one step per level, not a scan), and placing or
 * freeing a device copies one short array per level and shares everything else. A PCI bridge
 * is a single leaf, so an update copies an array of at most 30 ids; a CCW bridge has four levels.
 *
 * The shape is canonical (a node exists exactly when it holds a device, masks are derived), so
 * two maps with the same entries are structurally equal however they were built, and a map
 * survives a JSON round trip as it is. Slot 0 is reserved on every bridge (Kata's slots start
 * at 1): it counts as occupied when looking for a free slot.
 *
 * @since 0.2.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A level-0 node: the ids of its occupied slots. @since 0.2.0 @category model */
export interface SlotLeaf {
  /** Bit i: slot i of this leaf holds a device. */
  readonly present: number
  /** The ids, densely, in slot order. */
  readonly items: ReadonlyArray<string>
}

/** A node above level 0: its non-empty children. @since 0.2.0 @category model */
export interface SlotBranch {
  /** Bit i: child i is non-empty. */
  readonly present: number
  /** Bit i: child i has no free slot. */
  readonly full: number
  /** The children, densely, in order. */
  readonly items: ReadonlyArray<SlotNode>
}

/** A trie node: a leaf at level 0, a branch above it. @since 0.2.0 @category model */
export type SlotNode = SlotLeaf | SlotBranch

/** A slot map: the root node, or `undefined` when no slot is occupied. @since 0.2.0 @category model */
export type SlotMap = SlotNode | undefined

/** How many levels a map needs for `bits`-bit slot numbers, as the shift of its top level. @since 0.2.0 @category model */
export const topShift = (bits: number): number => Math.max(0, Math.ceil(bits / 5) - 1) * 5

// -------------------------------------------------------------------------------------
// bit utils
// -------------------------------------------------------------------------------------

const popcount = (x: number): number => {
  x = x - ((x >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/** Index of the lowest set bit (x ≠ 0). */
const lowestBit = (x: number): number => 31 - Math.clz32(x & -x)

/** Position in `items` of entry `i`. */
const rank = (present: number, i: number): number => popcount(present & ((1 << i) - 1))

/** Entry index of the `k`-th set bit of `present`. */
const nthBit = (present: number, k: number): number => {
  let x = present
  for (let j = 0; j < k; j++) x &= x - 1
  return lowestBit(x)
}

// Arrays are built by push from empty or by slice, never `new Array(n)`: a preallocated array is
// "holey" to V8, and mixing holey and packed arrays makes every `items` load polymorphic.
const inserted = <A>(xs: ReadonlyArray<A>, at: number, x: A): ReadonlyArray<A> => {
  const out: Array<A> = []
  for (let j = 0; j < at; j++) out.push(xs[j] as A)
  out.push(x)
  for (let j = at; j < xs.length; j++) out.push(xs[j] as A)
  return out
}

const replaced = <A>(xs: ReadonlyArray<A>, at: number, x: A): ReadonlyArray<A> => {
  const out = xs.slice()
  out[at] = x
  return out
}

const removed = <A>(xs: ReadonlyArray<A>, at: number): ReadonlyArray<A> => {
  const out: Array<A> = []
  for (let j = 0; j < xs.length; j++) if (j !== at) out.push(xs[j] as A)
  return out
}

/** Whether a node (of the level whose entries are 2^shift slots wide) has no free slot; `zero`: it holds slot 0. */
const isFull = (n: SlotNode, shift: number, zero: boolean): boolean =>
  shift === 0 ? (n.present | (zero ? 1 : 0)) === -1 : (n as SlotBranch).full === -1

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The lowest slot of a one-level map that is neither occupied nor in `reserved` (a bit mask), or -1. @since 0.2.0 @category queries */
export const lowestFreeLeaf = (m: SlotMap, reserved: number): number => {
  const free = ~((m === undefined ? 0 : m.present) | reserved)
  return free === 0 ? -1 : lowestBit(free)
}

/** The id in `slot`, if any. @since 0.2.0 @category queries */
export const get = (m: SlotMap, shift: number, slot: number): string | undefined => {
  let n = m
  for (let s = shift; n !== undefined; s -= 5) {
    const i = (slot >>> s) & 31
    if (((n.present >>> i) & 1) === 0) return undefined
    const x = n.items[rank(n.present, i)]
    if (s === 0) return x as string
    n = x as SlotNode
  }
  return undefined
}

/**
 * The lowest slot ≥ 1 that holds no device, or -1 when every slot the map can address is taken.
 * It may lie beyond a bridge's capacity: the caller compares it with its capacity. One step per
 * level.
 *
 * @since 0.2.0
 * @category queries
 */
export const lowestFree = (m: SlotMap, shift: number): number => (shift === 0 ? lowestFreeLeaf(m, 1) : lowestFreeDeep(m, shift))

const lowestFreeDeep = (m: SlotMap, shift: number): number => {
  let n = m
  let base = 0
  for (let s = shift; ; s -= 5) {
    if (n === undefined) return base === 0 ? 1 : base
    const free = s === 0 ? ~(n.present | (base === 0 ? 1 : 0)) : ~(n as SlotBranch).full
    if (free === 0) return -1
    if (s === 0) return base + lowestBit(free)
    const i = lowestBit(free)
    base += i << s
    n = ((n.present >>> i) & 1) === 0 ? undefined : (n.items[rank(n.present, i)] as SlotNode)
  }
}

/** The lowest slot holding `id`, if any. @since 0.2.0 @category queries */
export const find = (m: SlotMap, shift: number, id: string): number | undefined =>
  m === undefined ? undefined : shift === 0 ? findLeaf(m as SlotLeaf, id, 0) : findIn(m, shift, id, 0)

const findLeaf = (n: SlotLeaf, id: string, base: number): number | undefined => {
  const k = n.items.indexOf(id)
  return k < 0 ? undefined : base + nthBit(n.present, k)
}

const findIn = (n: SlotNode, shift: number, id: string, base: number): number | undefined => {
  if (shift === 0) return findLeaf(n as SlotLeaf, id, base)
  for (let k = 0; k < n.items.length; k++) {
    const r = findIn(n.items[k] as SlotNode, shift - 5, id, base + (nthBit(n.present, k) << shift))
    if (r !== undefined) return r
  }
  return undefined
}

/** Every (slot, id), in slot order. @since 0.2.0 @category queries */
export const entries = (m: SlotMap, shift: number): ReadonlyArray<readonly [number, string]> => {
  const out: Array<readonly [number, string]> = []
  const walk = (n: SlotNode, s: number, base: number): void => {
    for (let k = 0, p = n.present; p !== 0; k++, p &= p - 1) {
      const slot = base + (lowestBit(p) << s)
      if (s === 0) out.push([slot, n.items[k] as string])
      else walk(n.items[k] as SlotNode, s - 5, slot)
    }
  }
  if (m !== undefined) walk(m, shift, 0)
  return out
}

/** How many slots are occupied. @since 0.2.0 @category queries */
export const size = (m: SlotMap, shift: number): number => {
  if (m === undefined) return 0
  if (shift === 0) return m.items.length
  let total = 0
  for (const k of m.items) total += size(k as SlotNode, shift - 5)
  return total
}

// -------------------------------------------------------------------------------------
// updates
// -------------------------------------------------------------------------------------

/** `m` with `id` in `slot` (replacing what was there). Copies one node per level. @since 0.2.0 @category updates */
export const set = (m: SlotMap, shift: number, slot: number, id: string): SlotNode =>
  shift === 0 ? setLeaf(m, slot, id) : setDeep(m, shift, slot, id)

// The one-level case (every PCI bridge, the root bus) has functions of its own, so what V8
// learns from four-level CCW maps does not slow it down (BENCHMARKS.md).
const setLeaf = (m: SlotMap, slot: number, id: string): SlotNode => {
  const bit = 1 << (slot & 31)
  if (m === undefined) return { present: bit, items: [id] }
  const items = m.items as ReadonlyArray<string>
  const at = rank(m.present, slot & 31)
  return { present: m.present | bit, items: (m.present & bit) !== 0 ? replaced(items, at, id) : inserted(items, at, id) }
}

const setDeep = (node: SlotMap, shift: number, slot: number, id: string): SlotNode => {
  const m = node as SlotBranch | undefined
  const i = (slot >>> shift) & 31
  const bit = 1 << i
  const at = m === undefined ? 0 : rank(m.present, i)
  const has = m !== undefined && (m.present & bit) !== 0
  const kid = set(has ? (m.items[at] as SlotNode) : undefined, shift - 5, slot, id)
  const full = isFull(kid, shift - 5, slot >>> shift === 0) ? (m?.full ?? 0) | bit : (m?.full ?? 0) & ~bit
  return {
    present: (m?.present ?? 0) | bit,
    full,
    items: m === undefined ? [kid] : has ? replaced(m.items, at, kid) : inserted(m.items, at, kid),
  }
}

/** `m` without `slot`; an emptied node disappears, so the shape stays canonical. @since 0.2.0 @category updates */
export const remove = (m: SlotMap, shift: number, slot: number): SlotMap => (shift === 0 ? removeLeaf(m, slot) : removeDeep(m, shift, slot))

const removeLeaf = (m: SlotMap, slot: number): SlotMap => {
  const bit = 1 << (slot & 31)
  if (m === undefined || (m.present & bit) === 0) return m
  const present = m.present & ~bit
  return present === 0 ? undefined : { present, items: removed(m.items as ReadonlyArray<string>, rank(m.present, slot & 31)) }
}

const removeDeep = (node: SlotMap, shift: number, slot: number): SlotMap => {
  const m = node as SlotBranch | undefined
  if (m === undefined) return m
  const i = (slot >>> shift) & 31
  const bit = 1 << i
  if ((m.present & bit) === 0) return m
  const at = rank(m.present, i)
  const kid = remove(m.items[at] as SlotNode, shift - 5, slot)
  if (kid === undefined) {
    const present = m.present & ~bit
    return present === 0 ? undefined : { present, full: m.full & ~bit, items: removed(m.items, at) }
  }
  return { present: m.present, full: m.full & ~bit, items: replaced(m.items, at, kid) }
}

/**
 * A map of the given entries; where a slot is given twice, the later id wins (as a fold of
 * `set` would). Built bottom-up in one pass over the entries in slot order, every node made
 * once: linear in the entries (after a sort if they come unsorted), where a fold of `set`
 * copies a path per entry.
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromEntries = (shift: number, xs: Iterable<readonly [number, string]>): SlotMap => {
  const all = Array.isArray(xs) ? (xs as ReadonlyArray<readonly [number, string]>) : [...xs]
  const bits = shift + 5
  let sorted = true
  for (let i = 0; i < all.length; i++) {
    const slot = (all[i] as readonly [number, string])[0]
    // a slot the map cannot address as given: the fold masks it as `set` does
    if (!Number.isInteger(slot) || slot < 0 || bits > 30 || slot >= 1 << bits) return foldSet(shift, all)
    if (i > 0 && slot < (all[i - 1] as readonly [number, string])[0]) sorted = false
  }
  const ordered = sorted
    ? all
    : all
        .map((x, i) => [x, i] as const)
        .sort((a, b) => a[0][0] - b[0][0] || a[1] - b[1])
        .map((x) => x[0])
  // the last id given for each slot
  const slots: Array<number> = []
  const ids: Array<string> = []
  for (const [slot, id] of ordered) {
    if (slots.length > 0 && slots[slots.length - 1] === slot) ids[ids.length - 1] = id
    else {
      slots.push(slot)
      ids.push(id)
    }
  }
  return slots.length === 0 ? undefined : build(slots, ids, 0, slots.length, shift)
}

const foldSet = (shift: number, xs: ReadonlyArray<readonly [number, string]>): SlotMap => {
  let m: SlotMap = undefined
  for (const [slot, id] of xs) m = set(m, shift, slot, id)
  return m
}

/** The node of level `shift` holding entries `lo` to `hi` (slot-ordered, one per slot, all under one node). */
const build = (slots: ReadonlyArray<number>, ids: ReadonlyArray<string>, lo: number, hi: number, shift: number): SlotNode => {
  if (shift === 0) {
    let present = 0
    const items: Array<string> = []
    for (let i = lo; i < hi; i++) {
      present |= 1 << ((slots[i] as number) & 31)
      items.push(ids[i] as string)
    }
    return { present, items }
  }
  let present = 0
  let full = 0
  const items: Array<SlotNode> = []
  for (let i = lo; i < hi;) {
    const slot = slots[i] as number
    const c = (slot >>> shift) & 31
    let j = i + 1
    while (j < hi && (((slots[j] as number) >>> shift) & 31) === c) j++
    const kid = build(slots, ids, i, j, shift - 5)
    present |= 1 << c
    if (isFull(kid, shift - 5, slot >>> shift === 0)) full |= 1 << c
    items.push(kid)
    i = j
  }
  return { present, full, items }
}
