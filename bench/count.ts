/**
 * A fixed amount of work for an instruction counter: build the input of `wide(n)` (and its argv
 * for parse and diff), warm the code up on a small input, then run the op `k` times on n. Run
 * under `bench/cachegrind.sh`, which subtracts a run with k = 0 (the same start-up, input and
 * warm-up) from a run with k > 0, so what is left is k ops on n devices, collections included.
 *
 *   node .tmp/js/bench/count.js plan|parse|diff <n> <k>
 */
import { diffArgv } from '../src/core/diff/index.ts'
import { parseArgv } from '../src/core/parse/plan.ts'
import { ok, plan, wide, wideArgv } from './inputs.ts'

const [what = 'plan', nText = '1000', kText = '1'] = process.argv.slice(2)
const n = Number(nText)
const k = Number(kText)
if (!['plan', 'parse', 'diff'].includes(what) || !Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0) {
  console.error('usage: count.js plan|parse|diff <n ≥ 1> <k ≥ 0>')
  process.exit(2)
}

const opOn = (size: number): (() => unknown) => {
  if (what === 'plan') {
    const x = wide(size)
    return () => plan(x)
  }
  const { a, b } = wideArgv(size)
  return what === 'parse' ? () => ok(parseArgv(a)) : () => ok(diffArgv(a, b))
}

// the same warm-up whatever n and k: 200 runs on 200 devices
const warm = opOn(200)
for (let i = 0; i < 200; i++) warm()
const once = opOn(n)
let kept: unknown
for (let i = 0; i < k; i++) kept = once()
if (k > 0 && kept === undefined) throw new Error('no result')
