/**
 * The hot-plug state file as data: every golden plan survives encode → JSON → decode unchanged; a
 * damaged field is an `InvalidInput` naming it; a file that disagrees with itself is a
 * `StateMismatch` naming the field; and `contradiction` catches a file QEMU disagrees with.
 */
import * as E from 'fp-ts/lib/Either.js'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hotplugBlock, unplug } from '../../../src/arch/hotplug.ts'
import { placementOf } from '../../../src/core/devices/registry.ts'
import { contradiction, type Observed } from '../../../src/core/observed.ts'
import type { PciDeviceInfo } from '../../../src/core/qmp/commands.ts'
import { decodeState, encodeState, stateFormat } from '../../../src/core/state-file.ts'
import type { Plan } from '../../../src/core/vm.ts'
import { unsafeRight } from '../../support/amd64-fixtures.ts'
import { planOf, type GoldenInput } from '../../support/golden.ts'

const goldenDir = resolve(import.meta.dirname, '../../golden')
const planned = (name: string): E.Either<string, Plan> => planOf(JSON.parse(readFileSync(join(goldenDir, name), 'utf8')) as GoldenInput)
const plan = (name: string): Plan => {
  const r = planned(name)
  if (E.isLeft(r)) throw new Error(`${name}: ${r.left}`)
  return r.right
}
/** Every golden input the planner accepts (the others are golden errors). */
const goldens = readdirSync(goldenDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(goldenDir, d.name))
      .filter((f) => f.endsWith('.input.json'))
      .map((f) => `${d.name}/${f}`),
  )
  .filter((name) => E.isRight(planned(name)))
/** What a reader of the file sees: the JSON text, parsed again. */
const onDisk = (p: Plan): Record<string, any> => JSON.parse(JSON.stringify(encodeState(p)))
/** The refusal, with the field it names (the first problem's path for an InvalidInput). */
const left = (u: unknown): { _tag: string; field?: string } => {
  const r = decodeState(u)
  if (E.isRight(r)) throw new Error('expected the state file to be refused')
  const e = r.left
  return e._tag === 'InvalidInput' ? { _tag: e._tag, field: e.problems[0]?.path } : { _tag: e._tag, field: e.field }
}

describe('encodeState / decodeState', () => {
  it('finds the golden plans', () => expect(goldens.length).toBeGreaterThan(30))

  it.each(goldens)('%s: decode(JSON(encode(plan))) is the plan, and encoding it again gives the same text', (name) => {
    const p = plan(name)
    const doc = onDisk(p)
    expect(doc.format).toBe(stateFormat)
    const back = decodeState(doc)
    if (E.isLeft(back)) throw new Error(`${back.left._tag}: ${'field' in back.left ? back.left.field : ''}`)
    expect(JSON.stringify(encodeState(back.right))).toBe(JSON.stringify(encodeState(p)))
    expect(back.right.devices).toEqual(p.devices)
    expect(back.right.machine).toEqual(p.machine)
  })

  it('keeps what hot-plug added and retired', () => {
    const p0 = plan('amd64/q35-runnable-tap-fds.input.json')
    const p1 = unsafeRight(hotplugBlock(p0, { id: 'hot', file: '/f', via: 'virtio-blk' })).after
    const back = decodeState(onDisk(p1))
    expect(E.isRight(back) && back.right.devices.some((d) => d.id === 'hot')).toBe(true)
    // arm64 virt: an unplug is a surprise removal and the slot stays retired
    const a0 = plan('arm64/kata-typical.input.json')
    const a1 = unsafeRight(hotplugBlock(a0, { id: 'hot', file: '/f', via: 'virtio-blk' })).after
    const a2 = unsafeRight(unplug(a1, 'hot')).after
    expect(E.isRight(decodeState(onDisk(a2)))).toBe(true)
  })

  it('refuses a damaged field with an InvalidInput that names it', () => {
    const doc = onDisk(plan('amd64/kata-worked-example.input.json'))
    expect(left({ ...doc, format: 'qemu-plan-state/0' })).toMatchObject({ _tag: 'InvalidInput', field: 'format' })
    const d1 = onDisk(plan('amd64/kata-worked-example.input.json'))
    d1.plan.devices[0].addr = 'two'
    expect(left(d1)).toMatchObject({ _tag: 'InvalidInput', field: 'plan.devices.0.addr' })
    const d2 = onDisk(plan('amd64/kata-worked-example.input.json'))
    d2.plan.devices[0]._tag = 'Toaster'
    expect(left(d2)).toMatchObject({ _tag: 'InvalidInput' })
    expect(left(d2).field).toMatch(/^plan\.devices\.0/)
    const d3 = onDisk(plan('amd64/kata-worked-example.input.json'))
    d3.plan.smp.cpus = -1
    expect(left(d3)).toMatchObject({ _tag: 'InvalidInput', field: 'plan.smp.cpus' })
    expect(left(null)).toEqual({ _tag: 'InvalidInput', field: 'format' })
    const r = decodeState({ format: 'qemu-plan-state/0' })
    expect(E.isLeft(r) && r.left._tag === 'InvalidInput' && r.left.problems).toEqual([
      { path: 'format', expected: '"qemu-plan-state/1"', actual: '"qemu-plan-state/0"' },
    ])
  })

  it('refuses a file that disagrees with itself with a StateMismatch naming the field', () => {
    const q35 = (): Record<string, any> =>
      onDisk(unsafeRight(hotplugBlock(plan('amd64/kata-worked-example.input.json'), { id: 'hot', file: '/f', via: 'virtio-blk' })).after)
    // a device whose slot map says nothing of it
    const a = q35()
    a.plan.state.bridges[0].slots = {}
    expect(left(a)).toMatchObject({ _tag: 'StateMismatch' })
    expect(left(a).field).toMatch(/^plan\.devices\.\d+\.placement$/)
    // a slot map entry that is no device
    const b = q35()
    b.plan.state.bridges[0].slots['7'] = 'ghost'
    expect(left(b)).toMatchObject({ _tag: 'StateMismatch', field: 'plan.state.bridges.0.slots.7' })
    // a slot outside the bridge
    const c = q35()
    c.plan.state.bridges[0].slots['40'] = 'hot'
    expect(left(c)).toMatchObject({ _tag: 'StateMismatch', field: 'plan.state.bridges.0.slots.40' })
    // a bridge with a capacity no bridge of its type has
    const d = q35()
    d.plan.state.bridges[0].maxCapacity = 31
    expect(left(d)).toMatchObject({ _tag: 'StateMismatch', field: 'plan.state.bridges.0.maxCapacity' })
    // a bridge device moved without its bridge record
    const e = q35()
    const i = e.plan.devices.findIndex((x: { _tag: string }) => x._tag === 'Bridge')
    e.plan.devices[i].addr = 9
    expect(left(e)).toMatchObject({ _tag: 'StateMismatch', field: `plan.devices.${i}.addr` })
    // a slot key that is not a number
    const f = q35()
    f.plan.state.rootSlots.two = 'hot'
    expect(left(f)).toMatchObject({ _tag: 'StateMismatch', field: 'plan.state.rootSlots.two' })
  })
})

