/**
 * The `QemuArch` record: one pure function per method of the seed's `qemuArch` interface, plus the
 * arch's data (`spec`). State the Go code kept in the struct (nesting, vhost, bridges, kernel
 * parameters) lives in an immutable `ArchState`; devices and that state travel together as
 * `Devices`, so every `appendX` is `Devices → Either<PlanError, Devices>`.
 *
 * @since 0.1.0
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { Bridge, BridgeSlot, BridgeType } from '../core/bridges.ts'
import type { Device, Placement, Transport } from '../core/devices/model.ts'
import type { SnocList } from '../core/snoc.ts'
import type { PlanError } from '../core/errors.ts'
import type { Arch, SandboxDeviceOf } from '../core/input/sandbox.ts'
import type { Param } from '../core/kernel.ts'
import type { ArchState, Capabilities, HostFacts, Machine, Memory, Smp } from '../core/vm.ts'

export type { ArchState, Capabilities, HostFacts, Machine, MachineOpt, Memory, Smp } from '../core/vm.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where cold-plugged PCI devices go on a machine. @since 0.1.0 @category model */
export interface RootBus {
  readonly bus: string
  /** Slots the machine's own devices occupy. */
  readonly reserved: ReadonlyArray<number>
  /** Which bridge type hangs off it (`genericBridges`), if any. */
  readonly bridgeType: BridgeType | undefined
}

/** The arch's data. @since 0.1.0 @category model */
export interface ArchSpec {
  readonly arch: Arch
  readonly defaultMachine: string
  /** The whitelist with per-machine options (`supportedQemuMachines`). */
  readonly machines: ReadonlyArray<Machine>
  /** Machines that get `nvdimm` appended when an image is used. */
  readonly nvdimmOnImage: boolean
  /** `qemuPaths`: machine → binary, as Kata 1.9 had them. */
  readonly qemuPaths: Readonly<Record<string, string>>
  /** The binary QEMU 7.2 ships for this arch. */
  readonly qemu72Binary: string
  /** Machines QEMU 7.2 cannot run (e.g. `pc-lite`), with the reason. */
  readonly qemu72Unsupported: Readonly<Record<string, string>>
  readonly transport: Transport
  readonly rootBus: Readonly<Record<string, RootBus>>
  readonly kernelParams: ReadonlyArray<Param>
  /** Root parameters added with an image. */
  readonly kernelRootParams: ReadonlyArray<Param>
  /** Whether `host.nested` is honoured (only amd64 detects nesting). */
  readonly detectsNesting: boolean
  /** `MaxQemuVCPUs()`. */
  readonly maxVCpus: (host: HostFacts) => number
  /** `qmpMigrationWaitTimeout`. */
  readonly migrationWaitTimeoutMs: number
  /** Whether the `kvm-pit` global means anything (x86 only). */
  readonly hasKvmPit: boolean
}

/**
 * Devices being planned, with the state they are planned against. `list` is a persistent
 * append-only list (read it with `listOf`); `nets` and `vfios` count the NICs and VFIO devices
 * appended so far, which name the next one (`network-<n>`, `vfio-<n>`).
 *
 * @since 0.1.0
 * @category model
 */
export interface Devices {
  readonly state: ArchState
  readonly list: SnocList<Device>
  readonly ioThreads: ReadonlyArray<string>
  readonly nets: number
  readonly vfios: number
}

/** @since 0.1.0 @category model */
export type Step = (d: Devices) => E.Either<PlanError, Devices>

/** The rootfs image, resolved by the effects layer. @since 0.1.0 @category model */
export interface ImageInput {
  readonly path: string
  readonly sizeBytes: number
  /** 16 hex characters from the id source (for arches that attach the image as a block device). */
  readonly randomHex: string
}

/** What `appendVhostUserDevice` takes (Kata `VhostUserDeviceAttrs`). @since 0.1.0 @category model */
export type VhostUserInput = Omit<SandboxDeviceOf<'vhostUser'>, 'kind'>

/** A QMP command as data. @since 0.1.0 @category model */
export interface QmpCommand {
  readonly execute: string
  readonly arguments?: Readonly<Record<string, unknown>>
}

/** The seed's `qemuArch`, one function per method. @since 0.1.0 @category model */
export interface QemuArch {
  readonly spec: ArchSpec
  readonly enableNestingChecks: (s: ArchState) => ArchState
  readonly disableNestingChecks: (s: ArchState) => ArchState
  readonly runNested: (s: ArchState) => boolean
  readonly enableVhostNet: (s: ArchState) => ArchState
  readonly disableVhostNet: (s: ArchState) => ArchState
  readonly machine: (s: ArchState) => E.Either<PlanError, Machine>
  readonly qemuPath: (s: ArchState) => E.Either<PlanError, string>
  readonly kernelParameters: (debug: boolean) => (s: ArchState) => ReadonlyArray<Param>
  readonly capabilities: (s: ArchState) => Capabilities
  readonly bridges: (n: number) => (s: ArchState) => ArchState
  readonly cpuTopology: (vcpus: number, maxVCpus: number) => Smp
  readonly cpuModel: (s: ArchState) => string
  readonly memoryTopology: (memoryMiB: number, hostMemoryMiB: number, slots: number) => (s: ArchState) => Memory
  readonly appendConsole: (path: string) => Step
  readonly appendImage: (image: ImageInput) => Step
  /** `ioThreadHex` present = IO threads enabled. */
  readonly appendSCSIController: (ioThreadHex: string | undefined) => Step
  readonly appendBridges: Step
  readonly append9PVolume: (v: Omit<SandboxDeviceOf<'volume'>, 'kind'>) => Step
  readonly appendSocket: (s: Omit<SandboxDeviceOf<'socket'>, 'kind'>) => Step
  readonly appendVSock: (v: Omit<SandboxDeviceOf<'vsock'>, 'kind'>) => Step
  readonly appendNetwork: (n: Omit<SandboxDeviceOf<'network'>, 'kind'>) => Step
  readonly appendBlockDevice: (b: Omit<SandboxDeviceOf<'block'>, 'kind'>) => Step
  readonly appendVhostUserDevice: (v: VhostUserInput) => Step
  readonly appendVFIODevice: (v: Omit<SandboxDeviceOf<'vfio'>, 'kind'>) => Step
  readonly appendRNGDevice: (rng: { readonly id: string; readonly filename: string }) => Step
  readonly addDeviceToBridge: (id: string, type: BridgeType) => (s: ArchState) => E.Either<PlanError, readonly [ArchState, BridgeSlot]>
  readonly removeDeviceFromBridge: (id: string) => (s: ArchState) => E.Either<PlanError, ArchState>
  readonly getBridges: (s: ArchState) => ReadonlyArray<Bridge>
  readonly setBridges: (b: ReadonlyArray<Bridge>) => (s: ArchState) => ArchState
  readonly addBridge: (b: Bridge) => (s: ArchState) => ArchState
  readonly handleImagePath: (imagePath: string | undefined) => (s: ArchState) => ArchState
  readonly supportGuestMemoryHotplug: (s: ArchState) => boolean
  /** The QMP commands that set `x-ignore-shared` (none on arm64); the effects layer sends them. */
  readonly setIgnoreSharedMemoryMigrationCaps: () => ReadonlyArray<QmpCommand>
  /** Not in the seed: where the next cold-plugged device goes (root-bus slot, bridge slot or CCW devno). */
  readonly placeDevice: (key: string) => (s: ArchState) => E.Either<PlanError, readonly [ArchState, Placement]>
}
