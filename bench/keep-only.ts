/**
 * What V8 alone charges a ×10 step, with no qemu-plan code: a loop that makes one small record per
 * device (a tag, an id and a path taken from an input made beforehand, as the planner takes them
 * from the sandbox, and a number) and either keeps them all in the array it returns (`keep`, as
 * `plan`, `parse` and `diff` keep their results) or keeps only the last 64 (`drop`). `--junk b`
 * also allocates about b bytes a device that die at once (in 40-byte objects, held in a 64-slot
 * ring so the compiler cannot remove them), like the planner's temporaries.
 *
 * For each n it runs the loop for `--ms` after as long a warm-up and prints the median and mean
 * per device, then each ×10 step of the means.
 *
 *   node .tmp/js/bench/keep-only.js keep|drop [n…] [--junk 0] [--ms 3000]
 */
import { flagValue, sizesIn } from './args.ts'
import { median } from './stats.ts'

interface Rec {
  readonly _tag: 'Block'
  readonly id: string
  readonly file: string
  readonly devno: number
}
interface Junk {
  readonly a: number
  readonly b: number
  readonly c: number
}

const mode = process.argv[2]
if (mode !== 'keep' && mode !== 'drop') {
  console.error('usage: keep-only.ts keep|drop [n…] [--junk bytes] [--ms 3000]')
  process.exit(2)
}
const junkObjects = Math.round(Number(flagValue('--junk') ?? 0) / 40)
const budgetMs = Number(flagValue('--ms') ?? 3000)
const sizes = sizesIn(['--junk', '--ms'])

const ring: Array<Rec | Junk | undefined> = Array.from({ length: 64 }, () => undefined)
let r = 0

const once = (input: ReadonlyArray<{ readonly id: string; readonly file: string }>): ReadonlyArray<Rec> => {
  const out: Array<Rec> = []
  for (let i = 0; i < input.length; i++) {
    for (let k = 0; k < junkObjects; k++) ring[r++ & 63] = { a: k, b: i, c: r }
    const x = input[i] as { readonly id: string; readonly file: string }
    const rec: Rec = { _tag: 'Block', id: x.id, file: x.file, devno: i }
    if (mode === 'keep') out.push(rec)
    else ring[r++ & 63] = rec
  }
  return out
}

const means: Array<number> = []
for (const n of sizes.length > 0 ? sizes : [1000, 10_000, 100_000]) {
  const input = Array.from({ length: n }, (_, i) => ({ id: `drive-${i}`, file: `/var/lib/disks/d${i}.img` }))
  for (const t = performance.now(); performance.now() - t < budgetMs;) once(input)
  const ts: Array<number> = []
  for (const t = performance.now(); ts.length < 3 || performance.now() - t < budgetMs;) {
    const s = performance.now()
    once(input)
    ts.push(performance.now() - s)
  }
  const mean = ts.reduce((a, b) => a + b, 0) / ts.length
  means.push(mean)
  const perDevice = (ms: number): string => `${((ms * 1000) / n).toFixed(4)} µs`
  console.log(
    `${mode} n=${n} junk=${junkObjects * 40} B: median ${perDevice(median(ts))}, mean ${perDevice(mean)} per device over ${ts.length} runs`,
  )
}
console.log(
  `${mode} steps of the means: ${means
    .slice(1)
    .map((m, i) => `${(m / (means[i] as number)).toFixed(1)}×`)
    .join(', ')}`,
)
