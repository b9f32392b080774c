/**
 * All arches, always compiled in: one process plans for any of them on any host. `machineFacts`
 * is what a plan carries from its arch, so nothing downstream asks the arch again.
 *
 * @since 0.1.0
 */
import type { Arch } from '../core/input/sandbox.ts'
import type { MachineFacts, Plan } from '../core/vm.ts'
import { amd64 } from './amd64.ts'
import { arm64 } from './arm64.ts'
import { ppc64le } from './ppc64le.ts'
import { s390x } from './s390x.ts'
import type { ArchState, QemuArch } from './types.ts'

/** @since 0.1.0 @category constructors */
export const arches: Readonly<Record<Arch, QemuArch>> = { amd64, arm64, ppc64le, s390x }

/**
 * The facts of `arch`'s machine for a plan drafted in `state` (a parsed plan passes a state with
 * the machine type and no devices: the facts depend on neither).
 *
 * @since 0.3.0
 * @category constructors
 */
export const machineFacts = (arch: QemuArch, state: ArchState): MachineFacts => ({
  rootBus: arch.spec.rootBus[state.machineType],
  kvmPit: arch.spec.kvmPit,
  maxMemAlignMiB: arch.spec.maxMemAlignMiB,
  memoryNeedsFirmware: arch.spec.memoryNeedsFirmware,
  memoryHotplug: arch.supportGuestMemoryHotplug(state),
  cpuHotplug: arch.spec.cpuHotplug,
  unplugIsSurprise: arch.spec.unplugIsSurprise,
  ignoreSharedMemory: arch.setIgnoreSharedMemoryMigrationCaps().length > 0,
  migrationTimeoutMs: arch.spec.migrationWaitTimeoutMs,
})

/**
 * A plan with its arch's machine facts: for plans that did not come from the planner (a parsed
 * command line knows its arch and machine, not what they imply).
 *
 * @since 0.3.0
 * @category constructors
 */
export const withMachineFacts = (plan: Plan): Plan => ({ ...plan, facts: machineFacts(arches[plan.arch], plan.state) })

export type * from './types.ts'
