/** Where the "large" row's 150 drives land: `npx tsx bench/check-large.ts`. */
import { large, plan } from './inputs.ts'

const drives = plan(large).devices.filter((d) => d._tag === 'Block')
const root = drives.filter((d) => d._tag === 'Block' && d.placement._tag === 'Pci' && d.placement.bus === 'pcie.0').length
console.log(JSON.stringify({ drives: drives.length, onRootBus: root, behindBridges: drives.length - root }))
