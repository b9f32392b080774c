/**
 * The planned VM as data: machine, CPU, memory, knobs, kernel, devices and the state hot-plug needs
 * later (bridges and slot maps). This is govmm's `Config` with meaning instead of strings; the
 * renderer (`render.ts`) turns it into argv in either dialect.
 *
 * @since 0.1.0
 */
import type { Bridge } from './bridges.ts'
import type { SlotMap } from './slots.ts'
import type { Device, Transport } from './devices/model.ts'
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

/** The state the Go struct kept (reference §3.1), immutable. @since 0.1.0 @category model */
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

/** govmm's boolean settings and memory backend (reference §7.16). @since 0.1.0 @category model */
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
  /** argv[0] in the `govmm` dialect (Kata's `qemuPaths` or the configured path). */
  readonly binary: string
  /** argv[0] in the `qemu` dialect (the binary QEMU 7.2 ships, or the configured path). */
  readonly binary72: string
  /** Why QEMU 7.2 cannot run this machine, if it cannot. */
  readonly qemu72Unsupported: string | undefined
  readonly hasKvmPit: boolean
  readonly name: string
  readonly uuid: string
  readonly machine: Machine
  readonly cpuModel: string
  readonly qmpPath: string
  readonly memory: Memory
  /** Whether the arch can have a memory backend object and NUMA (govmm `isDimmSupported`). */
  readonly dimmSupported: boolean
  readonly devices: ReadonlyArray<Device>
  readonly ioThreads: ReadonlyArray<string>
  readonly knobs: Knobs
  readonly kernel: { readonly path: string; readonly initrd: string | undefined; readonly params: ReadonlyArray<Param> }
  readonly bios: string | undefined
  readonly incoming: 'defer' | undefined
  readonly pidFile: string
  readonly logFile: string | undefined
  readonly smp: Smp
  readonly host: HostFacts
  /** Bridges and root-bus slots after planning: what hot-plug allocates from. */
  readonly state: ArchState
  readonly capabilities: Capabilities
  /** Whether guest memory can be hot-added on this arch (`supportGuestMemoryHotplug`). */
  readonly memoryHotplug: boolean
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
}
