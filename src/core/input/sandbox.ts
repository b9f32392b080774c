/**
 * The sandbox: which arch, its identity and run directory, host facts, VM templating, and the
 * devices to add in order. Decoded strictly: every problem names its field path; unknown keys are
 * warnings. Devices are dispatched on `kind` so an error names the device's own fields.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { invalidInput, type FieldProblem, type InvalidInput } from '../errors.ts'
import type { Decoded } from './config.ts'
import {
  refineInt,
  AbsPath,
  Bdf,
  Fd,
  IdPart,
  IfName,
  Mac,
  NonEmptyString,
  PathSegment,
  PciId,
  QemuId,
  SocketDir,
  UInt,
  UInt32,
  Uuid,
  oneOf,
  oneOfInts,
  problems,
  show,
  unknownKeys,
  isRecord,
} from './decode.ts'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category codecs */
export const Arch = oneOf(['amd64', 'arm64', 'ppc64le', 's390x'] as const)
/** @since 0.1.0 @category model */
export type Arch = t.TypeOf<typeof Arch>

const withOptional = <P extends t.Props, O extends t.Props>(required: P, optional: O) => ({
  codec: t.intersection([t.type(required), t.partial(optional)]),
  keys: [...Object.keys(required), ...Object.keys(optional)],
})

const device = {
  // govmm's MaxGuestCID is 2^32 - 1 (a larger CID would be dropped by VSOCKDevice.Valid)
  vsock: withOptional({ kind: t.literal('vsock'), contextId: UInt32 }, { vhostFd: Fd }),
  volume: withOptional({ kind: t.literal('volume'), mountTag: IdPart, hostPath: AbsPath }, {}),
  socket: withOptional({ kind: t.literal('socket'), id: QemuId, deviceId: QemuId, hostPath: AbsPath, name: NonEmptyString }, {}),
  network: withOptional(
    {
      kind: t.literal('network'),
      endpoint: oneOf(['veth', 'bridgedmacvlan', 'ipvlan', 'tuntap', 'macvtap'] as const),
      tapName: IfName,
      mac: Mac,
    },
    {
      model: oneOf(['default', 'bridged', 'macvtap', 'enlightened', 'tcfilter', 'none'] as const),
      fds: t.array(Fd),
      vhostFds: t.array(Fd),
    },
  ),
  block: withOptional({ kind: t.literal('block'), id: QemuId, file: AbsPath, format: NonEmptyString }, { shareRW: t.boolean }),
  vhostUser: withOptional(
    { kind: t.literal('vhostUser'), type: oneOf(['net', 'scsi', 'blk', 'fs'] as const), devId: IdPart, socketPath: AbsPath },
    { mac: Mac, tag: NonEmptyString, cacheSize: UInt32 },
  ),
  vfio: withOptional({ kind: t.literal('vfio'), bdf: Bdf }, { vendorId: PciId, deviceId: PciId }),
}

/** @since 0.1.0 @category model */
export type DeviceKind = keyof typeof device
/** One sandbox device, by kind. @since 0.1.0 @category model */
export type SandboxDevice = { [K in DeviceKind]: t.TypeOf<(typeof device)[K]['codec']> }[DeviceKind]
/** @since 0.1.0 @category model */
export type SandboxDeviceOf<K extends DeviceKind> = Extract<SandboxDevice, { kind: K }>

/** `runtime.NumCPU()`: katautils compares it with `int32` and `uint32` fields. */
const HostCpus = refineInt('host CPU count (1..2147483647)', 1, 2147483647)

/** MiB; QEMU holds maxmem (host memory plus headroom) in bytes as a uint64: at most 2^44 - 1 MiB. */
const HostMemory = refineInt('host memory in MiB (1..17592186044415)', 1, 2 ** 44 - 1)

const Host = withOptional(
  { memoryMiB: HostMemory },
  {
    // Kata reads nesting (RunningOnVMM) only on amd64: required there, false elsewhere
    nested: t.boolean,
    cpus: HostCpus,
    qemuVersion: t.type({ major: UInt32, minor: UInt32 }),
    // Kata's getHostGICVersion: 0 when /proc/interrupts names no GIC version it knows
    gicVersion: oneOfInts([0, 2, 3, 4] as const),
    accelerator: oneOf(['kvm', 'tcg'] as const),
  },
)

