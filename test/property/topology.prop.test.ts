/**
 * Laws of `topology`: the tree holds every device exactly once, counts add up, a plan and its
 * parsed qemu-dialect argv have the same tree and capacity, and for a govmm argv (no placement)
 * the slots QEMU assigns itself are the ones the planner pins in the qemu dialect.
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { withMachineFacts } from '../../src/arch/index.ts'
import { problemOf as problem } from '../../src/core/devices/index.ts'
import { parseArgv } from '../../src/core/parse/index.ts'
import { render } from '../../src/core/render.ts'
import { assignPlacements, topology, type Topology } from '../../src/core/topology.ts'
import type { Plan } from '../../src/core/vm.ts'
import { goldenPlans, plannedVariant } from '../support/corpus.ts'

const planned: fc.Arbitrary<Plan> = fc.oneof(fc.constantFrom(...goldenPlans.map((g) => g.plan)), plannedVariant)
const topo = (p: Plan): Topology => topology(p)
const reparsed = (p: Plan, d: 'govmm' | 'qemu'): Plan | undefined => {
  const r = render(p, d)
  if (E.isLeft(r)) return undefined
  const q = parseArgv([r.right.binary, ...r.right.args])
  return E.isRight(q) ? withMachineFacts(q.right.plan) : undefined
}
const shape = (t: Topology) => ({
  root: t.root && { ...t.root, slots: t.root.slots.map((s) => ({ ...s, kind: s.kind.replace(', QEMU-assigned', '') })) },
  bridges: t.bridges,
  capacity: t.capacity,
})

describe('topology laws', () => {
  it('holds every device once, and counts add up', () => {
    fc.assert(
      fc.property(planned, (p) => {
        const t = topo(p)
        const ids = [
          ...(t.root?.slots ?? []).flatMap((s) => (s.id === undefined ? [] : [s.id])),
          ...t.bridges.flatMap((b) => b.slots.map((s) => s.id)),
          ...t.unplaced.map((d) => d.id),
          ...t.offBus.map((d) => d.id),
        ]
        expect(ids.length).toBe(p.devices.length)
        expect(new Set(ids).size).toBe(ids.length)
        if (t.root) expect(t.root.free.length + t.root.slots.length).toBe(32)
        for (const b of t.bridges) expect(b.free + b.slots.length).toBe(b.capacity)
        expect(t.capacity.bridgeSlots).toBe(t.bridges.reduce((n, b) => n + b.free, 0))
      }),
      { numRuns: 150 },
    )
  })
  it('is the same for a plan and its parsed qemu-dialect argv', () => {
    fc.assert(
      fc.property(planned, (p) => {
        // CCW bridges are bookkeeping only and never reach argv: a parsed plan has one
        fc.pre(p.state.bridges.filter((b) => b.type === 'ccw').length <= 1)
        // the qemu dialect rounds an unaligned pseries maxmem down (with a warning): less headroom by design
        fc.pre(p.arch !== 'ppc64le' || p.memory.maxMemMiB % 256 === 0)
        const q = reparsed(p, 'qemu')
        fc.pre(q !== undefined)
        expect(shape(topo(q as Plan))).toEqual(shape(topo(p)))
      }),
      { numRuns: 150 },
    )
  })
  it('works out the slots QEMU assigns in a govmm argv as the planner pins them', () => {
    fc.assert(
      fc.property(planned, (p) => {
        // QEMU only auto-places on the root bus: the planner must not have spilled onto a bridge
        fc.pre(
          p.devices.every(
            (d) =>
              !('placement' in d) ||
              d.placement._tag !== 'Pci' ||
              !p.state.bridges.some((b) => d.placement._tag === 'Pci' && b.id === d.placement.bus),
          ),
        )
        // and govmm must not have dropped a device the planner gave a slot
        fc.pre(p.devices.every((d) => problem(d) === undefined))
        const q = reparsed(p, 'govmm')
        fc.pre(q !== undefined)
        const t = topo(q as Plan)
        // what the plan itself leaves unplaced (s390x VFIO: govmm's empty devno=) stays so; nothing else
        expect(t.unplaced).toEqual(topo(p).unplaced)
        expect(shape(t).root).toEqual(shape(topo(p)).root)
      }),
      { numRuns: 150 },
    )
  })
  it('a govmm argv with the slots QEMU picks pinned renders the qemu-dialect argv of the plan', () => {
    fc.assert(
      fc.property(planned, (p) => {
        fc.pre(p.state.host.accelerator === 'kvm' && p.devices.every((d) => problem(d) === undefined))
        fc.pre(
          p.devices.every(
            (d) =>
              !('placement' in d) ||
              d.placement._tag !== 'Pci' ||
              !p.state.bridges.some((b) => d.placement._tag === 'Pci' && b.id === d.placement.bus),
          ),
        )
        const q = reparsed(p, 'govmm')
        const want = render(p, 'qemu')
        fc.pre(q !== undefined && E.isRight(want))
        const got = render(assignPlacements(q as Plan), 'qemu')
        expect(E.isRight(got) && got.right.args).toEqual(E.isRight(want) && want.right.args)
      }),
      { numRuns: 150 },
    )
  })
})
