/**
 * A fixed amount of work for an instruction counter: build the input of `wide(n)` (and its argv
 * for parse and diff), warm the code up on a small input, then run the op `k` times on n. Run
 * under `bench/cachegrind.sh`, which subtracts a run with k = 0 (the same start-up, input and
 * warm-up) from a run with k > 0, so what is left is k ops on n devices, collections included.
 *
 *   node .tmp/js/bench/count.js plan|parse|diff <n> <k>
 */
import { isWideOp, wideOp } from './wide-ops.ts'

const [what = 'plan', nText = '1000', kText = '1'] = process.argv.slice(2)
const n = Number(nText)
const k = Number(kText)
if (!isWideOp(what) || !Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0) {
  console.error('usage: count.js plan|parse|diff <n ≥ 1> <k ≥ 0>')
  process.exit(2)
}

// the same warm-up whatever n and k: 200 runs on 200 devices
const warm = wideOp(what, 200)
for (let i = 0; i < 200; i++) warm()
const once = wideOp(what, n)
let kept: unknown
for (let i = 0; i < k; i++) kept = once()
if (k > 0 && kept === undefined) throw new Error('no result')