const Template = withOptional(
  { bootToBeTemplate: t.boolean, bootFromTemplate: t.boolean, memoryPath: AbsPath, devicesStatePath: AbsPath },
  {},
)

/** Declared hot-plug needs, checked against the topology at plan time. */
const Hotplug = withOptional({}, { blockDevices: UInt, networkDevices: UInt, vfioDevices: UInt, vcpus: UInt, memoryMiB: UInt })

const Top = withOptional(
  { arch: Arch, id: PathSegment, uuid: Uuid, host: t.unknown },
  { runDir: SocketDir, consolePath: AbsPath, daemonize: t.boolean, template: t.unknown, devices: t.array(t.unknown), hotplug: t.unknown },
)

/**
 * The parts of a sandbox document, as the decoder reads them: the top level (whose `host`,
 * `template`, `hotplug` and `devices` are decoded by the parts below), and one codec per device
 * kind. `schema.ts` builds the JSON Schema from these.
 *
 * @since 0.2.0
 * @category codecs
 */
export const sandboxCodecs = {
  top: Top.codec,
  host: Host.codec,
  template: Template.codec,
  hotplug: Hotplug.codec,
  devices: Object.fromEntries(Object.entries(device).map(([k, v]) => [k, v.codec])) as {
    readonly [K in DeviceKind]: (typeof device)[K]['codec']
  },
} as const

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export interface Sandbox {
  readonly arch: Arch
  readonly id: string
  readonly uuid: string
  readonly runDir: string
  readonly consolePath: string | undefined
  readonly daemonize: boolean
  readonly host: Omit<t.TypeOf<typeof Host.codec>, 'nested' | 'gicVersion'> & {
    readonly nested: boolean
    readonly gicVersion?: 2 | 3 | 4 | undefined
    readonly accelerator: 'kvm' | 'tcg'
  }
  readonly template: t.TypeOf<typeof Template.codec> | undefined
  readonly devices: ReadonlyArray<SandboxDevice>
  /** What will be hot-plugged later; the planner refuses a topology that cannot hold it. */
  readonly hotplug: t.TypeOf<typeof Hotplug.codec> | undefined
}

/** Kata's `RunVMStoragePath()`. @since 0.1.0 @category model */
export const defaultRunDir = '/run/vc/vm'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

type Part<A> = { ok: A; warnings: ReadonlyArray<string> } | { problems: ReadonlyArray<FieldProblem> }

const part = <A>(c: { codec: t.Decoder<unknown, A>; keys: ReadonlyArray<string> }, u: unknown, at: string): Part<A> => {
  const r = c.codec.decode(u)
  return E.isRight(r) ? { ok: r.right, warnings: unknownKeys(u, c.keys, at) } : { problems: problems(r.left, at) }
}

const decodeDevice = (u: unknown, at: string): Part<SandboxDevice> => {
  const kinds = Object.keys(device) as ReadonlyArray<DeviceKind>
  const kind = isRecord(u) ? u.kind : undefined
  if (typeof kind !== 'string' || !(kinds as ReadonlyArray<string>).includes(kind))
    return { problems: [{ path: `${at}.kind`, expected: kinds.map((k) => JSON.stringify(k)).join(' | '), actual: show(kind) }] }
  return part<SandboxDevice>(device[kind as DeviceKind] as { codec: t.Decoder<unknown, SandboxDevice>; keys: ReadonlyArray<string> }, u, at)
}

/** amd64 plans with the host's nesting (Kata's RunningOnVMM); other arches never read it. */
const needsNesting = (arch: Arch, host: Part<t.TypeOf<typeof Host.codec>>): Part<undefined> | undefined =>
  arch === 'amd64' && 'ok' in host && host.ok.nested === undefined
    ? {
        problems: [
          {
            path: 'host.nested',
            expected: "a boolean (amd64 plans with the host's nesting: the hypervisor flag of /proc/cpuinfo)",
            actual: show(undefined),
          },
        ],
      }
    : undefined

