/**
 * A persistent append-only list (a "snoc" list: each node holds the last element and the list
 * before it). Appending is O(1) and shares the whole older list, so a fold that appends one
 * device per step is linear, where copying an array on every append made it quadratic; the
 * array is built once, at the end.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 @category model */
export interface Snoc<A> {
  readonly init: SnocList<A>
  readonly last: A
  readonly length: number
}

/** The empty list is `undefined`. @since 0.2.0 @category model */
export type SnocList<A> = Snoc<A> | undefined

/** @since 0.2.0 @category constructors */
export const append = <A>(xs: SnocList<A>, x: A): Snoc<A> => ({ init: xs, last: x, length: xs === undefined ? 1 : xs.length + 1 })

/** The elements, oldest first, in a new array. O(n). @since 0.2.0 @category destructors */
export const toArray = <A>(xs: SnocList<A>): ReadonlyArray<A> => {
  const out = new Array<A>(xs === undefined ? 0 : xs.length)
  for (let n = xs, i = out.length - 1; n !== undefined; n = n.init, i--) out[i] = n.last
  return out
}
