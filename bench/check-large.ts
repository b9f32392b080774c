/** Where the "large" row's 150 drives land: `npx tsx bench/check-large.ts`. */
import { planSandbox } from '../src/arch/planner.ts'
import { seededIds } from '../src/core/ids.ts'
import { large } from './inputs.ts'

const p = planSandbox(large.config, large.sandbox, { imageSizeBytes: 134_217_728 }, seededIds(1))
if (p._tag === 'Left') throw new Error(JSON.stringify(p.left))
const drives = p.right.devices.filter((d) => d._tag === 'Block')
const root = drives.filter((d) => d._tag === 'Block' && d.placement._tag === 'Pci' && d.placement.bus === 'pcie.0').length
console.log(JSON.stringify({ drives: drives.length, onRootBus: root, behindBridges: drives.length - root }))
