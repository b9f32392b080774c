/**
 * A QEMU command line back into a `Plan`: machine, CPU, memory, knobs, kernel and the device
 * model, from argv in either dialect (govmm's Kata 1.9 lines and QEMU 7.2's), or from one line as a
 * shell or `ps` shows it. What the renderer would not print back is a `ParseError` naming the argv
 * token and its index, never a silent drop; arbitrary input never throws.
 *
 * Fields the command line does not carry get neutral values: `host.memoryMiB` 0, no kernel
 * parameter lists in `state`, all capabilities on. The bridge slot maps and root-bus slots in
 * `state` are rebuilt from explicit placements (`bus=`/`addr=`, `devno=`).
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { newBridge, type Bridge } from '../bridges.ts'
import * as S from '../slots.ts'
import type { Device } from '../devices/model.ts'
import { ccwNumber, ccwSet, type Transport } from '../devices/placement.ts'
import type { Dialect } from '../devices/profile.ts'
import { onBus, placementOf } from '../devices/registry.ts'
import { parseError, type ParseError } from '../errors.ts'
import type { Arch } from '../input/sandbox.ts'
import { parseParams } from '../kernel.ts'
import { parseOpts } from '../opts.ts'
import type { ArchState, Knobs, MachineFacts, MachineOpt, Plan } from '../vm.ts'
import {
  parseBackends,
  parseDevices,
  firstUnused,
  unusedBackend,
  UsedBackends,
  type Backends,
  type Located,
  type Placed,
} from './devices.ts'
import { parseProps, toOptions, type Option } from './options.ts'
import { parseSize, parseUInt, reader, readerOfProps } from './reader.ts'
import { lineToArgv } from './shell.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A parsed command line. @since 0.1.0 @category model */
export interface Parsed {
  readonly plan: Plan
  /** `govmm` when the `-qmp` socket uses the bare `server` flag, `qemu` otherwise. */
  readonly dialect: Dialect
  /** Whether `-rtc base=utc,driftfix=slew` is present (the `qemu` dialect adds it; govmm dropped it). */
  readonly rtc: boolean
  /** Whether argv[0] was the binary. */
  readonly hasBinary: boolean
  /** Ids of devices the command line left without one (made up the way Kata makes them). */
  readonly derivedIds: ReadonlyArray<string>
}

const once = [
  '-name',
  '-uuid',
  '-machine',
  '-cpu',
  '-qmp',
  '-m',
  '-rtc',
  '-global',
  '-vga',
  '-numa',
  '-realtime',
  '-overcommit',
  '-kernel',
  '-initrd',
  '-append',
  '-bios',
  '-incoming',
  '-pidfile',
  '-D',
  '-smp',
  '-no-user-config',
  '-nodefaults',
  '-nographic',
  '-daemonize',
]
const required = ['-name', '-uuid', '-machine', '-cpu', '-qmp', '-m', '-vga', '-kernel', '-pidfile']

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const err = (o: Option, reason: string): ParseError =>
  parseError({ position: o.position + 1, token: o.value, reason: `${o.flag}: ${reason}` })

const archOf = (binary: string, machine: string): Arch => {
  const m = /qemu(?:-lite)?-system-([a-z0-9_]+)$/.exec(binary)
  const b = m?.[1]
  if (b === 'aarch64') return 'arm64'
  if (b === 'ppc64' || b === 'ppc64le') return 'ppc64le'
  if (b === 's390x') return 's390x'
  if (b === 'x86_64') return 'amd64'
  return machine === 'virt' ? 'arm64' : machine === 'pseries' ? 'ppc64le' : machine.startsWith('s390-ccw-virtio') ? 's390x' : 'amd64'
}

const machineOf = (o: Option): E.Either<ParseError, { type: string; options: ReadonlyArray<MachineOpt> }> => {
  let type: string | undefined
  const options: Array<MachineOpt> = []
  parseOpts(o.value).forEach(([k, v], i) => {
    if (i === 0 && v === undefined) type = k
    else if (k === 'type' && v !== undefined && type === undefined) type = v
    else options.push([k, v])
  })
  if (type === undefined || type === '') return E.left(err(o, 'no machine type'))
  const seen = new Set<string>()
  for (const [k] of options) {
    if (seen.has(k)) return E.left(err(o, `machine option ${k} is given twice`))
    seen.add(k)
  }
  return E.right({ type, options })
}

