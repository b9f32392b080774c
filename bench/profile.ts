/**
 * A loop to profile: plan + render the typical or large sandbox for 4 s and print the mean per
 * operation. `node --import tsx --cpu-prof bench/profile.ts typical|large`
 */
import { planSandbox } from '../src/arch/planner.ts'
import { seededIds } from '../src/core/ids.ts'
import { render } from '../src/core/render.ts'
import { large, typical } from './inputs.ts'
const which = process.argv[2] === 'typical' ? typical : large
const ids = seededIds(1)
const t = performance.now()
let n = 0
while (performance.now() - t < 4000) { const p = planSandbox(which.config, which.sandbox, { imageSizeBytes: 134217728 }, ids); if (p._tag === 'Right') render(p.right, 'govmm'); n++ }
console.log('per op µs', (4000 / n) * 1000)
