/**
 * The base `qemuArch` record (Kata `qemuArchBase`, reference §3.2). Functions that use sibling
 * operations call them through `self()`, so an arch that overrides `appendBlockDevice` or
 * `placeDevice` changes what the base `appendImage` or `appendConsole` do (late binding): an arch
 * file overrides only what really differs.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as B from '../core/bridges.ts'
import * as L from '../core/snoc.ts'
import * as S from '../core/slots.ts'
import { deviceId, type Device, type NetDevice, type Placement } from '../core/devices/model.ts'
import { duplicateId, invalidDevice, noBusSlot, unknownBinary, unknownMachine, type PlanError } from '../core/errors.ts'
import { makeNameId, maxDevIdSize, truncateBytes } from '../core/ids.ts'
import type { HypervisorConfig } from '../core/input/config.ts'
import type { Sandbox } from '../core/input/sandbox.ts'
import { param, type Param } from '../core/kernel.ts'
import type { ArchSpec, ArchState, Devices, Memory, QemuArch, RootBus, Step } from './types.ts'

// -------------------------------------------------------------------------------------
// constants (reference §2.1)
// -------------------------------------------------------------------------------------

/** @since 0.1.0 @category model */
export const kernelParamsNonDebug: ReadonlyArray<Param> = [param('quiet')]
/** @since 0.1.0 @category model */
export const kernelParamsSystemdNonDebug: ReadonlyArray<Param> = [param('systemd.show_status', 'false')]
/** @since 0.1.0 @category model */
export const kernelParamsDebug: ReadonlyArray<Param> = [param('debug')]
/** @since 0.1.0 @category model */
export const kernelParamsSystemdDebug: ReadonlyArray<Param> = [param('systemd.show_status', 'true'), param('systemd.log_level', 'debug')]
/** Slot of the first bridge on the root bus. @since 0.1.0 @category model */
export const bridgePCIStartAddr = 2
/** Slots on a PCI bus. @since 0.1.0 @category model */
export const pciSlotsPerBus = 32

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** QEMU's id namespaces: `-device`, `-chardev`, `-drive`, `-object`, `-fsdev`, `-netdev`. */
interface Namespaces {
  readonly device: Set<string>
  readonly chardev: Set<string>
  readonly drive: Set<string>
  readonly object: Set<string>
  readonly fsdev: Set<string>
  readonly netdev: Set<string>
}

/** `true` when `id` was already in `set` (and claims it otherwise). */
const taken = (set: Set<string>, id: string): boolean => set.size === set.add(id).size

/** Claim the ids a device takes, in command-line order; the first one already taken, if any. */
const claim = (ns: Namespaces, d: Device): string | undefined => {
  const dev = deviceId(d)
  switch (d._tag) {
    case 'VhostUser':
      // its chardev and netdev come before the device on the command line
      if (taken(ns.chardev, d.charDevId)) return d.charDevId
      if (d.type === 'net' && taken(ns.netdev, d.typeDevId)) return d.typeDevId
      return taken(ns.device, dev) ? dev : undefined
    case 'Scsi':
      if (taken(ns.device, dev)) return dev
      return d.ioThread && taken(ns.object, d.ioThread) ? d.ioThread : undefined
    default: {
      if (taken(ns.device, dev)) return dev
      const second =
        d._tag === 'Char' ? ns.chardev
        : d._tag === 'Block' || d._tag === 'ScsiDisk' ? ns.drive
        : d._tag === 'Fs9p' ? ns.fsdev
        : d._tag === 'Net' ? ns.netdev
        : d._tag === 'Nvdimm' || d._tag === 'Rng' ? ns.object
        : undefined
      return second !== undefined && taken(second, d.id) ? d.id : undefined
    }
  }
}

/**
 * The first id QEMU would reject as a duplicate in its namespace (ids truncated to 31 bytes
 * collide, reference §10.4), with the field of the device that repeats it. One pass: O(n).
 *
 * @since 0.1.0
 * @category planning
 */
export const firstDuplicate = (list: ReadonlyArray<Device>): { readonly id: string; readonly field: string } | undefined => {
  const ns: Namespaces = { device: new Set(), chardev: new Set(), drive: new Set(), object: new Set(), fsdev: new Set(), netdev: new Set() }
  for (const d of list) {
    const id = claim(ns, d)
    if (id !== undefined) return { id, field: inputField(d) }
  }
  return undefined
}