const mib = (v: string | undefined): number | undefined => {
  const b = v === undefined ? undefined : parseSize(v, 2 ** 20)
  return b !== undefined && b % 2 ** 20 === 0 ? b / 2 ** 20 : undefined
}

const memoryOf = (o: Option): E.Either<ParseError, Plan['memory']> => {
  const r = reader(o, 'size')
  const sizeMiB = mib(r.head)
  const slots = r.int('slots') ?? 0
  const max = r.str('maxmem')
  const maxMemMiB = max === undefined ? sizeMiB : mib(max)
  if (sizeMiB === undefined || maxMemMiB === undefined) r.fail('sizes must be whole MiB (2048M, 2G)')
  return r.done({ sizeMiB: sizeMiB ?? 0, slots, maxMemMiB: maxMemMiB ?? 0 })
}

const smpOf = (o: Option | undefined): E.Either<ParseError, Plan['smp']> => {
  if (o === undefined) return E.right({ cpus: 0, cores: 0, threads: 0, sockets: 0, maxCpus: 0 })
  const r = reader(o, 'cpus')
  const cpus = r.head === undefined ? undefined : parseUInt(r.head)
  if (cpus === undefined || cpus === 0) r.fail('the CPU count is not a positive number')
  const smp = {
    cpus: cpus ?? 0,
    cores: r.int('cores') ?? 0,
    threads: r.int('threads') ?? 0,
    sockets: r.int('sockets') ?? 0,
    maxCpus: r.int('maxcpus') ?? 0,
  }
  if (smp.maxCpus > 0 && smp.maxCpus < smp.cpus) r.fail(`maxcpus=${smp.maxCpus} is below the CPU count ${smp.cpus}`)
  return r.done(smp)
}

const qmpOf = (o: Option): E.Either<ParseError, { path: string; dialect: Dialect }> => {
  // QEMU's compat form: the first element is `unix:<path>` up to the first single comma, `=` and all
  const [first, ...rest] = parseOpts(o.value)
  const head = first === undefined ? undefined : first[1] === undefined ? first[0] : `${first[0]}=${first[1]}`
  const p = parseProps(o.value, 'addr')
  const r = readerOfProps(o, { head, props: p.head === undefined ? p.props.slice(1) : p.props })
  const bare = rest.some(([k, v]) => k === 'server' && v === undefined)
  if (!r.head?.startsWith('unix:')) r.fail('only unix: QMP sockets are in the device model')
  if (r.bool('server') !== true || r.bool('wait') !== false) r.fail('the QMP socket in the device model is a server with wait=off')
  return r.done({ path: (r.head ?? '').slice(5), dialect: bare ? 'govmm' : 'qemu' })
}

const fixedValue = (o: Option | undefined, allowed: ReadonlyArray<string>): ParseError | undefined =>
  o === undefined || allowed.includes(o.value) ? undefined : err(o, `the device model only has ${o.flag} ${allowed.join(' or ')}`)

const mlockOf = (o: Option | undefined): E.Either<ParseError, { realtime: boolean; mlock: boolean }> => {
  if (o === undefined) return E.right({ realtime: false, mlock: true })
  const r = reader(o, undefined)
  const on = r.bool(o.flag === '-realtime' ? 'mlock' : 'mem-lock')
  if (on === undefined) r.fail(`${o.flag === '-realtime' ? 'mlock' : 'mem-lock'}= is missing`)
  return r.done({ realtime: on === true, mlock: on === true })
}

const knobsOf = (
  byFlag: ReadonlyMap<string, ReadonlyArray<Option>>,
  dimm: Located | undefined,
  stopped: boolean,
  m: { realtime: boolean; mlock: boolean },
): Knobs => {
  const b = dimm?.backend._tag === 'MemoryBackend' ? dimm.backend : undefined
  const huge = b?.file === '/dev/hugepages'
  return {
    noUserConfig: byFlag.has('-no-user-config'),
    noDefaults: byFlag.has('-nodefaults'),
    noGraphic: byFlag.has('-nographic'),
    daemonize: byFlag.has('-daemonize'),
    hugePages: huge,
    memPrealloc: b?.prealloc ?? false,
    fileBackedMem: b?.file !== undefined && !huge,
    memShared: b?.share ?? false,
    memPath: b?.file !== undefined && !huge ? b.file : undefined,
    realtime: m.realtime,
    mlock: m.mlock,
    stopped,
  }
}

