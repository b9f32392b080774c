/**
 * The plans the parse/diff/topology laws run over: every golden scenario's plan, plus random plans
 * from `plan-arbitrary.ts`. This is the one import to swap for the shared sandbox arbitraries
 * (`test/support/arbitraries/`) when they land.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import type { Plan } from '../../src/core/vm.ts'
import { planOf, type GoldenInput } from './golden.ts'
import { arbitraryPlan } from './plan-arbitrary.ts'

const root = join(import.meta.dirname, '..', 'golden')

/** Every `test/golden/<arch>/<scenario>.input.json`, by `<arch>/<scenario>`. */
export const goldenInputs: ReadonlyArray<{ readonly name: string; readonly input: GoldenInput }> = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, d.name))
      .filter((f) => f.endsWith('.input.json'))
      .sort()
      .map((f) => ({ name: `${d.name}/${f.replace(/\.input\.json$/, '')}`, input: JSON.parse(readFileSync(join(root, d.name, f), 'utf8')) as GoldenInput })),
  )

/** The golden scenarios that plan (some golden scenarios are expected errors). */
export const goldenPlans: ReadonlyArray<{ readonly name: string; readonly plan: Plan }> = goldenInputs.flatMap(({ name, input }) => {
  const p = planOf(input)
  return E.isRight(p) ? [{ name, plan: p.right }] : []
})

/** The corpus: golden plans and random plans. */
export const corpus: fc.Arbitrary<Plan> = fc.oneof(fc.constantFrom(...goldenPlans.map((g) => g.plan)), arbitraryPlan)
