/**
 * A loop to profile: plan + render one of the benchmark inputs for 4 s and print the mean per
 * operation. `node --import tsx --cpu-prof bench/profile.ts typical|large|scaled-<n> [plan|render]`
 */
import { planSandbox } from '../src/arch/planner.ts'
import { seededIds } from '../src/core/ids.ts'
import { render } from '../src/core/render.ts'
import { large, scaled, typical } from './inputs.ts'
const arg = process.argv[2] ?? 'typical'
const which = arg === 'typical' ? typical : arg === 'large' ? large : scaled(Number(arg.replace('scaled-', '')))
const only = process.argv[3]
const ids = seededIds(1)
const once = planSandbox(which.config, which.sandbox, { imageSizeBytes: 134217728 }, ids)
if (once._tag === 'Left') throw new Error(JSON.stringify(once.left))
const t = performance.now()
let n = 0
while (performance.now() - t < 4000) {
  if (only === 'render') render(once.right, 'govmm')
  else {
    const p = planSandbox(which.config, which.sandbox, { imageSizeBytes: 134217728 }, ids)
    if (p._tag === 'Right' && only !== 'plan') render(p.right, 'govmm')
  }
  n++
}
console.log('per op µs', (4000 / n) * 1000)
