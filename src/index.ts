/**
 * qemu-plan's public API: decode inputs, plan, render, hot-plug plans, and the tools (parse, diff,
 * topology, capability check). Everything here is pure; the effects (files, ids from crypto,
 * QEMU, QMP) are in `src/node.ts`.
 *
 * @since 0.1.0
 */
export * from './core/errors.ts'
export { opts, parseOpts, escape } from './core/opts.ts'
export { seededIds, makeNameId, truncateBytes, isQemuId, type IdSource } from './core/ids.ts'
export { param, parseParams, serializeParams, kernelCmdline, type Param } from './core/kernel.ts'
export { addDeviceToBridge, removeDeviceFromBridge, devicesOf, makeBridges, newBridge, type Bridge, type BridgeSlot, type BridgeType } from './core/bridges.ts'
export type { Device, DeviceOf, Placement, Transport } from './core/devices/index.ts'
export type { Dialect } from './core/devices/profile.ts'
export { decodeConfig, type HypervisorConfig } from './core/input/config.ts'
export { decodeSandbox, type Sandbox, type SandboxDevice } from './core/input/sandbox.ts'
export type { Plan, ArchState, Machine, MachineFacts, Smp, Memory, RootBus } from './core/vm.ts'
export { render, type Rendered } from './core/render.ts'
export { arches } from './arch/index.ts'
export type { QemuArch, ArchSpec, Draft } from './arch/types.ts'
export { rootSlotsOf } from './arch/root-bus.ts'
export { planSandbox, type Resolved } from './arch/planner.ts'
export { hotplugBlock, hotplugNetwork, hotplugVfio, hotplugCpus, hotplugMemory, unplug, type HotplugPlan, type Location } from './arch/hotplug.ts'
export { loadPlan, cryptoIds, type LoadOptions, type Loaded } from './effects/load.ts'
