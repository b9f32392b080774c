/**
 * The hot-plug state file as data: a versioned document holding the plan of a running VM, with
 * bridge and root-bus slot maps stored as plain `slot → id` records. Reading it decodes every
 * field (a damaged or hand-edited file is an `InvalidInput` naming the field) and then checks that
 * the plan agrees with itself — every placed device in its slot map, every slot-map entry a device,
 * bridges where their devices say — so a file that lies is a `StateMismatch`, never a plan that
 * hot-plugs into a taken slot or predicts a wrong guest path. Pure: the effects layer reads and
 * writes the text.
 *
 * @since 0.3.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { devicesOf, isRetired, maxCapacity, newBridge, type Bridge } from './bridges.ts'
import { CacheCodec, optional } from './devices/codecs.ts'
import type { Device } from './devices/model.ts'
import { ccwNumber, ccwSet } from './devices/placement.ts'
import { deviceCodec, onBus, placementOf } from './devices/registry.ts'
import { invalidInput, stateMismatch, type InvalidInput, type StateMismatch } from './errors.ts'
import { decodeWith, Text, UInt } from './input/decode.ts'
import * as S from './slots.ts'
import type { MachineOpt, Plan } from './vm.ts'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/** The format tag of the document this version writes. @since 0.3.0 @category model */
export const stateFormat = 'qemu-plan-state/1'

const str = Text
const bool = t.boolean
const oneOf = <A extends string>(xs: ReadonlyArray<A>): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    xs.map((x) => JSON.stringify(x)).join(' | '),
    (u): u is A => typeof u === 'string' && (xs as ReadonlyArray<string>).includes(u),
    (u, c) => (typeof u === 'string' && (xs as ReadonlyArray<string>).includes(u) ? t.success(u as A) : t.failure(u, c)),
    t.identity,
  )

const SlotRecord = t.record(t.string, str)
const BridgeCodec = t.type({ type: oneOf(['pci', 'pcie', 'ccw'] as const), id: str, addr: UInt, maxCapacity: UInt, slots: SlotRecord })
const ParamCodec = t.type({ key: t.string, value: t.string })
const RootBusCodec = t.type({
  bus: str,
  reserved: t.array(UInt),
  bridgeType: optional(oneOf(['pci', 'pcie', 'ccw'] as const)),
  hotplug: bool,
})
const HostCodec = t.type({
  memoryMiB: UInt,
  nested: bool,
  qemuVersion: optional(t.type({ major: UInt, minor: UInt })),
  gicVersion: optional(t.union([t.literal(2), t.literal(3), t.literal(4)])),
  accelerator: oneOf(['kvm', 'tcg'] as const),
})

const PlanCodec = t.type({
  arch: oneOf(['amd64', 'arm64', 'ppc64le', 's390x'] as const),
  transport: oneOf(['pci', 'ccw'] as const),
  binary: t.type({ govmm: str, qemu: str }),
  qemuRefusal: optional(str),
  facts: t.type({
    rootBus: optional(RootBusCodec),
    kvmPit: bool,
    maxMemAlignMiB: UInt,
    memoryNeedsFirmware: bool,
    memoryHotplug: bool,
    cpuHotplug: bool,
    unplugIsSurprise: bool,
    ignoreSharedMemory: bool,
    migrationTimeoutMs: UInt,
  }),
  name: str,
  uuid: str,
  machine: t.type({ type: str, options: t.array(t.tuple([str, t.union([str, t.null, t.undefined])])) }),
  cpuModel: str,
  qmpPath: str,
  memory: t.type({ sizeMiB: UInt, slots: UInt, maxMemMiB: UInt }),
  dimmSupported: bool,
  devices: t.array(deviceCodec),
  knobs: t.type({
    noUserConfig: bool,
    noDefaults: bool,
    noGraphic: bool,
    daemonize: bool,
    hugePages: bool,
    memPrealloc: bool,
    fileBackedMem: bool,
    memShared: bool,
    memPath: optional(str),
    realtime: bool,
    mlock: bool,
    stopped: bool,
  }),
  kernel: t.type({ path: str, initrd: optional(str), params: t.array(ParamCodec) }),
  bios: optional(str),
  incoming: optional(t.literal('defer')),
  pidFile: str,
  logFile: optional(str),
  smp: t.type({ cpus: UInt, cores: UInt, threads: UInt, sockets: UInt, maxCpus: UInt }),
  state: t.type({
    machineType: str,
    memoryOffsetMiB: UInt,
    nested: bool,
    vhost: bool,
    image: bool,
    vmFactory: bool,
    host: HostCodec,
    bridges: t.array(BridgeCodec),
    rootSlots: SlotRecord,
    kernelParams: t.array(ParamCodec),
    kernelParamsDebug: t.array(ParamCodec),
    kernelParamsNonDebug: t.array(ParamCodec),
  }),
  capabilities: t.type({ blockDeviceHotplug: bool, multiQueue: bool, fsSharing: bool }),
  hotplugConfig: t.type({
    blockDeviceDriver: oneOf(['virtio-scsi', 'virtio-blk', 'virtio-blk-ccw', 'virtio-mmio', 'nvdimm'] as const),
    blockDeviceCache: optional(CacheCodec),
    hotplugVfioOnRootBus: bool,
  }),
  hotplugged: t.type({
    cpus: t.array(t.type({ id: str, driver: str, props: t.record(t.string, t.number) })),
    dimms: t.array(t.type({ slot: UInt, backendId: str, deviceId: str, sizeMiB: UInt })),
    scsiIndex: UInt,
  }),
  warnings: t.array(t.string),
})

