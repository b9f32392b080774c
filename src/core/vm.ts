/**
 * The planned VM as data: machine, CPU, memory, knobs, kernel, devices and the state hot-plug needs
 * later (bridges and slot maps). This is govmm's `Config` with meaning instead of strings; the
 * renderer (`render.ts`) turns it into argv in either dialect.
 *
 * @since 0.1.0
 */
import type { Bridge, BridgeType } from './bridges.ts'
import type { Cache } from './devices/backends/drive.ts'
import type { SlotMap } from './slots.ts'
import type { Device } from './devices/model.ts'
import type { Transport } from './devices/placement.ts'
import type { Arch } from './input/sandbox.ts'
import type { Param } from './kernel.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A machine option: `[key, value]`, or `[flag, undefined]` for govmm's bare booleans. @since 0.1.0 @category model */
export type MachineOpt = readonly [string, string | undefined]

/** @since 0.1.0 @category model */
export interface Machine {
  readonly type: string
  readonly options: ReadonlyArray<MachineOpt>
}

/** @since 0.1.0 @category model */
export interface Smp {
  readonly cpus: number
  readonly cores: number
  readonly threads: number
  readonly sockets: number
  readonly maxCpus: number
}

/** @since 0.1.0 @category model */
export interface Memory {
  /** MiB */
  readonly sizeMiB: number
  readonly slots: number
  /** MiB */
  readonly maxMemMiB: number
}

/** Kata `types.Capabilities` as named flags. @since 0.1.0 @category model */
export interface Capabilities {
  readonly blockDeviceHotplug: boolean
  readonly multiQueue: boolean
  readonly fsSharing: boolean
}

/** Host facts the planner may use (from the sandbox's `host`). @since 0.1.0 @category model */
export interface HostFacts {
  readonly memoryMiB: number
  readonly nested: boolean
  readonly qemuVersion: { readonly major: number; readonly minor: number } | undefined
  readonly gicVersion: 2 | 3 | 4 | undefined
  readonly accelerator: 'kvm' | 'tcg'
}

/** Where cold-plugged PCI devices go on a machine. @since 0.1.0 @category model */
export interface RootBus {
  readonly bus: string
  /** Slots the machine's own devices occupy. */
  readonly reserved: ReadonlyArray<number>
  /** Which bridge type hangs off it (Kata's `genericBridges`), if any. */
  readonly bridgeType: BridgeType | undefined
  /** Whether QEMU hot-plugs devices onto it directly (q35's `pcie.0` does not). */
  readonly hotplug: boolean
}

/**
 * What the arch knows about the machine that rendering, topology and hot-plug need: carried in
 * the plan, so nothing downstream asks the arch again.
 *
 * @since 0.3.0
 * @category model
 */
export interface MachineFacts {
  /** The root PCI bus, when the machine has one (not on CCW). */
  readonly rootBus: RootBus | undefined
  /** x86's `kvm-pit` exists (the `-global` means something). */
  readonly kvmPit: boolean
  /** QEMU needs `maxmem` to be a multiple of this many MiB (pseries: 256). */
  readonly maxMemAlignMiB: number
  /** Memory devices (NVDIMM, DIMMs) need firmware: virt creates its ACPI GED only with one. */
  readonly memoryNeedsFirmware: boolean
  /** Guest memory can be hot-added (Kata's `supportGuestMemoryHotplug`). */
  readonly memoryHotplug: boolean
  /** vCPUs can be hot-added (QEMU 7.2's virt cannot). */
  readonly cpuHotplug: boolean
  /**
   * An unplug behind the machine's bridges is a surprise removal the guest is never told of (virt's
   * pcie-pci-bridge: its SHPC has no guest driver), so the guest keeps a stale device in the slot.
   */
  readonly unplugIsSurprise: boolean
  /** Migration sets `x-ignore-shared` (Kata's `setIgnoreSharedMemoryMigrationCaps`; not on arm64). */
  readonly ignoreSharedMemory: boolean
  /** How long Kata waited for a migration (`qmpMigrationWaitTimeout`). */
  readonly migrationTimeoutMs: number
}

/**
 * What the configuration says hot-plug uses (Kata read these from its `HypervisorConfig` at
 * hot-plug time): the block driver, the block cache options, and VFIO on the root bus.
 *
 * @since 0.3.0
 * @category model
 */
