/**
 * qemu-plan's effects, for Node (`import … from 'qemu-plan/node'`): load a plan from files (stat of
 * the image, crypto ids), the state file, launching QEMU, the QMP client, running hot-plug plans,
 * and probing a binary's capabilities. The pure core they work on is `qemu-plan`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import { render } from 'qemu-plan'
 * import { loadPlan } from 'qemu-plan/node'
 *
 * // the bundled example (paths relative to a clone of the repository)
 * const loaded = await loadPlan({ configPath: 'examples/configuration.toml', sandboxPath: 'examples/sandbox.json', imageSizeBytes: 134217728 })()
 * if (E.isLeft(loaded)) throw new Error(loaded.left._tag)
 * const argv = render(loaded.right.plan, 'qemu')
 * assert.ok(E.isRight(argv) && argv.right.args.includes('-device'))
 *
 * @since 0.2.0
 */
export { loadPlan, parseConfigText, parseJson, type LoadOptions, type Loaded } from './effects/load.ts'
export { nodeFileSystem, nodeIds, nodeClock, nodeEnv, type FileSystem, type Ids, type Clock, type Env } from './effects/ports.ts'
export { statePath, readState, writeState } from './effects/state.ts'
export { planSandboxText, nodeSyncFileSystem, pooledIds, nodeServiceEnv, type SyncFileSystem, type ServiceEnv } from './effects/service.ts'
export { launch, waitForSocket, exitedError, type Launched, type Exit as QemuExit } from './effects/launcher.ts'
export { connect, waitForQmp, type QmpClient, type QmpOptions, type FdSource } from './effects/qmp-client.ts'
export {
  execute,
  addCpus,
  addMemory,
  setIgnoreSharedMemoryMigrationCaps,
  waitMigration,
  saveTemplate,
  restoreTemplate,
  type Failed,
} from './effects/hotplug.ts'
export { probe, probeBinary, parseQdmAliases, type QmpExecutor } from './effects/probe.ts'
export { loadArgvInput, type InputOptions, type ArgvInput } from './effects/argv-input.ts'
export { readHostFacts, fillHostFacts, nodeMachine, missingBinary, type Machine, type HostFacts } from './effects/host.ts'
