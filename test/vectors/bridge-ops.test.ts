/**
 * Kata 1.9's bridge allocator (`addDeviceToBridge` / `removeDeviceFromBridge` on a bare
 * `qemuArchBase`), as recorded in test/fixtures/kata-1.9-vectors/bridge-ops.json, replayed on ours
 * (src/core/bridges.ts): every returned address, bridge, PCI path or CCW devno, every error, and
 * the final slot maps.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  addDeviceToBridge,
  addressFormatCCW,
  addressFormatCCWForVirtServer,
  devicesOf,
  newBridge,
  pciPath,
  removeDeviceFromBridge,
  type Bridge,
  type BridgeType,
} from '../../src/core/bridges.ts'
import type { PlanError } from '../../src/core/errors.ts'
import { vectorsDir } from '../support/kata-vectors.ts'

interface KBridge {
  readonly id: string
  readonly type: BridgeType
  readonly addr: number
  readonly devices: Readonly<Record<string, string>>
}
interface Op {
  readonly op: string
  readonly id?: string
  readonly type?: string
  readonly prefix?: string
  readonly start?: number
  readonly count?: number
}
interface Scenario {
  readonly name: string
  readonly ops: ReadonlyArray<Op>
  readonly initialBridges: ReadonlyArray<KBridge>
  readonly results: ReadonlyArray<Record<string, unknown> & { readonly op: string; readonly id: string; readonly error: string | null }>
  readonly finalBridges: ReadonlyArray<KBridge>
}

const { scenarios } = JSON.parse(readFileSync(join(vectorsDir, 'bridge-ops.json'), 'utf8')) as { scenarios: ReadonlyArray<Scenario> }

/** The primitive calls a script makes, in order. */
const calls = (ops: ReadonlyArray<Op>): ReadonlyArray<{ readonly op: 'add' | 'remove'; readonly id: string; readonly type: string }> =>
  ops.flatMap((o) => {
    if (o.op === 'add' || o.op === 'remove') return [{ op: o.op, id: o.id ?? '', type: o.type ?? '' }]
    const ids = Array.from({ length: o.count ?? 0 }, (_, i) => `${o.prefix ?? ''}${(o.start ?? 0) + i}`)
    return ids.map((id) => ({ op: o.op === 'addMany' ? ('add' as const) : ('remove' as const), id, type: o.type ?? '' }))
  })

/** Kata's error text for each of our errors. */
const kataError = (e: PlanError): string => {
  switch (e._tag) {
    case 'NoBridges':
      return 'failed to get available address from bridges'
    case 'NoBridgeSlot':
      return 'no more bridge slots available'
    case 'DeviceNotOnBridge':
      return `Unable to hot unplug device ${e.id}: not present on bridge`
    default:
      return e._tag
  }
}

const view = (bs: ReadonlyArray<Bridge>) =>
  bs.map((b) => ({
    id: b.id,
    type: b.type,
    addr: b.addr,
    devices: Object.fromEntries(Object.entries(devicesOf(b)).map(([k, v]) => [k, v])),
  }))

describe('Kata 1.9 bridge allocator (bridge-ops.json)', () => {
  for (const s of scenarios) {
    it(s.name, () => {
      let bridges: ReadonlyArray<Bridge> = s.initialBridges.map((b) => newBridge(b.type, b.id, b.addr, b.devices))
      const script = calls(s.ops)
      expect(script.length).toBe(s.results.length)
      script.forEach((c, i) => {
        const want = s.results[i] as Scenario['results'][number]
        const at = `${s.name} #${i} ${c.op} ${c.id}`
        if (c.op === 'add') {
          const r = addDeviceToBridge(bridges, c.id, c.type as BridgeType)
          if (E.isLeft(r)) return expect(kataError(r.left), at).toBe(want.error)
          expect(want.error, at).toBeNull()
          bridges = r.right.bridges
          const b = r.right.bridge
          expect({ addr: r.right.addr, bridgeId: b.id, bridgeType: b.type, bridgeAddr: b.addr }, at).toEqual({
            addr: want.addr,
            bridgeId: want.bridgeId,
            bridgeType: want.bridgeType,
            bridgeAddr: want.bridgeAddr,
          })
          if (b.type === 'ccw')
            expect([addressFormatCCW(b, r.right.addr), addressFormatCCWForVirtServer(b, r.right.addr)], at).toEqual([
              E.right(want.devNo),
              E.right(want.devNoVirtServer),
            ])
          else expect(pciPath(b, r.right.slot), at).toBe(want.pciAddr)
          return
        }
        const r = removeDeviceFromBridge(bridges, c.id)
        // Kata answers nil when there are no bridges at all; we say the device is not there
        if (bridges.length === 0) return expect(E.isLeft(r) && r.left._tag, at).toBe('DeviceNotOnBridge')
        if (E.isLeft(r)) return expect(kataError(r.left), at).toBe(want.error)
        expect(want.error, at).toBeNull()
        bridges = r.right
      })
      expect(view(bridges)).toEqual(s.finalBridges.map((b) => ({ id: b.id, type: b.type, addr: b.addr, devices: b.devices })))
    })
  }
})
