/**
 * Laws for random sandboxes on every arch: planning never throws, is deterministic for a fixed id
 * seed, gives every device a unique id (31 bytes at most where Kata truncated), and never puts two
 * devices on one (bus, slot) or one CCW devno. Also: every generated document decodes.
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { planSandbox } from '../../src/arch/planner.ts'
import { placementOf } from '../../src/core/devices/registry.ts'
import { toMessage, type PlanError } from '../../src/core/errors.ts'
import { seededIds } from '../../src/core/ids.ts'
import { decodeConfig } from '../../src/core/input/config.ts'
import { decodeSandbox } from '../../src/core/input/sandbox.ts'
import { render, renderWith } from '../../src/core/render.ts'
import { allArches, arbitraryScenario } from '../../src/testing/index.ts'

const plan = (s: { config: unknown; sandbox: unknown; imageSizeBytes: number }, seed: number) => {
  const c = decodeConfig(s.config)
  const b = decodeSandbox(s.sandbox)
  if (E.isLeft(c) || E.isLeft(b))
    throw new Error(`a generated document did not decode: ${JSON.stringify(E.isLeft(c) ? c.left : (b as E.Left<unknown>).left)}`)
  return planSandbox(c.right.value, b.right.value, { imageSizeBytes: s.imageSizeBytes }, seededIds(seed))
}

/** What planning may refuse a generated sandbox with, and what rendering may refuse a plan with. */
const planRefusals = ['InvalidDevice', 'DuplicateId', 'NoBusSlot', 'Unsupported', 'InvalidConfig', 'UnknownBinary', 'NoHotplugCapacity']
const renderRefusals = ['InvalidDevice', 'InvalidConfig', 'Unsupported']

/** A refusal is one of the expected kinds, told in one line that starts with its tag. */
const expectRefusal = (e: PlanError, allowed: ReadonlyArray<string>): void => {
  expect(allowed).toContain(e._tag)
  const m = toMessage(e)
  expect(m.startsWith(`${e._tag}: `)).toBe(true)
  expect(m).not.toMatch(/\n/)
}

describe.each(allArches)('%s plans', (arch) => {
  it('decode, plan deterministically, never throw, and render or fail with a typed error', () => {
    fc.assert(
      fc.property(arbitraryScenario(arch), fc.nat(), (s, seed) => {
        const a = plan(s, seed)
        expect(plan(s, seed)).toEqual(a)
        if (E.isLeft(a)) return void expectRefusal(a.left, planRefusals)
        for (const d of ['govmm', 'qemu'] as const) {
          const r = render(a.right, d)
          if (E.isLeft(r)) expectRefusal(r.left, renderRefusals)
          else expect(render(a.right, d)).toEqual(r)
          // option strings from compiled templates, walked flat (large command lines) or walked
          // by concatenation: the same argv
          const compiled = renderWith(a.right, d, { flat: false, compiled: true })
          expect(renderWith(a.right, d, { flat: true, compiled: false })).toEqual(compiled)
          expect(renderWith(a.right, d, { flat: true, compiled: true })).toEqual(compiled)
          expect(renderWith(a.right, d, { flat: false, compiled: false })).toEqual(compiled)
        }
      }),
      { numRuns: 150 },
    )
  })

  it('give every device a unique id, ≤ 31 bytes where Kata truncated, and a place no other device has', () => {
    let planned = 0
    fc.assert(
      fc.property(arbitraryScenario(arch), (s) => {
        const r = plan(s, 1)
        if (E.isLeft(r)) return
        planned++
        const ids = r.right.devices.map((d) => d.id)
        expect(new Set(ids).size).toBe(ids.length)
        for (const d of r.right.devices) {
          if (d._tag === 'Fs9p' || d._tag === 'Block') expect(new TextEncoder().encode(d.id).length).toBeLessThanOrEqual(31)
          if (d._tag === 'Char' || d._tag === 'VhostUser') expect(new TextEncoder().encode(d.chardev).length).toBeLessThanOrEqual(31)
        }
        const places = r.right.devices.flatMap((d) => {
          const p = placementOf(d)
          return p._tag === 'Pci' ? [`pci ${p.bus}/${p.slot}`] : p._tag === 'Ccw' ? [`ccw ${p.devno}`] : []
        })
        expect(new Set(places).size).toBe(places.length)
        if (arch === 's390x') expect(places.every((p) => p.startsWith('ccw '))).toBe(true)
      }),
      { numRuns: 200 },
    )
    expect(planned).toBeGreaterThan(20)
  })
})
