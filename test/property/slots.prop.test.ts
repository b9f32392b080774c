/**
 * The persistent slot map against a plain `Map` model: after any sequence of sets and removes,
 * lookups, the lowest free slot, the first slot of an id, the entries and the size agree; the
 * shape is canonical (equal entries ⇒ equal maps, whatever the history); and no operation
 * changes a map it was given.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deepFreeze } from '../support/freeze.ts'
import * as S from '../../src/core/slots.ts'

type Op = { readonly op: 'set'; readonly slot: number; readonly id: string } | { readonly op: 'remove'; readonly slot: number }

const lowestFreeOf = (model: ReadonlyMap<number, string>, limit: number): number => {
  for (let s = 1; s < limit; s++) if (!model.has(s)) return s
  return -1
}

// two key widths: one level (PCI, slots 0..31) and four (CCW, 16-bit numbers); slots are drawn
// from a few dense clusters so that leaves fill up and empty again
const shapes = [
  { bits: 5, slot: fc.integer({ min: 0, max: 31 }) },
  {
    bits: 16,
    slot: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1000, max: 1100 }), fc.integer({ min: 65500, max: 65535 })),
  },
] as const

describe('slot map', () => {
  for (const { bits, slot } of shapes) {
    const shift = S.topShift(bits)
    const ops = fc.array(
      fc.oneof(
        { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), slot, id: fc.constantFrom('a', 'b', 'c', 'd', 'e') }) },
        { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), slot }) },
      ),
      { maxLength: 200 },
    )

    it(`agrees with a Map model (${bits}-bit slots)`, () => {
      fc.assert(
        fc.property(ops, (xs: ReadonlyArray<Op>) => {
          let m: S.SlotMap = undefined
          const model = new Map<number, string>()
          for (const o of xs) {
            const before = m
            const snapshot = S.entries(before, shift)
            deepFreeze(before)
            if (o.op === 'set') {
              m = S.set(m, shift, o.slot, o.id)
              model.set(o.slot, o.id)
            } else {
              m = S.remove(m, shift, o.slot)
              model.delete(o.slot)
            }
            expect(S.entries(before, shift)).toEqual(snapshot)
            expect(S.entries(m, shift)).toEqual([...model].sort(([x], [y]) => x - y))
            expect(S.size(m, shift)).toBe(model.size)
            expect(S.get(m, shift, o.slot)).toBe(model.get(o.slot))
            expect(S.lowestFree(m, shift)).toBe(lowestFreeOf(model, 2 ** (shift + 5)))
            for (const id of ['a', 'e']) {
              const first = [...model]
                .filter(([, v]) => v === id)
                .map(([k]) => k)
                .sort((x, y) => x - y)[0]
              expect(S.find(m, shift, id)).toBe(first)
            }
            // canonical: rebuilding from the entries in reverse order gives an equal value
            expect(S.fromEntries(shift, [...model].reverse())).toEqual(m)
            expect(JSON.parse(JSON.stringify(m ?? null)) ?? undefined).toEqual(m)
          }
        }),
        { numRuns: 150 },
      )
    })

    it(`fromEntries is the fold of set, whatever the order and repeats (${bits}-bit slots)`, () => {
      const entries = fc.array(fc.tuple(slot, fc.constantFrom('a', 'b', 'c')), { maxLength: 300 })
      fc.assert(
        fc.property(entries, fc.boolean(), (xs, sorted) => {
          const given = sorted ? [...xs].sort(([x], [y]) => x - y) : xs
          let folded: S.SlotMap = undefined
          for (const [s, id] of given) folded = S.set(folded, shift, s, id)
          const built = S.fromEntries(shift, given)
          expect(built).toEqual(folded)
          expect(S.lowestFree(built, shift)).toBe(S.lowestFree(folded, shift))
        }),
        { numRuns: 300 },
      )
    })
  }

  it('fromEntries of every 16-bit slot but one leaves that one free, and of all of them the first beyond', () => {
    const shift = S.topShift(16)
    const every = Array.from({ length: 65535 }, (_, i) => [i + 1, `d${i + 1}`] as const)
    for (const hole of [1, 31, 32, 1024, 40000, 65535]) {
      const m = S.fromEntries(
        shift,
        every.filter(([s]) => s !== hole),
      )
      expect(S.lowestFree(m, shift)).toBe(hole)
    }
    // the map addresses 20 bits; the bridge's capacity is the caller's to check
    expect(S.lowestFree(S.fromEntries(shift, every), shift)).toBe(65536)
  })

  it('finds the one free slot of an otherwise full 16-bit map in one walk, and -1 when all are taken', () => {
    const shift = S.topShift(16)
    let m: S.SlotMap = undefined
    for (let s = 1; s < 65536; s++) if (s !== 40000) m = S.set(m, shift, s, `d${s}`)
    expect(S.lowestFree(m, shift)).toBe(40000)
    expect(S.lowestFree(S.set(m, shift, 40000, 'x'), shift)).toBe(65536)
    let pci: S.SlotMap = undefined
    for (let s = 1; s < 32; s++) pci = S.set(pci, 0, s, 'p')
    expect(S.lowestFree(pci, 0)).toBe(-1)
    expect(S.lowestFree(S.remove(pci, 0, 31), 0)).toBe(31)
  })
})