/** Bridges and root-bus slots rebuilt from explicit placements. Linear in the number of devices. */
const stateOf = (devices: ReadonlyArray<Device>, transport: Transport): Pick<ArchState, 'bridges' | 'rootSlots'> => {
  const bridgeDevs = devices.flatMap((d) => (d._tag === 'Bridge' ? [d] : []))
  // (slot, id) pairs per bus and per subchannel set, in device order (a later device in a slot wins)
  const byBus = new Map<string, Array<readonly [number, string]>>()
  const ccw = new Map<number, Array<readonly [number, string]>>()
  const add = <K>(m: Map<K, Array<readonly [number, string]>>, k: K, slot: number, id: string): void => {
    const xs = m.get(k)
    if (xs === undefined) m.set(k, [[slot, id]])
    else xs.push([slot, id])
  }
  let firstBus: string | undefined
  const ids = new Set(bridgeDevs.map((b) => b.id))
  for (const d of devices) {
    if (d._tag === 'Bridge' || !onBus(d)) continue
    const p = placementOf(d)
    if (p._tag === 'Ccw') add(ccw, ccwSet(p.devno), ccwNumber(p.devno), d.id)
    if (p._tag !== 'Pci') continue
    add(byBus, p.bus, p.slot, d.id)
    if (firstBus === undefined && !ids.has(p.bus)) firstBus = p.bus
  }
  const bridges: Array<Bridge> = bridgeDevs.map((b) => newBridge(b.type, b.id, b.addr, byBus.get(b.id) ?? []))
  // a CCW bridge per subchannel set the devnos use (set i is ccw-bridge-i), at least the first
  if (transport === 'ccw')
    for (const set of [...new Set([0, ...ccw.keys()])].sort((a, b) => a - b))
      bridges.push(newBridge('ccw', `ccw-bridge-${set}`, set, ccw.get(set) ?? []))
  const root = bridgeDevs[0]?.bus ?? firstBus
  const rootSlots: Array<readonly [number, string]> = root === undefined ? [] : [...(byBus.get(root) ?? [])]
  for (const b of bridgeDevs) if (b.bus === root) rootSlots.push([b.addr, b.id])
  return { bridges, rootSlots: S.fromEntries(0, rootSlots) }
}

/**
 * What a command line says of its machine: nothing beyond the machine type. `facts` are neutral
 * (no root bus known, no alignment, memory hot-plug where the transport allows it); the arch
 * layer's `machineFacts` fills them in when the arch is known.
 *
 * @since 0.3.0
 * @category model
 */
export const neutralFacts = (transport: Transport, kvmPit: boolean): MachineFacts => ({
  rootBus: undefined,
  kvmPit,
  maxMemAlignMiB: 1,
  memoryNeedsFirmware: false,
  memoryHotplug: transport === 'pci',
  cpuHotplug: true,
  unplugIsSurprise: false,
  ignoreSharedMemory: true,
  migrationTimeoutMs: 5000,
})

// -------------------------------------------------------------------------------------
// parse
// -------------------------------------------------------------------------------------

/**
 * Parse argv (with or without the binary as argv[0]).
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { parseArgv } from 'qemu-plan'
 * // a typed error, never a throw: this line lacks the -name every planned command line has
 * const r = parseArgv(['-machine', 'q35,accel=kvm', '-device', 'bogus-dev,id=x'])
 * assert.ok(E.isLeft(r) && r.left._tag === 'ParseError' && r.left.reason.includes('no -name'))
 * @since 0.1.0
 * @category utils
 */
export const parseArgv = (argv: ReadonlyArray<string>): E.Either<ParseError, Parsed> => {
  const first = argv[0]
  const hasBinary = first !== undefined && !first.startsWith('-')
  const optsE = toOptions(hasBinary ? argv.slice(1) : argv, hasBinary ? 1 : 0)
  if (E.isLeft(optsE)) return optsE
  const options = optsE.right
  const byFlag = new Map<string, Array<Option>>()
  for (const o of options) {
    const xs = byFlag.get(o.flag)
    if (xs === undefined) byFlag.set(o.flag, [o])
    else xs.push(o)
  }
  for (const f of once) {
    const xs = byFlag.get(f) ?? []
    const second = xs[1]
    if (second !== undefined)
      return E.left(
        parseError({
          position: second.position,
          token: argv[second.position] ?? f,
          reason: `${f} is given twice; the device model has one`,
        }),
      )
  }
  const one = (f: string): Option | undefined => byFlag.get(f)?.[0]
  const missing = required.find((f) => !byFlag.has(f))
  if (missing !== undefined)
    return E.left(
      parseError({ position: argv.length, token: '', reason: `the command line has no ${missing}, which the device model always has` }),
    )
  return parseWith({ argv, options, byFlag, one, need: (f) => one(f) as Option, hasBinary })
}