/** MACs as Go's net.HardwareAddr prints them (lower case), the form a real endpoint has. */
const lowerMac = (d: SandboxDevice): SandboxDevice =>
  (d.kind === 'network' || d.kind === 'vhostUser') && d.mac !== undefined ? { ...d, mac: d.mac.toLowerCase() } : d

// Kata's checkTemplateConfig: a VM cannot both become a template and boot from one
const bothTemplates = (p: Part<t.TypeOf<typeof Template.codec>>): Part<t.TypeOf<typeof Template.codec>> =>
  'ok' in p && p.ok.bootToBeTemplate && p.ok.bootFromTemplate
    ? { problems: [{ path: 'template', expected: 'at most one of bootToBeTemplate and bootFromTemplate', actual: 'both true' }] }
    : p

/**
 * Decode a sandbox document.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeSandbox } from 'qemu-plan'
 * const r = decodeSandbox({ arch: 'amd64', id: 'x', uuid: 'bad', host: { memoryMiB: 1024, nested: false } })
 * assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput' && r.left.problems[0]?.path === 'uuid')
 * @since 0.1.0
 * @category codecs
 */
export const decodeSandbox = (u: unknown): E.Either<InvalidInput, Decoded<Sandbox>> => {
  const top = part(Top, u, '')
  if ('problems' in top) return E.left(invalidInput({ problems: top.problems }))
  const s = top.ok
  const host = part(Host, s.host, 'host')
  const template = s.template === undefined ? undefined : bothTemplates(part(Template, s.template, 'template'))
  const hotplug = s.hotplug === undefined ? undefined : part(Hotplug, s.hotplug, 'hotplug')
  const nesting = needsNesting(s.arch, host)
  // every part in document order, gathered by loops: the spreads and flatMaps they replace were
  // 15 % of decoding the typical sandbox in a CPU profile (bench/notes.md, embedded service)
  const all: Array<Part<unknown>> = [host]
  if (nesting) all.push(nesting)
  if (template) all.push(template)
  if (hotplug) all.push(hotplug)
  const okDevices: Array<SandboxDevice> = []
  // by index: a sparse array's holes are `undefined` (and so a typed problem), never skipped
  const list = s.devices ?? []
  for (let i = 0; i < list.length; i++) {
    const d = decodeDevice(list[i], `devices.${i}`)
    all.push(d)
    if ('ok' in d) okDevices.push(lowerMac(d.ok))
  }
  const bad: Array<FieldProblem> = []
  const warnings: Array<string> = []
  // pushed one by one, as a part may warn of more unknown keys than an argument spread can take;
  // by index, as for-of loops here made decoding slower than the flatMaps (bench/notes.md)
  for (let i = 0; i < all.length; i++) {
    const p = all[i] as Part<unknown>
    if ('problems' in p) for (let j = 0; j < p.problems.length; j++) bad.push(p.problems[j] as FieldProblem)
    else for (let j = 0; j < p.warnings.length; j++) warnings.push(p.warnings[j] as string)
  }
  if (bad.length > 0 || 'problems' in host || (template && 'problems' in template)) return E.left(invalidInput({ problems: bad }))
  for (let j = 0; j < top.warnings.length; j++) warnings.push(top.warnings[j] as string)
  const { gicVersion, ...facts } = host.ok
  return E.right({
    value: {
      arch: s.arch,
      id: s.id,
      uuid: s.uuid,
      runDir: s.runDir ?? defaultRunDir,
      consolePath: s.consolePath,
      daemonize: s.daemonize ?? false,
      host: { ...facts, nested: facts.nested ?? false, ...(gicVersion ? { gicVersion } : {}), accelerator: facts.accelerator ?? 'kvm' },
      template: template && 'ok' in template ? template.ok : undefined,
      devices: okDevices,
      hotplug: hotplug && 'ok' in hotplug ? hotplug.ok : undefined,
    },
    warnings,
  })
}