/** The input field (configuration key or sandbox device kind) a device comes from. @since 0.1.0 @category utils */
export const inputField = (d: Device): string => {
  switch (d._tag) {
    case 'Bridge':
      return 'default_bridges'
    case 'Serial':
      return 'console'
    case 'Char':
      return d.driver === 'virtconsole' ? 'console' : 'socket'
    case 'Block':
      return 'block'
    case 'Scsi':
      return 'block_device_driver'
    case 'ScsiDisk':
      return 'hotplug'
    case 'Fs9p':
      return 'volume'
    case 'Vsock':
      return 'vsock'
    case 'Net':
      return 'network'
    case 'VhostUser':
      return 'vhostUser'
    case 'Vfio':
      return 'vfio'
    case 'Nvdimm':
      return 'image'
    case 'Rng':
      return 'entropy_source'
  }
}

/**
 * `E.flatMap` without fp-ts's data-first/data-last dispatch, which copies its arguments on every
 * call: planning chains one of these per device, so it is the hot path.
 *
 * @since 0.1.0
 * @category utils
 */
export const andThen = <A, B>(e: E.Either<PlanError, A>, f: (a: A) => E.Either<PlanError, B>): E.Either<PlanError, B> => (e._tag === 'Left' ? e : f(e.right))

/** Devices whose ids QEMU would all accept, or the `DuplicateId` of the first clash. @since 0.1.0 @category planning */
export const checkDuplicates = (d: Devices): E.Either<PlanError, Devices> => andThen(uniqueList(d), () => E.right(d))

/** The devices as an array, or the `DuplicateId` of the first clash. @since 0.2.0 @category planning */
export const uniqueList = (d: Devices): E.Either<PlanError, ReadonlyArray<Device>> => {
  const list = listOf(d)
  const dup = firstDuplicate(list)
  return dup === undefined ? E.right(list) : E.left(duplicateId(dup))
}

/**
 * `s` with new bridges and root-bus slots, as one literal of ArchState's fields. Placement runs
 * once per device and the states reaching it come from several spread sites (several hidden
 * classes), where a spread falls off V8's fast clone path: this was a fifth of planning time.
 *
 * @since 0.2.0
 * @category utils
 */
export const withSlots = (s: ArchState, bridges: ArchState['bridges'], rootSlots: ArchState['rootSlots']): ArchState => ({
  machineType: s.machineType,
  memoryOffsetMiB: s.memoryOffsetMiB,
  nested: s.nested,
  vhost: s.vhost,
  image: s.image,
  vmFactory: s.vmFactory,
  host: s.host,
  bridges,
  rootSlots,
  kernelParams: s.kernelParams,
  kernelParamsDebug: s.kernelParamsDebug,
  kernelParamsNonDebug: s.kernelParamsNonDebug,
})

/** No devices yet, planned against `state`. @since 0.2.0 @category constructors */
export const noDevices = (state: ArchState): Devices => ({ state, list: undefined, ioThreads: [], nets: 0, vfios: 0 })

/** The devices appended so far, in order, as a new array. @since 0.2.0 @category utils */
export const listOf = (d: Devices): ReadonlyArray<Device> => L.toArray(d.list)

/** `d` with `dev` appended, planned against `state`. O(1): the list before it is shared. */
const appended = (d: Devices, state: ArchState, dev: Device): Devices => ({
  state,
  list: L.append(d.list, dev),
  ioThreads: d.ioThreads,
  nets: dev._tag === 'Net' ? d.nets + 1 : d.nets,
  vfios: dev._tag === 'Vfio' ? d.vfios + 1 : d.vfios,
})

/**
 * Append a device. Duplicate ids are found once the plan is complete (`firstDuplicate`), not on
 * every append, which would make planning quadratic in the number of devices.
 *
 * @since 0.1.0
 * @category planning
 */
export const push =
  (dev: Device, _field?: string): Step =>
  (d) =>
    E.right(appended(d, d.state, dev))