/** The document on disk. @since 0.3.0 @category codecs */
export const StateDocument = t.type({ format: t.literal(stateFormat), plan: PlanCodec })

// -------------------------------------------------------------------------------------
// encode
// -------------------------------------------------------------------------------------

const record = (entries: ReadonlyArray<readonly [number, string]>): Readonly<Record<string, string>> =>
  Object.fromEntries(entries.map(([k, v]) => [String(k), v]))

/**
 * The state document of a plan, ready for `JSON.stringify`.
 *
 * @since 0.3.0
 * @category codecs
 */
export const encodeState = (plan: Plan): t.OutputOf<typeof StateDocument> => ({
  format: stateFormat,
  plan: {
    ...plan,
    machine: { type: plan.machine.type, options: plan.machine.options.map(([k, v]) => [k, v ?? null] as [string, string | null]) },
    state: {
      ...plan.state,
      bridges: plan.state.bridges.map((b) => ({
        type: b.type,
        id: b.id,
        addr: b.addr,
        maxCapacity: b.maxCapacity,
        slots: record(Object.entries(devicesOf(b)).map(([k, v]) => [Number(k), v])),
      })),
      rootSlots: record(S.entries(plan.state.rootSlots, 0)),
    },
  } as unknown as t.OutputOf<typeof PlanCodec>,
})

// -------------------------------------------------------------------------------------
// decode
// -------------------------------------------------------------------------------------

const slotEntries = (
  r: Readonly<Record<string, string>>,
  field: string,
): E.Either<StateMismatch, ReadonlyArray<readonly [number, string]>> => {
  const out: Array<readonly [number, string]> = []
  for (const [k, v] of Object.entries(r)) {
    if (!/^\d{1,5}$/.test(k)) return E.left(stateMismatch({ field: `${field}.${k}`, reason: 'a slot is a number' }))
    out.push([Number(k), v])
  }
  return E.right(out)
}

const bridgeOf = (b: t.TypeOf<typeof BridgeCodec>, i: number): E.Either<StateMismatch, Bridge> => {
  const field = `plan.state.bridges.${i}`
  if (b.maxCapacity !== maxCapacity[b.type])
    return E.left(
      stateMismatch({ field: `${field}.maxCapacity`, reason: `a ${b.type} bridge has ${maxCapacity[b.type]} slots, not ${b.maxCapacity}` }),
    )
  const slots = slotEntries(b.slots, `${field}.slots`)
  if (slots._tag === 'Left') return slots
  const bad = slots.right.find(([n]) => n < 1 || n > b.maxCapacity)
  if (bad !== undefined)
    return E.left(stateMismatch({ field: `${field}.slots.${bad[0]}`, reason: `slot ${bad[0]} is outside 1..${b.maxCapacity}` }))
  return E.right(newBridge(b.type, b.id, b.addr, Object.fromEntries(slots.right)))
}

