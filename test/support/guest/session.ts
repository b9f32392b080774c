/**
 * One booted guest per test file, and the steps its tests share: run a hot-plug plan and wait for
 * the guest's line about it; make QEMU refuse a real plan's `device_add`; check that the guest
 * stayed quiet; clean up QEMU and the taps it opened. The tests themselves (and what each arch
 * confirms) are in test/integration/guest-*.test.ts.
 */
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { HotplugPlan } from '../../../src/arch/hotplug.ts'
import type { Action } from '../../../src/core/qmp/action.ts'
import { hotplugBlock, hotplugNetwork } from '../../../src/arch/hotplug.ts'
import type { Plan } from '../../../src/core/vm.ts'
import { addCpus, execute } from '../../../src/effects/hotplug.ts'
import { unwrap } from '../qemu.ts'
import { bootGuest, type Guest, type GuestOptions } from './boot.ts'
import type { Line } from './console.ts'

/** How long the guest gets to notice a hot-plug (measured: 0.3–3 s under TCG on 2 shared cores). */
export const seenWithinMs = 30_000
/** How long a guest that should see nothing is watched (≥ 10 of its 0.2 s polls and rescans). */
export const quietMs = 3_000

export interface Session {
  readonly guest: () => Guest
  /** The plan as it is after every hot-plug that worked so far. */
  readonly plan: () => Plan
  readonly setPlan: (p: Plan) => void
  /** A tap name of this test file (taps are created by QEMU's fds and go away with QEMU). */
  readonly tap: string
}

/**
 * Boot the guest in `beforeAll`, close it in `afterAll` (and delete the tap if anything left it).
 * The boot under TCG takes 3–30 s; the hooks allow minutes.
 */
export const guestSession = (binary: string, o: GuestOptions & { readonly tapSuffix: string }): Session => {
  let g: Guest | undefined
  let plan: Plan | undefined
  const tap = `qpg${process.pid % 100000}${o.tapSuffix}`
  beforeAll(async () => {
    g = await bootGuest(binary, o)
    plan = g.plan
  }, 180_000)
  afterAll(async () => {
    await g?.close()
    // QEMU's fds were the tap's only holders, so it normally went with QEMU
    try {
      if (existsSync(`/sys/class/net/${tap}`)) execFileSync('ip', ['link', 'del', tap], { stdio: 'ignore' })
    } catch {
      if (existsSync(`/sys/class/net/${tap}`)) throw new Error(`cannot delete the tap ${tap}`)
    }
  }, 30_000)
  return {
    guest: () => {
      if (g === undefined) throw new Error('the guest did not boot')
      return g
    },
    plan: () => {
      if (plan === undefined) throw new Error('the guest did not boot')
      return plan
    },
    setPlan: (p) => {
      plan = p
    },
    tap,
  }
}

export const right = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

/** Run `h` (it must succeed), adopt its `after`, and return the guest's first line after it matching `expectLine`. */
export const plugAndWatch = async (s: Session, h: HotplugPlan, expectLine: RegExp): Promise<Line> => {
  const g = s.guest()
  const from = g.console.mark()
  s.setPlan(right(await execute(g.vm.qmp, h)()))
  return g.console.waitFor(expectLine, seenWithinMs, from)
}

/** The guest lines after `from`, once `quietMs` have passed. */
export const linesAfterQuiet = async (s: Session, from: number): Promise<ReadonlyArray<string>> => {
  await new Promise((r) => setTimeout(r, quietMs))
  return s
    .guest()
    .console.lines()
    .slice(from)
    .map((l) => l.text)
}

const deviceAddOf = (h: HotplugPlan): Readonly<Record<string, unknown>> => {
  const a = h.actions.find((x): x is Extract<Action, { _tag: 'Execute' }> => x._tag === 'Execute' && x.command.execute === 'device_add')
  if (a === undefined) throw new Error('the plan has no device_add')
  return a.command.arguments ?? {}
}

/**
 * `h` with its `device_add` pointed at the bus address `taken`'s device_add used (`bus`+`addr`
 * on PCI, `devno` on CCW): a real hot-plug plan that QEMU refuses at its last step, because
 * the place is in use — as when the plan and the VM disagree about a slot.
 */
export const refusedAt = (h: HotplugPlan, taken: HotplugPlan): HotplugPlan => {
  const at = Object.fromEntries(Object.entries(deviceAddOf(taken)).filter(([k]) => k === 'bus' || k === 'addr' || k === 'devno'))
  return {
    ...h,
    actions: h.actions.map((a) =>
      a._tag === 'Execute' && a.command.execute === 'device_add'
        ? { ...a, command: { ...a.command, arguments: { ...a.command.arguments, ...at } } }
        : a,
    ),
  }
}

/** Block node names QEMU has (`query-named-block-nodes`) and drives it lists (`query-block`). */
export const blockBackends = async (s: Session): Promise<ReadonlyArray<string>> => {
  const qmp = s.guest().vm.qmp
  const nodes = await unwrap(qmp.execute<ReadonlyArray<{ 'node-name': string }>>('query-named-block-nodes'))
  const block = await unwrap(qmp.execute<ReadonlyArray<{ device: string; qdev?: string }>>('query-block'))
  return [...nodes.map((n) => n['node-name']), ...block.flatMap((b) => [b.device, b.qdev ?? ''].filter(Boolean))]
}

/**
 * The tests every arch shares: a virtio-blk disk and a virtio-net NIC land in the guest exactly
 * where the plan said (`transport` is how the guest names the place: `pci` slot path or `ccw` bus
 * id), and a hot-plug QEMU refuses at `device_add` is undone — no backend in QEMU, nothing new in
 * the guest, and the same request planned again lands on the very slot the refused one had.
 */
