/**
 * The bridge allocator (Kata `types.Bridge` in `types/bridges.go` + `qemuArchBase.addDeviceToBridge`): no slot is ever
 * handed out twice, add-then-remove restores an equal state, and `NoBridgeSlot` comes exactly
 * when every bridge of the asked type is full (`NoBridges` exactly when there are no bridges).
 * PCI/PCIe bridges have 30 slots from 1 (`%02x`), CCW bridges 0xffff (`%04x`).
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addDeviceToBridge,
  devicesOf,
  formatSlot,
  maxCapacity,
  newBridge,
  removeDeviceFromBridge,
  type Bridge,
  type BridgeType,
} from '../../src/core/bridges.ts'

const types: ReadonlyArray<BridgeType> = ['pci', 'pcie', 'ccw']

/** A slot, often the first or the last. */
const slotOf = (cap: number): fc.Arbitrary<number> => fc.oneof(fc.integer({ min: 1, max: cap }), fc.constantFrom(1, cap))

/** Occupancy of one bridge: empty, full, full but for some holes, or a random subset of its slots. */
const occupancy = (cap: number): fc.Arbitrary<ReadonlyArray<number>> => {
  const all = Array.from({ length: cap }, (_, i) => i + 1)
  return fc.oneof(
    fc.constant([]),
    fc.constant(all),
    fc.uniqueArray(slotOf(cap), { minLength: 1, maxLength: 3 }).map((holes) => all.filter((s) => !holes.includes(s))),
    fc.uniqueArray(fc.integer({ min: 1, max: cap }), { maxLength: Math.min(cap, 40) }),
  )
}

// CCW bridges are kept small here (slots up to 40 taken at random) except in the dedicated exhaustion test.
const bridge = (i: number): fc.Arbitrary<Bridge> =>
  fc
    .constantFrom(...types)
    .chain((type) =>
      (type === 'ccw' ? fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 40 }) : occupancy(maxCapacity[type])).map((slots) =>
        newBridge(type, `${type}-bridge-${i}`, 2 + i, Object.fromEntries(slots.map((s) => [s, `pre-${i}-${s}`]))),
      ),
    )

const bridges: fc.Arbitrary<ReadonlyArray<Bridge>> = fc
  .integer({ min: 0, max: 4 })
  .chain((n): fc.Arbitrary<ReadonlyArray<Bridge>> =>
    n === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: n }, (_, i) => bridge(i))),
  )

type Op = { readonly op: 'add'; readonly type: BridgeType } | { readonly op: 'remove'; readonly pick: number }
const ops: fc.Arbitrary<ReadonlyArray<Op>> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...types).map((type) => ({ op: 'add', type }) as const) },
    { weight: 1, arbitrary: fc.nat().map((pick) => ({ op: 'remove', pick }) as const) },
  ),
  { maxLength: 120 },
)

const isFull = (b: Bridge): boolean => Object.keys(devicesOf(b)).length >= b.maxCapacity
const entries = (bs: ReadonlyArray<Bridge>) =>
  bs.flatMap((b) => Object.entries(devicesOf(b)).map(([slot, id]) => ({ bridge: b.id, slot: Number(slot), id })))

/** Every occupied slot is within 1..capacity, and each (bridge, slot) holds one device. */
const wellFormed = (bs: ReadonlyArray<Bridge>): void => {
  for (const b of bs) {
    expect(b.maxCapacity).toBe(maxCapacity[b.type])
    for (const k of Object.keys(devicesOf(b))) {
      const slot = Number(k)
      expect(Number.isInteger(slot) && slot >= 1 && slot <= b.maxCapacity).toBe(true)
    }
  }
}