/** Run a placement, then build and push the device. @since 0.1.0 @category planning */
export const placed =
  (self: () => QemuArch, key: string, _field: string, build: (p: Placement) => Device): Step =>
  (d) => {
    const r = self().placeDevice(key)(d.state)
    return r._tag === 'Left' ? r : E.right(appended(d, r.right[0], build(r.right[1])))
  }

const reservedMask = (rb: RootBus): number => {
  let m = 0
  for (let i = 0; i < rb.reserved.length; i++) m |= 1 << (rb.reserved[i] as number)
  return m
}

/** Lowest free slot on the root bus, or `undefined`. @since 0.1.0 @category utils */
export const freeRootSlot = (rb: RootBus, used: S.SlotMap): number | undefined => {
  const slot = S.lowestFreeLeaf(used, reservedMask(rb))
  return slot < 0 ? undefined : slot
}

/** The root-bus slot map as a slot → device id record, built fresh. @since 0.2.0 @category utils */
export const rootSlotsOf = (s: Pick<ArchState, 'rootSlots'>): Readonly<Record<number, string>> => Object.fromEntries(S.entries(s.rootSlots, 0))

/** `genericMemoryTopology`: maxmem = host + 1024 MiB NVDIMM headroom + offset (reference §3.6). @since 0.1.0 @category planning */
export const genericMemoryTopology = (memoryMiB: number, hostMiB: number, slots: number, offsetMiB: number): Memory => ({
  sizeMiB: memoryMiB,
  slots,
  maxMemMiB: hostMiB + 1024 + offsetMiB,
})

/** The NVDIMM rootfs image (amd64, arm64; reference §3.7): `nv0` backed by `mem0`. @since 0.1.0 @category planning */
export const nvdimmImage = (img: { readonly path: string; readonly sizeBytes: number }): Step =>
  push({ _tag: 'Nvdimm', deviceId: 'nv0', id: 'mem0', memPath: img.path, size: img.sizeBytes }, 'image')