export const placementTests = (s: Session, transport: 'pci' | 'ccw'): { readonly disk: () => HotplugPlan } => {
  let disk: HotplugPlan | undefined
  let nic: HotplugPlan | undefined
  const where = (h: HotplugPlan): string | undefined => (transport === 'pci' ? h.location?.pciPath : h.location?.ccwBusId)

  it(`a hot-plugged virtio-blk disk appears in the guest at the predicted ${transport === 'pci' ? 'PCI path' : 'CCW bus id'}`, async () => {
    disk = right(hotplugBlock(s.plan(), { id: 'hotdisk0', file: s.guest().disk('hotdisk0.img') }))
    expect(where(disk)).toMatch(transport === 'pci' ? /^[0-9a-f]{2}\/[0-9a-f]{2}$/ : /^0\.0\.[0-9a-f]{4}$/)
    const seen = await plugAndWatch(s, disk, /^add blk /)
    expect(seen.words).toEqual(['add', 'blk', 'vda', transport, where(disk)])
  })

  it(`a hot-plugged virtio-net NIC on a real tap appears in the guest at the predicted ${transport === 'pci' ? 'PCI path' : 'CCW bus id'}, with its MAC`, async () => {
    nic = right(hotplugNetwork(s.plan(), { id: 'hotnet0', mac: '02:00:00:00:00:42', tap: { name: s.tap, queues: 1 } }))
    expect(where(nic)).not.toBe(where(disk as HotplugPlan))
    const seen = await plugAndWatch(s, nic, /^add net /)
    expect(seen.words).toEqual(['add', 'net', 'eth0', transport, where(nic), '02:00:00:00:00:42'])
  })

  it('a hot-plug QEMU refuses at device_add rolls back: no backend left, the guest sees nothing, the slot is still free', async () => {
    const taken = nic ?? disk
    expect(taken).toBeDefined()
    const g = s.guest()
    const before = s.plan()
    const h = right(hotplugBlock(before, { id: 'hotdisk1', file: g.disk('hotdisk1.img') }))
    const from = g.console.mark()
    const r = await execute(g.vm.qmp, refusedAt(h, taken as HotplugPlan))()
    expect(E.isLeft(r) && r.left.error).toMatchObject({ _tag: 'QmpError', command: 'device_add' })
    expect(E.isLeft(r) && r.left.undoErrors).toEqual([])
    expect(await blockBackends(s)).not.toContain('hotdisk1')
    expect(await linesAfterQuiet(s, from)).toEqual([])
    // the caller keeps `before`; planned again, the disk goes where the refused plan wanted it
    const again = right(hotplugBlock(before, { id: 'hotdisk1', file: g.disk('hotdisk1.img') }))
    expect(again.location).toEqual(h.location)
    const seen = await plugAndWatch(s, again, /^add blk /)
    expect(seen.words).toEqual(['add', 'blk', 'vdb', transport, where(h)])
  })

  return {
    disk: () => {
      if (disk === undefined) throw new Error('the disk was not hot-plugged')
      return disk
    },
  }
}

/** The number in the guest's latest `cpu online N` / `mem online N` line. */
export const latest = (s: Session, what: 'cpu' | 'mem'): number => {
  const l = [...s.guest().console.lines()].reverse().find((x) => x.words[0] === what && x.words[1] === 'online')
  if (l === undefined) throw new Error(`the guest has not reported ${what} yet`)
  return Number(l.words[2])
}

/** Whether QEMU emitted DEVICE_DELETED for `id` since the QMP event mark `from`. */
export const deviceDeleted = (s: Session, id: string, from: number): boolean =>
  s
    .guest()
    .vm.qmp.events()
    .slice(from)
    .some((e) => e.event === 'DEVICE_DELETED' && e.data.device === id)

/**
 * After `unplugged` left the guest: a new disk planned on the current plan takes the freed place,
 * and the guest finds it there.
 */
/** One vCPU hot-added over QMP (`addCpus`), which the guest must online: the machine starts with one. */
export const vcpuTest = (s: Session): void => {
  it('a hot-added vCPU is onlined by the guest', async () => {
    const g = s.guest()
    expect(latest(s, 'cpu')).toBe(1)
    const from = g.console.mark()
    s.setPlan(right(await addCpus(g.vm.qmp, s.plan(), 1)()).after)
    expect((await g.console.waitFor(/^cpu online /, seenWithinMs, from)).words).toEqual(['cpu', 'online', '2'])
    expect(await unwrap(g.vm.qmp.execute<ReadonlyArray<unknown>>('query-cpus-fast'))).toHaveLength(2)
  })
}

export const replugTest = (s: Session, transport: 'pci' | 'ccw', unplugged: () => HotplugPlan): void => {
  it('a disk hot-plugged after the unplug takes the freed place, and the guest finds it there', async () => {
    const freed = transport === 'pci' ? unplugged().location?.pciPath : unplugged().location?.ccwBusId
    const h = right(hotplugBlock(s.plan(), { id: 'hotdisk2', file: s.guest().disk('hotdisk2.img') }))
    expect(transport === 'pci' ? h.location?.pciPath : h.location?.ccwBusId).toBe(freed)
    const seen = await plugAndWatch(s, h, /^add blk /)
    expect(seen.words).toEqual(['add', 'blk', expect.stringMatching(/^vd[a-z]$/), transport, freed])
  })
}