/** Where each placed device says it is must be where the slot maps say, and the other way round. */
const consistent = (plan: Plan): E.Either<StateMismatch, Plan> => {
  const byId = new Map<string, Device>()
  for (const d of plan.devices) byId.set(d.id, d)
  // each slot map built once: a CCW bridge's has up to 65535 entries
  const bridges = new Map(plan.state.bridges.map((b, i) => [b.id, { b, i, slots: devicesOf(b) }] as const))
  const ccwSets = new Map(plan.state.bridges.flatMap((b) => (b.type === 'ccw' ? [[b.addr, bridges.get(b.id)?.slots ?? {}] as const] : [])))
  const root = plan.facts.rootBus?.bus
  const rootSlots = new Map(S.entries(plan.state.rootSlots, 0))
  for (const [i, d] of plan.devices.entries()) {
    const field = `plan.devices.${i}`
    if (d._tag === 'Bridge') {
      const b = bridges.get(d.id)
      if (b === undefined || b.b.addr !== d.addr)
        return E.left(
          stateMismatch({
            field: `${field}.addr`,
            reason: `bridge ${d.id} is at slot ${d.addr}, the bridges say ${b === undefined ? 'nothing of it' : `slot ${b.b.addr}`}`,
          }),
        )
      if (rootSlots.get(d.addr) !== d.id)
        return E.left(stateMismatch({ field: `${field}.addr`, reason: `root-bus slot ${d.addr} is not ${d.id}'s` }))
      continue
    }
    if (!onBus(d)) continue
    const p = placementOf(d)
    if (p._tag === 'Pci') {
      const b = bridges.get(p.bus)
      const holder = b !== undefined ? b.slots[p.slot] : p.bus === root ? rootSlots.get(p.slot) : undefined
      if (holder !== d.id)
        return E.left(
          stateMismatch({
            field: `${field}.placement`,
            reason: `${d.id} is on ${p.bus} slot ${p.slot}, whose slot map says ${holder ?? 'nothing'}`,
          }),
        )
    }
    if (p._tag === 'Ccw') {
      if (ccwSets.get(ccwSet(p.devno))?.[ccwNumber(p.devno)] !== d.id)
        return E.left(stateMismatch({ field: `${field}.placement`, reason: `${d.id} is at ${p.devno}, which no CCW slot map gives it` }))
    }
  }
  for (const { i, slots } of bridges.values())
    for (const [slot, id] of Object.entries(slots))
      if (!byId.has(id) && !isRetired(id))
        return E.left(stateMismatch({ field: `plan.state.bridges.${i}.slots.${slot}`, reason: `${id} is no device of the plan` }))
  for (const [slot, id] of rootSlots)
    if (!byId.has(id)) return E.left(stateMismatch({ field: `plan.state.rootSlots.${slot}`, reason: `${id} is no device of the plan` }))
  return E.right(plan)
}

/**
 * Decode a state document: every field, then the plan's agreement with itself.
 *
 * @since 0.3.0
 * @category codecs
 */
export const decodeState = (u: unknown): E.Either<InvalidInput | StateMismatch, Plan> => {
  // another version's file is one problem (which format), not a list of every field that moved
  const format = typeof u === 'object' && u !== null ? (u as { format?: unknown }).format : undefined
  if (format !== stateFormat)
    return E.left(
      invalidInput({
        problems: [
          {
            path: 'format',
            expected: JSON.stringify(stateFormat),
            actual: format === undefined ? 'no format (not a qemu-plan state file)' : JSON.stringify(format),
          },
        ],
      }),
    )
  const doc = decodeWith(StateDocument)(u)
  if (doc._tag === 'Left') return doc
  const p = doc.right.plan
  const bridges: Array<Bridge> = []
  for (const [i, b] of p.state.bridges.entries()) {
    const r = bridgeOf(b, i)
    if (r._tag === 'Left') return r
    bridges.push(r.right)
  }
  const roots = slotEntries(p.state.rootSlots, 'plan.state.rootSlots')
  if (roots._tag === 'Left') return roots
  const plan: Plan = {
    ...p,
    machine: { type: p.machine.type, options: p.machine.options.map(([k, v]): MachineOpt => [k, v ?? undefined]) },
    state: { ...p.state, bridges, rootSlots: S.fromEntries(0, roots.right) },
  }
  return consistent(plan)
}