/** The option lookups one parse shares. */
interface Ctx {
  readonly argv: ReadonlyArray<string>
  readonly options: ReadonlyArray<Option>
  readonly byFlag: ReadonlyMap<string, ReadonlyArray<Option>>
  readonly one: (f: string) => Option | undefined
  readonly need: (f: string) => Option
  readonly hasBinary: boolean
}

/** Values the model fixes (`-vga none`, Kata's `-global`, `-numa`, `-rtc`), and one memory-locking switch. */
const fixedGlobals = (c: Ctx): E.Either<ParseError, void> => {
  const rtc = c.one('-rtc')
  const bad =
    fixedValue(c.one('-vga'), ['none']) ??
    fixedValue(c.one('-global'), ['kvm-pit.lost_tick_policy=discard']) ??
    fixedValue(c.one('-numa'), ['node,memdev=dimm1']) ??
    fixedValue(c.one('-incoming'), ['defer']) ??
    (rtc && !['base=utc,driftfix=slew', 'driftfix=slew,base=utc'].includes(rtc.value)
      ? err(rtc, 'the device model only has base=utc,driftfix=slew')
      : undefined) ??
    (c.one('-realtime') && c.one('-overcommit')
      ? err(c.need('-overcommit'), 'both -realtime and -overcommit set memory locking')
      : undefined)
  return bad === undefined ? E.right(undefined) : E.left(bad)
}

/** `-S` as a knob, and the `-S -incoming defer` pair of a VM booted from a template. */
const stopsOf = (c: Ctx): E.Either<ParseError, { readonly incoming: boolean; readonly stopped: boolean }> => {
  const incoming = c.one('-incoming')
  const sOpts = c.byFlag.get('-S') ?? []
  const incomingS = incoming === undefined ? undefined : sOpts.find((s) => s.position === incoming.position - 1)
  if (incoming !== undefined && incomingS === undefined)
    return E.left(err(incoming, '-incoming defer comes right after its own -S in the device model'))
  const stoppers = sOpts.filter((s) => s !== incomingS)
  if (stoppers.length > 1)
    return E.left(parseError({ position: (stoppers[1] as Option).position, token: '-S', reason: '-S is given twice' }))
  return E.right({ incoming: incoming !== undefined, stopped: stoppers.length > 0 })
}

/** Devices with their backends, the iothreads, and the RAM backend `-numa` names; no backend left over. */
const devicesOf = (c: Ctx, transport: Transport) =>
  E.flatMap((backends: Backends) => {
    const used = new UsedBackends(backends)
    return pipe(
      parseDevices(c.options, backends, transport, used),
      E.flatMap((placed) => {
        const numa = c.one('-numa')
        const dimm = numa === undefined ? undefined : backends.byId.get('object')?.get('dimm1')
        if (numa !== undefined && dimm?.backend._tag !== 'MemoryBackend')
          return E.left(err(numa, 'memdev dimm1 is not a memory backend on the command line'))
        if (dimm !== undefined) used.add(dimm)
        const unused = firstUnused(backends, used)
        return unused !== undefined ? E.left(unusedBackend(unused)) : E.right({ placed, dimm })
      }),
    )
  })(parseBackends(c.options))