export interface HotplugConfig {
  readonly blockDeviceDriver: 'virtio-scsi' | 'virtio-blk' | 'virtio-blk-ccw' | 'virtio-mmio' | 'nvdimm'
  /** `block_device_cache_*` when `block_device_cache_set`. */
  readonly blockDeviceCache: Cache | undefined
  readonly hotplugVfioOnRootBus: boolean
}

/** The state Kata's `qemuArchBase` kept, immutable. @since 0.1.0 @category model */
export interface ArchState {
  readonly machineType: string
  readonly memoryOffsetMiB: number
  readonly nested: boolean
  readonly vhost: boolean
  readonly image: boolean
  readonly vmFactory: boolean
  readonly host: HostFacts
  readonly bridges: ReadonlyArray<Bridge>
  /** Root-bus slot → device id, for devices the `qemu` dialect places explicitly (a one-level slot map). */
  readonly rootSlots: SlotMap
  readonly kernelParams: ReadonlyArray<Param>
  readonly kernelParamsDebug: ReadonlyArray<Param>
  readonly kernelParamsNonDebug: ReadonlyArray<Param>
}

/** govmm's boolean settings and memory backend (govmm qemu/qemu.go `Knobs`, `Config.appendKnobs`). @since 0.1.0 @category model */
export interface Knobs {
  readonly noUserConfig: boolean
  readonly noDefaults: boolean
  readonly noGraphic: boolean
  readonly daemonize: boolean
  readonly hugePages: boolean
  readonly memPrealloc: boolean
  readonly fileBackedMem: boolean
  readonly memShared: boolean
  /** `Memory.Path`: where file-backed memory lives. */
  readonly memPath: string | undefined
  readonly realtime: boolean
  readonly mlock: boolean
  readonly stopped: boolean
}

/** @since 0.1.0 @category model */
export interface Plan {
  readonly arch: Arch
  readonly transport: Transport
  /** argv[0] per dialect: Kata's `qemuPaths` for govmm, the binary QEMU ships for qemu (or the configured path for both). */
  readonly binary: { readonly govmm: string; readonly qemu: string }
  /** Why QEMU (7.2 and later) cannot run this machine, if it cannot. */
  readonly qemuRefusal: string | undefined
  readonly facts: MachineFacts
  readonly name: string
  readonly uuid: string
  readonly machine: Machine
  readonly cpuModel: string
  readonly qmpPath: string
  readonly memory: Memory
  /** Whether the arch can have a memory backend object and NUMA (govmm `isDimmSupported`). */
  readonly dimmSupported: boolean
  readonly devices: ReadonlyArray<Device>
  readonly knobs: Knobs
  readonly kernel: { readonly path: string; readonly initrd: string | undefined; readonly params: ReadonlyArray<Param> }
  readonly bios: string | undefined
  readonly incoming: 'defer' | undefined
  readonly pidFile: string
  readonly logFile: string | undefined
  readonly smp: Smp
  /** Host facts, bridges and root-bus slots after planning: what hot-plug allocates from. */
  readonly state: ArchState
  readonly capabilities: Capabilities
  readonly hotplugConfig: HotplugConfig
  /** vCPUs and DIMMs hot-added after launch (devices hot-added go to `devices`). */
  readonly hotplugged: Hotplugged
  readonly warnings: ReadonlyArray<string>
}

/** A hot-added vCPU: its QOM id, driver and topology properties. @since 0.1.0 @category model */
export interface HotCpu {
  readonly id: string
  readonly driver: string
  readonly props: Readonly<Record<string, number>>
}

/** A hot-added DIMM: `mem<slot>` backend, `dimmmem<slot>` device. @since 0.1.0 @category model */
export interface HotDimm {
  readonly slot: number
  readonly backendId: string
  readonly deviceId: string
  readonly sizeMiB: number
}

/** @since 0.1.0 @category model */
export interface Hotplugged {
  readonly cpus: ReadonlyArray<HotCpu>
  readonly dimms: ReadonlyArray<HotDimm>
  /** The block index of the next SCSI disk (Kata's `BlockIndex`): it only grows, so a LUN is never given twice. */
  readonly scsiIndex: number
}