/** Kata's `xConnectVMNetwork` + `networkModelToQemuType` mapping (reference §6). @since 0.1.0 @category planning */
export const netType = (n: Parameters<QemuArch['appendNetwork']>[0]): E.Either<PlanError, NetDevice['type']> => {
  const model = n.model ?? 'default'
  if (n.endpoint === 'tuntap' || n.endpoint === 'ipvlan') return E.right('tap')
  if (n.endpoint === 'macvtap') return E.right('macvtap')
  switch (model) {
    case 'enlightened':
      return E.left(invalidDevice({ device: n.tapName, field: 'model', reason: 'Unsupported networking model enlightened' }))
    case 'none':
      return E.left(invalidDevice({ device: n.tapName, field: 'model', reason: 'Invalid internetworking model none' }))
    case 'bridged':
    case 'macvtap':
      return E.right('macvtap')
    default:
      return E.right('tap')
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The arch state at construction (`newQemuArch`, reference §3.9 steps 1–5), before `qemu.setup`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const newState = (arch: QemuArch, config: HypervisorConfig, sandbox: Sandbox): ArchState =>
  arch.handleImagePath(config.image)({
    machineType: config.machineType ?? arch.spec.defaultMachine,
    memoryOffsetMiB: config.memoryOffsetMiB,
    nested: false,
    vhost: false,
    image: false,
    vmFactory: sandbox.template !== undefined && (sandbox.template.bootToBeTemplate || sandbox.template.bootFromTemplate),
    host: {
      memoryMiB: sandbox.host.memoryMiB,
      nested: sandbox.host.nested,
      qemuVersion: sandbox.host.qemuVersion,
      gicVersion: sandbox.host.gicVersion,
      accelerator: sandbox.host.accelerator,
    },
    bridges: [],
    rootSlots: undefined,
    kernelParams: arch.spec.kernelParams,
    kernelParamsDebug,
    kernelParamsNonDebug,
  })

/**
 * The base record for an arch's `spec`; `self` is the final record (late binding).
 *
 * @see kata qemuArchBase
 * @since 0.1.0
 * @category constructors
 */
export const baseArch = (self: () => QemuArch, spec: ArchSpec): QemuArch => ({
  spec,
  enableNestingChecks: (s) => ({ ...s, nested: true }),
  disableNestingChecks: (s) => ({ ...s, nested: false }),
  runNested: (s) => s.nested,
  enableVhostNet: (s) => ({ ...s, vhost: true }),
  disableVhostNet: (s) => ({ ...s, vhost: false }),
  machine: (s) => {
    const m = spec.machines.find((x) => x.type === s.machineType)
    if (!m) return E.left(unknownMachine({ arch: spec.arch, machine: s.machineType, supported: spec.machines.map((x) => x.type) }))
    return E.right(s.image && spec.nvdimmOnImage ? { ...m, options: [...m.options, ['nvdimm', undefined]] } : m)
  },
  qemuPath: (s) => {
    const p = spec.qemuPaths[s.machineType]
    return p === undefined ? E.left(unknownBinary({ machine: s.machineType })) : E.right(p)
  },
  kernelParameters: (debug) => (s) => [...s.kernelParams, ...(debug ? s.kernelParamsDebug : s.kernelParamsNonDebug)],
  capabilities: () => ({ blockDeviceHotplug: true, multiQueue: true, fsSharing: true }),
  bridges: (n) => (s) => {
    const t = spec.rootBus[s.machineType]?.bridgeType
    return { ...s, bridges: t === undefined ? [] : B.makeBridges(t, n) }
  },
  cpuTopology: (vcpus, maxVCpus) => ({ cpus: vcpus, sockets: maxVCpus, cores: 1, threads: 1, maxCpus: maxVCpus }),
  cpuModel: () => 'host',
  memoryTopology: (memoryMiB, hostMiB, slots) => () => ({ sizeMiB: memoryMiB, slots, maxMemMiB: hostMiB }),
  appendConsole: (path) => (d) =>
    andThen(
      placed(self, 'serial0', 'console', (placement) => ({ _tag: 'Serial', id: 'serial0', disableModern: d.state.nested, placement }))(d),
      push({ _tag: 'Char', driver: 'virtconsole', deviceId: 'console0', id: 'charconsole0', path, name: undefined }, 'console'),
    ),
  appendImage: (img) => self().appendBlockDevice({ id: makeNameId('image', img.randomHex, maxDevIdSize), file: img.path, format: 'raw' }),
  appendSCSIController: (hex) => (d) =>
    andThen(
      placed(self, 'scsi0', 'block_device_driver', (placement) => ({
        _tag: 'Scsi', id: 'scsi0', ioThread: hex === undefined ? undefined : `iothread-${hex}`, disableModern: d.state.nested, placement,
      }))(d),
      (x) => E.right(hex === undefined ? x : { ...x, ioThreads: [...x.ioThreads, `iothread-${hex}`] }),
    ),
  appendBridges: (d) => {
    const rb = spec.rootBus[d.state.machineType]
    let out: Devices = d
    d.state.bridges.forEach((b, idx) => {
      if (b.type === 'ccw' || rb === undefined) return
      const addr = bridgePCIStartAddr + idx
      const state: ArchState = {
        ...out.state,
        bridges: out.state.bridges.map((y, i) => (i === idx ? { ...y, addr } : y)),
        rootSlots: S.set(out.state.rootSlots, 0, addr, b.id),
      }
      out = appended(out, state, { _tag: 'Bridge', type: b.type, bus: rb.bus, id: b.id, chassis: idx + 1, shpc: true, addr })
    })
    return E.right(out)
  },
  append9PVolume: (v) => (d) => {
    const id = truncateBytes(`extra-9p-${v.mountTag}`, maxDevIdSize)
    return placed(self, id, 'volume', (placement) => ({ _tag: 'Fs9p', id, path: v.hostPath, mountTag: v.mountTag, disableModern: d.state.nested, placement }))(d)
  },
  appendSocket: (s) => push({ _tag: 'Char', driver: 'virtserialport', deviceId: s.deviceId, id: truncateBytes(s.id, maxDevIdSize), path: s.hostPath, name: s.name }, 'socket'),
  appendVSock: (v) => (d) => {
    const id = `vsock-${v.contextId}`
    return placed(self, id, 'vsock', (placement) => ({ _tag: 'Vsock', id, contextId: v.contextId, vhostFd: v.vhostFd, disableModern: d.state.nested, placement }))(d)
  },
  appendNetwork: (n) => (d) =>
    andThen(
      netType(n),
      (type) => {
        const id = `network-${d.nets}`
        return placed(self, id, 'network', (placement) => ({
          _tag: 'Net', type, id, ifName: n.tapName, mac: n.mac, fds: n.fds ?? [], vhostFds: n.vhostFds ?? [],
          vhost: d.state.vhost, disableModern: d.state.nested, placement,
        }))(d)
      },
    ),
  appendBlockDevice: (b) => (d) => {
    const id = truncateBytes(b.id, maxDevIdSize)
    return placed(self, b.id, 'block', (placement) => ({
      _tag: 'Block', id, file: b.file, format: b.format, aio: 'threads', disableModern: d.state.nested, shareRW: b.shareRW ?? false, placement,
    }))(d)
  },
  appendVhostUserDevice: (v) => (d) => {
    const typeDevId = v.type === 'blk' ? '' : makeNameId(v.type, v.devId, maxDevIdSize)
    const blkId = makeNameId('blk', v.devId, maxDevIdSize)
    return placed(self, v.type === 'blk' ? blkId : typeDevId, 'vhostUser', (placement) => ({
      _tag: 'VhostUser', type: v.type, socketPath: v.socketPath, charDevId: makeNameId('char', v.devId, maxDevIdSize), typeDevId, blkId,
      mac: v.mac, tag: v.tag, cacheSizeMiB: v.cacheSize ?? 0, placement,
    }))(d)
  },
  appendVFIODevice: (v) => (d) => {
    const id = `vfio-${d.vfios}`
    return placed(self, id, 'vfio', (placement) => ({ _tag: 'Vfio', id, bdf: v.bdf, vendorId: v.vendorId, deviceId: v.deviceId, placement }))(d)
  },
  appendRNGDevice: (rng) => placed(self, rng.id, 'entropy_source', (placement) => ({ _tag: 'Rng', id: rng.id, filename: rng.filename, placement })),
  addDeviceToBridge: (id, type) => (s) => andThen(B.addDeviceToBridge(s.bridges, id, type), (r) => E.right([withSlots(s, r.bridges, s.rootSlots), r] as const)),
  removeDeviceFromBridge: (id) => (s) => andThen(B.removeDeviceFromBridge(s.bridges, id), (bridges) => E.right(withSlots(s, bridges, s.rootSlots))),
  getBridges: (s) => s.bridges,
  setBridges: (bridges) => (s) => ({ ...s, bridges }),
  addBridge: (b) => (s) => ({ ...s, bridges: [...s.bridges, b] }),
  handleImagePath: (imagePath) => (s) =>
    imagePath === undefined
      ? s
      : {
          ...s,
          image: true,
          kernelParams: [...s.kernelParams, ...spec.kernelRootParams],
          kernelParamsNonDebug: [...s.kernelParamsNonDebug, ...kernelParamsSystemdNonDebug],
          kernelParamsDebug: [...s.kernelParamsDebug, ...kernelParamsSystemdDebug],
        },
  supportGuestMemoryHotplug: () => true,
  setIgnoreSharedMemoryMigrationCaps: () => [{ execute: 'migrate-set-capabilities', arguments: { capabilities: [{ capability: 'x-ignore-shared', state: true }] } }],
  placeDevice: (key) => (s) => {
    const rb = spec.rootBus[s.machineType]
    if (rb === undefined) return E.left(noBusSlot({ bus: 'none', device: key }))
    const slot = freeRootSlot(rb, s.rootSlots)
    if (slot !== undefined) return E.right([withSlots(s, s.bridges, S.set(s.rootSlots, 0, slot, key)), { _tag: 'Pci', bus: rb.bus, slot }] as const)
    if (rb.bridgeType === undefined) return E.left(noBusSlot({ bus: rb.bus, device: key }))
    const r = self().addDeviceToBridge(key, rb.bridgeType)(s)
    return r._tag === 'Left'
      ? E.left(noBusSlot({ bus: `${rb.bus} and its bridges`, device: key }))
      : E.right([r.right[0], { _tag: 'Pci', bus: r.right[1].bridge.id, slot: r.right[1].slot }] as const)
  },
})
