/**
 * The base `qemuArch` record (Kata `qemuArchBase`). Functions that use sibling operations call
 * them through `self()`, so an arch that overrides `appendBlockDevice` or `placeDevice` changes
 * what the base `appendImage` or `appendConsole` do (late binding): an arch file overrides only
 * what really differs.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as B from '../core/bridges.ts'
import * as Nvdimm from '../core/devices/nvdimm.ts'
import * as VhostVsock from '../core/devices/vhost-vsock.ts'
import * as Vfio from '../core/devices/vfio.ts'
import * as VhostUser from '../core/devices/vhost-user.ts'
import * as Virtio9p from '../core/devices/virtio-9p.ts'
import * as VirtioBlk from '../core/devices/virtio-blk.ts'
import * as VirtioNet from '../core/devices/virtio-net.ts'
import * as VirtioRng from '../core/devices/virtio-rng.ts'
import * as VirtioScsi from '../core/devices/virtio-scsi.ts'
import * as VirtioSerial from '../core/devices/virtio-serial.ts'
import * as Ports from '../core/devices/virtserialport.ts'
import { noBusSlot, unknownBinary, unknownMachine } from '../core/errors.ts'
import { makeNameId, maxDevIdSize } from '../core/ids.ts'
import type { HypervisorConfig } from '../core/input/config.ts'
import type { Sandbox } from '../core/input/sandbox.ts'
import { ignoreSharedCommand } from '../core/qmp/commands.ts'
import * as S from '../core/slots.ts'
import { andThen, appended, placed, push, withSlots } from './draft.ts'
import { kernelParamsDebug, kernelParamsNonDebug, kernelParamsSystemdDebug, kernelParamsSystemdNonDebug } from './kernel-params.ts'
import { freeRootSlot } from './root-bus.ts'
import type { ArchSpec, ArchState, Draft, ImageInput, Memory, QemuArch, Step } from './types.ts'

/** The root-bus slot of the first bridge (`bridgePCIStartAddr`). @since 0.1.0 @category model */
export const bridgePCIStartAddr = 2

/** `genericMemoryTopology`: maxmem = host + 1024 MiB of NVDIMM headroom + offset. @since 0.1.0 @category planning */
export const genericMemoryTopology = (memoryMiB: number, hostMiB: number, slots: number, offsetMiB: number): Memory => ({
  sizeMiB: memoryMiB,
  slots,
  maxMemMiB: hostMiB + 1024 + offsetMiB,
})

/** The rootfs image as an NVDIMM (amd64, arm64). @since 0.1.0 @category planning */
export const nvdimmImage = (img: ImageInput): Step => push(Nvdimm.image(img))

/** `appendImage` for arches that attach the image as a disk: `image-<16 hex>`. @since 0.3.0 @category planning */
export const imageAsDisk = (img: ImageInput, shareRW: boolean): VirtioBlk.BlockInput => ({
  id: makeNameId('image', img.randomHex, maxDevIdSize),
  file: img.path,
  format: 'raw',
  shareRW,
})

/**
 * The arch state at construction (`newQemuArch`), before `qemu.setup`.
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

const appendBridges =
  (spec: ArchSpec): Step =>
  (d) => {
    const rb = spec.rootBus[d.state.machineType]
    let out: Draft = d
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
  }

/**
 * The base record for an arch's `spec`; `self` is the final record (late binding).
 *
 * @see kata-containers/runtime virtcontainers/qemu_arch_base.go qemuArchBase
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
      placed(self, 'serial0', (placement) => VirtioSerial.make('serial0', { placement, nested: d.state.nested }))(d),
      push(Ports.console(path)),
    ),
  appendImage: (img) => self().appendBlockDevice(imageAsDisk(img, false)),
  appendSCSIController: (hex) => (d) =>
    placed(self, 'scsi0', (placement) => VirtioScsi.make(hex, { placement, nested: d.state.nested }))(d),
  appendBridges: appendBridges(spec),
  append9PVolume: (v) => (d) =>
    placed(self, Virtio9p.idOf(v.mountTag), (placement) => Virtio9p.make(v, { placement, nested: d.state.nested }))(d),
  appendSocket: (s) => push(Ports.port(s)),
  appendVSock: (v) => (d) =>
    placed(self, VhostVsock.idOf(v.contextId), (placement) => VhostVsock.make(v, { placement, nested: d.state.nested }))(d),
  appendNetwork: (n) => (d) =>
    andThen(VirtioNet.tapType(n), (type) => {
      const id = VirtioNet.idOf(d.nets)
      return placed(self, id, (placement) => VirtioNet.make(n, type, id, { placement, nested: d.state.nested, vhost: d.state.vhost }))(d)
    }),
  appendBlockDevice: (b) => (d) =>
    placed(self, VirtioBlk.idOf(b), (placement) => VirtioBlk.make(b, { placement, nested: d.state.nested }))(d),
  appendVhostUserDevice: (v) => placed(self, VhostUser.idOf(v), (placement) => VhostUser.make(v, { placement })),
  appendVFIODevice: (v) => (d) => {
    const id = Vfio.idOf(d.vfios)
    return placed(self, id, (placement) => Vfio.make(v, id, placement))(d)
  },
  appendRNGDevice: (rng) => placed(self, rng.id, (placement) => VirtioRng.make(rng, placement)),
  addDeviceToBridge: (id, type) => (s) =>
    andThen(B.addDeviceToBridge(s.bridges, id, type), (r) => E.right([withSlots(s, r.bridges, s.rootSlots), r] as const)),
  removeDeviceFromBridge: (id) => (s) =>
    andThen(B.removeDeviceFromBridge(s.bridges, id), (bridges) => E.right(withSlots(s, bridges, s.rootSlots))),
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
  setIgnoreSharedMemoryMigrationCaps: () => [ignoreSharedCommand],
  placeDevice: (id) => (s) => {
    const rb = spec.rootBus[s.machineType]
    if (rb === undefined) return E.left(noBusSlot({ bus: 'none', device: id }))
    const slot = freeRootSlot(rb, s.rootSlots)
    if (slot !== undefined)
      return E.right([withSlots(s, s.bridges, S.set(s.rootSlots, 0, slot, id)), { _tag: 'Pci', bus: rb.bus, slot }] as const)
    if (rb.bridgeType === undefined) return E.left(noBusSlot({ bus: rb.bus, device: id }))
    const r = self().addDeviceToBridge(id, rb.bridgeType)(s)
    return r._tag === 'Left'
      ? E.left(noBusSlot({ bus: `${rb.bus} and its bridges`, device: id }))
      : E.right([r.right[0], { _tag: 'Pci', bus: r.right[1].bridge.id, slot: r.right[1].slot }] as const)
  },
})
