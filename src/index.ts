/**
 * qemu-plan's public API: decode inputs, plan, render — and the effects-inclusive `loadPlan`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeConfig, decodeSandbox, planSandbox, render, seededIds } from 'qemu-plan'
 *
 * @since 0.1.0
 */
export * from './core/errors.ts'
export { opts, parseOpts, escape } from './core/opts.ts'
export { seededIds, makeNameId, truncateBytes, isQemuId, type IdSource } from './core/ids.ts'
export { param, parseParams, serializeParams, kernelCmdline, type Param } from './core/kernel.ts'
export * as bridges from './core/bridges.ts'
export * as slots from './core/slots.ts'
export * as snoc from './core/snoc.ts'
export type { Device, Placement, Dialect } from './core/devices/model.ts'
export { decodeConfig, type HypervisorConfig } from './core/input/config.ts'
export { decodeSandbox, type Sandbox, type SandboxDevice } from './core/input/sandbox.ts'
export type { Plan, ArchState, Machine, Smp, Memory } from './core/vm.ts'
export { render, type Rendered } from './core/render.ts'
export { arches } from './arch/index.ts'
export type { QemuArch, ArchSpec, Devices } from './arch/types.ts'
export { listOf, noDevices, rootSlotsOf } from './arch/base.ts'
export { planSandbox, archFor, type Resolved } from './arch/planner.ts'
export { loadPlan, cryptoIds, type LoadOptions, type Loaded } from './effects/load.ts'
