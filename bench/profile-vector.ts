/**
 * A loop to profile or time on the Kata 1.9 vectors' specs: plan + render (govmm) of
 * spec-typical.json or spec-large.json, the embedded-service op, or the decoding of the typical
 * sandbox's JSON text, for a while; prints the mean per operation (µs), wall and CPU time.
 *
 *   node --import tsx [--cpu-prof --cpu-prof-dir=.tmp/prof] bench/profile-vector.ts typical|large|service|decode [plan|render] [--ms 4000]
 */
import { decodeSandbox } from '../src/core/input/sandbox.ts'
import { render } from '../src/core/render.ts'
import { flagValue } from './args.ts'
import { planVector, serviceInput, vectorInput } from './vectors.ts'

const arg = process.argv[2] ?? 'typical'
const v = vectorInput(arg === 'large' ? 'large' : 'typical')
const only = process.argv[3] === 'plan' || process.argv[3] === 'render' ? process.argv[3] : undefined
const ms = Number(flagValue('--ms') ?? 4000)
const service = arg === 'service' ? serviceInput(v) : undefined
const planned = planVector(v)
const once = (): void => {
  if (service !== undefined) service.once()
  else if (arg === 'decode') decodeSandbox(JSON.parse(v.sandboxText))
  else if (only === 'render') render(planned, 'govmm')
  else if (only === 'plan') planVector(v)
  else render(planVector(v), 'govmm')
}
for (let i = 0; i < 200; i++) once()
// wall time, and this process's CPU time (less disturbed by other jobs on a shared machine)
const t = performance.now()
const c = process.cpuUsage()
let n = 0
while (performance.now() - t < ms) {
  once()
  n++
}
const cpu = process.cpuUsage(c)
console.log('per op µs', ((performance.now() - t) / n) * 1000, 'cpu µs', (cpu.user + cpu.system) / n)
service?.dispose()
