/**
 * Laws of `check`: every amd64 plan the planner makes, rendered for QEMU 7.2, uses only what the
 * probed qemu-system-x86_64 has; and checking arbitrary argv never throws.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkArgv, decodeCapabilities, type Capabilities } from '../../src/core/caps.ts'
import { toMessage } from '../../src/core/errors.ts'
import { render } from '../../src/core/render.ts'
import { plannedVariant } from '../support/corpus.ts'

const x86 = decodeCapabilities(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'caps', 'qemu-system-x86_64.json'), 'utf8')),
)

describe('check laws', () => {
  it('passes every amd64 plan rendered in the qemu dialect', () => {
    fc.assert(
      fc.property(plannedVariant, (p) => {
        fc.pre(p.arch === 'amd64' && E.isRight(x86))
        const r = render(p, 'qemu')
        fc.pre(E.isRight(r))
        const argv = E.isRight(r) ? [r.right.binary, ...r.right.args] : []
        const problems = checkArgv(argv, (x86 as E.Right<Capabilities>).right)
        expect(E.isRight(problems) ? problems.right.map(toMessage) : problems.left).toEqual([])
      }),
      { numRuns: 100 },
    )
  })
  it('never throws on arbitrary argv', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom('-device', '-machine', '-object', '-chardev', '-cpu', '-incoming'))),
        (argv) => {
          const r = checkArgv(argv, (x86 as E.Right<Capabilities>).right)
          expect(E.isRight(r) || r.left._tag === 'ParseError').toBe(true)
        },
      ),
      { numRuns: 500 },
    )
  })
})