describe('bridge allocator', () => {
  it('never hands out a slot twice, formats it by type, and fails exactly when the type is exhausted', () => {
    fc.assert(
      fc.property(bridges, ops, (initial, script) => {
        let bs = initial
        let next = 0
        const live = new Map<string, string>() // `${bridge}/${slot}` → device id, for the ids this run added
        for (const o of script) {
          if (o.op === 'add') {
            const id = `dev-${next++}`
            const r = addDeviceToBridge(id, o.type)(bs)
            const candidates = bs.filter((b) => b.type === o.type)
            if (bs.length === 0) {
              expect(r).toEqual(E.left({ _tag: 'NoBridges' }))
            } else if (candidates.every(isFull)) {
              expect(r).toEqual(E.left({ _tag: 'NoBridgeSlot', bridgeType: o.type, available: [...new Set(bs.map((b) => b.type))] }))
            } else {
              if (E.isLeft(r)) throw new Error(`unexpected ${r.left._tag}`)
              const { bridge: b, slot, addr } = r.right
              // the first non-full bridge of the type, its lowest free slot
              const first = candidates.find((c) => !isFull(c)) as Bridge
              expect(b.id).toBe(first.id)
              expect(devicesOf(first)[slot]).toBeUndefined()
              for (let s = 1; s < slot; s++) expect(devicesOf(first)[s]).toBeDefined()
              expect(addr).toBe(formatSlot(o.type, slot))
              expect(addr).toHaveLength(o.type === 'ccw' ? 4 : 2)
              expect(parseInt(addr, 16)).toBe(slot)
              const k = `${b.id}/${slot}`
              expect(live.has(k)).toBe(false)
              live.set(k, id)
              bs = r.right.bridges
            }
          } else {
            const ids = [...live.values()]
            if (ids.length === 0) continue
            const id = ids[o.pick % ids.length] as string
            bs = E.getOrElseW(() => {
              throw new Error(`could not remove ${id}`)
            })(removeDeviceFromBridge(id)(bs))
            for (const [k, v] of live) if (v === id) live.delete(k)
          }
          wellFormed(bs)
          // what this run placed is exactly what the bridges hold besides the initial devices
          const mine = entries(bs).filter((e) => e.id.startsWith('dev-'))
          expect(new Map(mine.map((e) => [`${e.bridge}/${e.slot}`, e.id]))).toEqual(live)
        }
      }),
      { numRuns: 400 },
    )
  })

  it('add then remove restores an equal state (and never touches the input)', () => {
    fc.assert(
      fc.property(bridges, fc.constantFrom(...types), (bs, type) => {
        const before = structuredClone(bs)
        const r = addDeviceToBridge('fresh-id', type)(bs)
        if (E.isRight(r)) expect(removeDeviceFromBridge('fresh-id')(r.right.bridges)).toEqual(E.right(bs))
        expect(bs).toEqual(before)
      }),
      { numRuns: 500 },
    )
  })

  it('removing an id that is not placed is DeviceNotOnBridge and changes nothing', () => {
    fc.assert(
      fc.property(bridges, (bs) => {
        expect(removeDeviceFromBridge('absent')(bs)).toEqual(E.left({ _tag: 'DeviceNotOnBridge', id: 'absent' }))
      }),
      { numRuns: 200 },
    )
  })

  it('a PCI bridge takes exactly 30 devices, slots 01..1e, then is full', () => {
    for (const type of ['pci', 'pcie'] as const) {
      let bs: ReadonlyArray<Bridge> = [newBridge(type, 'b')]
      const addrs: Array<string> = []
      for (let i = 0; i < 30; i++) {
        const r = addDeviceToBridge(`d${i}`, type)(bs)
        if (E.isLeft(r)) throw new Error(r.left._tag)
        addrs.push(r.right.addr)
        bs = r.right.bridges
      }
      expect(addrs).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1).toString(16).padStart(2, '0')))
      expect(addDeviceToBridge('one-more', type)(bs)).toEqual(E.left({ _tag: 'NoBridgeSlot', bridgeType: type, available: [type] }))
    }
  })

  it('a CCW bridge has slots 0001..ffff: the lowest hole is taken, then it is full', () => {
    fc.assert(
      fc.property(fc.uniqueArray(slotOf(0xffff), { minLength: 1, maxLength: 3 }), (holes) => {
        const devices: Record<number, string> = {}
        for (let s = 1; s <= 0xffff; s++) if (!holes.includes(s)) devices[s] = `d${s}`
        let bs: ReadonlyArray<Bridge> = [newBridge('ccw', 'ccw-bridge-0', 0, devices)]
        for (const h of [...holes].sort((a, b) => a - b)) {
          const r = addDeviceToBridge(`h${h}`, 'ccw')(bs)
          if (E.isLeft(r)) throw new Error(r.left._tag)
          expect(r.right.slot).toBe(h)
          expect(r.right.addr).toBe(h.toString(16).padStart(4, '0'))
          bs = r.right.bridges
        }
        expect(addDeviceToBridge('x', 'ccw')(bs)).toEqual(E.left({ _tag: 'NoBridgeSlot', bridgeType: 'ccw', available: ['ccw'] }))
      }),
      { numRuns: 6 },
    )
  })
})
