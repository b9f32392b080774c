/**
 * What `topology` needs from the arch layer for a plan: the machine's root bus (its reserved slots
 * and bridge type) and whether the arch hot-plugs memory. Plans parsed from argv name their arch
 * and machine; arches not implemented yet get a neutral context.
 *
 * @since 0.1.0
 */
import type { TopologyContext } from '../core/topology.ts'
import type { Plan } from '../core/vm.ts'
import { arches } from './index.ts'

/**
 * @since 0.1.0
 * @category planning
 */
export const topologyContext = (plan: Plan): TopologyContext => {
  const arch = arches[plan.arch]
  return arch === undefined
    ? { rootBus: undefined, memoryHotplug: plan.transport !== 'ccw' }
    : { rootBus: arch.spec.rootBus[plan.machine.type], memoryHotplug: arch.supportGuestMemoryHotplug(plan.state) }
}