describe('contradiction', () => {
  const p = plan('amd64/kata-worked-example.input.json')
  /** What QEMU would answer for exactly this plan. */
  const truth = (pl: Plan): Observed => {
    const bridges = pl.state.bridges
    const on = (bus: string): Array<PciDeviceInfo> =>
      pl.devices.flatMap((d) => {
        const at = placementOf(d)
        return at._tag === 'Pci' && at.bus === bus && d._tag !== 'Bridge' ? [{ qdev_id: d.id, slot: at.slot } as PciDeviceInfo] : []
      })
    const root: Array<PciDeviceInfo> = [
      ...bridges.map((b) => ({ qdev_id: b.id, slot: b.addr, pci_bridge: { devices: on(b.id) } }) as unknown as PciDeviceInfo),
      ...on(pl.facts.rootBus?.bus ?? 'pcie.0'),
    ]
    return { peripherals: pl.devices.map((d) => d.id), pci: [{ devices: root }], devnos: {} }
  }

  it('agrees with a QEMU that has what the plan says', () => {
    expect(contradiction(p, truth(p))).toEqual(E.right(undefined))
  })
  it('names a device QEMU lacks, one QEMU has that the file lacks, and a moved bridge', () => {
    const t = truth(p)
    const gone = p.devices[p.devices.length - 1]?.id ?? ''
    expect(contradiction(p, { ...t, peripherals: t.peripherals.filter((x) => x !== gone) })).toEqual(
      E.left(expect.objectContaining({ _tag: 'StateMismatch', field: `device ${gone}`, reason: 'the state file has it, QEMU does not' })),
    )
    expect(contradiction(p, { ...t, peripherals: [...t.peripherals, 'intruder'] })).toEqual(
      E.left(expect.objectContaining({ field: 'device intruder' })),
    )
    const moved = {
      ...t,
      pci: [{ devices: (t.pci?.[0]?.devices ?? []).map((d) => (d.qdev_id === 'pci-bridge-0' ? { ...d, slot: 9 } : d)) }],
    }
    expect(contradiction(p, moved)).toEqual(
      E.left(expect.objectContaining({ field: 'device pci-bridge-0', reason: expect.stringContaining('QEMU on the root bus slot 9') })),
    )
  })
})
