/**
 * qemu-plan's pure core (`import … from 'qemu-plan'`): decode inputs, plan, render, plan hot-plugs,
 * and read command lines back (parse, diff, topology, capability check). Nothing reachable from
 * here imports a Node module, so it bundles for a browser or a worker; what touches the world
 * (files, image size, random ids, QEMU, QMP) is `qemu-plan/node`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { decodeConfig, decodeSandbox, planSandbox, render, seededIds } from 'qemu-plan'
 *
 * const config = decodeConfig({ hypervisor: { qemu: { kernel: '/k', initrd: '/i', machine_type: 'q35' } } })
 * const sandbox = decodeSandbox({ arch: 'amd64', id: 'sb1', uuid: '4e2b2bb8-5fc5-4d4b-9d3e-7a9d1c0b7b11', host: { memoryMiB: 4096, nested: false } })
 * if (E.isLeft(config) || E.isLeft(sandbox)) throw new Error('bad input')
 * const plan = planSandbox(config.right.value, sandbox.right.value, {}, seededIds(1))
 * const argv = E.isRight(plan) ? render(plan.right, 'qemu') : plan
 * assert.ok(E.isRight(argv) && argv.right.binary.endsWith('qemu-system-x86_64'))
 *
 * @since 0.1.0
 */
export * from './core/errors.ts'
export { opts, parseOpts, escape } from './core/opts.ts'
export { seededIds, makeNameId, truncateBytes, isQemuId, type IdSource } from './core/ids.ts'
export { param, parseParams, serializeParams, kernelCmdline, type Param } from './core/kernel.ts'
export * as bridges from './core/bridges.ts'
export type { Device, Placement, Dialect } from './core/devices/model.ts'
export { decodeConfig, type HypervisorConfig } from './core/input/config.ts'
export { decodeSandbox, type Sandbox, type SandboxDevice } from './core/input/sandbox.ts'
export type { Plan, ArchState, Machine, Smp, Memory } from './core/vm.ts'
export { render, type Rendered } from './core/render.ts'
export { arches } from './arch/index.ts'
export type { QemuArch, ArchSpec, Devices } from './arch/types.ts'
export { listOf, noDevices, rootSlotsOf } from './arch/base.ts'
export { planSandbox, archFor, type Resolved } from './arch/planner.ts'

// hot-plug as plans (run them with `execute` from `qemu-plan/node`)
export {
  hotplugBlock,
  hotplugNetwork,
  hotplugVfio,
  hotplugCpus,
  hotplugMemory,
  unplug,
  unplugTimeoutMs,
  type Action,
  type Location,
  type HotplugPlan,
  type BlockRequest,
  type NetRequest,
  type VfioRequest,
  type HotpluggableCpu,
} from './arch/hotplug.ts'
/** QMP wire messages: codecs, `parseLine` and `encodeCommand` (the client is `connect` in `qemu-plan/node`). */
export * as qmp from './core/qmp/message.ts'

// reading command lines back
export { parseArgv, parseLine, splitWords, joinAppend, lineToArgv, parseProps, toOptions, type Parsed, type Option, type Prop, type Props } from './core/parse/index.ts'
export { diffArgv, diff, isEmpty, formatDiff, view, type Change, type DeviceChange, type Diff, type DeviceView, type View } from './core/diff/index.ts'
export {
  topology,
  assignPlacements,
  checkHotplug,
  type Topology,
  type TopologyContext,
  type RootBusInfo,
  type SlotEntry,
  type BridgeNode,
  type Capacity,
  type HotplugNeeds,
  type HotplugConfig,
} from './core/topology.ts'
export { formatTopology } from './core/topology-text.ts'
export { topologyContext } from './arch/topology-context.ts'
export { decodeCapabilities, checkArgv, type Capabilities } from './core/caps.ts'