const parseWith = (c: Ctx): E.Either<ParseError, Parsed> =>
  pipe(
    E.Do,
    E.bind('machine', () => machineOf(c.need('-machine'))),
    E.let('binary', () => (c.hasBinary ? (c.argv[0] as string) : '')),
    E.let('arch', ({ binary, machine }) => archOf(binary, machine.type)),
    E.let('transport', ({ machine, arch }): Transport => (machine.type.startsWith('s390-ccw-virtio') || arch === 's390x' ? 'ccw' : 'pci')),
    E.tap(() => fixedGlobals(c)),
    E.bind('stops', () => stopsOf(c)),
    E.bind('devs', ({ transport }) => devicesOf(c, transport)),
    E.bind('qmp', () => qmpOf(c.need('-qmp'))),
    E.bind('memory', () => memoryOf(c.need('-m'))),
    E.bind('smp', () => smpOf(c.one('-smp'))),
    E.bind('mlock', () => mlockOf(c.one('-realtime') ?? c.one('-overcommit'))),
    E.filterOrElse(
      ({ devs, memory }) => devs.dimm?.backend._tag !== 'MemoryBackend' || devs.dimm.backend.sizeBytes === memory.sizeMiB * 2 ** 20,
      ({ devs }) => err((devs.dimm as Located).opt, 'the dimm1 backend is not the size of -m'),
    ),
    E.map((x) => assemble(c, x)),
  )

type Parts = {
  readonly machine: Plan['machine']
  readonly binary: string
  readonly arch: Arch
  readonly transport: Transport
  readonly stops: { readonly incoming: boolean; readonly stopped: boolean }
  readonly devs: { readonly placed: ReadonlyArray<Placed>; readonly dimm: Located | undefined }
  readonly qmp: { readonly path: string; readonly dialect: Dialect }
  readonly memory: Plan['memory']
  readonly smp: Plan['smp']
  readonly mlock: { readonly realtime: boolean; readonly mlock: boolean }
}

const assemble = (c: Ctx, x: Parts): Parsed => {
  const { one, need } = c
  const devices = x.devs.placed.map((p) => p.device)
  const accel = x.machine.options.find(([k]) => k === 'accel')?.[1]
  const host = {
    memoryMiB: 0,
    nested: false,
    qemuVersion: undefined,
    gicVersion: undefined,
    accelerator: accel === 'tcg' ? 'tcg' : 'kvm',
  } as const
  const plan: Plan = {
    arch: x.arch,
    transport: x.transport,
    binary: { govmm: x.binary, qemu: x.binary },
    qemuRefusal: undefined,
    facts: neutralFacts(x.transport, one('-global') !== undefined),
    hotplugged: {
      cpus: [],
      dimms: [],
      scsiIndex: devices.reduce((n, d) => (d._tag === 'ScsiDisk' ? Math.max(n, d.scsiId * 256 + d.lun + 1) : n), 0),
    },
    name: need('-name').value,
    uuid: need('-uuid').value,
    machine: x.machine,
    cpuModel: need('-cpu').value,
    qmpPath: x.qmp.path,
    memory: x.memory,
    dimmSupported: x.devs.dimm !== undefined,
    devices,
    knobs: knobsOf(c.byFlag, x.devs.dimm, x.stops.stopped, x.mlock),
    kernel: { path: need('-kernel').value, initrd: one('-initrd')?.value, params: parseParams(one('-append')?.value ?? '') },
    bios: one('-bios')?.value,
    incoming: x.stops.incoming ? 'defer' : undefined,
    pidFile: need('-pidfile').value,
    logFile: one('-D')?.value,
    smp: x.smp,
    state: {
      machineType: x.machine.type,
      memoryOffsetMiB: 0,
      nested: false,
      vhost: devices.some((d) => d._tag === 'Net' && d.vhost),
      image: devices.some((d) => d._tag === 'Nvdimm'),
      vmFactory: false,
      host,
      ...stateOf(devices, x.transport),
      kernelParams: [],
      kernelParamsDebug: [],
      kernelParamsNonDebug: [],
    },
    capabilities: { blockDeviceHotplug: true, multiQueue: true, fsSharing: true },
    hotplugConfig: {
      blockDeviceDriver: devices.some((d) => d._tag === 'Scsi') ? 'virtio-scsi' : 'virtio-blk',
      blockDeviceCache: undefined,
      hotplugVfioOnRootBus: false,
    },
    warnings: [],
  }
  const derivedIds = x.devs.placed.flatMap((p) => (p.derivedId ? [p.device.id] : []))
  return { plan, dialect: x.qmp.dialect, rtc: one('-rtc') !== undefined, hasBinary: c.hasBinary, derivedIds }
}

/**
 * Parse one command line: shell-quoted, or as `ps` shows a Kata 1.9 QEMU (unquoted `-append`).
 *
 * @since 0.1.0
 * @category utils
 */
export const parseLine = (line: string): E.Either<ParseError, Parsed> => E.flatMap(parseArgv)(lineToArgv(line))
