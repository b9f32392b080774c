/**
 * qemu-plan's pure core (`import … from 'qemu-plan'`): decode inputs, plan, render, plan hot-plugs,
 * and read command lines back (parse, diff, topology, capability check). Nothing reachable from
 * here imports a Node module, so it bundles for a browser or a worker; what touches the world
 * (files, image size, random ids, host facts, QEMU, QMP) is `qemu-plan/node`.
 *
 * This list is the public API, on purpose: the plan's data model and the functions over it. The
 * persistent structures the planner keeps its state in (slot maps, the device list being drafted)
 * and the device modules' internals are not part of it.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeConfig, decodeSandbox, planSandbox, render, seededIds } from 'qemu-plan'
 *
 * const config = decodeConfig({ hypervisor: { qemu: { kernel: '/k', initrd: '/i', machine_type: 'q35' } } })
 * const sandbox = decodeSandbox({ arch: 'amd64', id: 'sb1', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11', host: { memoryMiB: 4096, nested: false, cpus: 4 } })
 * if (E.isLeft(config) || E.isLeft(sandbox)) throw new Error('bad input')
 * const plan = planSandbox(config.right.value, sandbox.right.value, {}, seededIds(1))
 * const argv = E.isRight(plan) ? render(plan.right, 'qemu') : plan
 * assert.ok(E.isRight(argv) && argv.right.binary.endsWith('qemu-system-x86_64'))
 *
 * @since 0.1.0
 */

// errors: every failure as a tagged value, and its one-line message
export * from './core/errors.ts'

// inputs: Kata's configuration (with katautils' rules) and the sandbox, and their JSON Schemas
export { decodeConfig, type HypervisorConfig, type Decoded } from './core/input/config.ts'
export { decodeSandbox, type Sandbox, type SandboxDevice, type Arch } from './core/input/sandbox.ts'
export { configurationSchema, sandboxSchema, toSchema } from './core/input/schema.ts'
export {
  vcpuPlan,
  defaultVCPUs,
  defaultMaxVCPUs,
  maxQemuVCPUs,
  machineAccelerators,
  goFields,
  katautilsDefaults,
  type VcpuPlan,
} from './core/input/katautils.ts'
export { configEntries, configJson, configToml, type ConfigEntry } from './core/input/config-view.ts'

// planning and rendering
export { planSandbox, withAccelerators, type Resolved } from './arch/planner.ts'
export { arches, machineFacts, withMachineFacts } from './arch/index.ts'
export type { QemuArch, ArchSpec, Draft, Step, ImageInput } from './arch/types.ts'
export { render, renderDevice, ioThreadsOf, firstChildFd, type Rendered, type RenderError } from './core/render.ts'
export type {
  Plan,
  ArchState,
  Machine,
  MachineOpt,
  MachineFacts,
  Smp,
  Memory,
  Knobs,
  RootBus,
  HostFacts,
  HotplugConfig,
  Hotplugged,
  HotCpu,
  HotDimm,
} from './core/vm.ts'
export type { Device, DeviceOf, Placement, Transport } from './core/devices/index.ts'
export type { Dialect } from './core/devices/profile.ts'
export { seededIds, makeNameId, truncateBytes, isQemuId, maxDevIdSize, type IdSource } from './core/ids.ts'
export { param, parseParams, serializeParams, kernelCmdline, type Param } from './core/kernel.ts'
export { opts, parseOpts, escape, type Opt, type OptValue } from './core/opts.ts'
export {
  addDeviceToBridge,
  removeDeviceFromBridge,
  devicesOf,
  makeBridges,
  newBridge,
  pciPath,
  addressFormatCCW,
  addressFormatCCWForVirtServer,
  type Bridge,
  type BridgeSlot,
  type BridgeType,
} from './core/bridges.ts'
export { rootSlotsOf } from './arch/root-bus.ts'

// hot-plug as plans (run them with `execute` from `qemu-plan/node`)
export {
  hotplugBlock,
  hotplugNetwork,
  hotplugVfio,
  hotplugCpus,
  hotplugMemory,
  unplug,
  unplugTimeoutMs,
  type Location,
  type HotplugPlan,
  type BlockRequest,
  type NetRequest,
  type VfioRequest,
  type CpuOptions,
} from './arch/hotplug.ts'
export type { Action, QmpCommand, FdSource } from './core/qmp/action.ts'
export type { HotpluggableCpu, MemoryDevice } from './core/qmp/commands.ts'
/** QMP wire messages: codecs, `parseLine` and `encodeCommand` (the client is `connect` in `qemu-plan/node`). */
export * as qmp from './core/qmp/message.ts'

// reading command lines back
export {
  parseArgv,
  parseLine,
  splitWords,
  joinAppend,
  lineToArgv,
  parseProps,
  toOptions,
  type Parsed,
  type Option,
  type Prop,
  type Props,
} from './core/parse/index.ts'
export {
  diffArgv,
  diff,
  isEmpty,
  formatDiff,
  view,
  type Change,
  type DeviceChange,
  type Diff,
  type DeviceView,
  type View,
} from './core/diff/index.ts'
export {
  topology,
  assignPlacements,
  checkHotplug,
  type Topology,
  type SlotEntry,
  type BridgeNode,
  type Capacity,
  type HotplugNeeds,
} from './core/topology.ts'
export { formatTopology } from './core/topology-text.ts'
export { decodeCapabilities, checkArgv, plannerVocabulary, type Capabilities } from './core/caps.ts'
