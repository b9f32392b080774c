/**
 * The scaling rows' ops on `wide(n)`, for the scripts that time or count one of them at a time
 * (`scale.ts`, `count.ts`). Apart from `inputs.ts`, which `history.sh` copies into older commits,
 * some of which have no parser or diff.
 */
import { diffArgv } from '../src/core/diff/index.ts'
import { parseArgv } from '../src/core/parse/plan.ts'
import { ok, plan, wide, wideArgv } from './inputs.ts'

export type WideOp = 'plan' | 'parse' | 'diff'

export const isWideOp = (s: string): s is WideOp => s === 'plan' || s === 'parse' || s === 'diff'

/** Plan `wide(n)`, parse its qemu-dialect argv, or diff that argv with its one-drive change; the inputs are made once, here. */
export const wideOp = (what: WideOp, n: number): (() => unknown) => {
  if (what === 'plan') {
    const x = wide(n)
    return () => plan(x)
  }
  const { a, b } = wideArgv(n)
  return what === 'parse' ? () => ok(parseArgv(a)) : () => ok(diffArgv(a, b))
}
