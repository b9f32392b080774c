/**
 * The `QemuArch` record: one pure function per method of Kata's `qemuArch` interface
 * (`virtcontainers/qemu_arch_base.go`), plus the arch's data (`spec`). What the Go struct kept
 * (nesting, vhost, bridges, kernel parameters) lives in an immutable `ArchState`; devices
 * planned so far and that state travel together as a `Draft`, so every `appendX` is
 * `Draft → Either<CoreError, Draft>`.
 *
 * @since 0.1.0
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { Bridge, BridgeSlot, BridgeType } from '../core/bridges.ts'
import type { Device } from '../core/devices/model.ts'
import type { Placement, Transport } from '../core/devices/placement.ts'
import type { BlockInput } from '../core/devices/virtio-blk.ts'
import type { NicInput } from '../core/devices/virtio-net.ts'
import type { VhostUserInput } from '../core/devices/vhost-user.ts'
import type { CoreError } from '../core/errors.ts'
import type { Arch, SandboxDeviceOf } from '../core/input/sandbox.ts'
import type { Param } from '../core/kernel.ts'
import type { QmpCommand } from '../core/qmp/action.ts'
import type { SnocList } from '../core/snoc.ts'
import type { ArchState, Capabilities, HostFacts, Machine, Memory, RootBus, Smp } from '../core/vm.ts'

export type { ArchState, Capabilities, HostFacts, Machine, MachineOpt, Memory, RootBus, Smp } from '../core/vm.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The arch's data. @since 0.1.0 @category model */
export interface ArchSpec {
  readonly arch: Arch
  readonly defaultMachine: string
  /** The machines Kata supports, with their options (`supportedQemuMachines`). */
  readonly machines: ReadonlyArray<Machine>
  /** Machines get `nvdimm` appended when an image is used. */
  readonly nvdimmOnImage: boolean
  /** `qemuPaths`: machine → binary, as Kata 1.9 had them. */
  readonly qemuPaths: Readonly<Record<string, string>>
  /** The binary QEMU ships for this arch today. */
  readonly qemuBinary: string
  /** Machines QEMU (7.2 and later) cannot run, with the reason. */
  readonly qemuRefuses: Readonly<Record<string, string>>
  readonly transport: Transport
  readonly rootBus: Readonly<Record<string, RootBus>>
  readonly kernelParams: ReadonlyArray<Param>
  /** Root parameters added with an image. */
  readonly kernelRootParams: ReadonlyArray<Param>
  /** Whether `host.nested` is honoured (Kata's `RunningOnVMM` only answers on amd64). */
  readonly detectsNesting: boolean
  /** `MaxQemuVCPUs()`. */
  readonly maxVCpus: (host: HostFacts) => number
  /** `qmpMigrationWaitTimeout`. */
  readonly migrationWaitTimeoutMs: number
  /** Whether the `kvm-pit` global means anything (x86 only). */
  readonly kvmPit: boolean
  /** QEMU needs `maxmem` aligned to this many MiB. */
  readonly maxMemAlignMiB: number
  /** Memory devices need firmware (virt's ACPI GED). */
  readonly memoryNeedsFirmware: boolean
  /** QEMU can hot-add vCPUs on the arch's machines. */
  readonly cpuHotplug: boolean
  /** Unplugging from the arch's bridges is a surprise removal to the guest. */
  readonly unplugIsSurprise: boolean
}

/**
 * A plan being drafted: the devices appended so far (a persistent append-only list, read it with
 * `draftDevices`) and the arch state they were planned against. `nets` and `vfios` count the
 * NICs and VFIO devices appended so far, which name the next one (`network-<n>`, `vfio-<n>`).
 *
 * @since 0.3.0
 * @category model
 */
export interface Draft {
  readonly state: ArchState
  readonly list: SnocList<Device>
  readonly nets: number
  readonly vfios: number
}

/** @since 0.1.0 @category model */
export type Step = (d: Draft) => E.Either<CoreError, Draft>

/** The rootfs image, resolved by the effects layer. @since 0.1.0 @category model */
export interface ImageInput {
  readonly path: string
  readonly sizeBytes: number
  /** 16 hex characters from the id source (for arches that attach the image as a block device). */
  readonly randomHex: string
}

/** The seed's `qemuArch`, one function per method. @since 0.1.0 @category model */
export interface QemuArch {
  readonly spec: ArchSpec
  readonly enableNestingChecks: (s: ArchState) => ArchState
  readonly disableNestingChecks: (s: ArchState) => ArchState
  readonly runNested: (s: ArchState) => boolean
  readonly enableVhostNet: (s: ArchState) => ArchState
  readonly disableVhostNet: (s: ArchState) => ArchState
  readonly machine: (s: ArchState) => E.Either<CoreError, Machine>
  readonly qemuPath: (s: ArchState) => E.Either<CoreError, string>
  readonly kernelParameters: (debug: boolean) => (s: ArchState) => ReadonlyArray<Param>
  readonly capabilities: (s: ArchState) => Capabilities
  readonly bridges: (n: number) => (s: ArchState) => ArchState
  readonly cpuTopology: (vcpus: number, maxVCpus: number) => Smp
  readonly cpuModel: (s: ArchState) => string
  readonly memoryTopology: (memoryMiB: number, hostMemoryMiB: number, slots: number) => (s: ArchState) => Memory
  readonly appendConsole: (path: string) => Step
  readonly appendImage: (image: ImageInput) => Step
  /** `ioThreadHex` present = I/O threads enabled. */
  readonly appendSCSIController: (ioThreadHex: string | undefined) => Step
  readonly appendBridges: Step
  readonly append9PVolume: (v: Omit<SandboxDeviceOf<'volume'>, 'kind'>) => Step
  readonly appendSocket: (s: Omit<SandboxDeviceOf<'socket'>, 'kind'>) => Step
  readonly appendVSock: (v: Omit<SandboxDeviceOf<'vsock'>, 'kind'>) => Step
  readonly appendNetwork: (n: NicInput) => Step
  readonly appendBlockDevice: (b: BlockInput) => Step
  readonly appendVhostUserDevice: (v: VhostUserInput) => Step
  readonly appendVFIODevice: (v: Omit<SandboxDeviceOf<'vfio'>, 'kind'>) => Step
  readonly appendRNGDevice: (rng: { readonly id: string; readonly filename: string }) => Step
  readonly addDeviceToBridge: (id: string, type: BridgeType) => (s: ArchState) => E.Either<CoreError, readonly [ArchState, BridgeSlot]>
  readonly removeDeviceFromBridge: (id: string) => (s: ArchState) => E.Either<CoreError, ArchState>
  readonly getBridges: (s: ArchState) => ReadonlyArray<Bridge>
  readonly setBridges: (b: ReadonlyArray<Bridge>) => (s: ArchState) => ArchState
  readonly addBridge: (b: Bridge) => (s: ArchState) => ArchState
  readonly handleImagePath: (imagePath: string | undefined) => (s: ArchState) => ArchState
  readonly supportGuestMemoryHotplug: (s: ArchState) => boolean
  /** The QMP commands that set `x-ignore-shared` (none on arm64); the effects layer sends them. */
  readonly setIgnoreSharedMemoryMigrationCaps: () => ReadonlyArray<QmpCommand>
  /** Not in Kata: where the next cold-plugged device goes (root-bus slot, bridge slot or CCW devno), keyed by its QEMU id. */
  readonly placeDevice: (id: string) => (s: ArchState) => E.Either<CoreError, readonly [ArchState, Placement]>
}
